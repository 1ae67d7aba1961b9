"""Editions through the pipeline and the command: DAISY, USB and a slow edition from one build."""

import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import feedparser
import pytest
from test_paper import TWO_PAGES

from enews_audio.errors import EngineUnavailableError
from enews_audio.model import Clip, Edition, Pauses
from enews_audio.pipeline import BuildSettings, prepare
from enews_audio.pipeline.options import BuildOptions
from enews_audio.pipeline.slow import SlowEdition, slow_edition
from enews_audio.publish import PublishSettings
from enews_audio.publish.record import read_record
from enews_audio.speech import load_preset
from enews_audio.speech.engine import Voice
from enews_audio.speech.fake import FakeEngine, FakeSpec, silent_clip
from enews_audio.text import TextSettings
from support.builds import build
from support.builds import settings as build_settings

ALL = frozenset(Edition)


def slower_clip(text: str) -> Clip:
    """What the fake voice says at a slower rate: the same silence, a fifth longer."""
    clip = silent_clip(text)
    return silent_clip(text + "慢" * max(1, len(text) // 5)) if clip.duration > 0.3 else clip


def slow_fake(handler=slower_clip) -> FakeEngine:
    """The slow edition's voice: pass it to ``build`` (``engines=``) to count its calls."""
    return FakeEngine(handler, identity="fake/1/slow")


def settings(tmp_path: Path, editions=ALL, slow: FakeEngine | None = None, **more) -> BuildSettings:
    """Build settings making ``editions``; the slow one, when asked for, spoken by a fake (``slow``)."""
    publish = PublishSettings(base_url="https://example.org/a/", editions=editions)
    if Edition.SLOW in editions or slow is not None:
        pauses = Pauses(sentence=0.35, paragraph=0.7, heading=0.6, article=2.2)
        more["slow"] = SlowEdition((slow or slow_fake()).spec, TextSettings(pauses=pauses))
    return build_settings(out_dir=tmp_path / "out", publish=publish, **more)


@pytest.fixture
def source(tmp_path) -> Path:
    path = tmp_path / "issue.toml"
    path.write_text(TWO_PAGES, encoding="utf-8")  # pages B02 (two articles) and B03 (one)
    return path


def test_one_build_makes_every_edition(tmp_path, source):
    report = build(source, FakeEngine(), settings(tmp_path))
    assert report.ok
    issue_dir = report.issue_dir
    record = read_record(issue_dir / "build.json")
    assert (record.daisy, record.usb) == ("daisy.zip", "usb")
    assert sorted(p.name for p in (issue_dir / "daisy").iterdir()) == [
        "b02.mp3", "b02.smil", "b03.mp3", "b03.smil", "ncc.html",
    ]  # fmt: skip
    assert sorted(p.relative_to(issue_dir / "usb").as_posix() for p in (issue_dir / "usb").rglob("*.mp3")) == [
        "01-b02/00.mp3", "01-b02/01.mp3", "01-b02/02.mp3", "02-b03/00.mp3", "02-b03/01.mp3",
    ]  # fmt: skip
    # the slow edition: its own files and chapters, at least a tenth longer, in both feeds
    assert [e.path for e in report.slow] == ["b02.slow.mp3", "b03.slow.mp3"]
    for normal, slow in zip(report.episodes, report.slow, strict=True):
        assert slow.duration >= 1.1 * normal.duration
        assert [c.title for c in slow.chapters] == [c.title for c in normal.chapters]
        assert (issue_dir / slow.path).is_file()
    root = ET.parse(issue_dir.parent / "feed.xml").getroot()
    alternates = root.iter("{https://podcastindex.org/namespace/1.0}alternateEnclosure")
    assert [a.get("title") for a in alternates] == ["慢速", "慢速"]
    slow_feed = feedparser.parse((issue_dir.parent / "feed-slow.xml").read_bytes())
    assert not slow_feed.bozo and len(slow_feed.entries) == 2
    # every description has the chapters as timestamps, within a second of the chapters
    main = feedparser.parse((issue_dir.parent / "feed.xml").read_bytes())
    for entry, episode in zip(main.entries, report.episodes, strict=True):
        stamps = [line.split(" ", 1)[0] for line in entry.description.splitlines()]
        seconds = [int(m) * 60 + int(s) for m, s in (stamp.split(":") for stamp in stamps)]
        assert len(seconds) == len(episode.chapters)
        assert all(0 <= c.start - t < 1 for t, c in zip(seconds, episode.chapters, strict=True))


def test_a_rebuild_with_the_slow_edition_speaks_only_the_slow_clips(tmp_path, source):
    first = build(source, FakeEngine(), settings(tmp_path, editions=frozenset()))
    assert first.ok and not first.slow
    assert not (first.issue_dir.parent / "feed-slow.xml").exists()

    engine, slow = FakeEngine(), slow_fake()
    again = build(
        source, engine, settings(tmp_path, editions=frozenset({Edition.SLOW}), slow=slow), engines=[slow]
    )
    assert again.ok and engine.calls == [] and again.made == 0 and len(slow.calls) > 0
    assert (first.issue_dir / "b02.mp3").stat().st_mtime_ns == (
        again.issue_dir / "b02.mp3"
    ).stat().st_mtime_ns
    record = read_record(again.issue_dir / "build.json")
    assert [p.slow.file for p in record.pages] == ["b02.slow.mp3", "b03.slow.mp3"]
    assert record.extra["slow_engine"] == "fake/1/slow"
    assert record.extra["slow_clips_made"] == len(set(slow.calls))

    # …and once more: nothing is spoken, nothing encoded again
    stamps = {p: p.stat().st_mtime_ns for p in again.issue_dir.glob("*.mp3")}
    third_slow = slow_fake()
    build(
        source, FakeEngine(), settings(tmp_path, editions=frozenset({Edition.SLOW}), slow=third_slow),
        engines=[third_slow],
    )  # fmt: skip
    assert third_slow.calls == []
    assert {p: p.stat().st_mtime_ns for p in again.issue_dir.glob("*.mp3")} == stamps


def test_a_failed_slow_sentence_leaves_its_page_without_a_slow_edition_and_says_so(tmp_path, source):
    def down(text):
        if "菜价" in text:
            raise EngineUnavailableError("edge-tts: service answered 503")
        return slower_clip(text)

    report = build(source, FakeEngine(), settings(tmp_path, attempts=1, slow=slow_fake(down)))
    assert not report.ok and not report.failures
    assert {f.page for f in report.slow_failures} == {"B03"}
    assert [e.page.code for e in report.episodes] == ["B02", "B03"]  # the normal edition is whole
    record = read_record(report.issue_dir / "build.json")
    assert [p.slow is not None for p in record.pages] == [True, False]
    assert record.extra["slow_failures"][0]["page"] == "B03"


def test_the_slow_edition_is_asked_for_and_given_together(tmp_path):
    with pytest.raises(ValueError, match="slow"):
        build_settings(out_dir=tmp_path, publish=PublishSettings(editions=ALL))
    with pytest.raises(ValueError, match="slow"):
        settings(tmp_path, editions=frozenset(), slow=slow_fake())


def test_slow_edition_is_the_same_voice_at_the_slow_presets_rate_and_pauses():
    voice = FakeSpec(identity="fake/2", voice=Voice("fake", rate=10))
    slow = slow_edition(TextSettings(), voice)
    assert slow.voice == FakeSpec(identity="fake/2", voice=Voice("fake", rate=-15))  # the same voice, slower
    assert slow.text.pauses.article == 2.2 and slow.text.pauses.sentence == 0.6
    longer = Pauses(sentence=0.35, paragraph=0.7, heading=0.6, article=3.0)
    kept = slow_edition(replace(TextSettings(), pauses=longer), voice)
    assert kept.text.pauses.article == 3.0  # a longer pause of the build's own stays


def test_a_page_that_failed_keeps_its_last_episode_and_slow_edition(tmp_path, source):
    first = build(source, FakeEngine(), settings(tmp_path, attempts=1))
    slow_before = (first.issue_dir / "b03.slow.mp3").read_bytes()
    source.write_text(
        source.read_text(encoding="utf-8").replace("总体平稳。", "总体平稳，略有下降。"), "utf-8"
    )

    def down(text):
        if "略有下降" in text:
            raise EngineUnavailableError("edge-tts: service answered 503")
        return silent_clip(text)

    slow = slow_fake()
    report = build(source, FakeEngine(down), settings(tmp_path, attempts=1, slow=slow), engines=[slow])
    assert {f.page for f in report.failures} == {"B03"} and [e.page.code for e in report.slow] == ["B02"]
    assert not [text for text in slow.calls if "略有下降" in text]  # its slow edition is not remade
    assert (report.issue_dir / "b03.slow.mp3").read_bytes() == slow_before
    record = read_record(report.issue_dir / "build.json")
    assert [p.slow.file for p in record.pages] == ["b02.slow.mp3", "b03.slow.mp3"]


def test_prepare_makes_the_slow_edition_of_the_chosen_voice_when_it_is_asked_for(tmp_path):
    config = tmp_path / "paper.toml"
    config.write_text('[paper]\neditions = ["slow", "daisy"]\n', encoding="utf-8")
    settings = prepare(BuildOptions(source="x", engine="offline", voice="zm_yunxi", config=config))
    assert settings.publish.editions == {Edition.SLOW, Edition.DAISY}
    assert settings.slow.voice == replace(settings.voice, voice=Voice("zm_yunxi", rate=-15))  # lexicon kept
    assert settings.slow.voice.build(1).identity != settings.voice.build(1).identity  # cached apart
    assert settings.slow.text.pauses == load_preset("slow").pauses
    faster = prepare(BuildOptions(source="x", engine="offline", preset="fast", editions=(Edition.SLOW,)))
    assert faster.slow.voice.voice.rate == -15  # never faster than the slow preset
    already = prepare(BuildOptions(source="x", engine="offline", rate=-20, editions=(Edition.SLOW,)))
    assert already.slow.voice.voice.rate == -35  # a slow build still gets a slower edition
    none = prepare(BuildOptions(source="x", engine="offline", config=config, editions=()))
    assert none.slow is None and none.publish.editions == frozenset()  # the option replaces the config's
