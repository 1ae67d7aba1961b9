"""Serve the output folder to podcast apps on the network: ranges, validators, MIME types, CORS, nothing outside it."""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import html
import io
import re
import socket
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urljoin

from enews_audio.errors import UsageError

MIME_TYPES = {
    ".mp3": "audio/mpeg",
    ".xml": "application/rss+xml; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
    ".json": "application/json",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
_FEED_NAME = "feed.xml"
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
_ABSOLUTE_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:|^//")
_LINK_TEXT_TAGS = {"link", "url"}  # RSS elements whose text is an address
_CHUNK = 1 << 16


def serve(
    root: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    on_ready: Callable[[str], None] | None = None,
    on_request: Callable[[str], None] | None = None,
) -> None:
    """Serve ``root`` until interrupted; ``on_ready`` gets the base URL, ``on_request`` one line per request."""
    server = make_server(root, host, port, on_request=on_request)
    with server:
        if on_ready:
            on_ready(server_url(server))
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a listener stops it: not an error
            server.serve_forever()


def make_server(
    root: Path, host: str = "127.0.0.1", port: int = 8000, *, on_request: Callable[[str], None] | None = None
) -> ThreadingHTTPServer:
    """A bound, not yet running server for ``root`` (port 0 picks a free port; see ``server_url``)."""
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder to serve")
    handler = type("Handler", (_Handler,), {"root": root.resolve(), "on_request": staticmethod(on_request)})
    server_class = _Server6 if ":" in host else ThreadingHTTPServer
    try:
        server = server_class((host, port), handler)
    except OSError as exc:
        raise UsageError(f"can't listen on {host}:{port}: {exc.strerror or exc}") from exc
    server.daemon_threads = True
    return server


def feeds(root: Path) -> list[str]:
    """The feeds under ``root`` (the output folder or one paper's folder), as paths relative to it."""
    found = [root / _FEED_NAME, *root.glob(f"*/{_FEED_NAME}")]
    return sorted(path.relative_to(root).as_posix() for path in found if path.is_file())


def server_url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{f'[{host}]' if ':' in str(host) else host}:{port}/"


class _Server6(ThreadingHTTPServer):
    address_family = socket.AF_INET6


@dataclass(frozen=True, slots=True)
class _Resource:
    """What a response sends: the bytes (from a file or built in memory) and their validators."""

    size: int
    etag: str
    mtime: float
    mime: str
    open: Callable[[], BinaryIO]


class _Handler(BaseHTTPRequestHandler):
    root: Path
    on_request: Callable[[str], None] | None
    server_version = "enews-audio"
    protocol_version = "HTTP/1.1"  # keep-alive: apps open many range requests on one connection

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def do_OPTIONS(self) -> None:
        """CORS preflight: anyone may read, with ranges and validators."""
        self.send_response(HTTPStatus.NO_CONTENT)
        self._common_headers()
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Range, If-None-Match, If-Modified-Since, If-Range")
        self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        if self.on_request:
            self.on_request(f"{self.address_string()} {format % args}")

    def _respond(self, *, send_body: bool) -> None:
        url_path = self.path.split("?", 1)[0].split("#", 1)[0]
        path = self._local_path(url_path)
        if path is None:
            return
        if path.is_dir() and not url_path.endswith("/"):
            self._redirect(url_path + "/")
            return
        try:
            if path.is_dir():
                index = path / "index.html"
                resource = _file(index) if index.is_file() else _listing(path, url_path)
            elif path.name == _FEED_NAME:
                resource = _feed(path, self._base_url(url_path))
            else:
                resource = _file(path)
        except OSError:  # removed or replaced since it was resolved
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        self._send(resource, send_body)

    def _local_path(self, url_path: str) -> Path | None:
        """The file a request names, or None after sending 400/403/404: no ``..``, dotfiles or escapes."""
        if not url_path.startswith("/"):
            self.send_error(HTTPStatus.BAD_REQUEST, "request target must be a path")
            return None
        try:
            decoded = unquote(url_path, errors="strict")
        except UnicodeDecodeError:
            self.send_error(HTTPStatus.BAD_REQUEST, "path is not UTF-8")
            return None
        parts = [part for part in decoded.split("/") if part]
        if any(part in {".", ".."} or "\\" in part or "\0" in part for part in parts):
            self.send_error(HTTPStatus.BAD_REQUEST, "path leaves the served folder")
            return None
        if any(part.startswith(".") for part in parts):  # the clip cache, staging folders, temp files
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        try:
            resolved = self.root.joinpath(*parts).resolve(strict=True)
        except (OSError, RuntimeError):  # missing, or a symlink loop
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        if not resolved.is_relative_to(self.root):  # a symlink pointing outside
            self.send_error(HTTPStatus.FORBIDDEN)
            return None
        if not (resolved.is_file() or resolved.is_dir()):
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        return resolved

    def _base_url(self, url_path: str) -> str:
        """The address this request reached us at, for the folder holding ``url_path``."""
        host = self.headers.get("Host", "")
        if not _HOST.match(host):
            host = server_url(self.server).removeprefix("http://").rstrip("/")  # type: ignore[arg-type]
        return urljoin(f"http://{host}{url_path}", ".")

    def _send(self, resource: _Resource, send_body: bool) -> None:
        if self._not_modified(resource):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self._common_headers()
            self._validators(resource)
            self.end_headers()
            return
        span = self._range(resource)
        if span == "unsatisfiable":
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self._common_headers()
            self.send_header("Content-Range", f"bytes */{resource.size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start, end = span or (0, resource.size - 1)
        self.send_response(HTTPStatus.PARTIAL_CONTENT if span else HTTPStatus.OK)
        self._common_headers()
        self._validators(resource)
        self.send_header("Content-Type", resource.mime)
        self.send_header("Content-Length", str(end - start + 1))
        if span:
            self.send_header("Content-Range", f"bytes {start}-{end}/{resource.size}")
        self.end_headers()
        if send_body and end >= start:
            try:
                with resource.open() as source:
                    source.seek(start)
                    _copy(source, self.wfile, end - start + 1)
            except (BrokenPipeError, ConnectionResetError):  # a player seeking elsewhere hangs up
                self.close_connection = True

    def _not_modified(self, resource: _Resource) -> bool:
        tags = self.headers.get("If-None-Match")
        if tags is not None:
            wanted = {tag.strip().removeprefix("W/") for tag in tags.split(",")}
            return "*" in wanted or resource.etag in wanted
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                moment = email.utils.parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
            return int(resource.mtime) <= moment.timestamp()
        return False

    def _range(self, resource: _Resource) -> tuple[int, int] | str | None:
        """(first, last) byte of a satisfiable single range, "unsatisfiable", or None for the whole file.

        A malformed or multi-part Range is ignored (the whole file is sent, as RFC 9110 allows), and so is
        one whose If-Range no longer matches the file.
        """
        header = self.headers.get("Range")
        if not header:
            return None
        condition = self.headers.get("If-Range")
        if condition and condition.strip() not in {resource.etag, _http_date(resource.mtime)}:
            return None
        match = _RANGE.match(header.strip().replace(" ", ""))
        if not match or match.group(1) == match.group(2) == "":
            return None
        first, last = match.groups()
        if first == "":  # the last N bytes
            count = int(last)
            if count == 0 or resource.size == 0:
                return "unsatisfiable"
            return max(resource.size - count, 0), resource.size - 1
        start = int(first)
        end = resource.size - 1 if last == "" else min(int(last), resource.size - 1)
        if last and int(last) < start:
            return None  # invalid, not unsatisfiable
        if start >= resource.size:
            return "unsatisfiable"
        return start, end

    def _common_headers(self) -> None:
        # Open to every origin: web players fetch transcripts and chapters across origins, and nothing here
        # is private (everything served is what the feed publishes).
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header(
            "Access-Control-Expose-Headers", "Accept-Ranges, Content-Length, Content-Range, ETag"
        )
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("X-Content-Type-Options", "nosniff")

    def _validators(self, resource: _Resource) -> None:
        self.send_header("ETag", resource.etag)
        self.send_header("Last-Modified", _http_date(resource.mtime))
        self.send_header("Cache-Control", "no-cache")  # revalidate each time: feeds change, 304s are cheap

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self._common_headers()
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


def _file(path: Path) -> _Resource:
    stat = path.stat()
    etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    mime = MIME_TYPES.get(path.suffix.lower(), "application/octet-stream")
    return _Resource(stat.st_size, etag, stat.st_mtime, mime, lambda: path.open("rb"))


def _memory(data: bytes, mtime: float, mime: str) -> _Resource:
    etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
    return _Resource(len(data), etag, mtime, mime, lambda: io.BytesIO(data))


def _feed(path: Path, base: str) -> _Resource:
    """The feed with its relative addresses made absolute against the address it was requested at.

    A feed built without ``--base-url`` links its episodes relative to itself, which podcast apps don't
    follow; served here, every such link points back at this server as the listener reached it.
    """
    data = path.read_bytes()
    rewritten = absolutize_feed(data, base)
    if rewritten == data:
        return _file(path)
    return _memory(rewritten, path.stat().st_mtime, MIME_TYPES[".xml"])


def absolutize_feed(data: bytes, base: str) -> bytes:
    """Every relative ``url``/``href`` attribute and ``<link>``/``<url>`` text of an RSS feed joined to ``base``."""
    try:
        namespaces = [ns for _, ns in ET.iterparse(io.BytesIO(data), events=("start-ns",))]
        root = ET.fromstring(data)
    except ET.ParseError:
        return data  # not ours to repair: serve it as it is
    changed = False
    for element in root.iter():
        for name in ("url", "href"):
            value = element.get(name)
            if value is not None and not _ABSOLUTE_URL.match(value):
                element.set(name, urljoin(base, value))
                changed = True
        if element.tag in _LINK_TEXT_TAGS and element.text and not _ABSOLUTE_URL.match(element.text.strip()):
            element.text = urljoin(base, element.text.strip())
            changed = True
    if not changed:
        return data
    for prefix, uri in namespaces:  # keep the feed's own prefixes (itunes:, podcast:) instead of ns0:
        if prefix and not re.fullmatch(r"ns\d+", prefix):
            ET.register_namespace(prefix, uri)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _listing(folder: Path, url_path: str) -> _Resource:
    """A plain list of what a folder without index.html holds (dotfiles left out)."""
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    items = "\n".join(
        f'<li><a href="{html.escape(p.name + ("/" if p.is_dir() else ""))}">{html.escape(p.name)}</a></li>'
        for p in entries
    )
    title = html.escape(unquote(url_path))
    page = (
        f'<!doctype html>\n<html lang="zh-CN">\n<head><meta charset="utf-8"><title>{title}</title></head>\n'
        f"<body>\n<main>\n<h1>{title}</h1>\n<ul>\n{items}\n</ul>\n</main>\n</body>\n</html>\n"
    )
    return _memory(page.encode("utf-8"), folder.stat().st_mtime, MIME_TYPES[".html"])


def _copy(source: BinaryIO, target: BinaryIO, count: int) -> None:
    while count > 0:
        block = source.read(min(_CHUNK, count))
        if not block:
            break
        target.write(block)
        count -= len(block)


def _http_date(mtime: float) -> str:
    return email.utils.formatdate(mtime, usegmt=True)
