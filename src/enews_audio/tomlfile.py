"""Read a TOML settings file, with every way it can fail told as one line of the caller's error class."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from enews_audio.errors import EnewsError


def read_toml(path: Path, error: type[EnewsError], what: str) -> dict[str, Any]:
    """The parsed file; a missing, unreadable or malformed one raises ``error`` naming ``what`` and the path."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{what} {path} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{what} {path}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from exc
    except RecursionError:  # tomllib parses nested arrays and tables by recursion
        raise error(f"{what} {path}: not valid TOML (nested too deeply)") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{what} {path}: not valid TOML ({' '.join(str(exc).split())})") from exc
