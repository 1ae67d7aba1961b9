"""The commands beyond a plain build, as a user meets them: set up with the API, act through the CLI,
check with the API. Every mistake a user can make is one ``error:`` line naming the file or option."""

from __future__ import annotations

import datetime as dt
import json
import socket
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from typer.testing import CliRunner

from enews_audio import publish, speech, text
from enews_audio.audio import read_chapters
from enews_audio.cli import app
from enews_audio.pipeline import OPENING
from enews_audio.publish.record import read_record
from enews_audio.sources import load_issue
from epaper_server import EPAPER, serving
from fake_edge import closed_url

runner = CliRunner()
SAMPLE = Path(__file__).parents[1] / "examples" / "sample-issue"
WEEKDAYS = "一二三四五六日"
PODCAST = "{https://podcastindex.org/namespace/1.0}"

EXPORT = """电子报阅读机
2026-04-08
星期三
当前报纸名称:{paper}

{title}

日期:04-07
字号:
版面:{page}版:{name}   上一篇    下一篇

  记者 林舟

{body}
"""


def _export(folder: Path, title: str, body: str) -> Path:
    """A folder holding one reader export of an A03 page; ``body`` has a paragraph per line."""
    folder.mkdir(parents=True, exist_ok=True)
    paragraphs = "\n\n".join(f"  {p}" for p in body.split("\n"))
    text = EXPORT.format(paper="滨江日报", title=title, page="A03", name="城事", body=paragraphs)
    (folder / "a03-1.txt").write_text(text, encoding="utf-8")
    return folder


def _cli(*args: object, **kwargs):
    return runner.invoke(app, [str(a) for a in args], **kwargs)


def _build(source: object, out: Path, *extra: object):
    return _cli("build", source, "--engine", "fake", "-o", out, *extra)


def _one_line_error(result, code: int, *named: str) -> str:
    """The failure a user sees: exit ``code`` and a single ``error:`` line naming what is wrong."""
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for name in named:
        assert name in lines[0], lines[0]
    assert "Traceback" not in result.output
    return lines[0]


