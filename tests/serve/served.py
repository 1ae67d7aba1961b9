"""What the serve tests serve (an output folder with traps) and plain clients: http.client, raw sockets."""

from __future__ import annotations

import http.client
import socket
from pathlib import Path
from urllib.parse import urlsplit

SECRET = "机密：不该被读到的内容"
AUDIO = bytes(range(256)) * 400  # 102,400 bytes, every offset distinguishable


def make_root(tmp_path: Path) -> Path:
    """An output folder with one of each file type, a hidden cache, and symlinks pointing outside it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    root = tmp_path / "output"
    paper = root / "paper"
    paper.mkdir(parents=True)
    (paper / "a01.mp3").write_bytes(AUDIO)
    (paper / "a01.vtt").write_text("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n江风。\n", encoding="utf-8")
    (paper / "a01.chapters.json").write_text('{"version": "1.2.0", "chapters": []}', encoding="utf-8")
    (paper / "cover.jpg").write_bytes(b"\xff\xd8\xff\xe0jpeg")
    (paper / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\npng")
    (paper / "index.html").write_text("<!doctype html><title>山城</title>", encoding="utf-8")
    (paper / "empty.mp3").write_bytes(b"")
    (root / ".cache").mkdir()
    (root / ".cache" / "clip.mp3").write_bytes(b"cached")
    (paper / "escape.txt").symlink_to(outside / "secret.txt")
    (paper / "elsewhere").symlink_to(outside, target_is_directory=True)
    return root


def address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname and parts.port, url
    return parts.hostname, parts.port


def request(
    url: str, method: str, path: str, headers: dict | None = None
) -> tuple[http.client.HTTPResponse, bytes]:
    connection = http.client.HTTPConnection(*address(url), timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def raw(url: str, target: str, headers: str = "Host: localhost\r\n") -> bytes:
    """Send a request line exactly as written (http.client would normalise it); the whole answer."""
    return exchange(url, f"GET {target} HTTP/1.1\r\n{headers}Connection: close\r\n\r\n".encode())


def exchange(url: str, data: bytes) -> bytes:
    """Send ``data`` and read until the server closes the connection."""
    with socket.create_connection(address(url), timeout=10) as sock:
        sock.sendall(data)
        return until_closed(sock)


def status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def until_closed(sock: socket.socket) -> bytes:
    """All the server sends until it closes the connection (a reset counts as closing)."""
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except ConnectionResetError:
        pass
    return b"".join(chunks)


def one_response(sock: socket.socket) -> bytes:
    """One response with a Content-Length, without waiting for the connection to close."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed before a whole response: {data[:200]!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line[15:]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "closed in the middle of a body"
        body += chunk
    return head + b"\r\n\r\n" + body
