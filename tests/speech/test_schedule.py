import asyncio

import miniaudio
import pytest

from enews_audio.errors import EngineUnavailableError, SpeechError, UnknownVoiceError
from enews_audio.speech import Session, SpeechSettings
from enews_audio.speech.executor import LocalExecutor
from enews_audio.speech.fake import FakeEngine, silent_clip


def synthesize(texts, engine, settings, on_progress=None, on_settled=None):
    with Session(engine, settings, LocalExecutor()) as session:
        return session.synthesize(texts, on_progress, on_settled)


def _settings(tmp_path, **kw):
    return SpeechSettings(tmp_path / "cache", backoff=0.0, **kw)


def test_default_fake_clip_is_decodable_and_as_long_as_it_says():
    clip = silent_clip("一二三四五六七八九十")
    decoded = miniaudio.decode(clip.audio, nchannels=1, sample_rate=24000)
    assert abs(decoded.duration - clip.duration) < 0.1


def test_every_distinct_text_is_made_once_and_cached(tmp_path):
    engine = FakeEngine()
    result = synthesize(["甲。", "乙。", "甲。"], engine, _settings(tmp_path))
    assert sorted(engine.calls) == ["乙。", "甲。"]
    assert (result.made, result.reused, result.failures) == (2, 0, {})
    assert set(result.clips) == {"甲。", "乙。"}

    again = FakeEngine()
    rerun = synthesize(["甲。", "乙。", "丙。"], again, _settings(tmp_path))
    assert again.calls == ["丙。"]
    assert (rerun.made, rerun.reused) == (1, 2)
    assert rerun.clips["甲。"].audio == result.clips["甲。"].audio


def test_a_different_voice_identity_does_not_reuse_clips(tmp_path):
    synthesize(["甲。"], FakeEngine(identity="fake/voice-a"), _settings(tmp_path))
    other = FakeEngine(identity="fake/voice-b")
    synthesize(["甲。"], other, _settings(tmp_path))
    assert other.calls == ["甲。"]


def test_transient_failures_are_retried_until_success(tmp_path):
    failures = {"甲。": 2}

    def flaky(text):
        if failures.get(text, 0):
            failures[text] -= 1
            raise EngineUnavailableError("edge-tts: service answered 503")
        return silent_clip(text)

    engine = FakeEngine(flaky)
    result = synthesize(["甲。"], engine, _settings(tmp_path, attempts=3))
    assert engine.calls == ["甲。"] * 3
    assert result.failures == {}
    assert result.made == 1


def test_a_clip_that_keeps_failing_is_reported_not_raised_and_not_cached(tmp_path):
    def down(text):
        raise EngineUnavailableError("edge-tts unreachable")

    engine = FakeEngine(down)
    result = synthesize(["甲。", "乙。"], engine, _settings(tmp_path, attempts=2))
    assert len(engine.calls) == 4
    assert set(result.failures) == {"甲。", "乙。"}
    assert "gave up after 2 tries" in result.failures["甲。"]
    assert result.made == 0
    assert not list((tmp_path / "cache").rglob("*.clip"))


def test_unknown_voice_is_not_retried(tmp_path):
    def bad_voice(text):
        raise UnknownVoiceError("no such voice")

    engine = FakeEngine(bad_voice)
    result = synthesize(["甲。"], engine, _settings(tmp_path, attempts=4))
    assert engine.calls == ["甲。"]
    assert result.failures == {"甲。": "no such voice"}


def test_concurrency_is_bounded_and_progress_reported(tmp_path):
    running = peak = 0

    async def slow(text):
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.02)
        running -= 1
        return silent_clip(text)

    seen = []
    texts = [f"第{i}句。" for i in range(9)]
    synthesize(texts, FakeEngine(slow), _settings(tmp_path, concurrency=2), seen.append)
    assert peak == 2
    assert seen[0].done == 0 and seen[-1].done == seen[-1].total == 9


def test_a_damaged_cache_entry_is_made_again(tmp_path):
    synthesize(["甲。"], FakeEngine(), _settings(tmp_path))
    (entry,) = (tmp_path / "cache").rglob("*.clip")
    entry.write_bytes(b"not json")
    engine = FakeEngine()
    result = synthesize(["甲。"], engine, _settings(tmp_path))
    assert engine.calls == ["甲。"]
    assert result.made == 1


def test_a_full_disk_is_one_speech_error_naming_the_clip_file(tmp_path, full_disk):
    with full_disk(200), pytest.raises(SpeechError) as caught:  # a clip is some kB
        synthesize(["甲。"], FakeEngine(), _settings(tmp_path))
    message = str(caught.value)
    assert message.startswith("clip cache: cannot write ") and "File too large" in message
    assert message.split()[4].rstrip(":").endswith(".clip") and "\n" not in message
    assert not list((tmp_path / "cache").rglob("*.clip"))


def test_an_unreadable_cache_entry_is_one_speech_error_naming_it(tmp_path):
    synthesize(["甲。"], FakeEngine(), _settings(tmp_path))
    (entry,) = (tmp_path / "cache").rglob("*.clip")
    entry.unlink()
    entry.mkdir()  # reading it fails with an OSError other than "not found"
    with pytest.raises(SpeechError, match=rf"^clip cache: cannot read {entry}: Is a directory$"):
        synthesize(["甲。"], FakeEngine(), _settings(tmp_path))


def test_settings_are_checked():
    with pytest.raises(ValueError):
        SpeechSettings(cache_dir=".", attempts=0)


def test_each_text_is_settled_once_as_it_finishes_cached_or_made_or_failed(tmp_path):
    synthesize(["甲。"], FakeEngine(), _settings(tmp_path))

    def half_down(text):
        if text == "丙。":
            raise EngineUnavailableError("down")
        return silent_clip(text)

    settled = []
    synthesize(
        ["甲。", "乙。", "丙。", "乙。"],
        FakeEngine(half_down),
        _settings(tmp_path, attempts=1),
        on_settled=lambda t, c: settled.append((t, c is not None)),
    )
    assert settled[0] == ("甲。", True)  # from the cache, before anything is spoken
    assert sorted(settled) == [("丙。", False), ("乙。", True), ("甲。", True)]
