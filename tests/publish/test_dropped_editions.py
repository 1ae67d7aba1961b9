"""A rebuild without an edition the issue had removes it (files and links), and the summary counts each
edition's clips: through the command, as a user rebuilds an issue."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from enews_audio.cli import app
from support.issue_toml import issue_toml

ARTICLES = [
    {"title": "果园迎来采摘季", "paragraphs": ["今年收成好。", "果农很高兴。"]},
    {"title": "新桥通车", "paragraphs": ["通车了。"]},
]
EDITIONS = ("--edition", "daisy", "--edition", "usb", "--edition", "slow")


@pytest.fixture
def source(tmp_path) -> Path:
    path = tmp_path / "issue.toml"
    pages = [("A01", "要闻", ARTICLES[:1]), ("B02", "乡村", ARTICLES[1:])]
    path.write_text(issue_toml("山城晚报", "2026-02-14", pages), encoding="utf-8")
    return path


def build(source: Path, out: Path, *extra: str):
    result = CliRunner().invoke(app, ["build", str(source), "--engine", "fake", "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result


def published(paper_dir: Path) -> str:
    """Every published text that can link a file: feeds, web pages, the build record."""
    texts = [p.read_text(encoding="utf-8") for p in paper_dir.glob("*.xml")]
    texts += [p.read_text(encoding="utf-8") for p in paper_dir.rglob("index.html")]
    return "\n".join([*texts, *(p.read_text(encoding="utf-8") for p in paper_dir.glob("*/build.json"))])


def test_a_rebuild_without_the_editions_removes_them_and_their_links(tmp_path, source):
    out = tmp_path / "out"
    build(source, out, *EDITIONS)
    paper_dir = out / "shanchengwanbao"
    issue_dir = paper_dir / "2026-02-14"
    slow_files = sorted(p.name for p in issue_dir.glob("*.slow.*"))
    assert len(slow_files) == 6  # a01 and b02: episode, chapters, transcript
    assert all((issue_dir / name).exists() for name in ("daisy", "daisy.zip", "usb"))
    assert all(name in published(paper_dir) for name in ("daisy.zip", "a01.slow.mp3", "b02.slow.vtt"))

    build(source, out)

    assert sorted(p.name for p in issue_dir.iterdir()) == [
        "a01.chapters.json", "a01.mp3", "a01.spoken.json", "a01.vtt",
        "b02.chapters.json", "b02.mp3", "b02.spoken.json", "b02.vtt",
        "build.json", "index.html", "index.html.gz",
    ]  # fmt: skip
    text = published(paper_dir)
    assert ".slow." not in text and "daisy" not in text.lower() and "usb" not in text
    record = json.loads((issue_dir / "build.json").read_text(encoding="utf-8"))
    assert "editions" not in record and not any("slow" in page for page in record["pages"])
    slow_feed = ET.parse(paper_dir / "feed-slow.xml").getroot()  # still a feed for its subscribers,
    assert slow_feed.find("channel/item") is None  # with nothing in it
    for enclosure in ET.parse(paper_dir / "feed.xml").getroot().iter("enclosure"):
        assert (paper_dir / enclosure.get("url")).is_file()  # relative: built without base_url
    assert not list(paper_dir.rglob(".*"))  # nothing left aside


def test_a_rebuild_with_fewer_editions_keeps_the_others(tmp_path, source):
    out = tmp_path / "out"
    build(source, out, *EDITIONS)
    build(source, out, "--edition", "usb")
    issue_dir = out / "shanchengwanbao" / "2026-02-14"
    assert (issue_dir / "usb" / "01-a01" / "01.mp3").is_file()
    assert not (issue_dir / "daisy").exists() and not list(issue_dir.glob("*.slow.*"))
    assert json.loads((issue_dir / "build.json").read_text(encoding="utf-8"))["editions"] == {"usb": "usb"}


def test_the_summary_counts_the_slow_editions_clips(tmp_path, source):
    out = tmp_path / "out"
    first = build(source, out)
    made = int(first.output.split("clips: ")[1].split(" made")[0])
    assert made > 0 and "slow edition clips" not in first.output
    again = build(source, out, "--edition", "slow")
    assert f"clips: 0 made, {made} reused, 0 failed" in again.output
    # The fake voice ignores the rate, so the slow edition's clips are the issue's, from the cache: what
    # matters is that they are counted, apart (it used to say only "clips: 0 made").
    assert f"slow edition clips: 0 made, {made} reused" in again.output
    fresh = build(source, tmp_path / "fresh", "--edition", "slow")
    assert f"clips: {made} made, 0 reused, 0 failed" in fresh.output
    assert f"slow edition clips: 0 made, {made} reused" in fresh.output
