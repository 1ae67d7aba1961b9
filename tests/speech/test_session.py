"""A Session runs every call of an engine's working life on one event loop, and closes it once."""

import asyncio
import threading

import pytest

from enews_audio.errors import EngineUnavailableError
from enews_audio.speech import Session, SpeechSettings
from enews_audio.speech.executor import LocalExecutor
from enews_audio.speech.fake import FakeEngine, silent_clip
from enews_audio.speech.placeholder import PLACEHOLDER_TEXT


class LoopRecorder(FakeEngine):
    """Notes the running loop (and thread) of every call, as an engine with a connection pool would need."""

    def __init__(self, handler=None):
        self.loops: list[tuple[str, asyncio.AbstractEventLoop, threading.Thread]] = []
        super().__init__(handler or self._note)

    def _note(self, text):
        self.loops.append((text, asyncio.get_running_loop(), threading.current_thread()))
        return silent_clip(text)

    async def aclose(self):
        self.loops.append(("aclose", asyncio.get_running_loop(), threading.current_thread()))


def settings(tmp_path, **changes):
    return SpeechSettings(tmp_path / "cache", backoff=0.0, **changes)


def test_synthesis_placeholder_and_close_share_one_loop_in_one_thread(tmp_path):
    engine = LoopRecorder()
    with Session(engine, settings(tmp_path), LocalExecutor()) as session:
        session.synthesize(["甲。", "乙。"])
        session.synthesize(["丙。"])
        session.placeholder()
    assert [what for what, _, _ in engine.loops][-1] == "aclose"
    assert {what for what, _, _ in engine.loops} == {"甲。", "乙。", "丙。", PLACEHOLDER_TEXT, "aclose"}
    assert len({id(loop) for _, loop, _ in engine.loops}) == 1
    assert len({thread for _, _, thread in engine.loops}) == 1
    loop, thread = engine.loops[0][1], engine.loops[0][2]
    assert loop.is_closed() and not thread.is_alive()
    assert thread is not threading.current_thread()


def test_closing_twice_closes_the_engine_once_and_a_closed_session_refuses_work(tmp_path):
    engine = LoopRecorder()
    session = Session(engine, settings(tmp_path), LocalExecutor())
    session.close()
    session.close()
    assert [what for what, _, _ in engine.loops] == ["aclose"]
    with pytest.raises(RuntimeError, match="closed"):
        session.synthesize(["甲。"])


def test_it_works_from_inside_a_running_event_loop(tmp_path):
    async def caller():
        with Session(FakeEngine(), settings(tmp_path), LocalExecutor()) as session:
            return session.synthesize(["甲。"])

    assert asyncio.run(caller()).made == 1


def test_an_error_leaves_no_call_running_and_the_engine_is_closed(tmp_path):
    started, cancelled = threading.Event(), threading.Event()

    async def hangs(text):
        if text == "坏。":
            raise TypeError("a bug in the engine")  # not a speech failure: it propagates
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    engine = LoopRecorder(hangs)
    with (
        pytest.raises(TypeError),
        Session(engine, settings(tmp_path, concurrency=2), LocalExecutor()) as session,
    ):
        session.synthesize(["等。", "坏。"])
    assert started.is_set() and cancelled.is_set()
    assert [what for what, _, _ in engine.loops] == ["aclose"]


def test_failures_are_reported_not_raised(tmp_path):
    def down(_text):
        raise EngineUnavailableError("edge-tts unreachable: 127.0.0.1:9")

    with Session(FakeEngine(down), settings(tmp_path, attempts=1), LocalExecutor()) as session:
        result = session.synthesize(["甲。"])
    assert result.failures == {"甲。": "edge-tts unreachable: 127.0.0.1:9 (gave up after 1 tries)"}
