"""The briefing (今日要目) a build publishes: first in the feed, the DAISY book and the USB folder."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import podcastparser

from enews_audio.audio import read_chapters
from enews_audio.model import Edition
from enews_audio.pipeline import ReadSettings
from enews_audio.pipeline import script as pipeline_script
from enews_audio.publish import PublishSettings
from enews_audio.speech.fake import FakeEngine, silent_clip
from enews_audio.text import TextSettings, to_brief
from support import whole
from support.builds import build
from support.builds import settings as build_settings
from support.issue_toml import issue_toml

BODY = ["全市新开公交线路十二条，覆盖三十个行政村，群众出行更加方便。" * 3]
PAGES = [
    (
        "A01",
        "要闻",
        ({"title": "民生实事全部兑现", "paragraphs": BODY}, {"title": "跨年夜交通管制", "paragraphs": BODY}),
    ),
    ("A02", "乡村", ({"title": "果园迎来采摘季", "paragraphs": BODY},)),
    ("A03", "民生", ({"title": "菜价平稳", "paragraphs": BODY},)),
]


def _build(tmp_path: Path, pages=PAGES, engine: FakeEngine | None = None, **publishing):
    source = tmp_path / "issue.toml"
    source.write_text(issue_toml("山城晚报", "2026-02-14", pages), encoding="utf-8")
    publish = PublishSettings(base_url=whole.BASE, **publishing)
    return build(source, engine or FakeEngine(), build_settings(out_dir=tmp_path / "out", publish=publish))


def test_the_briefing_is_the_issues_first_item_with_a_chapter_per_page(tmp_path):
    report = _build(tmp_path)
    paper_dir = report.issue_dir.parent
    assert report.ok and report.brief is not None and report.brief.path == "brief.mp3"
    assert whole.problems(paper_dir) == []  # enclosure there, as long as the feed says, and it decodes

    feed = (paper_dir / "feed.xml").read_bytes()
    parsed = feedparser.parse(feed)
    assert not parsed.bozo
    assert parsed.entries[0].title == "山城晚报 2026年2月14日 今日要目"
    assert parsed.entries[0].enclosures[0].href.endswith("2026-02-14/brief.mp3")
    episodes = podcastparser.parse(whole.BASE + "feed.xml", io.BytesIO(feed))["episodes"]
    newest = max(episodes, key=lambda e: e["published"])  # what an app shows on top
    assert newest["title"].endswith("今日要目")
    assert [c["title"] for c in newest["chapters"]] == ["今日要目", "A01版 要闻", "A02版 乡村", "A03版 民生"]

    chapters = read_chapters(report.issue_dir / "brief.mp3")
    assert [c.title for c in chapters] == ["今日要目", "A01版 要闻", "A02版 乡村", "A03版 民生"]
    issue_seconds = sum(e.duration for e in report.episodes)
    assert report.brief.duration <= issue_seconds / 4
    record = json.loads((report.issue_dir / "build.json").read_text(encoding="utf-8"))
    assert record["brief"]["file"] == "brief.mp3" and [p["code"] for p in record["pages"]] == [
        "A01",
        "A02",
        "A03",
    ]


def test_the_briefing_speaks_only_its_own_two_lines_the_rest_are_the_pages_clips(tmp_path):
    spoken: list[str] = []
    engine = FakeEngine(lambda text: spoken.append(text) or silent_clip(text))
    report = _build(tmp_path, engine=engine)
    source = tmp_path / "issue.toml"
    script = pipeline_script(source, ReadSettings())
    pages = {u.spoken for page in script.pages for u in page.utterances}
    brief = to_brief(script, TextSettings())
    assert brief is not None
    assert sorted(set(spoken) - pages) == sorted({u.spoken for u in brief.utterances} - pages)
    assert len(set(spoken) - pages) == 2 and report.made == len(pages) + 2 == len(spoken)

    again = _build(tmp_path, engine=FakeEngine())  # nothing changed: nothing made, the briefing's file kept
    assert again.made == 0 and again.brief is not None
    assert (again.issue_dir / "brief.mp3").read_bytes() == (report.issue_dir / "brief.mp3").read_bytes()


def test_the_briefing_opens_the_daisy_book_and_the_usb_folder_but_no_section_feed(tmp_path):
    editions = frozenset({Edition.DAISY, Edition.USB})
    report = _build(tmp_path, editions=editions, sections={"要闻": ("要闻",)})
    issue_dir = report.issue_dir
    ncc = ET.parse(issue_dir / "daisy" / "ncc.html").getroot()
    headings = [h for h in ncc.iter() if h.tag.split("}")[-1] in {"h1", "h2"}]
    first = headings[0]
    assert first.tag.endswith("h1") and first.get("class") == "title"
    assert "".join(first.itertext()).strip() == "山城晚报 2026年2月14日 今日要目"
    assert (issue_dir / "daisy" / "brief.smil").is_file() and (issue_dir / "daisy" / "brief.mp3").is_file()
    folders = sorted(p.name for p in (issue_dir / "usb").iterdir())
    assert folders == ["00-brief", "01-a01", "02-a02", "03-a03"]
    assert sorted(p.name for p in (issue_dir / "usb" / "00-brief").iterdir())[0] == "01.mp3"
    for section in report.issue_dir.parent.glob("feed-*.xml"):
        assert "brief.mp3" not in section.read_text(encoding="utf-8")


def test_a_rebuild_with_other_headlines_replaces_the_briefing_and_the_feed_stays_whole(tmp_path):
    first = _build(tmp_path)
    before = (first.issue_dir / "brief.mp3").read_bytes()
    changed = [PAGES[0], ("A02", "乡村", ({"title": "新桥通车", "paragraphs": BODY},)), PAGES[2]]
    again = _build(tmp_path, pages=changed)
    assert again.ok and again.brief is not None
    assert (again.issue_dir / "brief.mp3").read_bytes() != before
    assert whole.problems(again.issue_dir.parent) == []
    assert "新桥通车" in (again.issue_dir / "brief.vtt").read_text(encoding="utf-8")


def test_an_issue_of_one_page_has_no_briefing_and_a_rebuild_removes_an_old_one(tmp_path):
    first = _build(tmp_path)
    assert (first.issue_dir / "brief.mp3").is_file()
    again = _build(tmp_path, pages=PAGES[:1])
    assert again.ok and again.brief is None
    assert not list(again.issue_dir.glob("brief.*"))
    assert "brief.mp3" not in (again.issue_dir.parent / "feed.xml").read_text(encoding="utf-8")
    assert whole.problems(again.issue_dir.parent) == []
