import asyncio
import math
import time

import miniaudio
import pytest

from enews_audio.errors import EngineUnavailableError, SpeechError, UnknownVoiceError, UsageError
from enews_audio.speech.edge import EdgeEngine, split_text
from enews_audio.speech.engine import Engine, Voice
from enews_audio.speech.mp3 import mp3_seconds
from support.fake_edge import FRAME, FRAME_SECONDS, LEAD, TAIL, FakeEdge, Fault, closed_url, speakable

VOICE = Voice("zh-CN-YunyangNeural")
TWO_SENTENCES = "春雨落在老街上。茶馆门口排起了长队！"


def speak(engine, text):
    return asyncio.run(engine.synthesize(text))


def expected_seconds(sentences, chars_per_second=4.0):
    """What the fake should send: lead, each sentence at its speaking rate, tail, whole frames."""
    spoken = LEAD + sum(speakable(s) for s in sentences) / chars_per_second + TAIL
    return math.ceil(spoken / FRAME_SECONDS - 1e-9) * FRAME_SECONDS


def test_engine_fits_the_protocol_and_names_its_voice_settings():
    engine = EdgeEngine(Voice("zh-CN-XiaoxiaoNeural", rate=15, pitch=-4, volume=0))
    assert isinstance(engine, Engine)
    assert engine.name == "edge"
    assert engine.identity == "edge-tts/zh-CN-XiaoxiaoNeural/rate+15%/pitch-4Hz/vol+0%"
    assert engine.concurrency == 3


def test_a_clip_is_as_long_as_the_service_says_and_carries_sentence_timings():
    with FakeEdge() as fake:
        clip = speak(EdgeEngine(VOICE, url=fake.url), TWO_SENTENCES)
        assert fake.texts == [TWO_SENTENCES]
        assert fake.requests[0].voice == VOICE.name

    first, second = "春雨落在老街上。", "茶馆门口排起了长队！"
    assert clip.duration == pytest.approx(expected_seconds([first, second]), abs=1e-6)
    decoded = miniaudio.decode(clip.audio, nchannels=1, sample_rate=24000)
    assert decoded.duration == pytest.approx(clip.duration, abs=0.05)
    assert [t.text for t in clip.timings] == [first, second]
    assert clip.timings[0].start == pytest.approx(LEAD)
    assert clip.timings[0].duration == pytest.approx(speakable(first) / 4.0)
    assert clip.timings[1].start == pytest.approx(LEAD + speakable(first) / 4.0)


def test_voice_settings_reach_the_service_in_its_notation():
    with FakeEdge() as fake:
        speak(EdgeEngine(Voice(VOICE.name, rate=-10, pitch=5, volume=20), url=fake.url), "早上好。")
        request = fake.requests[0]
    assert (request.rate, request.pitch, request.volume) == ("-10%", "+5Hz", "+20%")


def test_a_single_403_is_retried_by_the_library_and_succeeds():
    with FakeEdge(faults=[Fault.REJECT]) as fake:
        clip = speak(EdgeEngine(VOICE, url=fake.url), "你好。")
        assert fake.count == 2
    assert clip.duration > 0


@pytest.mark.parametrize(
    ("faults", "says"),
    [
        ([Fault.REJECT, Fault.REJECT], "403"),
        ([Fault.THROTTLE], "429 (throttled)"),
        ([Fault.UNAVAILABLE], "503"),
        ([Fault.CLOSE_BEFORE_AUDIO], "no audio"),
        ([Fault.NO_AUDIO], "no audio"),
        ([Fault.UNKNOWN_PATH], "unexpected reply"),
    ],
)
def test_service_failures_become_one_retryable_error(faults, says):
    with FakeEdge(faults=faults) as fake:
        with pytest.raises(EngineUnavailableError, match=r"^edge-tts") as caught:
            speak(EdgeEngine(VOICE, url=fake.url), TWO_SENTENCES)
        assert fake.count == len(faults)  # the engine itself does not retry
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)
    assert caught.value.__cause__ is not None


