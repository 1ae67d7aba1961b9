"""Range and If-Range as this server answers them, for files (aiohttp sends) and for bytes built in memory.

aiohttp's ``FileResponse`` does ranges, 304 and 416, but compares If-Range only as a date (an ETag there
is ignored and the range sent anyway: wrong bytes spliced into a resumed download) and answers a
malformed, reversed or multi-part Range with 416 where RFC 9110 lets a server send the whole file, which
players expect. So the Range header is judged here first, and a request carries on to aiohttp only with a
range to honour; bytes built in memory (a rewritten feed, a folder listing) get the same rules.
"""

from __future__ import annotations

import email.utils
import hashlib
import math
import os
import re
from pathlib import Path

from aiohttp import hdrs, web
from aiohttp.abc import AbstractStreamWriter
from multidict import CIMultiDict

_ONE_RANGE = re.compile(r"bytes=(\d*)-(\d*)", re.ASCII | re.IGNORECASE)


def send_file(request: web.Request, path: Path, stat: os.stat_result, mime: str) -> web.FileResponse:
    """``path`` with aiohttp's ranges, validators and sendfile, its Range judged by ``honoured_range``."""
    etag = f"{stat.st_mtime_ns:x}-{stat.st_size:x}"  # aiohttp's FileResponse ETag, for If-Range
    span = honoured_range(request, etag, stat.st_mtime, stat.st_size)
    headers = CIMultiDict(request.headers)
    headers.popall(hdrs.IF_RANGE, None)  # judged here: aiohttp would read it as a date only
    if span is None:
        headers.popall(hdrs.RANGE, None)
    return _JudgedFile(path, headers, mime)


class _JudgedFile(web.FileResponse):
    """A FileResponse that sees the request with the Range and If-Range judged above."""

    def __init__(self, path: Path, request_headers: CIMultiDict[str], mime: str) -> None:
        super().__init__(path, headers={hdrs.CONTENT_TYPE: mime})
        self._request_headers = request_headers

    async def prepare(self, request: web.BaseRequest) -> AbstractStreamWriter | None:
        return await super().prepare(request.clone(headers=self._request_headers))


def send_bytes(request: web.Request, data: bytes, mtime: float, mime: str) -> web.Response:
    """``data`` with a strong ETag from its content, Last-Modified ``mtime``, 304 and one range."""
    etag = hashlib.sha256(data).hexdigest()[:32]
    response = web.Response(headers={hdrs.CONTENT_TYPE: mime})
    response.etag, response.last_modified = etag, mtime
    response.headers[hdrs.ACCEPT_RANGES] = "bytes"
    if _not_modified(request, etag, mtime):
        response.set_status(304)
        return response
    span = honoured_range(request, etag, mtime, len(data))
    if span is None:
        response.body = data
        return response
    start, stop, _ = span.indices(len(data))
    if start >= stop:
        raise _unsatisfiable(len(data))
    response.set_status(206)
    response.headers[hdrs.CONTENT_RANGE] = f"bytes {start}-{stop - 1}/{len(data)}"
    response.body = data[start:stop]
    return response


def honoured_range(request: web.Request, etag: str, mtime: float, size: int) -> slice | None:
    """The bytes a request's Range asks for, or None to send the whole representation.

    None when there is no Range, when If-Range names another version (a strong ETag other than ours, or
    a date other than our Last-Modified), or when Range is not one well-formed byte range. A range
    that asks for nothing (``bytes=-0``) is 416; one that starts past the end is left for the sender.
    """
    header = request.headers.get(hdrs.RANGE)
    if header is None or not _still_current(request.headers.get(hdrs.IF_RANGE), etag, mtime):
        return None
    match = _ONE_RANGE.fullmatch(header.strip().replace(" ", ""))
    if not match or match.group(1) == match.group(2) == "":
        return None
    first, last = (int(group) if group else None for group in match.groups())
    if first is None:  # the last N bytes
        if last == 0:
            raise _unsatisfiable(size)
        return slice(-last, None)
    if last is not None and last < first:
        return None  # invalid, not unsatisfiable
    return slice(first, None if last is None else last + 1)


def _still_current(condition: str | None, etag: str, mtime: float) -> bool:
    if condition is None:
        return True
    condition = condition.strip()
    if condition.startswith(('"', "W/")):
        return condition == f'"{etag}"'  # a weak tag never matches: If-Range needs a strong validator
    try:
        parsed = email.utils.parsedate_to_datetime(condition)
    except (TypeError, ValueError):
        return False
    return parsed.timestamp() == math.ceil(mtime)  # exactly the Last-Modified sent


def _not_modified(request: web.Request, etag: str, mtime: float) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    tags = request.if_none_match
    if tags is not None:
        return any(tag.value in {etag, "*"} for tag in tags)
    since = request.if_modified_since
    return since is not None and mtime <= since.timestamp()


def _unsatisfiable(size: int) -> web.HTTPRequestRangeNotSatisfiable:
    return web.HTTPRequestRangeNotSatisfiable(headers={hdrs.CONTENT_RANGE: f"bytes */{size}"}, text="")
