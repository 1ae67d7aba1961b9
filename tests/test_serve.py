import datetime as dt
import email.utils
import http.client
import inspect
import os
import socket
import threading
from pathlib import Path

import feedparser
import pytest

from enews_audio.errors import UsageError
from enews_audio.model import Article, Chapter, Episode, Issue, Page
from enews_audio.publish import PublishSettings, paper_slug, publish_issue
from enews_audio.serve import feeds, make_server, serve, server_url

PAPER = "山城晚报"
DAY = dt.date(2025, 12, 31)
SECRET = "机密：不该被读到的内容"
AUDIO = bytes(range(256)) * 400  # 102,400 bytes, every offset distinguishable


@pytest.fixture
def root(tmp_path):
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


@pytest.fixture
def server(root):
    server = make_server(root, port=0)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def request(
    server, method: str, path: str, headers: dict | None = None
) -> tuple[http.client.HTTPResponse, bytes]:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def raw(server, target: str) -> bytes:
    """Send a request line exactly as written (http.client would normalise it)."""
    with socket.create_connection(server.server_address[:2], timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_binds_loopback_unless_told_otherwise(server):
    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"
    assert inspect.signature(make_server).parameters["host"].default == "127.0.0.1"
    assert server.server_address[0] == "127.0.0.1"


def test_head_reports_the_file_without_sending_it(server):
    response, body = request(server, "HEAD", "/paper/a01.mp3")
    assert response.status == 200 and body == b""
    assert response.getheader("Content-Length") == str(len(AUDIO))
    assert response.getheader("Content-Type") == "audio/mpeg"
    assert response.getheader("Accept-Ranges") == "bytes"
    assert response.getheader("ETag") and response.getheader("Last-Modified")


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=1000-1999", 1000, 1999),
        ("bytes=0-0", 0, 0),
        ("bytes=102000-", 102000, len(AUDIO) - 1),
        ("bytes=-300", len(AUDIO) - 300, len(AUDIO) - 1),
        ("bytes=102300-999999", 102300, len(AUDIO) - 1),  # an end past the file is cut to it
    ],
)
def test_a_ranged_get_returns_exactly_those_bytes(server, header, first, last):
    response, body = request(server, "GET", "/paper/a01.mp3", {"Range": header})
    assert response.status == 206
    assert body == AUDIO[first : last + 1]
    assert response.getheader("Content-Range") == f"bytes {first}-{last}/{len(AUDIO)}"
    assert response.getheader("Content-Length") == str(last - first + 1)


@pytest.mark.parametrize(
    ("path", "header"),
    [
        ("/paper/a01.mp3", f"bytes={len(AUDIO)}-"),
        ("/paper/a01.mp3", "bytes=-0"),
        ("/paper/empty.mp3", "bytes=0-"),
    ],
)
def test_a_range_beyond_the_file_is_416(server, path, header):
    response, body = request(server, "GET", path, {"Range": header})
    size = (Path(server.RequestHandlerClass.root) / path.lstrip("/")).stat().st_size
    assert response.status == 416 and body == b""
    assert response.getheader("Content-Range") == f"bytes */{size}"


@pytest.mark.parametrize("header", ["bytes=5-2", "bytes=0-1,5-6", "lines=1-2", "bytes=x-y"])
def test_a_range_that_is_not_one_valid_byte_range_gets_the_whole_file(server, header):
    response, body = request(server, "GET", "/paper/a01.mp3", {"Range": header})
    assert response.status == 200 and body == AUDIO


def test_if_range_honours_the_range_only_while_the_file_is_unchanged(server):
    head, _ = request(server, "HEAD", "/paper/a01.mp3")
    same, body = request(
        server, "GET", "/paper/a01.mp3", {"Range": "bytes=0-9", "If-Range": head.getheader("ETag")}
    )
    assert same.status == 206 and body == AUDIO[:10]
    changed, body = request(server, "GET", "/paper/a01.mp3", {"Range": "bytes=0-9", "If-Range": '"old"'})
    assert changed.status == 200 and body == AUDIO


def test_conditional_get_answers_304_until_the_file_changes(server, root):
    first, _ = request(server, "GET", "/paper/a01.mp3")
    etag, modified = first.getheader("ETag"), first.getheader("Last-Modified")
    by_tag, body = request(server, "GET", "/paper/a01.mp3", {"If-None-Match": etag})
    assert by_tag.status == 304 and body == b"" and by_tag.getheader("ETag") == etag
    by_date, body = request(server, "GET", "/paper/a01.mp3", {"If-Modified-Since": modified})
    assert by_date.status == 304 and body == b""
    stale = email.utils.formatdate(
        email.utils.parsedate_to_datetime(modified).timestamp() - 3600, usegmt=True
    )
    older, body = request(server, "GET", "/paper/a01.mp3", {"If-Modified-Since": stale})
    assert older.status == 200 and body == AUDIO

    path = root / "paper" / "a01.mp3"
    path.write_bytes(AUDIO[::-1])
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))
    after, body = request(server, "GET", "/paper/a01.mp3", {"If-None-Match": etag})
    assert after.status == 200 and body == AUDIO[::-1] and after.getheader("ETag") != etag


@pytest.mark.parametrize(
    ("path", "mime"),
    [
        ("/paper/a01.mp3", "audio/mpeg"),
        ("/paper/a01.vtt", "text/vtt"),
        ("/paper/a01.chapters.json", "application/json"),
        ("/paper/cover.jpg", "image/jpeg"),
        ("/paper/cover.png", "image/png"),
        ("/paper/index.html", "text/html"),
        ("/paper/", "text/html"),
    ],
)
def test_mime_types(server, path, mime):
    response, _ = request(server, "GET", path)
    assert response.status == 200
    assert response.getheader("Content-Type").split(";")[0] == mime


