"""Serve the output folder to podcast apps on the network, on aiohttp: ranges, validators, CORS, nothing hidden.

Serving is asynchronous by nature (many players, each holding a connection open between range
requests), so this package, like ``speech/``, uses asyncio; the event loop runs on a thread of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from enews_audio.errors import UsageError, printable
from enews_audio.publish import is_feed
from enews_audio.serve.app import http_url, make_app

__all__ = ["IDLE_TIMEOUT", "LIMITS", "feeds", "running", "serve"]

# A connection that sends no complete request for this long is closed: between a player's range
# requests that is ample, and a socket held open with half a request (slowloris) is let go.
IDLE_TIMEOUT = 15.0
# The request line, each header line, and how many headers (aiohttp answers 400 past them). No handler
# reads a body: one sent with a GET is answered without waiting for it, then discarded unread.
LIMITS = {"max_line_size": 8190, "max_field_size": 8190, "max_headers": 64}
_ACCESS_FORMAT = '%a "%r" %s %b'  # 127.0.0.1 "GET /paper/a01.mp3 HTTP/1.1" 206 65536
_LINE_LIMIT = 300  # characters of a reported line: a refused request may echo 8 KB of its own


def serve(
    root: Path,
    host: str,
    port: int,
    *,
    on_ready: Callable[[str], None] | None = None,
    on_request: Callable[[str], None] | None = None,
    idle_timeout: float = IDLE_TIMEOUT,
    reports: bool = False,
) -> None:
    """Serve ``root`` until Ctrl-C; ``on_ready`` gets the base URL, ``on_request`` one line per request;
    with ``reports``, listeners' reports of misreadings are taken (serve/reports.py)."""
    with (
        running(root, host, port, on_request=on_request, idle_timeout=idle_timeout, reports=reports) as url,
        contextlib.suppress(KeyboardInterrupt),  # Ctrl-C is how a listener stops it: not an error
    ):
        if on_ready:
            on_ready(url)
        threading.Event().wait()


@contextlib.contextmanager
def running(
    root: Path,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    on_request: Callable[[str], None] | None = None,
    idle_timeout: float = IDLE_TIMEOUT,
    reports: bool = False,
) -> Iterator[str]:
    """Serve ``root`` from a thread of its own while the block runs; yields the base URL (port 0, the
    default: any free one; the command's own defaults are the CLI's)."""
    app = make_app(root, reports=reports)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="enews-audio serve", daemon=True)
    thread.start()
    try:
        start = _start(app, host, port, on_request, idle_timeout)
        runner, url = asyncio.run_coroutine_threadsafe(start, loop).result()
        try:
            yield url
        finally:
            asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result()
    finally:
        asyncio.run_coroutine_threadsafe(_settle(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


def feeds(root: Path) -> list[str]:
    """The feeds under ``root`` (the output folder or one paper's folder), as paths relative to it."""
    found = [*root.glob("feed*.xml"), *root.glob("*/feed*.xml")]
    return sorted(
        path.relative_to(root).as_posix() for path in found if is_feed(path.name) and path.is_file()
    )


async def _start(
    app: web.Application,
    host: str,
    port: int,
    on_request: Callable[[str], None] | None,
    idle_timeout: float,
) -> tuple[web.AppRunner, str]:
    log = logging.Logger("enews_audio.serve", logging.INFO)  # not registered: this server's lines only
    log.addHandler(_Lines(on_request))
    runner = web.AppRunner(
        app,
        handle_signals=False,  # Ctrl-C reaches the main thread, which stops the loop
        access_log=log if on_request else None,
        access_log_format=_ACCESS_FORMAT,
        logger=log,
        keepalive_timeout=idle_timeout,
        handler_cancellation=True,  # a player that hangs up stops its download (and the unread body's wait)
        shutdown_timeout=1.0,  # on Ctrl-C, a download in flight gets a second to finish
        **LIMITS,
    )
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise UsageError(f"can't listen on {host}:{port}: {exc.strerror or exc}") from exc
    address = runner.addresses[0]
    return runner, http_url(address[0], address[1])


async def _settle() -> None:
    """What ``asyncio.run`` does before closing its loop: end the tasks left (connections being let go)."""
    tasks = asyncio.all_tasks() - {asyncio.current_task()}
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.get_running_loop().shutdown_default_executor()


class _Lines(logging.Handler):
    """Access lines and refused malformed requests go to ``on_request`` as one line; a bug keeps its traceback."""

    def __init__(self, report: Callable[[str], None] | None) -> None:
        super().__init__()
        self._report = report

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and not isinstance(error, HttpProcessingError):
            sys.stderr.write(self.format(record) + "\n")
        elif self._report:
            line = record.getMessage()
            if isinstance(error, HttpProcessingError):
                line += f": {error.code} {' '.join(error.message.split())}"
            self._report(printable(line)[:_LINE_LIMIT])
