"""`enews-audio build` as a user meets it: set up files, act through the CLI, check with the API."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import miniaudio
import podcastparser
import pytest

from enews_audio import publish, speech, text
from enews_audio.audio import read_chapters
from enews_audio.pipeline import OPENING
from enews_audio.publish.record import read_record
from enews_audio.sources import load_issue
from support.epaper_server import EPAPER, serving
from support.fake_edge import closed_url

from .conftest import SAMPLE, cli, fake_build, one_line_error, refused

PODCAST = "{https://podcastindex.org/namespace/1.0}"


EXPORT = """电子报阅读机
2026-03-02
星期一
当前报纸名称:山城晚报

春耕备耕 有序推进

日期:03-01
字号:
版面:A02版:农事\u00a0\u00a0\u00a0上一篇    下一篇

  记者 周洁

  全市已储备化肥3.2万吨,种子供应充足。

  农技人员下田指导,服务农户1200户。
"""


def _published(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts)


def _record(out: Path):
    """The sample issue's build.json under ``out``."""
    issue = load_issue(SAMPLE)
    return read_record(out / publish.paper_slug(issue.paper) / issue.date.isoformat() / "build.json")


def test_build_sample_issue_gives_an_episode_per_page_with_chapters_and_a_feed(tmp_path):
    result = fake_build(SAMPLE, tmp_path, "--base-url", "https://example.org/audio/")
    assert result.exit_code == 0, result.output
    issue = load_issue(SAMPLE)
    (paper_dir,) = [p for p in tmp_path.iterdir() if p.is_dir() and not p.name.startswith(".")]
    issue_dir = paper_dir / issue.date.isoformat()
    for page in issue.pages:
        mp3 = issue_dir / f"{page.slug}.mp3"
        decoded = miniaudio.decode(mp3.read_bytes(), nchannels=1)
        chapters = read_chapters(mp3)
        assert [c.title for c in chapters] == [f"{page.code}版 {page.name}"] + [
            a.title for a in page.articles
        ]
        assert abs(chapters[-1].end - decoded.duration) < 0.2
    assert (issue_dir / "build.json").is_file()
    for published in (issue_dir / "a01.mp3", issue_dir / "build.json", paper_dir / "feed.xml"):
        assert published.stat().st_mode & 0o777 == 0o644, f"{published.name} is not readable by a web server"

    feed_bytes = (paper_dir / "feed.xml").read_bytes()
    parsed = feedparser.parse(feed_bytes)
    assert not parsed.bozo, parsed.bozo_exception
    assert len(parsed.entries) == len(issue.pages) + 1  # the briefing first
    assert parsed.entries[0].title.endswith("今日要目")
    gpodder = podcastparser.parse("https://example.org/audio/feed.xml", io.BytesIO(feed_bytes))
    assert len(gpodder["episodes"]) == len(issue.pages) + 1
    for episode in gpodder["episodes"]:
        (enclosure,) = episode["enclosures"]
        name = enclosure["url"].removeprefix("https://example.org/audio/")
        assert enclosure["file_size"] == (paper_dir / name).stat().st_size


def test_rebuilding_an_unchanged_issue_synthesises_nothing(tmp_path):
    first = fake_build(SAMPLE, tmp_path)
    assert first.exit_code == 0, first.output
    assert "0 reused" in first.output
    second = fake_build(SAMPLE, tmp_path)
    assert second.exit_code == 0, second.output
    assert "clips: 0 made" in second.output


def test_a_single_export_file_is_an_issue_of_one_page(tmp_path):
    source = tmp_path / "story.txt"
    source.write_text(EXPORT, encoding="utf-8")
    result = fake_build(source, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "shanchengwanbao" / "2026-03-01" / "a02.mp3").is_file()