@pytest.mark.parametrize("path", ["/paper/a01.vtt", "/paper/a01.chapters.json"])
def test_transcripts_and_chapters_may_be_read_from_any_origin(server, path):
    response, _ = request(server, "GET", path, {"Origin": "https://player.example"})
    assert response.getheader("Access-Control-Allow-Origin") == "*"
    preflight, _ = request(server, "OPTIONS", path, {"Origin": "https://player.example"})
    assert preflight.status == 204
    assert "Range" in preflight.getheader("Access-Control-Allow-Headers")


@pytest.mark.parametrize(
    "target",
    [
        "/../outside/secret.txt",
        "/paper/../../outside/secret.txt",
        "/%2e%2e/outside/secret.txt",
        "/paper/%2E%2E/%2e%2e/outside/secret.txt",
        "/..%2foutside%2fsecret.txt",
        "/paper/..%5c..%5coutside%5csecret.txt",
        "/paper/escape.txt",
        "/paper/elsewhere/secret.txt",
        "//" + "x/../../outside/secret.txt",
        "http://localhost/../outside/secret.txt",
        "/.cache/clip.mp3",
        "/paper/%00a01.mp3",
    ],
)
def test_nothing_outside_the_folder_or_hidden_is_reachable(server, target):
    answer = raw(server, target)
    status = int(answer.split(b" ", 2)[1])
    assert status in {400, 403, 404}, answer[:200]
    assert SECRET.encode() not in answer and b"cached" not in answer


def test_an_absolute_filesystem_path_stays_inside_the_folder(server, root):
    answer = raw(server, "/" + str(root / "paper" / "a01.vtt").lstrip("/"))
    assert int(answer.split(b" ", 2)[1]) == 404


def test_a_folder_without_its_slash_is_redirected_and_one_without_index_is_listed(server):
    response, _ = request(server, "GET", "/paper")
    assert response.status == 301 and response.getheader("Location") == "/paper/"
    listing, body = request(server, "GET", "/")
    assert listing.status == 200 and b'href="paper/"' in body and b".cache" not in body


def test_a_relative_feed_is_served_with_links_to_where_it_was_reached(tmp_path):
    paper_dir = tmp_path / paper_slug(PAPER)
    issue_dir = paper_dir / DAY.isoformat()
    issue_dir.mkdir(parents=True)
    page = Page("A01", "要闻", (Article("江岸灯火点亮跨年夜", ("正文。",)),))
    (issue_dir / "a01.mp3").write_bytes(AUDIO)
    episode = Episode(page, "a01.mp3", 60.0, len(AUDIO), (Chapter(0, 5, "开场"), Chapter(5, 60, "江岸")))
    feed = publish_issue(paper_dir, Issue(PAPER, DAY, (page,)), [episode], PublishSettings())
    server = make_server(tmp_path, port=0)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        path = f"/{paper_dir.name}/feed.xml"
        response, body = request(server, "GET", path, {"Host": "192.0.2.7:8123"})
        head, _ = request(server, "HEAD", path, {"Host": "192.0.2.7:8123"})
        other, _ = request(server, "HEAD", path, {"Host": "localhost:8123"})
        part, piece = request(server, "GET", path, {"Host": "192.0.2.7:8123", "Range": "bytes=0-99"})
    finally:
        server.shutdown()
        server.server_close()
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("application/rss+xml")
    assert int(head.getheader("Content-Length")) == len(body)
    assert head.getheader("ETag") != other.getheader("ETag")  # a different text per address
    assert part.status == 206 and piece == body[:100]
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    [enclosure] = parsed.entries[0].enclosures
    assert enclosure.href == f"http://192.0.2.7:8123/{paper_dir.name}/{DAY.isoformat()}/a01.mp3"
    assert body.count(b"xmlns:itunes=") == 1 and b"ns0:" not in body
    assert b"itunes:duration" in body
    assert feed.read_bytes() != body  # the file on disk is left as it was built


def test_an_absolute_feed_is_served_byte_for_byte(tmp_path):
    (tmp_path / "feed.xml").write_bytes(
        b'<?xml version="1.0"?>\n<rss version="2.0"><channel><link>https://example.org/</link><item>'
        b'<enclosure url="https://example.org/a.mp3" length="3" type="audio/mpeg"/></item></channel></rss>\n'
    )
    server = make_server(tmp_path, port=0)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        _, body = request(server, "GET", "/feed.xml", {"Host": "192.0.2.7:8123"})
    finally:
        server.shutdown()
        server.server_close()
    assert body == (tmp_path / "feed.xml").read_bytes()


def test_a_folder_that_is_not_there_or_a_busy_port_is_a_usage_error(tmp_path, server):
    with pytest.raises(UsageError, match="not a folder"):
        make_server(tmp_path / "missing", port=0)
    with pytest.raises(UsageError, match=r"can.t listen on 127\.0\.0\.1"):
        make_server(tmp_path, port=server.server_address[1])
    assert server_url(server) == f"http://127.0.0.1:{server.server_address[1]}/"


def test_feeds_lists_every_paper_feed_under_the_folder(tmp_path):
    for name in ("shanchengwanbao", "haigangribao"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "feed.xml").write_text("<rss/>", encoding="utf-8")
    (tmp_path / "notes").mkdir()
    assert feeds(tmp_path) == ["haigangribao/feed.xml", "shanchengwanbao/feed.xml"]
    assert feeds(tmp_path / "haigangribao") == ["feed.xml"]
