"""Every fault of the edge service, met through a speech Session with the real EdgeEngine and edge-tts.

The rule under test: each text ends up either with complete audio (as long as the fake's boundary events
say, never shorter) or in ``failures`` with a one-line reason; it is never cached half-made.
"""

import miniaudio
import pytest

from enews_audio.errors import UnknownVoiceError
from enews_audio.speech import Session, SpeechSettings, select_engine
from enews_audio.speech.edge import EdgeEngine
from enews_audio.speech.engine import Voice
from enews_audio.speech.executor import LocalExecutor
from support.fake_edge import FakeEdge, Fault, closed_url

VOICE = Voice("zh-CN-YunyangNeural")
TEXTS = ["春雨落在老街上。茶馆门口排起了长队！", "河边的柳树发芽了。"]
TIMEOUT = 1.0


def synthesize(texts, engine, settings):
    with Session(engine, settings, LocalExecutor()) as session:
        return session.synthesize(texts)


def engine_for(url):
    return EdgeEngine(VOICE, url=url, timeout=TIMEOUT, connect_timeout=1)


def settings(tmp_path, attempts, concurrency=1):
    return SpeechSettings(tmp_path / "cache", attempts=attempts, backoff=0.01, concurrency=concurrency)


def cached(tmp_path):
    return sorted((tmp_path / "cache").rglob("*.clip"))


def assert_whole(result, fake, texts):
    """Each text is a clip as long as the fake's complete answer for it, or a one-line failure."""
    assert set(result.clips) | set(result.failures) == set(texts)
    assert not set(result.clips) & set(result.failures)
    for text, clip in result.clips.items():
        answer = fake.complete_answer(text)
        assert answer.heard >= answer.said  # the fake itself spoke everything it announced
        assert clip.duration == pytest.approx(answer.heard, abs=1e-6)
        end = clip.timings[-1].start + clip.timings[-1].duration
        assert end == pytest.approx(answer.said, abs=1e-6)
        decoded = miniaudio.decode(clip.audio, nchannels=1, sample_rate=24000)
        assert decoded.duration == pytest.approx(clip.duration, abs=0.05)
    for reason in result.failures.values():
        assert reason and "\n" not in reason


# (fault, connections one failed attempt uses, what the reason says)
FAULTS = [
    pytest.param(Fault.REJECT, 2, "refused the request (403)", id="403-twice"),
    pytest.param(Fault.THROTTLE, 1, "429 (throttled)", id="429"),
    pytest.param(Fault.UNAVAILABLE, 1, "503 (unavailable)", id="503"),
    pytest.param(Fault.STALL_HANDSHAKE, 1, f"no answer within {TIMEOUT:g} s", id="stall-handshake"),
    pytest.param(Fault.STALL_MID_AUDIO, 1, f"no answer within {TIMEOUT:g} s", id="stall-mid-audio"),
    pytest.param(Fault.DROP_MID_AUDIO, 1, "audio cut short", id="drop-mid-audio"),
    pytest.param(Fault.CLOSE_BEFORE_AUDIO, 1, "sent no audio", id="close-before-audio"),
]


@pytest.mark.parametrize(("fault", "per_attempt", "says"), FAULTS)
def test_a_fault_that_passes_is_retried_into_complete_audio(tmp_path, fault, per_attempt, says):
    with FakeEdge(faults=[fault] * per_attempt, stall=5.0) as fake:
        result = synthesize(TEXTS, engine_for(fake.url), settings(tmp_path, attempts=2))
        assert_whole(result, fake, TEXTS)
        assert (result.made, result.reused, result.failed) == (2, 0, 0)
        assert fake.count == per_attempt + len(TEXTS)  # one retry, for the text that met the fault
        assert sum(fake.asked().values()) <= fake.count
    assert len(cached(tmp_path)) == 2


@pytest.mark.parametrize(("fault", "per_attempt", "says"), FAULTS)
def test_a_fault_that_persists_is_reported_with_its_reason_and_nothing_is_cached(
    tmp_path, fault, per_attempt, says
):
    with FakeEdge(faults=[fault] * 100, stall=5.0) as fake:
        result = synthesize(TEXTS, engine_for(fake.url), settings(tmp_path, attempts=2, concurrency=2))
        assert_whole(result, fake, TEXTS)
        assert fake.count == 2 * per_attempt * len(TEXTS)
    assert result.clips == {}
    assert (result.made, result.failed) == (0, 2)
    for reason in result.failures.values():
        assert reason.startswith("edge-tts")
        assert says in reason and reason.endswith("(gave up after 2 tries)")
    assert cached(tmp_path) == []


def test_a_single_403_is_absorbed_by_the_library(tmp_path):
    with FakeEdge(faults=[Fault.REJECT]) as fake:
        result = synthesize(TEXTS, engine_for(fake.url), settings(tmp_path, attempts=1))
        assert_whole(result, fake, TEXTS)
        assert fake.count == 3
    assert result.failed == 0


def test_a_failed_text_is_made_by_the_next_run_and_the_good_ones_reused(tmp_path):
    with FakeEdge(faults=[Fault.DROP_MID_AUDIO] * 2) as fake:
        first = synthesize(TEXTS, engine_for(fake.url), settings(tmp_path, attempts=2))
        assert first.failed == 1 and first.made == 1
        (failed,) = first.failures
        before = fake.asked()
        again = synthesize(TEXTS, engine_for(fake.url), settings(tmp_path, attempts=2))
        assert_whole(again, fake, TEXTS)
        assert fake.asked() - before == {failed: 1}
    assert (again.made, again.reused, again.failed) == (1, 1, 0)


def test_punctuation_only_text_fails_at_once_without_a_request(tmp_path):
    texts = ["……！？", TEXTS[1]]
    with FakeEdge() as fake:
        result = synthesize(texts, engine_for(fake.url), settings(tmp_path, attempts=3))
        assert_whole(result, fake, texts)
        assert fake.texts == [TEXTS[1]]
    assert set(result.failures) == {"……！？"}
    assert "nothing speakable" in result.failures["……！？"]
    assert "gave up" not in result.failures["……！？"]  # retrying can't help


def test_a_voice_missing_from_the_snapshot_is_refused_before_any_request(tmp_path, edge_url):
    with FakeEdge() as fake:
        edge_url(fake.url)
        with pytest.raises(UnknownVoiceError, match="zh-CN-NobodyNeural"):
            select_engine("edge", "zh-CN-NobodyNeural")
        assert fake.count == 0


def test_a_voice_the_service_no_longer_has_is_reported_after_retries(tmp_path):
    with FakeEdge(voices={"zh-CN-XiaoxiaoNeural"}) as fake:
        result = synthesize(TEXTS[:1], engine_for(fake.url), settings(tmp_path, attempts=2))
        assert_whole(result, fake, TEXTS[:1])
        assert fake.count == 2
    assert "sent no audio (voice zh-CN-YunyangNeural)" in result.failures[TEXTS[0]]


def test_nothing_listening_is_reported_as_unreachable(tmp_path):
    result = synthesize(TEXTS, engine_for(closed_url()), settings(tmp_path, attempts=2))
    assert result.clips == {} and result.failed == 2
    assert all("unreachable: 127.0.0.1" in reason for reason in result.failures.values())