def _bad_sources(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    empty = tmp_path / "empty"
    empty.mkdir()
    gbk = tmp_path / "gbk"
    gbk.mkdir()
    (gbk / "a.txt").write_bytes(EXPORT.encode("gb18030"))
    no_page = tmp_path / "nopage"
    no_page.mkdir()
    (no_page / "a.txt").write_text(EXPORT.replace("版面:A02版:农事", "栏目:农事"), encoding="utf-8")
    return {
        "empty": (empty, "empty"),
        "gbk": (gbk, "a.txt"),
        "no_page": (no_page, "版面"),
        "missing": (tmp_path / "nowhere", "nowhere"),
    }


@pytest.mark.parametrize("case", ["empty", "gbk", "no_page", "missing"])
def test_bad_input_is_one_line_nonzero_and_leaves_nothing(tmp_path, case):
    source, named = _bad_sources(tmp_path)[case]
    out = tmp_path / "out"
    one_line_error(fake_build(source, out), 1, named)
    assert _published(out) == []


@pytest.mark.parametrize(
    ("args", "code", "named"),
    [
        (["--engine", "loud"], 2, "--engine"),
        (["--engine", "offline", "--voice", "zf_nobody"], 3, "zf_nobody"),
        (["--engine", "edge", "--voice", "zh-CN-NobodyNeural"], 3, "zh-CN-NobodyNeural"),
    ],
)
def test_unknown_engine_or_voice_is_one_line(tmp_path, args, code, named):
    one_line_error(cli("build", SAMPLE, "-o", tmp_path / "out", *args), code, named)
    assert not (tmp_path / "out").exists()


def test_a_failed_rebuild_keeps_the_previous_episodes_and_feed(tmp_path):
    out = tmp_path / "out"
    source = tmp_path / "src"
    source.mkdir()
    (source / "a.txt").write_text(EXPORT, encoding="utf-8")
    assert fake_build(source, out).exit_code == 0
    before = {p: p.read_bytes() for p in _published(out)}
    assert out / "shanchengwanbao" / "2026-03-01" / "a02.mp3" in before

    (source / "a.txt").write_text(EXPORT.replace("1200户", "1300户"), encoding="utf-8")
    result = cli(
        "build",
        source,
        "--engine",
        "edge",
        "-o",
        out,
        "--attempts",
        "1",
        env={"ENEWS_EDGE_URL": closed_url()},
    )
    assert result.exit_code == 3
    assert "could not be spoken" in result.stderr
    assert "1300户" in result.stderr
    assert {p: p.read_bytes() for p in _published(out)} == before


def test_slow_preset_gives_longer_episodes_by_its_longer_pauses(tmp_path):
    issue = load_issue(SAMPLE)
    durations, pauses = {}, {}
    for name in ("news", "slow"):
        result = fake_build(SAMPLE, tmp_path / name, "--preset", name)
        assert result.exit_code == 0, result.output
        durations[name] = {p.code: p.duration for p in _record(tmp_path / name).pages}
        settings = text.TextSettings(pauses=speech.load_preset(name).pauses)
        pauses[name] = {
            s.page.code: sum(u.pause for u in s.utterances) for s in text.to_script(issue, settings).pages
        }
    for page in issue.pages:
        longer = durations["slow"][page.code] - durations["news"][page.code]
        expected = pauses["slow"][page.code] - pauses["news"][page.code]
        assert expected > 1
        assert longer == pytest.approx(expected, abs=0.5), page.code


def test_a_preset_file_sets_the_engine_and_pauses(tmp_path):
    preset = tmp_path / "quiet.toml"
    preset.write_text(
        'engine = "fake"\nrate = 0\npitch = 0\nvolume = 0\n'
        "[pauses]\nsentence = 0.1\nparagraph = 0.1\nheading = 0.1\narticle = 0.1\n",
        encoding="utf-8",
    )
    result = cli("build", SAMPLE, "-o", tmp_path / "out", "--preset", preset)  # no --engine: the preset's
    assert result.exit_code == 0, result.output
    assert _record(tmp_path / "out").extra["engine"] == "fake/1"


@pytest.mark.parametrize(("preset", "named"), [("nosuch", "nosuch"), ("broken.toml", "broken.toml")])
def test_an_unknown_or_broken_preset_is_one_line_and_writes_nothing(tmp_path, preset, named):
    (tmp_path / "broken.toml").write_text('engine = "fake"\nrate = 0\n', encoding="utf-8")
    out = tmp_path / "out"
    result = fake_build(SAMPLE, out, "--preset", tmp_path / preset if preset.endswith(".toml") else preset)
    one_line_error(result, 2, named)
    assert not out.exists()


@pytest.mark.parametrize(
    ("option", "value"), [("--rate", "999"), ("--rate", "-80"), ("--pitch", "500"), ("--volume", "-500")]
)
def test_prosody_out_of_range_is_refused_before_any_speech(tmp_path, option, value):
    out = tmp_path / "out"
    result = cli(
        "build", SAMPLE, "--engine", "edge", "-o", out, "--attempts", "1", option, value,
        env={"ENEWS_EDGE_URL": closed_url()},
    )  # fmt: skip
    refused(result, option)
    assert not out.exists()


PAPER_TOML = """[paper]
title = "山城晚报·听报"
author = "山城晚报融媒体中心"
base_url = "https://audio.example.org/scwb/"
"""


def _channel_and_enclosures(out: Path) -> tuple[str, list[str]]:
    issue = load_issue(SAMPLE)
    parsed = feedparser.parse((out / publish.paper_slug(issue.paper) / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    return parsed.feed.title, [link.href for e in parsed.entries for link in e.enclosures]


def test_a_config_file_names_the_feed_and_the_command_line_wins(tmp_path):
    config = tmp_path / "paper.toml"
    config.write_text(PAPER_TOML, encoding="utf-8")
    result = fake_build(SAMPLE, tmp_path / "a", "--config", config)
    assert result.exit_code == 0, result.output
    title, enclosures = _channel_and_enclosures(tmp_path / "a")
    assert title == "山城晚报·听报"
    assert enclosures and all(url.startswith("https://audio.example.org/scwb/") for url in enclosures)

    other = "https://cdn.example.net/listen/"
    result = fake_build(SAMPLE, tmp_path / "b", "--config", config, "--base-url", other)
    assert result.exit_code == 0, result.output
    title, enclosures = _channel_and_enclosures(tmp_path / "b")
    assert title == "山城晚报·听报"
    assert enclosures and all(url.startswith(other) for url in enclosures)


def test_enews_audio_toml_in_the_working_folder_is_read_by_default(tmp_path, monkeypatch):
    (tmp_path / "enews-audio.toml").write_text(PAPER_TOML, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = fake_build(SAMPLE, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert _channel_and_enclosures(tmp_path / "out")[0] == "山城晚报·听报"


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ('[paper]\ntitel = "山城晚报·听报"\n', "paper.titel"),
        ('[paper]\nbase_url = "audio.example.org"\n', "paper.base_url"),
        ("[papers]\n", "papers"),
    ],
)
def test_a_bad_config_is_one_line_and_writes_nothing(tmp_path, content, named):
    config = tmp_path / "paper.toml"
    config.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    one_line_error(fake_build(SAMPLE, out, "--config", config), 2, "paper.toml", named)
    assert not out.exists()


def test_a_missing_config_file_is_one_line(tmp_path):
    out = tmp_path / "out"
    one_line_error(fake_build(SAMPLE, out, "--config", tmp_path / "nope.toml"), 2, "nope.toml")
    assert not out.exists()


def test_a_build_publishes_episodes_side_files_feed_site_and_cover(tmp_path):
    result = fake_build(SAMPLE, tmp_path)
    assert result.exit_code == 0, result.output
    issue = load_issue(SAMPLE)
    paper_dir = tmp_path / publish.paper_slug(issue.paper)
    issue_dir = paper_dir / issue.date.isoformat()
    for name in ("feed.xml", "index.html", "cover.jpg"):
        assert (paper_dir / name).is_file(), name
    assert (paper_dir / "cover.jpg").read_bytes()[:3] == b"\xff\xd8\xff"
    assert (issue_dir / "index.html").is_file()
    record = read_record(issue_dir / "build.json")
    assert [p.code for p in record.pages] == [p.code for p in issue.pages]

    brief, *items = ET.parse(paper_dir / "feed.xml").getroot().findall("channel/item")
    assert brief.find("enclosure").get("url").endswith("/brief.mp3")
    for page, item in zip(record.pages, items, strict=True):
        mp3 = issue_dir / page.file
        chapters_url = item.find(f"{PODCAST}chapters").get("url")
        transcript_url = item.find(f"{PODCAST}transcript").get("url")
        chapters_file = paper_dir / chapters_url
        transcript_file = paper_dir / transcript_url
        assert (chapters_file.name, transcript_file.name) == (page.chapters_file, page.transcript_file)
        assert chapters_file.parent == transcript_file.parent == mp3.parent

        in_mp3 = read_chapters(mp3)
        in_json = json.loads(chapters_file.read_text(encoding="utf-8"))["chapters"]
        assert [c["title"] for c in in_json] == [c.title for c in in_mp3]
        assert [c["startTime"] for c in in_json] == pytest.approx([c.start for c in in_mp3], abs=0.01)
        vtt = transcript_file.read_text(encoding="utf-8")
        assert vtt.startswith("WEBVTT")
        assert page.articles[0].split()[0] in vtt
    for published in _published(tmp_path):
        assert published.stat().st_mode & 0o777 == 0o644, published


def _build_with_speech_down(out: Path):
    return cli(
        "build", SAMPLE, "--engine", "edge", "-o", out, "--attempts", "1", "--allow-gaps",
        env={"ENEWS_EDGE_URL": closed_url()},
    )  # fmt: skip


def test_allow_gaps_publishes_every_page_with_a_notice_where_speech_failed(tmp_path):
    result = _build_with_speech_down(tmp_path / "out")
    assert result.exit_code == 0, result.output
    issue = load_issue(SAMPLE)
    record = _record(tmp_path / "out")
    assert [p.code for p in record.pages] == [p.code for p in issue.pages]
    for page, printed in zip(record.pages, issue.pages, strict=True):
        assert {a.title for a in printed.articles} <= set(page.gaps)
    gaps = [line for line in result.stderr.splitlines() if line.startswith("gap: ")]
    assert gaps and all(any(p.code in line for p in issue.pages) for line in gaps)


def test_allow_gaps_names_only_headlines_to_listeners(tmp_path):
    assert _build_with_speech_down(tmp_path / "out").exit_code == 0
    issue = load_issue(SAMPLE)
    for page, printed in zip(_record(tmp_path / "out").pages, issue.pages, strict=True):
        assert set(page.gaps) <= {a.title for a in printed.articles} | {OPENING}
    feed = (tmp_path / "out" / publish.paper_slug(issue.paper) / "feed.xml").read_text(encoding="utf-8")
    assert "opening" not in feed


@pytest.fixture
def epaper():
    with serving() as running:
        yield running


def test_build_from_an_epaper_url_gives_an_episode_per_page(tmp_path, epaper):
    pages = tmp_path / "pages"
    out = tmp_path / "out"
    url = epaper.url("pclayout/index.html")
    result = fake_build(url, out, "--fetch-delay", "0", "--page-cache", pages)
    assert result.exit_code == 0, result.output
    issue = load_issue(EPAPER / "pclayout")  # the same paper, saved
    issue_dir = out / publish.paper_slug(issue.paper) / issue.date.isoformat()
    mp3s = sorted(p.name for p in issue_dir.glob("*.mp3"))
    assert mp3s == sorted(["brief.mp3", *(f"{p.slug}.mp3" for p in issue.pages)])
    record = read_record(issue_dir / "build.json")
    assert [p.articles for p in record.pages] == [tuple(a.title for a in p.articles) for p in issue.pages]
    assert any(pages.rglob("*")), "--page-cache was not used"
    assert epaper.requests

    asked = len(epaper.requests)
    again = cli("script", url, "--date", issue.date.isoformat(), "--fetch-delay", "0", "--page-cache", pages)
    assert again.exit_code == 0, again.output
    assert all(a.title in again.stdout for p in issue.pages for a in p.articles)
    assert len(epaper.requests) - asked < asked, "the dated pages were fetched again, not read from the cache"


def test_an_epaper_date_without_an_issue_is_one_line(tmp_path, epaper):
    url = epaper.url("pclayout/index.html")
    result = fake_build(
        url, tmp_path / "out", "--date", "2099-01-02", "--fetch-delay", "0", "--page-cache", tmp_path
    )
    one_line_error(result, 1, "2099")
    assert not (tmp_path / "out").exists()


def test_a_malformed_date_is_rejected_by_the_option(tmp_path):
    refused(fake_build(SAMPLE, tmp_path / "out", "--date", "31/12/2025"), "--date")
    assert not (tmp_path / "out").exists()


def test_a_proxy_that_is_not_a_url_is_refused_before_any_work(tmp_path):
    out = tmp_path / "out"
    result = cli("build", SAMPLE, "--engine", "edge", "--proxy", "notaurl", "-o", out)
    refused(result, "--proxy")
    assert not out.exists()
