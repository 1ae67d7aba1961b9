"""Cache entries that carry the hash of their own content, so a damaged one is noticed before it is used.

An entry is one JSON header line (the caller's fields plus ``sha256`` and ``size`` of the body), a newline,
then the body. A copy cut short, a bad sector or a hand edit changes the body's hash: the entry is refused
and the caller makes it again, where without the hash a short clip would be used as it is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


class DamagedEntry(ValueError):
    """The entry is not what was written: unparsable header, wrong size or wrong hash."""


def seal(meta: Mapping[str, Any], body: bytes) -> bytes:
    header = {**meta, "sha256": hashlib.sha256(body).hexdigest(), "size": len(body)}
    return json.dumps(header, ensure_ascii=False).encode() + b"\n" + body


def unseal(data: bytes) -> tuple[dict[str, Any], bytes]:
    """The header fields and the body of a sealed entry; ``DamagedEntry`` unless both are whole."""
    line, newline, body = data.partition(b"\n")
    try:
        header = json.loads(line)
    except ValueError as exc:  # JSON and UTF-8 errors alike
        raise DamagedEntry(f"unreadable header: {exc}") from None
    if not newline or not isinstance(header, dict) or "sha256" not in header:
        raise DamagedEntry("not a sealed entry")
    if header.get("size") != len(body):
        raise DamagedEntry(f"{len(body)} bytes where {header.get('size')} were written")
    if header["sha256"] != hashlib.sha256(body).hexdigest():
        raise DamagedEntry("content does not match its hash")
    return header, body
