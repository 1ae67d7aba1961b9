"""A feed per section (版面名): what makes a section, and that each feed is one podcast apps read."""

import dataclasses
import datetime as dt

import pytest
from test_feed import PAPER, gpodder, make_issue, parse, publish

from enews_audio.errors import UsageError
from enews_audio.model import Issue
from enews_audio.pipeline.config import load_config
from enews_audio.publish import PublishSettings, is_feed
from enews_audio.publish.sections import SECTIONS_NAME

FIRST, SECOND = dt.date(2026, 3, 1), dt.date(2026, 3, 2)
BASE = "https://example.org/a/"


def renamed(issue: Issue, names: dict[str, str]) -> Issue:
    pages = tuple(dataclasses.replace(p, name=names.get(p.name, p.name)) for p in issue.pages)
    return dataclasses.replace(issue, pages=pages)


def section_feeds(paper_dir):
    return sorted(p.name for p in paper_dir.glob("feed-*.xml"))


def test_a_page_name_printed_in_two_issues_gets_a_feed_that_accumulates_them(tmp_path):
    settings = PublishSettings(base_url=BASE)
    publish(tmp_path, make_issue(FIRST), settings)
    assert section_feeds(tmp_path) == []  # each name printed once so far: no feed of its own
    publish(tmp_path, make_issue(SECOND), settings)
    assert section_feeds(tmp_path) == ["feed-chengshi.xml", "feed-fukan.xml", "feed-yaowen.xml"]

    news = parse(tmp_path / "feed-yaowen.xml")
    assert news.feed.title == f"{PAPER}·要闻"
    assert [e.title for e in news.entries] == [
        f"{PAPER} 2026年3月2日 A01版 要闻",
        f"{PAPER} 2026年3月1日 A01版 要闻",
    ]
    assert news.feed.image.href == parse(tmp_path / "feed.xml").feed.image.href  # the same cover
    apps = gpodder(tmp_path / "feed-yaowen.xml", BASE + "feed-yaowen.xml")
    assert [e["enclosures"][0]["url"] for e in apps["episodes"]] == [
        BASE + "2026-03-02/a01.mp3",
        BASE + "2026-03-01/a01.mp3",
    ]
    main = {e.id for e in parse(tmp_path / "feed.xml").entries}
    assert {e.id for e in news.entries} <= main  # the same episodes, the same GUIDs
    assert all(is_feed(name) for name in section_feeds(tmp_path))


def test_a_name_printed_once_gets_none_and_a_mapped_section_gathers_its_names(tmp_path):
    settings = PublishSettings(sections={"城市": ("城事", "城市新闻")})
    publish(tmp_path, make_issue(FIRST), settings)
    assert section_feeds(tmp_path) == ["feed-chengshi.xml"]  # asked for: made from the first issue
    publish(tmp_path, renamed(make_issue(SECOND), {"城事": "城市新闻", "副刊": "五一特刊"}), settings)
    assert section_feeds(tmp_path) == ["feed-chengshi.xml", "feed-yaowen.xml"]  # 特刊, 副刊: once each
    city = parse(tmp_path / "feed-chengshi.xml")
    assert city.feed.title == f"{PAPER}·城市"
    assert [e.title.split()[-1] for e in city.entries] == ["城市新闻", "城事"]


def test_a_section_keeps_its_feed_without_items_once_no_kept_issue_has_it(tmp_path):
    publish(tmp_path, make_issue(FIRST), PublishSettings(keep=2))
    publish(tmp_path, make_issue(SECOND), PublishSettings(keep=2))
    third = renamed(make_issue(dt.date(2026, 3, 3)), {"副刊": "读书"})
    fourth = renamed(make_issue(dt.date(2026, 3, 4)), {"副刊": "健康"})
    publish(tmp_path, third, PublishSettings(keep=2))
    publish(tmp_path, fourth, PublishSettings(keep=2))
    assert "feed-fukan.xml" in section_feeds(tmp_path)  # subscribers keep a valid feed …
    supplement = parse(tmp_path / "feed-fukan.xml")
    assert not supplement.bozo and supplement.feed.title == f"{PAPER}·副刊" and supplement.entries == []
    assert (tmp_path / SECTIONS_NAME).is_file()


def test_a_page_mapped_to_two_sections_is_one_line_naming_the_key(tmp_path):
    config = tmp_path / "enews-audio.toml"
    config.write_text('[paper.sections]\n"要闻" = ["要闻", "综合"]\n"综合" = ["综合"]\n', encoding="utf-8")
    with pytest.raises(
        UsageError, match=r'enews-audio.toml:\d+: paper.sections.综合: page "综合" is already in "要闻"'
    ):
        load_config(config)


def test_the_paper_page_lists_the_section_feeds_under_their_heading(tmp_path):
    settings = PublishSettings(base_url=BASE)
    publish(tmp_path, make_issue(FIRST), settings)
    assert "按版面订阅" not in (tmp_path / "index.html").read_text(encoding="utf-8")
    publish(tmp_path, make_issue(SECOND), settings)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<h3 id="sections">按版面订阅</h3>' in page
    assert f'要闻：<a class=url href="{BASE}feed-yaowen.xml">' in page