def _refused(result, option: str) -> None:
    """A bad option value: exit 2 before any work, naming the option (typer's box or our one line)."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert option in result.stderr, result.stderr
    assert "Traceback" not in result.output


def _published(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts)


def _sections(output: str) -> dict[str, str]:
    """``script`` output per page header line ("== A01版 要闻 (16 utterances) =="), keyed by page code."""
    sections: dict[str, str] = {}
    code = None
    for line in output.splitlines():
        if line.startswith("== "):
            code = line.removeprefix("== ").split("版")[0]
            sections[code] = ""
        elif code is not None:
            sections[code] += line + "\n"
    return sections


def _long_date(date: dt.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


# --- script --------------------------------------------------------------------------------------


def test_script_shows_each_page_opening_announcements_and_headlines():
    issue = load_issue(SAMPLE)
    result = _cli("script", SAMPLE)
    assert result.exit_code == 0, result.output
    sections = _sections(result.stdout)
    assert list(sections) == [page.code for page in issue.pages]
    weekday = f"星期{WEEKDAYS[issue.date.weekday()]}"
    assert (_long_date(issue.date), weekday) == ("2025年12月31日", "星期三")  # the sample's own date
    for page in issue.pages:
        shown = sections[page.code]
        opening = shown.splitlines()[0]
        assert issue.paper in opening and _long_date(issue.date) in opening and weekday in opening
        assert f"{page.code}版" in shown
        assert len(page.articles) == 2
        assert "第一篇，共两篇" in shown and "第二篇，共两篇" in shown
        for article in page.articles:
            assert article.title in shown
    assert "→" not in result.stdout  # the spoken form only with --spoken


def test_script_spoken_shows_numbers_and_page_codes_as_read_aloud():
    issue = load_issue(SAMPLE)
    printed = "\n".join(p for page in issue.pages for a in page.articles for p in a.paragraphs)
    assert "128.6亿元" in printed
    result = _cli("script", SAMPLE, "--spoken")
    assert result.exit_code == 0, result.output
    spoken = [line.split("→", 1)[1].strip() for line in result.stdout.splitlines() if "→" in line]
    assert any("一百二十八点六亿元" in line for line in spoken)
    assert not any("128.6" in line for line in spoken)
    for page in issue.pages:
        read_code = page.code[0] + "".join("零一二三四五六七八九"[int(d)] for d in page.code[1:])
        assert any(line.startswith(f"{read_code}版") for line in spoken), read_code
    plain = _cli("script", SAMPLE)
    assert "一百二十八点六亿元" not in plain.stdout


def test_a_user_script_file_changes_one_template_and_keeps_the_rest(tmp_path):
    mine = tmp_path / "script.toml"
    mine.write_text('[page]\nclosing = "{name}版面到此结束，{paper}明天见。"\n', encoding="utf-8")
    issue = load_issue(SAMPLE)
    default = _cli("script", SAMPLE)
    result = _cli("script", SAMPLE, "--script", mine)
    assert result.exit_code == 0, result.output
    sections = _sections(result.stdout)
    for page in issue.pages:
        assert f"{page.name}版面到此结束，{issue.paper}明天见。" in sections[page.code]
    assert "播报完毕" in default.stdout and "播报完毕" not in result.stdout
    unchanged = [line for line in default.stdout.splitlines() if "播报完毕" not in line]
    assert unchanged == [line for line in result.stdout.splitlines() if "明天见" not in line]


def test_a_user_lexicon_changes_what_is_said_not_what_is_shown(tmp_path):
    lexicon = tmp_path / "mine.toml"
    lexicon.write_text('[substitutions]\n"江滨路" = "江边路"\n', encoding="utf-8")
    result = _cli("script", SAMPLE, "--spoken", "--lexicon", lexicon)
    assert result.exit_code == 0, result.output
    shown = [line for line in result.stdout.splitlines() if "→" not in line]
    spoken = [line for line in result.stdout.splitlines() if "→" in line]
    assert any("江滨路" in line for line in shown)
    assert any("江边路" in line for line in spoken) and not any("江滨路" in line for line in spoken)


BAD_LEXICONS = {
    "unknown table": '[substitution]\n"江滨路" = "江边路"\n',
    "bad pinyin": '[pinyin]\n"江滨路" = "jiang1 bin1"\n',
    "not TOML": "[substitutions\n",
}


@pytest.mark.parametrize("command", ["script", "lint", "build"])
@pytest.mark.parametrize("case", [*BAD_LEXICONS, "missing"])
def test_a_bad_lexicon_file_is_one_line_naming_it(tmp_path, command, case):
    lexicon = tmp_path / "my-lexicon.toml"
    if case != "missing":
        lexicon.write_text(BAD_LEXICONS[case], encoding="utf-8")
    out = tmp_path / "out"
    extra = ["--engine", "fake", "-o", out] if command == "build" else []
    result = _cli(command, SAMPLE, "--lexicon", lexicon, *extra)
    _one_line_error(result, 1, "my-lexicon.toml")
    assert not out.exists()


def test_a_bad_script_file_is_one_line_naming_it(tmp_path):
    mine = tmp_path / "my-script.toml"
    mine.write_text('[page]\nending = "完"\n', encoding="utf-8")
    _one_line_error(_cli("script", SAMPLE, "--script", mine), 1, "my-script.toml", "page.ending")


# --- lint ----------------------------------------------------------------------------------------


def _risky_issue(tmp_path: Path) -> Path:
    return _export(
        tmp_path / "risky",
        "朝天门航线加密",
        "本周起，记者曾国强随首班船出发。\n旅客可在App上预约值机。",
    )


def test_lint_lists_a_name_and_a_latin_word_with_their_place(tmp_path):
    source = _risky_issue(tmp_path)
    issue = load_issue(source)
    findings = text.lint(issue, text.TextSettings(lexicon=text.load_lexicon("offline", "")))
    kinds = {(f.word, f.kind) for f in findings}
    assert {("曾国强", "name"), ("App", "latin")} <= kinds
    result = _cli("lint", source)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for f in findings:
        (line,) = [line for line in lines if line.split()[:2] == [f.kind, f.word]]
        assert f"{f.page} 《{f.article}》 #{f.sentence}" in line
    assert lines[-1] == f"{len(findings)} finding(s)"


def test_lint_leaves_out_a_word_the_user_lexicon_reads(tmp_path):
    source = _risky_issue(tmp_path)
    lexicon = tmp_path / "names.toml"
    lexicon.write_text('[pinyin]\n"曾国强" = "zeng1 guo2 qiang2"\n', encoding="utf-8")
    result = _cli("lint", source, "--lexicon", lexicon)
    assert result.exit_code == 0, result.output
    kinds_and_words = [line.split()[:2] for line in result.stdout.splitlines()]
    assert ["name", "曾国强"] not in kinds_and_words
    assert ["latin", "App"] in kinds_and_words


def test_lint_for_edge_lists_the_curated_place_names(tmp_path):
    result = _cli("lint", _risky_issue(tmp_path), "--engine", "edge")
    assert result.exit_code == 0, result.output
    kinds_and_words = [line.split()[:2] for line in result.stdout.splitlines()]
    assert ["watch", "朝天门"] in kinds_and_words
    assert ["latin", "App"] not in kinds_and_words  # Microsoft's voices read English words


def test_lint_of_a_clean_issue_says_so(tmp_path):
    source = _export(tmp_path / "clean", "春风拂过湖面", "湖边的柳树发芽了。")
    result = _cli("lint", source)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "0 finding(s)"


@pytest.mark.parametrize("command", ["lint", "script"])
def test_an_unknown_engine_for_the_lexicon_is_refused(command):
    _refused(_cli(command, SAMPLE, "--engine", "ofline"), "--engine")


# --- voices --------------------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch):
    """Any connection beyond 127.0.0.1 fails the test."""
    connect = socket.socket.connect

    def loopback_only(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if host not in {"127.0.0.1", "::1", "localhost"} and self.family != socket.AF_UNIX:
            raise AssertionError(f"network call to {address}")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", loopback_only)


def test_voices_lists_both_engines_and_the_presets_from_the_snapshot(no_network):
    result = _cli("voices", env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "zh-CN-XiaoxiaoNeural" in result.stdout
    assert "zf_xiaobei" in result.stdout
    names = speech.preset_names()
    assert {"news", "slow", "fast"} <= set(names)
    (presets,) = [line for line in result.stdout.splitlines() if "--preset" in line]
    for name in names:
        assert name in presets


def test_voices_names_are_whole_in_an_80_column_terminal(no_network):
    result = _cli("voices", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    for voice in speech.list_voices(False):
        assert voice.name in result.stdout, voice.name


# --- build: presets, config, outputs ---------------------------------------------------------------


def _record(out: Path):
    """The sample issue's build.json under ``out``."""
    issue = load_issue(SAMPLE)
    return read_record(out / publish.paper_slug(issue.paper) / issue.date.isoformat() / "build.json")


