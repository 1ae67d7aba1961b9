"""The feed served with its relative links made absolute, per address; every other file as it is."""

import datetime as dt
from pathlib import Path

import feedparser
from served import AUDIO, request

from enews_audio.model import Article, Chapter, Episode, Issue, Page
from enews_audio.publish import PublishSettings, paper_slug, publish_issue
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


def test_feeds_lists_every_paper_feed_under_the_folder(tmp_path):
    for name in ("shanchengwanbao", "haigangribao"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "feed.xml").write_text("<rss/>", encoding="utf-8")
    (tmp_path / "notes").mkdir()
    assert feeds(tmp_path) == ["haigangribao/feed.xml", "shanchengwanbao/feed.xml"]
    assert feeds(tmp_path / "haigangribao") == ["feed.xml"]
