"""The promises of ``speech/executor.py``, tested once, on each executor that ships: the engine's calls on the
session's loop, the voice pool's worker processes, and a Dask cluster's workers (a LocalCluster on 127.0.0.1).

Each runs one worker of one thread here, so the order texts start in can be read off the clips: a fake engine
whose clips say which process made them and how many that process had made by then."""

from __future__ import annotations

import os
import threading

import pytest

from enews_audio.errors import SpeechError
from enews_audio.speech import Session, SpeechSettings
from enews_audio.speech.cache import ClipCache, clip_key
from enews_audio.speech.executor import Executor, LocalExecutor
from enews_audio.speech.fake import FakeEngine, silent_clip
from enews_audio.speech.machine import PoolShape
from enews_audio.speech.pool import VoicePool
from support import workers

TEXTS = ["甲。", "乙乙。", "丙丙丙。", "丁丁丁丁。", "戊。"]


@pytest.fixture(scope="module", params=["local", "pool", "dask"])
def executor(request) -> Executor:
    if request.param == "local":
        yield LocalExecutor()
    elif request.param == "pool":
        pool = VoicePool(PoolShape(1, 1))
        yield pool
        pool.close()
    else:
        distributed = pytest.importorskip("distributed")
        from enews_audio.speech.dask import DaskExecutor

        with distributed.LocalCluster(
            processes=True, n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
        ) as cluster:
            executor = DaskExecutor.connect(cluster.scheduler_address)
            yield executor
            executor.close()


def engine(handler=workers.marked, identity="fake/contract") -> FakeEngine:
    return FakeEngine(handler, identity)


def settings(store, **changes) -> SpeechSettings:
    return SpeechSettings(store, concurrency=1, backoff=0.0, **changes)


def marks(result) -> dict[str, tuple[int, int]]:
    """text -> (pid, clips that process had made by then)."""
    return {t: tuple(int(x) for x in c.timings[0].text.split()) for t, c in result.clips.items()}


def test_every_text_is_made_into_the_store_and_settled_once_on_the_callers_loop(tmp_path, executor):
    settled, threads = [], set()

    def on_settled(text, clip):
        settled.append(text)
        threads.add(threading.current_thread().name)

    with Session(engine(), settings(tmp_path), executor) as session:
        result = session.synthesize(TEXTS, on_settled=on_settled)
    assert (result.made, result.reused, result.failures) == (5, 0, {})
    assert sorted(settled) == sorted(TEXTS)
    assert threads == {"speech"}  # the session's own thread, whatever thread or process spoke
    store = ClipCache(tmp_path)
    for text, clip in result.clips.items():
        assert store.get(clip_key("fake/contract", text)) == clip
        assert clip.audio == silent_clip(text).audio
    in_process = {pid for pid, _ in marks(result).values()} == {os.getpid()}
    assert in_process == isinstance(executor, LocalExecutor)


def test_texts_start_in_the_order_given(tmp_path, executor):
    order = TEXTS[::-1]
    with Session(engine(), settings(tmp_path), executor) as session:
        made = marks(session.synthesize(order))
    assert sorted(made, key=lambda t: made[t][1]) == order


def test_a_text_that_cannot_be_spoken_is_settled_with_its_reason_never_raised_nor_stored(tmp_path, executor):
    settled = []
    with Session(engine(workers.down_on_bad), settings(tmp_path, attempts=2), executor) as session:
        result = session.synthesize(["好。", "坏。"], on_settled=lambda t, c: settled.append((t, c is None)))
    assert result.failures == {"坏。": "edge-tts: service answered 503 (gave up after 2 tries)"}
    assert sorted(settled) == [("坏。", True), ("好。", False)]
    assert ClipCache(tmp_path).get(clip_key("fake/contract", "坏。")) is None


def test_a_clip_store_that_cannot_be_written_ends_the_call_with_its_error(tmp_path, executor):
    # The clip's shard folder is a link to nowhere: the store reads "no such clip" and cannot write one.
    shard = tmp_path / clip_key("fake/unwritable", "甲。")[:2]
    shard.symlink_to(tmp_path / "gone" / "away")
    with (
        pytest.raises(SpeechError, match=r"^clip cache: cannot write"),
        Session(engine(identity="fake/unwritable"), settings(tmp_path), executor) as session,
    ):
        session.synthesize(["甲。"])


def test_a_call_that_ends_early_stops_the_texts_not_started(tmp_path, executor):
    def stop(text, clip):
        raise TypeError("a bug in the caller")

    texts = [f"第{n}句。" for n in range(8)]
    voice = engine(workers.slowly, "fake/stopped")
    with pytest.raises(TypeError), Session(voice, settings(tmp_path), executor) as session:
        session.synthesize(texts, on_settled=stop)
    if not isinstance(executor, LocalExecutor):
        threading.Event().wait(workers.SLOWLY * len(texts) + 0.5)  # enough for all, were they still going
    made = [t for t in texts if ClipCache(tmp_path).get(clip_key("fake/stopped", t))]
    # The first, and what a worker already had in hand: the one it was speaking and, for the pool, up to
    # two more in ProcessPoolExecutor's call queue, which no cancel reaches.
    assert 1 <= len(made) <= 4, made


def test_warming_a_voice_and_closing_twice_are_fine(tmp_path):
    pool = VoicePool(PoolShape(1, 1))
    pool.warm(engine())
    with Session(engine(), settings(tmp_path), pool) as session:
        assert session.synthesize(["甲。"]).made == 1
    pool.close()
    pool.close()