@pytest.mark.parametrize(
    ("fault", "says"),
    [
        (Fault.DROP_MID_AUDIO, r"audio cut short: [\d.]+ s of [\d.]+ s$"),  # boundaries say more is due
        (Fault.DROP_BETWEEN_SENTENCES, r"audio cut short: connection closed after [\d.]+ s$"),  # no turn.end
    ],
)
def test_audio_cut_short_without_a_library_error_is_caught(fault, says):
    with FakeEdge(faults=[fault]) as fake, pytest.raises(EngineUnavailableError, match=says):
        speak(EdgeEngine(VOICE, url=fake.url), TWO_SENTENCES)


def test_a_voice_the_service_lacks_is_retryable_not_fatal():
    with (
        FakeEdge(voices={"zh-CN-XiaoxiaoNeural"}) as fake,
        pytest.raises(EngineUnavailableError, match="no audio"),
    ):
        speak(EdgeEngine(VOICE, url=fake.url), "你好。")


@pytest.mark.parametrize("fault", [Fault.STALL_HANDSHAKE, Fault.STALL_AFTER_CONNECT])
def test_a_stalled_service_times_out_and_says_so(fault):
    # The fake stalls for an hour: only our timeout ends the call (benchmarks/timeouts.py measures how soon).
    with FakeEdge(faults=[fault]) as fake:
        engine = EdgeEngine(VOICE, url=fake.url, timeout=1.0, connect_timeout=1)
        with pytest.raises(EngineUnavailableError, match=r"no answer within 1 s$"):
            speak(engine, "你好。")
        assert fake.count == 1  # one request, which stalled; the engine did not retry it
        assert fake.answers == []  # and nothing was spoken


def test_nothing_listening_is_unreachable():
    url = closed_url()
    with pytest.raises(EngineUnavailableError, match=r"unreachable: 127\.0\.0\.1:\d+$"):
        speak(EdgeEngine(VOICE, url=url, timeout=2.0, connect_timeout=1), "你好。")


def test_punctuation_only_is_refused_without_a_request():
    with FakeEdge() as fake:
        with pytest.raises(SpeechError, match="nothing speakable") as caught:
            speak(EdgeEngine(VOICE, url=fake.url), "……！？")
        assert fake.count == 0
    assert not isinstance(caught.value, EngineUnavailableError)


def test_an_unknown_voice_is_refused_before_any_request():
    with FakeEdge() as fake:
        with pytest.raises(UnknownVoiceError, match="did you mean zh-CN-XiaoxiaoNeural"):
            EdgeEngine(Voice("zh-CN-XiaoxiaoNeurl"), url=fake.url)
        with pytest.raises(UnknownVoiceError, match="zh-TW-YunJheNeural"):
            EdgeEngine(Voice("en-US-AriaNeural"), url=fake.url)
        assert fake.count == 0


def test_the_url_can_come_from_the_environment(edge_url):
    with FakeEdge() as fake:
        edge_url(fake.url)
        speak(EdgeEngine(VOICE), "你好。")
        assert fake.count == 1


def test_a_url_without_a_query_string_still_works_and_a_bad_scheme_is_a_usage_error():
    with FakeEdge() as fake:
        bare = fake.url.split("?")[0]
        speak(EdgeEngine(VOICE, url=bare), "你好。")
        assert fake.count == 1
    with pytest.raises(UsageError, match="ws://"):
        EdgeEngine(VOICE, url="https://example.invalid/edge")


def test_engines_with_different_urls_each_reach_their_own_service():
    with FakeEdge() as one, FakeEdge() as two:

        async def both():
            await asyncio.gather(
                EdgeEngine(VOICE, url=one.url).synthesize("第一台。"),
                EdgeEngine(VOICE, url=two.url).synthesize("第二台。"),
            )

        asyncio.run(both())
        assert (one.texts, two.texts) == (["第一台。"], ["第二台。"])


