"""The operator's loop: reports taken by the server are listed with what the voice was given, lint's
findings and a suggestion; --accept writes the paper's lexicon, which the next build loads, re-speaking
exactly the sentences the entry changes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from enews_audio import pipeline
from enews_audio.cli import app
from enews_audio.model import Clip
from enews_audio.pipeline.options import build_options
from enews_audio.publish.spoken import read_spoken
from enews_audio.serve import running
from enews_audio.speech.fake import FakeEngine
from support.builds import build
from support.issue_toml import issue_toml
from support.tones import tone

SLUG, DAY = "shanchengwanbao", "2026-03-02"
ISSUE = issue_toml(
    paper="山城晚报",
    date=DAY,
    pages=(
        (
            "A01",
            "要闻",
            (
                {
                    "title": "天台新建三座公园",
                    "paragraphs": ["天台今年新建三座公园。", "市民说，公园离家更近了。"],
                },
                {
                    "title": "江滨路夜景亮灯",
                    "paragraphs": ["江滨路夜景今晚亮灯。", "江滨路全长五公里。", "沿线新增座椅。"],
                },
            ),
        ),
    ),
)


def voiced(text: str) -> Clip:
    """A clip whose sound follows the text, not only its length: a tone at a pitch from its hash."""
    pitch = 200 + int(hashlib.sha256(text.encode()).hexdigest()[:4], 16) % 600
    return tone(max(0.3, 0.05 * len(text)), pitch)


@pytest.fixture
def paper(tmp_path) -> dict[str, Path]:
    source = tmp_path / "issue" / "issue.toml"
    source.parent.mkdir()
    source.write_text(ISSUE, encoding="utf-8")
    config = tmp_path / "conf" / "enews-audio.toml"
    config.parent.mkdir()
    config.write_text(
        '[paper]\nowner_email = "audio@example.org"\nlexicon = "lexicon.toml"\n', encoding="utf-8"
    )
    return {
        "source": source,
        "config": config,
        "out": tmp_path / "output",
        "lexicon": config.parent / "lexicon.toml",
    }


def settings(paper: dict[str, Path]) -> pipeline.BuildSettings:
    options = build_options(
        {"source": str(paper["source"]), "out": paper["out"], "config": paper["config"], "engine": "fake"},
        where="test",
    )
    return pipeline.prepare(options)


def spoken_texts(paper: dict[str, Path]) -> set[str]:
    """What the issue's utterances give the voice, with the paper's lexicon as it is now."""
    script = pipeline.script(paper["source"], settings(paper).read)
    return {u.spoken for page in script.pages for u in page.utterances}


def cue_of(out: Path, words: str) -> int:
    said = read_spoken(out / SLUG / DAY / "a01.spoken.json")
    assert said is not None
    return next(n for n, s in enumerate(said, 1) if s.printed == words)


def report(out: Path, cue: int, note: str = "") -> None:
    with running(out, reports=True) as url:
        answer = httpx.post(
            url + f"{SLUG}/reports", json={"issue": DAY, "page": "a01", "cue": cue, "note": note}
        )
        assert answer.status_code == 201, answer.text


def reports(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["reports", *args])
    return result.exit_code, result.output


def test_the_list_the_accept_and_a_rebuild_that_re_speaks_only_what_the_entry_changes(paper):
    out = paper["out"]
    build(paper["source"], FakeEngine(voiced), settings(paper))
    report(out, cue_of(out, "天台今年新建三座公园。"))
    report(out, cue_of(out, "江滨路全长五公里。"), note="江滨读得像江边")

    code, listing = reports(str(out), "--config", str(paper["config"]))
    assert code == 0, listing
    lines = listing.splitlines()
    assert lines[-1] == "2 open report(s)" and all(line.startswith("#") for line in lines[:-1])
    assert lines[0].startswith("#2 山城晚报 2026-03-02 A01版 《江滨路夜景亮灯》")  # newest first
    first = [line for line in lines if line.startswith("#1 ")]
    assert first[0].startswith("#1 山城晚报 2026-03-02 A01版 《天台新建三座公园》")
    assert "#1   printed: 天台今年新建三座公园。" in first
    assert "#1   spoken:  天台今年新建三座公园。" in first
    assert any(line.startswith("#1   pinyin:  tian1 tai2 jin1") for line in first)  # what the voice gets now
    assert "#1   lint:    天台 (reading): given tian1 tai2, should be tian1 tai1" in first
    assert "#1   suggest: enews-audio reports --accept 1 '天台=tian1 tai1'" in first
    assert "#2   note:    江滨读得像江边" in lines
    assert "#2   suggest: enews-audio reports --accept 2 '江滨=jiang1 bin1'" in lines  # the note's word

    before = spoken_texts(paper)
    # A same-sounding substitution (what an edge voice needs too) for 江滨: accepted into the paper's lexicon.
    code, said = reports(str(out), "--config", str(paper["config"]), "--accept", "2", "江滨=江宾")
    assert code == 0, said
    assert said.startswith("#2 accepted: 江滨=江宾 written to ")
    assert paper["lexicon"].read_text(encoding="utf-8").endswith('[substitutions]\n"江滨" = "江宾"\n')
    code, listing = reports(str(out), "--config", str(paper["config"]))
    assert "#2 " not in listing and listing.splitlines()[-1] == "1 open report(s)"

    # The next build loads it: exactly the utterances holding 江滨 are spoken again, with new audio.
    engine = FakeEngine(voiced)
    rebuilt = build(paper["source"], engine, settings(paper))
    after = spoken_texts(paper)
    assert sorted(engine.calls) == sorted(after - before) == sorted(t for t in after if "江宾" in t)
    assert len(engine.calls) == 4  # the rundown's line, the headline and its two sentences with 江滨
    assert (rebuilt.made, rebuilt.reused) == (4, len(after) - 4)  # of 14: the other 10 come from the cache
    new = read_spoken(out / SLUG / DAY / "a01.spoken.json")
    assert new is not None
    sentence = new[cue_of(out, "江滨路全长五公里。") - 1]
    assert sentence.spoken == "江宾路全长五公里。"
    assert voiced(sentence.spoken).audio != voiced("江滨路全长五公里。").audio


def test_accept_pinyin_keeps_the_lexicons_comments_and_dismiss_closes(paper):
    out = paper["out"]
    build(paper["source"], FakeEngine(), settings(paper))
    paper["lexicon"].write_text('# 本报读音\n[pinyin]\n"江滨" = "jiang1 bin1"  # 路名\n', encoding="utf-8")
    report(out, cue_of(out, "天台今年新建三座公园。"))
    report(out, cue_of(out, "沿线新增座椅。"))
    code, said = reports(str(out), "--config", str(paper["config"]), "--accept", "1", "天台= tian1  tai1 ")
    assert code == 0, said
    assert paper["lexicon"].read_text(encoding="utf-8") == (
        '# 本报读音\n[pinyin]\n"江滨" = "jiang1 bin1"  # 路名\n"天台" = "tian1 tai1"\n'
    )
    assert settings(paper).read.text.lexicon.pinyin["天台"] == "tian1 tai1"  # builds load it
    code, said = reports(str(out), "--dismiss", "2")
    assert code == 0 and said.strip() == "#2 dismissed"
    code, listing = reports(str(out), "--config", str(paper["config"]))
    assert listing.strip() == "0 open report(s)"
    done = json.loads((out / ".reports" / f"{SLUG}.done.json").read_text(encoding="utf-8"))
    assert sorted(entry["how"] for entry in done.values()) == ["accepted: 天台=tian1 tai1", "dismissed"]


@pytest.mark.parametrize(
    ("args", "config", "message"),
    [
        (["--accept", "1", "天台=tian1"], None, "pinyin.天台: needs 2 tone3 syllables"),
        (["--accept", "1", "天台"], None, "give the entry as 'word=reading'"),
        (["--accept", "7", "天台=tian1 tai1"], None, "no report #7 in"),
        (["--accept", "1", "天台=tian1 tai1"], "[paper]\n", "[paper] names no lexicon to write to"),
        (["--accept", "1", "天台=tian1 tai1", "--dismiss", "1"], None, "one at a time"),
    ],
)
def test_a_bad_accept_is_one_line_and_changes_nothing(paper, args, config, message):
    out = paper["out"]
    build(paper["source"], FakeEngine(), settings(paper))
    report(out, cue_of(out, "天台今年新建三座公园。"))
    if config is not None:
        paper["config"].write_text(config, encoding="utf-8")
    code, said = reports(str(out), "--config", str(paper["config"]), *args)
    assert code != 0
    assert len(said.strip().splitlines()) == 1 and said.startswith("error: ") and message in said, said
    assert not paper["lexicon"].exists()
    assert reports(str(out), "--config", str(paper["config"]))[1].splitlines()[-1] == "1 open report(s)"
