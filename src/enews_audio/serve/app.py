"""The aiohttp application for an output folder: a guard, one route for its files, the feed made absolute.

One catch-all route sends files through aiohttp's ``FileResponse`` rather than ``add_static``, because a
folder here redirects to its slash, serves its ``index.html`` or a listing without hidden entries, and
text types carry their charset; the guard in front resolves every path once.
"""

from __future__ import annotations

import asyncio
import html
import os
import re
import stat
from pathlib import Path
from urllib.parse import unquote, urljoin

from aiohttp import hdrs, web

from enews_audio.errors import UsageError
from enews_audio.publish import absolutize_feed, is_feed
from enews_audio.serve.ranges import send_bytes, send_file
from enews_audio.serve.reports import add_report_routes

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
_ROOT = web.AppKey("root", Path)
_FOUND = web.RequestKey("found", tuple[Path, os.stat_result])  # set by _guard
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


def make_app(root: Path, *, reports: bool = False) -> web.Application:
    """The application serving ``root`` (GET, HEAD and CORS preflight; nothing hidden or outside it), and
    with ``reports`` taking listeners' reports of misreadings (serve/reports.py)."""
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder to serve")
    app = web.Application(middlewares=[_guard])
    app[_ROOT] = root.resolve()
    if reports:
        add_report_routes(app, app[_ROOT])
    app.router.add_get("/{path:.*}", _get)  # and HEAD
    app.router.add_route(hdrs.METH_OPTIONS, "/{path:.*}", _preflight)
    app.on_response_prepare.append(_common_headers)
    return app


def http_url(host: str, port: int) -> str:
    return f"http://{_authority(host, port)}/"


def _authority(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@web.middleware
async def _guard(request: web.Request, handler: web.Handler) -> web.StreamResponse:
    """400 for a target that is not a plain path inside, 404 for hidden or missing, 403 for a link outside.

    Judged on the raw target, decoded once: ``%2e%2e``, ``%2f`` and ``%5c`` can't hide a step out, and a
    double-encoded ``%252e`` stays the literal name ``%2e``. Absolute-form targets (``http://…``) are refused:
    only proxies are sent those.
    """
    target = _target(request)
    if not target.startswith("/"):
        raise web.HTTPBadRequest(text="request target must be a path")
    try:
        parts = [part for part in unquote(target, errors="strict").split("/") if part]
    except UnicodeDecodeError:
        raise web.HTTPBadRequest(text="path is not UTF-8") from None
    if any(part in {".", ".."} or "\\" in part or "\0" in part for part in parts):
        raise web.HTTPBadRequest(text="path leaves the served folder")
    if any(part.startswith(".") for part in parts):  # the clip cache, staging folders, temp files
        raise web.HTTPNotFound()
    if request.method == hdrs.METH_POST:  # a report (its handler checks the paper), or 405: no file is read
        return await handler(request)
    request[_FOUND] = await asyncio.to_thread(_locate, request.app[_ROOT], parts)
    return await handler(request)


def _locate(root: Path, parts: list[str]) -> tuple[Path, os.stat_result]:
    """The file or folder ``parts`` name under ``root``, symlinks followed only to places the URL could name."""
    try:
        path = root.joinpath(*parts).resolve(strict=True)
        found = path.stat()
    except (OSError, RuntimeError):  # missing, or a symlink loop
        raise web.HTTPNotFound() from None
    if not path.is_relative_to(root):  # a symlink pointing outside
        raise web.HTTPForbidden()
    if _hidden(root, path) or not (stat.S_ISREG(found.st_mode) or stat.S_ISDIR(found.st_mode)):
        raise web.HTTPNotFound()  # a symlink into the cache; a socket or device
    return path, found


def _servable(root: Path, entry: Path) -> bool:
    try:
        _locate(root, list(entry.relative_to(root).parts))
    except web.HTTPException:
        return False
    return True


def _hidden(root: Path, path: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


async def _get(request: web.Request) -> web.StreamResponse:
    path, found = request[_FOUND]
    if stat.S_ISDIR(found.st_mode):
        return await _folder(request, path, found)
    if is_feed(path.name):
        return await _feed(request, path, found)
    return send_file(request, path, found, _mime(path))


async def _folder(request: web.Request, folder: Path, found: os.stat_result) -> web.StreamResponse:
    target = _target(request)
    if not target.endswith("/"):
        raise web.HTTPMovedPermanently(target + "/")
    index = folder / "index.html"
    try:
        index_found = await asyncio.to_thread(index.stat)
    except OSError:
        page = await asyncio.to_thread(_listing, request.app[_ROOT], folder, target)
        return send_bytes(request, page, found.st_mtime, MIME_TYPES[".html"])
    return send_file(request, index, index_found, MIME_TYPES[".html"])


async def _feed(request: web.Request, path: Path, found: os.stat_result) -> web.StreamResponse:
    """The feed with its relative links made absolute against the address it was requested at."""
    data = await asyncio.to_thread(path.read_bytes)
    rewritten = await asyncio.to_thread(absolutize_feed, data, _base_url(request))
    if rewritten == data:
        return send_file(request, path, found, MIME_TYPES[".xml"])
    return send_bytes(request, rewritten, found.st_mtime, MIME_TYPES[".xml"])


def _base_url(request: web.Request) -> str:
    """The address this request reached us at, for the folder holding the requested file."""
    host = request.headers.get(hdrs.HOST, "")
    if not _HOST.match(host):
        address = request.transport.get_extra_info("sockname") if request.transport else None
        host = _authority(*address[:2]) if address else "localhost"
    return urljoin(f"http://{host}{_target(request)}", ".")


def _listing(root: Path, folder: Path, target: str) -> bytes:
    """A plain list of what a folder without index.html holds that the guard would serve."""
    entries = [e for e in sorted(folder.iterdir()) if not e.name.startswith(".") and _servable(root, e)]
    items = "\n".join(
        f'<li><a href="{html.escape(p.name + ("/" if p.is_dir() else ""))}">{html.escape(p.name)}</a></li>'
        for p in entries
    )
    title = html.escape(unquote(target))
    page = (
        f'<!doctype html>\n<html lang="zh-CN">\n<head><meta charset="utf-8"><title>{title}</title></head>\n'
        f"<body>\n<main>\n<h1>{title}</h1>\n<ul>\n{items}\n</ul>\n</main>\n</body>\n</html>\n"
    )
    return page.encode("utf-8")


async def _preflight(request: web.Request) -> web.Response:
    """CORS preflight: anyone may read, with ranges and validators."""
    return web.Response(
        status=204,
        headers={
            "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
            "Access-Control-Allow-Headers": "Range, If-None-Match, If-Modified-Since, If-Range",
            "Access-Control-Max-Age": "86400",
        },
    )


async def _common_headers(request: web.Request, response: web.StreamResponse) -> None:
    # Open to every origin: web players fetch transcripts and chapters across origins, and nothing here
    # is private (everything served is what the feed publishes).
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "Accept-Ranges, Content-Length, Content-Range, ETag"
    response.headers.setdefault(hdrs.ACCEPT_RANGES, "bytes")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers[hdrs.SERVER] = "enews-audio"
    if hdrs.ETAG in response.headers:  # revalidate each time: feeds change, 304s are cheap
        response.headers[hdrs.CACHE_CONTROL] = "no-cache"


def _target(request: web.Request) -> str:
    return request.raw_path.split("?", 1)[0].split("#", 1)[0]


def _mime(path: Path) -> str:
    return MIME_TYPES.get(path.suffix.lower(), "application/octet-stream")
