"""The feed served with its relative links made absolute, per address; every other file as it is."""

import datetime as dt
import socket
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import feedparser
import pytest
from served import AUDIO, address, exchange, request, status

from enews_audio.model import Article, Chapter, Episode, Issue, Page
from enews_audio.publish import PublishSettings, absolutize_feed, paper_slug, publish_issue
from enews_audio.serve import feeds, running

PAPER = "山城晚报"
DAY = dt.date(2025, 12, 31)


def _publish(folder: Path) -> Path:
    """A one-page issue published under ``folder``; the feed's path."""
    paper_dir = folder / paper_slug(PAPER)
    issue_dir = paper_dir / DAY.isoformat()
    issue_dir.mkdir(parents=True)
    page = Page("A01", "要闻", (Article("江岸灯火点亮跨年夜", ("正文。",)),))
    (issue_dir / "a01.mp3").write_bytes(AUDIO)
    episode = Episode(page, "a01.mp3", 60.0, len(AUDIO), (Chapter(0, 5, "开场"), Chapter(5, 60, "江岸")))
    return publish_issue(paper_dir, Issue(PAPER, DAY, (page,)), [episode], PublishSettings())


def test_a_relative_feed_is_served_with_links_to_where_it_was_reached(tmp_path):
    feed = _publish(tmp_path)
    paper_dir = feed.parent
    with running(tmp_path, port=0) as server:
        path = f"/{paper_dir.name}/feed.xml"
        response, body = request(server, "GET", path, {"Host": "192.0.2.7:8123"})
        head, _ = request(server, "HEAD", path, {"Host": "192.0.2.7:8123"})
        other, _ = request(server, "HEAD", path, {"Host": "localhost:8123"})
        part, piece = request(server, "GET", path, {"Host": "192.0.2.7:8123", "Range": "bytes=0-99"})
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
    with running(tmp_path, port=0) as server:
        _, body = request(server, "GET", "/feed.xml", {"Host": "192.0.2.7:8123"})
    assert body == (tmp_path / "feed.xml").read_bytes()


def test_the_rewritten_feed_answers_validators_and_ranges_like_a_file(tmp_path):
    path = "/" + _publish(tmp_path).relative_to(tmp_path).as_posix()
    here = {"Host": "192.0.2.7:8123"}
    with running(tmp_path, port=0) as server:
        first, body = request(server, "GET", path, here)
        etag, modified = first.getheader("ETag"), first.getheader("Last-Modified")
        by_tag, empty = request(server, "GET", path, {**here, "If-None-Match": etag})
        by_date, _ = request(server, "GET", path, {**here, "If-Modified-Since": modified})
        elsewhere, _ = request(server, "GET", path, {"Host": "192.0.2.8:8123", "If-None-Match": etag})
        same, piece = request(server, "GET", path, {**here, "Range": "bytes=100-199", "If-Range": etag})
        stale, whole = request(server, "GET", path, {**here, "Range": "bytes=100-199", "If-Range": '"old"'})
        tail, last = request(server, "GET", path, {**here, "Range": "bytes=-50"})
        beyond, _ = request(server, "GET", path, {**here, "Range": f"bytes={len(body)}-"})
        nothing, _ = request(server, "GET", path, {**here, "Range": "bytes=-0"})
        reversed_, again = request(server, "GET", path, {**here, "Range": "bytes=5-2"})
    assert by_tag.status == 304 and empty == b"" and by_tag.getheader("ETag") == etag
    assert by_date.status == 304
    assert elsewhere.status == 200  # another address, another text: the old tag does not match it
    assert same.status == 206 and piece == body[100:200]
    assert same.getheader("Content-Range") == f"bytes 100-199/{len(body)}"
    assert stale.status == 200 and whole == body
    assert tail.status == 206 and last == body[-50:]
    assert beyond.status == nothing.status == 416
    assert beyond.getheader("Content-Range") == f"bytes */{len(body)}"
    assert reversed_.status == 200 and again == body


