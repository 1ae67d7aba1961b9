import miniaudio
import pytest

from enews_audio.errors import EngineUnavailableError
from enews_audio.speech import Session, SpeechSettings
from enews_audio.speech.edge import EdgeEngine
from enews_audio.speech.engine import Voice
from enews_audio.speech.executor import LocalExecutor
from enews_audio.speech.fake import FakeEngine, silent_clip
from enews_audio.speech.placeholder import PLACEHOLDER_TEXT, tone_clip
from support.fake_edge import FakeEdge, closed_url


def settings(tmp_path, attempts=4):
    return SpeechSettings(tmp_path / "cache", attempts=attempts, backoff=0.0)


def placeholder_clip(engine, settings):
    with Session(engine, settings, LocalExecutor()) as session:
        return session.placeholder()


def decoded(clip):
    return miniaudio.decode(clip.audio, nchannels=1, sample_rate=24000)


def test_the_placeholder_is_spoken_by_the_engine_and_cached(tmp_path):
    engine = FakeEngine()
    clip = placeholder_clip(engine, settings(tmp_path))
    assert engine.calls == [PLACEHOLDER_TEXT]
    assert clip.audio == silent_clip(PLACEHOLDER_TEXT).audio
    again = FakeEngine()
    assert placeholder_clip(again, settings(tmp_path)).audio == clip.audio
    assert again.calls == []


def test_an_engine_that_is_down_gives_a_short_tone_after_few_tries(tmp_path):
    def down(_text):
        raise EngineUnavailableError("edge-tts unreachable: 127.0.0.1:9")

    engine = FakeEngine(down)
    clip = placeholder_clip(engine, settings(tmp_path, attempts=6))
    assert clip == tone_clip()
    assert len(engine.calls) == 2
    assert not list((tmp_path / "cache").rglob("*.clip"))  # next time the engine may speak it


def test_the_tone_is_a_decodable_24khz_mono_mp3_of_about_a_second_and_not_silent():
    clip = tone_clip()
    info = miniaudio.mp3_get_info(clip.audio)
    assert (info.sample_rate, info.nchannels) == (24000, 1)
    sound = decoded(clip)
    assert 0.8 <= clip.duration <= 1.5
    assert sound.duration == pytest.approx(clip.duration, abs=0.05)
    assert max(abs(s) for s in sound.samples) > 3000


def test_with_the_real_edge_engine(tmp_path):
    voice = Voice("zh-CN-XiaoxiaoNeural")
    with FakeEdge() as fake:
        spoken = placeholder_clip(EdgeEngine(voice, url=fake.url), settings(tmp_path))
        assert fake.texts == [PLACEHOLDER_TEXT]
    assert spoken.duration == pytest.approx(fake.complete_answer(PLACEHOLDER_TEXT).heard)
    down = EdgeEngine(voice, url=closed_url(), timeout=1.0, connect_timeout=1)
    assert placeholder_clip(down, settings(tmp_path / "other")) == tone_clip()
