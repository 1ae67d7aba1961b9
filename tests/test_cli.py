"""The command as a user meets it: set up files, act through the CLI, check with the API."""

from pathlib import Path

import feedparser
import miniaudio
import podcastparser
import pytest
from typer.testing import CliRunner

from enews_audio.audio import read_chapters
from enews_audio.cli import app
from enews_audio.sources import load_issue
from fake_edge import closed_url

runner = CliRunner()
SAMPLE = Path(__file__).parents[1] / "examples" / "sample-issue"

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


def _build(source: Path, out: Path, *extra: str):
    return runner.invoke(app, ["build", str(source), "--engine", "fake", "-o", str(out), *extra])


def _published(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts)


def test_help_explains_every_command_and_option():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "build" in result.output
    build_help = runner.invoke(app, ["build", "--help"])
    assert build_help.exit_code == 0
    for option in ("--out", "--engine", "--voice", "--base-url", "--keep"):
        assert option in build_help.output
    for command in app.registered_commands:
        assert command.callback.__doc__, f"{command.name} has no help text"


def test_build_sample_issue_gives_an_episode_per_page_with_chapters_and_a_feed(tmp_path):
    result = _build(SAMPLE, tmp_path, "--base-url", "https://example.org/audio/")
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
    assert len(parsed.entries) == len(issue.pages)
    gpodder = podcastparser.parse("https://example.org/audio/feed.xml", __import__("io").BytesIO(feed_bytes))
    assert len(gpodder["episodes"]) == len(issue.pages)
    for episode in gpodder["episodes"]:
        (enclosure,) = episode["enclosures"]
        name = enclosure["url"].removeprefix("https://example.org/audio/")
        assert enclosure["file_size"] == (paper_dir / name).stat().st_size


def test_rebuilding_an_unchanged_issue_synthesises_nothing(tmp_path):
    first = _build(SAMPLE, tmp_path)
    assert first.exit_code == 0, first.output
    assert "0 reused" in first.output
    second = _build(SAMPLE, tmp_path)
    assert second.exit_code == 0, second.output
    assert "clips: 0 made" in second.output


def test_a_single_export_file_is_an_issue_of_one_page(tmp_path):
    source = tmp_path / "story.txt"
    source.write_text(EXPORT, encoding="utf-8")
    result = _build(source, tmp_path / "out")
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
    result = _build(source, out)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert named in lines[0]
    assert "Traceback" not in result.output
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
    result = runner.invoke(app, ["build", str(SAMPLE), "-o", str(tmp_path / "out"), *args])
    assert result.exit_code == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], result.stderr
    assert not (tmp_path / "out").exists()


def test_a_failed_rebuild_keeps_the_previous_episodes_and_feed(tmp_path):
    out = tmp_path / "out"
    source = tmp_path / "src"
    source.mkdir()
    (source / "a.txt").write_text(EXPORT, encoding="utf-8")
    assert _build(source, out).exit_code == 0
    before = {p: p.read_bytes() for p in _published(out)}
    assert out / "shanchengwanbao" / "2026-03-01" / "a02.mp3" in before

    (source / "a.txt").write_text(EXPORT.replace("1200户", "1300户"), encoding="utf-8")
    result = runner.invoke(
        app,
        ["build", str(source), "--engine", "edge", "-o", str(out), "--attempts", "1"],
        env={"ENEWS_EDGE_URL": closed_url()},
    )
    assert result.exit_code == 3
    assert "could not be spoken" in result.stderr
    assert "1300户" in result.stderr
    assert {p: p.read_bytes() for p in _published(out)} == before