@pytest.mark.parametrize("host", [None, "evil.example/../x", "a b", ""])
def test_without_a_usable_host_header_links_point_at_the_address_reached(tmp_path, host):
    path = "/" + _publish(tmp_path).relative_to(tmp_path).as_posix()
    header = "" if host is None else f"Host: {host}\r\n"
    with running(tmp_path, port=0) as server:
        answer = exchange(server, f"GET {path} HTTP/1.0\r\n{header}\r\n".encode())
    assert status(answer) == 200, answer[:200]
    [enclosure] = feedparser.parse(answer.split(b"\r\n\r\n", 1)[1]).entries[0].enclosures
    assert enclosure.href == f"{server}{paper_slug(PAPER)}/{DAY.isoformat()}/a01.mp3"


def test_an_ipv6_listener_links_its_feed_in_brackets(tmp_path):
    if not _ipv6_loopback():
        pytest.skip("no IPv6 loopback here")
    path = "/" + _publish(tmp_path).relative_to(tmp_path).as_posix()
    with running(tmp_path, host="::1", port=0) as server:
        host, port = address(server)
        response, body = request(server, "GET", path, {"Host": f"[::1]:{port}"})
        bare = exchange(server, f"GET {path} HTTP/1.0\r\n\r\n".encode())
    assert host == "::1" and server == f"http://[::1]:{port}/"
    assert response.status == 200
    for text in (body, bare.split(b"\r\n\r\n", 1)[1]):
        [enclosure] = feedparser.parse(text).entries[0].enclosures
        assert enclosure.href == f"http://[::1]:{port}/{paper_slug(PAPER)}/{DAY.isoformat()}/a01.mp3"


def test_parallel_requests_each_get_the_links_of_their_own_address(tmp_path):
    path = "/" + _publish(tmp_path).relative_to(tmp_path).as_posix()
    hosts = [f"192.0.2.{n}:80{n:02d}" for n in range(1, 25)]
    with running(tmp_path, port=0) as server, ThreadPoolExecutor(8) as pool:
        bodies = list(pool.map(lambda host: request(server, "GET", path, {"Host": host})[1], hosts))
    for host, body in zip(hosts, bodies, strict=True):
        [enclosure] = feedparser.parse(body).entries[0].enclosures
        assert enclosure.href.startswith(f"http://{host}/"), (host, enclosure.href)
        assert b"ns0:" not in body


def test_absolutize_feed_keeps_the_feeds_prefixes_and_is_stable(tmp_path):
    built = _publish(tmp_path).read_bytes()
    once = absolutize_feed(built, "http://192.0.2.7/paper/")
    assert once != built and absolutize_feed(once, "http://192.0.2.9/") == once  # nothing relative is left
    for prefix in ("itunes", "podcast", "psc", "content"):
        assert f"<{prefix}:".encode() in once and f"xmlns:{prefix}=".encode() in once
    original, rewritten = ET.fromstring(built), ET.fromstring(once)
    assert [e.tag for e in original.iter()] == [e.tag for e in rewritten.iter()]
    assert absolutize_feed(b"<rss><channel>", "http://192.0.2.7/") == b"<rss><channel>"  # not XML: as it is


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


def test_feeds_lists_every_paper_feed_under_the_folder(tmp_path):
    for name in ("shanchengwanbao", "haigangribao"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "feed.xml").write_text("<rss/>", encoding="utf-8")
    (tmp_path / "notes").mkdir()
    assert feeds(tmp_path) == ["haigangribao/feed.xml", "shanchengwanbao/feed.xml"]
    assert feeds(tmp_path / "haigangribao") == ["feed.xml"]


def test_the_slow_feed_is_listed_and_served_with_absolute_links_too(tmp_path):
    slow = (
        b'<?xml version="1.0"?>\n<rss version="2.0"><channel><link>.</link><item>'
        b'<enclosure url="2025-12-31/a01.slow.mp3" length="3" type="audio/mpeg"/></item></channel></rss>\n'
    )
    (tmp_path / "paper").mkdir()
    (tmp_path / "paper" / "feed.xml").write_text("<rss/>", encoding="utf-8")
    (tmp_path / "paper" / "feed-slow.xml").write_bytes(slow)
    assert feeds(tmp_path) == ["paper/feed-slow.xml", "paper/feed.xml"]
    with running(tmp_path, port=0) as server:
        response, body = request(server, "GET", "/paper/feed-slow.xml", {"Host": "192.0.2.7:8123"})
    assert response.status == 200
    [enclosure] = feedparser.parse(body).entries[0].enclosures
    assert enclosure.href == "http://192.0.2.7:8123/paper/2025-12-31/a01.slow.mp3"
