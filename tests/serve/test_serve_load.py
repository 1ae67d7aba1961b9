"""serve under load: parallel range requests while dozens of idle and half-sent connections are held open."""

import http.client
import random
import socket
from concurrent.futures import ThreadPoolExecutor

from served import AUDIO, address, one_response, request, status, until_closed

from enews_audio.serve import running

VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n江风。\n".encode()
# How a held connection starts, and what completes it into a request for the transcript.
HELD = {
    "silent": (b"", b"GET /paper/a01.vtt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
    "half a line": (b"GET /paper/a0", b"1.vtt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
    "headers unended": (
        b"GET /paper/a01.vtt HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Slow: 1\r\n",
        b"\r\n",
    ),
}
HELD_EACH = 16  # 48 held connections in all
CLIENTS, RANGES_EACH = 12, 8  # 96 range requests, 12 at a time, 8 in a row over each kept-alive connection


def _hold(url: str, start: bytes) -> socket.socket:
    sock = socket.create_connection(address(url), timeout=30)
    sock.sendall(start)
    return sock


def _ranges(url: str, seed: int) -> list[tuple[int, int, int, bytes, str]]:
    """RANGES_EACH random ranges over one connection: (status, first, last, body, Content-Range)."""
    rng = random.Random(seed)
    connection = http.client.HTTPConnection(*address(url), timeout=30)
    answers, sockets = [], set()
    try:
        for _ in range(RANGES_EACH):
            first = rng.randrange(len(AUDIO))
            last = min(first + rng.randrange(1, 40_000), len(AUDIO) - 1)
            connection.request("GET", "/paper/a01.mp3", headers={"Range": f"bytes={first}-{last}"})
            response = connection.getresponse()
            answers.append(
                (response.status, first, last, response.read(), response.getheader("Content-Range"))
            )
            sockets.add(id(connection.sock))
    finally:
        connection.close()
    assert len(sockets) == 1, "the connection was not kept alive between ranges"
    return answers


def test_parallel_ranges_are_answered_while_idle_connections_are_held(root):
    with running(root, port=0, idle_timeout=3600) as url:
        held = [(_hold(url, start), rest) for start, rest in HELD.values() for _ in range(HELD_EACH)]
        try:
            with ThreadPoolExecutor(CLIENTS) as pool:
                answers = [a for batch in pool.map(lambda n: _ranges(url, n), range(CLIENTS)) for a in batch]
            for sock, rest in held:  # every held connection is still there, and answered once complete
                sock.sendall(rest)
                answer = until_closed(sock)
                assert status(answer) == 200 and answer.endswith(VTT), answer[:200]
        finally:
            for sock, _ in held:
                sock.close()
    assert len(answers) == CLIENTS * RANGES_EACH
    for code, first, last, body, content_range in answers:
        assert code == 206 and body == AUDIO[first : last + 1]
        assert content_range == f"bytes {first}-{last}/{len(AUDIO)}"


def test_a_reader_that_stops_reading_holds_up_no_one(root):
    big = bytes(range(256)) * (32 * 4096)  # 32 MB: more than the loopback buffers take
    (root / "paper" / "big.mp3").write_bytes(big)
    with running(root, port=0) as url, socket.create_connection(address(url), timeout=30) as stalled:
        stalled.sendall(b"GET /paper/big.mp3 HTTP/1.1\r\nHost: x\r\n\r\n")
        assert stalled.recv(12).startswith(b"HTTP/1.1 200")  # it is being sent, and no one reads it
        response, body = request(url, "GET", "/paper/a01.mp3", {"Range": "bytes=0-99"})
        assert response.status == 206 and body == AUDIO[:100]


def test_held_connections_are_let_go_after_the_idle_timeout(root):
    """Slowloris: sockets that never complete a request are closed by the server, not kept forever."""
    with running(root, port=0, idle_timeout=1.0) as url:
        held = [_hold(url, start) for start, _ in HELD.values()]
        kept_alive = _hold(url, b"GET /paper/a01.vtt HTTP/1.1\r\nHost: x\r\n\r\n")  # answered, then silent
        trickle = _hold(url, b"GET /paper/a01.vtt HTTP/1.1\r\nX-Slow: ")
        try:
            assert one_response(kept_alive).endswith(VTT)
            response, body = request(url, "GET", "/paper/a01.vtt")  # served meanwhile
            assert response.status == 200 and body == VTT
            # A header byte every 20 ms: data that never ends a request buys no time.
            assert _trickle_until_closed(trickle)
            for sock in (*held, kept_alive):
                assert until_closed(sock) == b""
        finally:
            for sock in (*held, kept_alive, trickle):
                sock.close()


def _trickle_until_closed(sock: socket.socket) -> bool:
    """Send a byte at a time until the server closes; True once it has (at most 1,500 bytes, 30 s)."""
    sock.settimeout(0.02)
    for _ in range(1500):
        try:
            sock.sendall(b"a")
            if sock.recv(1) == b"":
                return True
        except TimeoutError:
            continue
        except (BrokenPipeError, ConnectionResetError):
            return True
    return False