def test_slow_preset_gives_longer_episodes_by_its_longer_pauses(tmp_path):
    issue = load_issue(SAMPLE)
    durations, pauses = {}, {}
    for name in ("news", "slow"):
        result = _build(SAMPLE, tmp_path / name, "--preset", name)
        assert result.exit_code == 0, result.output
        durations[name] = {p.code: p.duration for p in _record(tmp_path / name).pages}
        p = speech.load_preset(name).pauses
        settings = text.TextSettings(
            sentence_pause=p.sentence,
            paragraph_pause=p.paragraph,
            heading_pause=p.heading,
            article_pause=p.article,
        )
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
    result = _cli("build", SAMPLE, "-o", tmp_path / "out", "--preset", preset)  # no --engine: the preset's
    assert result.exit_code == 0, result.output
    assert _record(tmp_path / "out").extra["engine"] == "fake/1"


@pytest.mark.parametrize(("preset", "named"), [("nosuch", "nosuch"), ("broken.toml", "broken.toml")])
def test_an_unknown_or_broken_preset_is_one_line_and_writes_nothing(tmp_path, preset, named):
    (tmp_path / "broken.toml").write_text('engine = "fake"\nrate = 0\n', encoding="utf-8")
    out = tmp_path / "out"
    result = _build(SAMPLE, out, "--preset", tmp_path / preset if preset.endswith(".toml") else preset)
    _one_line_error(result, 2, named)
    assert not out.exists()


@pytest.mark.parametrize(
    ("option", "value"), [("--rate", "999"), ("--rate", "-80"), ("--pitch", "500"), ("--volume", "-500")]
)
def test_prosody_out_of_range_is_refused_before_any_speech(tmp_path, option, value):
    out = tmp_path / "out"
    result = _cli(
        "build", SAMPLE, "--engine", "edge", "-o", out, "--attempts", "1", option, value,
        env={"ENEWS_EDGE_URL": closed_url()},
    )  # fmt: skip
    _refused(result, option)
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
    result = _build(SAMPLE, tmp_path / "a", "--config", config)
    assert result.exit_code == 0, result.output
    title, enclosures = _channel_and_enclosures(tmp_path / "a")
    assert title == "山城晚报·听报"
    assert enclosures and all(url.startswith("https://audio.example.org/scwb/") for url in enclosures)

    other = "https://cdn.example.net/listen/"
    result = _build(SAMPLE, tmp_path / "b", "--config", config, "--base-url", other)
    assert result.exit_code == 0, result.output
    title, enclosures = _channel_and_enclosures(tmp_path / "b")
    assert title == "山城晚报·听报"
    assert enclosures and all(url.startswith(other) for url in enclosures)


