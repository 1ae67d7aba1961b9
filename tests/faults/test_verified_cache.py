"""Every cache is checked before use: a damaged entry is dropped and made again, never published.

The issue's report: after every cached clip was cut short and the issue folder removed, a rebuild published
episodes about 40 % shorter than the real ones.
"""

import datetime as dt
import json
import shutil

import miniaudio
import pytest

from enews_audio import text
from enews_audio.audio import AudioSettings, assemble
from enews_audio.audio.reuse import EpisodeMemo, fingerprint
from enews_audio.model import Article, Page, PageScript, Part, Utterance
from enews_audio.sources.fetch import FetchSettings, HttpSite
from enews_audio.speech.cache import ClipCache, clip_key
from enews_audio.speech.fake import FakeEngine, silent_clip
from support.builds import build
from support.builds import settings as build_settings
from support.epaper_server import serving
from support.issue_toml import issue_toml

ELEVATORS = {
    "title": "老旧小区加装电梯",
    "byline": "记者 林舟",
    "paragraphs": ["今年全市计划为老旧小区加装电梯两百部。", "首批电梯已在东湖街道投入使用。"],
}
PARK = {
    "title": "江滩公园新添步道",
    "paragraphs": ["江滩公园新修的步道全长四公里。", "步道沿江而建，夜间有照明。"],
}
ISSUE = issue_toml("江城日报", "2026-04-08", (("A01", "要闻", (ELEVATORS,)), ("A02", "城事", (PARK,))))


def _decoded_seconds(path):
    return miniaudio.mp3_get_info(path.read_bytes()).duration


def _cached_clips(out):
    return sorted((out / ".cache" / "clips").rglob("*.clip"))


def test_truncated_cached_clips_are_made_again_and_the_rebuild_is_as_long_as_a_clean_build(tmp_path):
    source = tmp_path / "issue.toml"
    source.write_text(ISSUE, encoding="utf-8")
    clean = build(source, FakeEngine(), build_settings(out_dir=tmp_path / "clean"))
    clean_seconds = {e.path: _decoded_seconds(clean.issue_dir / e.path) for e in clean.episodes}

    out = tmp_path / "out"
    first = build(source, FakeEngine(), build_settings(out_dir=out))
    clips = _cached_clips(out)
    assert len(clips) == first.made > 0
    for clip in clips:  # as a bad copy of the cache would leave it: 60 % of each file
        data = clip.read_bytes()
        clip.write_bytes(data[: len(data) * 6 // 10])
    shutil.rmtree(first.issue_dir)

    engine = FakeEngine()
    rebuilt = build(source, engine, build_settings(out_dir=out))
    assert (rebuilt.made, rebuilt.reused) == (first.made, 0)  # every damaged clip was made again
    assert sorted(engine.calls) == sorted(_texts(first))
    for episode in rebuilt.episodes:
        heard = _decoded_seconds(rebuilt.issue_dir / episode.path)
        assert heard == pytest.approx(clean_seconds[episode.path], abs=0.01), episode.path
        assert episode.duration == pytest.approx(heard, abs=0.06)


def _texts(report):
    script = text.to_script(report.issue, text.TextSettings())
    return {u.spoken for page in script.pages for u in page.utterances}


def _flip_a_byte(path, at):
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_clip_with_one_changed_byte_is_dropped_and_made_again(tmp_path):
    cache = ClipCache(tmp_path)
    key = clip_key("fake/1", "一句话。")
    cache.put(key, silent_clip("一句话。"))
    (entry,) = tmp_path.rglob("*.clip")
    _flip_a_byte(entry, entry.stat().st_size - 200)  # inside the audio: same length, other sound
    assert cache.get(key) is None
    assert not entry.exists()  # dropped, so the next put writes it whole
    cache.put(key, silent_clip("一句话。"))
    assert cache.get(key) == silent_clip("一句话。")


@pytest.mark.parametrize("damage", ["cut", "empty", "header"])
def test_a_clip_cut_short_or_without_its_header_is_not_used(tmp_path, damage):
    cache = ClipCache(tmp_path)
    key = clip_key("fake/1", "另一句话。")
    cache.put(key, silent_clip("另一句话。"))
    (entry,) = tmp_path.rglob("*.clip")
    data = entry.read_bytes()
    _, _, audio = data.partition(b"\n")
    damaged = {"cut": data[:-1], "empty": b"", "header": audio}[damage]
    entry.write_bytes(damaged)
    assert cache.get(key) is None


PAGE = Page("A02", "经济", (Article(title="港口吞吐量创新高", paragraphs=("港口吞吐量增长。",)),))
SCRIPT = PageScript(
    PAGE,
    (
        Utterance("A02版，经济。", "A零二版，经济。", Part.OPENING),
        Utterance("港口吞吐量创新高", "港口吞吐量创新高。", Part.HEADER, article=0),
        Utterance("港口吞吐量增长。", "港口吞吐量增长。", Part.BODY, article=0),
    ),
)
TAGS = ("山城晚报 2025年12月31日 A02版 经济", "山城晚报", None)


def _memo_with_one_episode(tmp_path):
    clips = [silent_clip(u.spoken) for u in SCRIPT.utterances]
    settings = AudioSettings(loudness=None)
    published = tmp_path / "a02.mp3"
    episode = assemble(SCRIPT, clips, published, settings, title=TAGS[0], album=TAGS[1], artist=TAGS[1],
                       date=dt.date(2025, 12, 31))  # fmt: skip
    memo = EpisodeMemo(tmp_path / "memo")
    key = fingerprint(SCRIPT, clips, settings, TAGS)
    memo.put(key, episode, published)
    (entry,) = (tmp_path / "memo").iterdir()
    return memo, key, episode, published, entry


def test_a_memo_entry_whose_timings_changed_is_not_trusted(tmp_path):
    memo, key, episode, published, entry = _memo_with_one_episode(tmp_path)
    assert memo.get(key, published, PAGE) == episode
    header, _, body = entry.read_bytes().partition(b"\n")
    data = json.loads(body)
    data["duration"] += 1.0  # still valid JSON, still the published file's hash: only the seal tells
    entry.write_bytes(header + b"\n" + json.dumps(data, ensure_ascii=False).encode())
    assert memo.get(key, published, PAGE) is None


def test_a_memo_entry_cut_short_is_not_trusted(tmp_path):
    memo, key, _episode, published, entry = _memo_with_one_episode(tmp_path)
    entry.write_bytes(entry.read_bytes()[:-10])
    assert memo.get(key, published, PAGE) is None


def test_a_cached_e_paper_page_cut_short_is_fetched_again(tmp_path):
    settings = FetchSettings(cache_dir=tmp_path / "pages", delay=0)
    with serving() as server:
        url = server.url("classic/html/2025-06/21/node_2.htm")
        whole = HttpSite(settings).get(url).body
        (entry,) = (tmp_path / "pages").iterdir()
        entry.write_bytes(entry.read_bytes()[:-500])  # the article list's end is lost
        again = HttpSite(settings).get(url)
        assert again.body == whole
        assert server.count("node_2.htm") == 2
