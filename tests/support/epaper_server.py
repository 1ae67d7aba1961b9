"""A local web server for e-paper fixture pages, with faults a real site shows: slow, 5xx, 404, huge,
redirect loops, pages that never end or trickle in, and pages served as something else."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

EPAPER = Path(__file__).parents[1] / "data" / "epaper"


@dataclass
class EpaperServer:
    """Serves ``root``; ``faults`` maps a path to "slow", "503", "503-once", "404", "big", "big-chunked",
    "junk", "loop" (redirects to itself with a counter, for ever), "endless" (a chunked body that never
    ends), "trickle" (the file, one byte every ``trickle_seconds``), "as:<content type>" (the file served
    with that Content-Type) or "redirect:<URL>" (a 302 to that URL, absolute or relative); ``charsets``
    maps a path to a Content-Type charset (by default none is sent).
    ``hosts`` are the Host headers requests came with."""

    root: Path
    base: str = ""
    faults: dict[str, str] = field(default_factory=dict)
    charsets: dict[str, str] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)  # paths asked for, in order, queries included
    agents: set[str] = field(default_factory=set)
    times: list[float] = field(default_factory=list)
    hosts: set[str] = field(default_factory=set)
    slow_seconds: float = 1.0
    big_bytes: int = 20_000
    trickle_seconds: float = 0.05

    def url(self, path: str = "") -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def count(self, name: str) -> int:
        return sum(1 for path in self.requests if urlsplit(path).path.endswith(name))


def _handler(server: EpaperServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.requests.append(self.path)
            server.agents.add(self.headers.get("User-Agent", ""))
            server.hosts.add(self.headers.get("Host", ""))
            server.times.append(time.monotonic())
            path = urlsplit(self.path).path
            fault = server.faults.get(path)
            if fault == "503-once":
                server.faults.pop(path)
            if fault in {"503", "503-once"}:
                return self._send(503, b"busy")
            if fault == "slow":
                time.sleep(server.slow_seconds)
            if fault == "big":
                return self._send(200, b"<p>" + b"x" * server.big_bytes)
            if fault == "big-chunked":
                return self._chunked(b"<p>" + b"x" * server.big_bytes)
            if fault == "junk":
                return self._send(200, b"<html><body><p>\xff\xfe\xfa\xfb\xfc\xfd" * 50)
            if fault == "loop":
                hop = int(urlsplit(self.path).query or 0) + 1
                self.send_response(302)
                self.send_header("Location", f"{path}?{hop}")
                self.send_header("Content-Length", "0")
                return self.end_headers()
            if fault and fault.startswith("redirect:"):
                self.send_response(302)
                self.send_header("Location", fault.removeprefix("redirect:"))
                self.send_header("Content-Length", "0")
                return self.end_headers()
            if fault == "endless":
                return self._chunked(b"<p>" + b"x" * 4096, forever=True)
            file = (server.root / path.lstrip("/")).resolve()
            if fault == "404" or not file.is_relative_to(server.root) or not file.is_file():
                return self._send(404, b"<h1>404 Not Found</h1>")
            if fault == "trickle":
                return self._trickle(file.read_bytes())
            kind = fault.removeprefix("as:") if fault and fault.startswith("as:") else "text/html"
            self._send(200, file.read_bytes(), server.charsets.get(path), kind)

        def _send(
            self, status: int, body: bytes, charset: str | None = None, kind: str = "text/html"
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind + (f"; charset={charset}" if charset else ""))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _trickle(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for byte in body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(server.trickle_seconds)

        def _chunked(self, body: bytes, *, forever: bool = False) -> None:
            self.protocol_version = "HTTP/1.1"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
            self.end_headers()
            while True:  # once, or until the client hangs up
                for start in range(0, len(body), 4096):
                    chunk = body[start : start + 4096]
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                if not forever:
                    break
            self.wfile.write(b"0\r\n\r\n")

        def log_message(self, *args: object) -> None:
            pass

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hung up on a slow or huge answer is what the tests want


@contextmanager
def serving(root: Path = EPAPER, host: str = "127.0.0.1") -> Iterator[EpaperServer]:
    """Serve ``root`` on an ephemeral port of ``host`` for the block: a loopback address, and another
    (127.0.0.2: Linux answers on all of 127.0.0.0/8) is another host on the same machine."""
    server = EpaperServer(root.resolve())
    httpd = _QuietServer((host, 0), _handler(server))
    server.base = f"http://{host}:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextmanager
def serving_classic(root: Path, host: str = "127.0.0.1") -> Iterator[EpaperServer]:
    """A copy of the classic fixture paper in ``root/classic`` (so a test may change its pages), served on
    ``host`` for the block."""
    shutil.copytree(EPAPER / "classic", root / "classic")
    with serving(root, host) as server:
        yield server