def test_enews_audio_toml_in_the_working_folder_is_read_by_default(tmp_path, monkeypatch):
    (tmp_path / "enews-audio.toml").write_text(PAPER_TOML, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = _build(SAMPLE, tmp_path / "out")
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
    _one_line_error(_build(SAMPLE, out, "--config", config), 2, "paper.toml", named)
    assert not out.exists()


def test_a_missing_config_file_is_one_line(tmp_path):
    out = tmp_path / "out"
    _one_line_error(_build(SAMPLE, out, "--config", tmp_path / "nope.toml"), 2, "nope.toml")
    assert not out.exists()


def test_a_build_publishes_episodes_side_files_feed_site_and_cover(tmp_path):
    result = _build(SAMPLE, tmp_path)
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

    items = ET.parse(paper_dir / "feed.xml").getroot().findall("channel/item")
    assert len(items) == len(issue.pages)
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
    return _cli(
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


# --- build from an e-paper URL ---------------------------------------------------------------------


@pytest.fixture
def epaper():
    with serving() as running:
        yield running


def test_build_from_an_epaper_url_gives_an_episode_per_page(tmp_path, epaper):
    pages = tmp_path / "pages"
    out = tmp_path / "out"
    url = epaper.url("pclayout/index.html")
    result = _build(url, out, "--fetch-delay", "0", "--page-cache", pages)
    assert result.exit_code == 0, result.output
    issue = load_issue(EPAPER / "pclayout")  # the same paper, saved
    issue_dir = out / publish.paper_slug(issue.paper) / issue.date.isoformat()
    assert sorted(p.name for p in issue_dir.glob("*.mp3")) == sorted(f"{p.slug}.mp3" for p in issue.pages)
    record = read_record(issue_dir / "build.json")
    assert [p.articles for p in record.pages] == [tuple(a.title for a in p.articles) for p in issue.pages]
    assert any(pages.rglob("*")), "--page-cache was not used"
    assert epaper.requests

    asked = len(epaper.requests)
    again = _cli("script", url, "--date", issue.date.isoformat(), "--fetch-delay", "0", "--page-cache", pages)
    assert again.exit_code == 0, again.output
    assert all(a.title in again.stdout for p in issue.pages for a in p.articles)
    assert len(epaper.requests) - asked < asked, "the dated pages were fetched again, not read from the cache"


def test_an_epaper_date_without_an_issue_is_one_line(tmp_path, epaper):
    url = epaper.url("pclayout/index.html")
    result = _build(
        url, tmp_path / "out", "--date", "2099-01-02", "--fetch-delay", "0", "--page-cache", tmp_path
    )
    _one_line_error(result, 1, "2099")
    assert not (tmp_path / "out").exists()


def test_a_malformed_date_is_rejected_by_the_option(tmp_path):
    _refused(_build(SAMPLE, tmp_path / "out", "--date", "31/12/2025"), "--date")
    assert not (tmp_path / "out").exists()


# --- serve ---------------------------------------------------------------------------------------


def test_serve_has_help():
    result = _cli("serve", "--help")
    assert result.exit_code == 0
    for option in ("--host", "--port", "--quiet"):
        assert option in result.stdout


def test_serve_a_missing_folder_is_one_line(tmp_path):
    missing = tmp_path / "not-built-yet"
    result = _cli("serve", missing, "--port", "0")
    _one_line_error(result, 2, "not-built-yet")


def test_a_date_that_is_not_the_issues_is_refused(tmp_path):
    result = _cli("script", SAMPLE, "--date", "2020-01-01")
    _refused(result, "--date")
    assert "2025-12-31" in result.stderr


def test_a_proxy_that_is_not_a_url_is_refused_before_any_work(tmp_path):
    out = tmp_path / "out"
    result = _cli("build", SAMPLE, "--engine", "edge", "--proxy", "notaurl", "-o", out)
    _refused(result, "--proxy")
    assert not out.exists()
