"""What serve refuses: every way out of the folder, hidden names, oversized requests; what it never waits for."""

import socket

import pytest
from served import AUDIO, SECRET, address, exchange, one_response, raw, request, status

from enews_audio.serve import LIMITS, running


def test_an_absolute_filesystem_path_stays_inside_the_folder(server, root):
    assert status(raw(server, "/" + str(root / "paper" / "a01.vtt").lstrip("/"))) == 404


# Each way out, with the answer it gets: 400 for a target that is not a plain path inside the folder
# (whatever its encoding), 404 for hidden and absent names, 403 for a symlink that leads outside.
ESCAPES = [
    ("/../outside/secret.txt", 400),
    ("/paper/../../outside/secret.txt", 400),
    ("/%2e%2e/outside/secret.txt", 400),
    ("/paper/%2E%2E/%2e%2e/outside/secret.txt", 400),
    ("/..%2foutside%2fsecret.txt", 400),
    ("/..%2Foutside%2Fsecret.txt", 400),
    ("/paper%2f..%2f..%2foutside%2fsecret.txt", 400),
    ("/paper/..%5c..%5coutside%5csecret.txt", 400),
    ("/paper/..\\..\\outside\\secret.txt", 400),
    ("//x/../../outside/secret.txt", 400),
    ("/./paper/a01.vtt", 400),
    ("/paper/%00a01.mp3", 400),
    ("/paper/a01.mp3%00.vtt", 400),
    ("/paper/%ff%fe", 400),
    ("http://localhost/../outside/secret.txt", 400),
    ("http://localhost/paper/a01.vtt", 400),  # absolute-form: only proxies are sent it
    ("*", 400),
    ("/%252e%252e/outside/secret.txt", 404),  # decoded once: a file named "%2e%2e", which is not there
    ("/paper/%252e%252e%252f%252e%252e%252foutside%252fsecret.txt", 404),
    ("/.cache/clip.mp3", 404),
    ("/.cache/", 404),
    ("/%2ecache/clip.mp3", 404),
    ("/paper/cached.mp3", 404),  # a symlink into the hidden cache
    ("/etc/passwd", 404),
    ("/paper/escape.txt", 403),
    ("/paper/elsewhere/secret.txt", 403),
    ("/paper/elsewhere/", 403),
    ("/paper/elsewhere", 403),
]


@pytest.fixture
def trapped(root):
    """The root with symlinks that stay inside: to a file, to a folder, and one into the hidden cache."""
    (root / "paper" / "latest.mp3").symlink_to("a01.mp3")
    (root / "today").symlink_to("paper", target_is_directory=True)
    (root / "paper" / "cached.mp3").symlink_to("../.cache/clip.mp3")
    return root


@pytest.mark.parametrize(("target", "expected"), ESCAPES)
def test_each_way_out_gets_its_refusal(trapped, target, expected):
    with running(trapped, port=0) as server:
        answer = raw(server, target)
    assert status(answer) == expected, answer[:300]
    assert SECRET.encode() not in answer and b"cached" not in answer


def test_a_symlink_that_stays_inside_is_followed_and_listed(trapped):
    (trapped / "paper" / "index.html").unlink()  # so that /today/ is a listing
    with running(trapped, port=0) as server:
        _, linked = request(server, "GET", "/paper/latest.mp3")
        _, through = request(server, "GET", "/today/a01.mp3", {"Range": "bytes=0-9"})
        _, listing = request(server, "GET", "/")
        _, papers = request(server, "GET", "/today/")
    assert linked == AUDIO and through == AUDIO[:10]
    assert b'href="today/"' in listing and b".cache" not in listing
    assert b'href="latest.mp3"' in papers
    for refused in (b"escape.txt", b"elsewhere", b"cached.mp3"):  # listed only what the guard serves
        assert refused not in papers


@pytest.mark.parametrize(
    "head",
    [
        b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n",  # request line past max_line_size
        b"GET /paper/a01.vtt HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n",  # one header line
        b"GET /paper/a01.vtt HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % n for n in range(80)),
    ],
    ids=["line", "field", "count"],
)
def test_an_oversized_request_is_refused_and_the_next_one_served(server, head):
    answer = exchange(server, head + b"Connection: close\r\n\r\n")
    assert status(answer) == 400
    response, body = request(server, "GET", "/paper/a01.vtt")
    assert response.status == 200 and body.startswith(b"WEBVTT")


def test_the_limits_are_the_ones_documented():
    assert LIMITS == {"max_line_size": 8190, "max_field_size": 8190, "max_headers": 64}


def test_a_body_sent_with_a_get_is_neither_awaited_nor_read(server):
    """The answer comes while 999 MB of the promised body are still unsent: nothing waits for it."""
    with socket.create_connection(address(server), timeout=10) as sock:
        sock.sendall(b"GET /paper/a01.vtt HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n")
        sock.sendall(b"z" * 1_000_000)
        answer = one_response(sock)
    assert status(answer) == 200 and answer.endswith("江风。\n".encode())


def test_each_request_is_one_printable_line(root):
    lines: list[str] = []
    with running(root, port=0, on_request=lines.append) as server:
        exchange(server, b"GET /paper/a01.vtt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        exchange(server, b"GET /paper/%1b[2J\x1b[31m HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        exchange(server, b"GET /" + b"\x1b" * 9000 + b" HTTP/1.1\r\n\r\n")
    assert '127.0.0.1 "GET /paper/a01.vtt HTTP/1.1" 200' in lines[0]
    assert len(lines) >= 3
    for line in lines:
        assert line.isprintable(), repr(line)  # no newline, no escape code for the listener's terminal
        assert len(line) <= 300  # a refused request's echo is cut