def test_an_engine_from_the_environment_and_one_with_its_own_url_take_turns_without_mixing(edge_url):
    with FakeEdge() as moved, FakeEdge() as own:
        edge_url(moved.url)
        by_environment, by_argument = EdgeEngine(VOICE), EdgeEngine(VOICE, url=own.url)
        for text in ("一。", "二。", "三。"):
            speak(by_environment, text)
            speak(by_argument, text)
        assert moved.texts == own.texts == ["一。", "二。", "三。"]


def test_probe_answers_true_when_the_service_speaks_and_false_otherwise():
    with FakeEdge(faults=[None, Fault.STALL_AFTER_CONNECT]) as fake:
        engine = EdgeEngine(VOICE, url=fake.url)
        assert asyncio.run(engine.probe(timeout=1.0)) is True
        assert asyncio.run(engine.probe(timeout=0.5)) is False  # the fake stalls for an hour
        assert fake.count == 2 and fake.requests[1].fault is Fault.STALL_AFTER_CONNECT
    assert asyncio.run(EdgeEngine(VOICE, url=closed_url()).probe(timeout=1.0)) is False


def test_long_text_goes_out_in_chunks_whose_timings_run_on():
    sentence = "这条新闻讲的是本市今年第一季度的交通建设进展情况。"  # 75 bytes
    text = sentence * 50  # 3750 bytes: three requests
    with FakeEdge() as fake:
        clip = speak(EdgeEngine(VOICE, url=fake.url), text)
        sent = fake.texts
    assert len(sent) == 3
    assert "".join(sent) == text
    assert all(len(chunk.encode()) <= 1500 for chunk in sent)
    starts = [t.start for t in clip.timings]
    assert len(starts) == 50 and starts == sorted(starts)
    assert clip.duration == pytest.approx(
        sum(expected_seconds([sentence] * chunk.count("。")) for chunk in sent)
    )
    assert clip.timings[-1].start + clip.timings[-1].duration < clip.duration


def test_chunks_of_nothing_but_punctuation_are_not_sent():
    text = "开始。" + "！" * 1000 + "结束。"  # 3018 bytes; the middle chunk is all exclamation marks
    with FakeEdge() as fake:
        speak(EdgeEngine(VOICE, url=fake.url), text)
        assert fake.count == 2
        assert "".join(fake.texts).replace("！", "") == "开始。结束。"


def test_split_text_prefers_sentence_ends_then_clauses_then_a_clean_cut():
    assert split_text("短句。", limit=30) == ["短句。"]
    text = "甲乙丙。丁戊己。庚辛壬癸。"  # 12 bytes per 4-character sentence
    assert split_text(text, limit=24) == ["甲乙丙。丁戊己。", "庚辛壬癸。"]
    assert split_text("一二三，四五六七八，九十", limit=18) == ["一二三，", "四五六七八，", "九十"]
    solid = "天" * 25
    pieces = split_text(solid, limit=20)
    assert "".join(pieces) == solid
    assert all(len(p.encode()) <= 20 for p in pieces)


def test_mp3_length_is_counted_in_frames():
    assert mp3_seconds(FRAME * 10) == pytest.approx(0.24)
    assert mp3_seconds(FRAME * 10 + FRAME[:50]) == pytest.approx(0.24)  # a cut-off frame is not heard
    assert mp3_seconds(b"\x00" * 6000) == pytest.approx(1.0)  # unparseable: 48 kbit/s by size


def test_three_calls_at_once_all_complete_and_streaming_speed_is_modelled():
    with FakeEdge(speed=20.0) as fake:
        engine = EdgeEngine(VOICE, url=fake.url)

        async def three():
            return await asyncio.gather(
                *(engine.synthesize(t) for t in ("一二三四。", "五六七八。", "九十。"))
            )

        began = time.monotonic()
        clips = asyncio.run(three())
        elapsed = time.monotonic() - began
        assert fake.count == 3
    assert [c.duration > 0 for c in clips] == [True] * 3
    assert elapsed >= max(c.duration for c in clips) / 20.0
