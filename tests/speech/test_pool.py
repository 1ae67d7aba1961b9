"""Voice worker processes, with fake engines built from their spec in each worker: real processes, real
pickling, real deaths. What every executor promises is tested on the pool too, in ``test_executors.py``;
here, what is the pool's own. (The real offline voice in a pool: ``test_offline.py``.)"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from enews_audio.model import Clip, Timing
from enews_audio.speech import Session, Speaker, SpeechSettings
from enews_audio.speech.cache import ClipCache, clip_key
from enews_audio.speech.engine import Voice
from enews_audio.speech.executor import Executor, LocalExecutor
from enews_audio.speech.fake import FakeEngine, FakeSpec, silent_clip
from enews_audio.speech.machine import PoolShape
from enews_audio.speech.pool import WORKER_DIED, VoicePool

# What a worker process did, written into each clip's timing (cached with it, so the parent can read it).
BUILT = 0  # engines this process built
MADE = 0  # clips this process made


@dataclass(frozen=True)
class MarkingSpec:
    """Builds a fake engine whose clips say which process made them, after how many builds, in what order."""

    identity: str = "fake/pool"
    handler_name: str = "marked"

    def build(self, threads: int) -> FakeEngine:
        global BUILT
        BUILT += 1
        return FakeEngine(globals()[self.handler_name], self.identity)


def marked(text: str) -> Clip:
    global MADE
    MADE += 1
    clip = silent_clip(text)
    return Clip(clip.audio, clip.duration, (Timing(0.0, clip.duration, f"{os.getpid()} {BUILT} {MADE}"),))


def dies_on_bad(text: str) -> Clip:
    if "坏" in text:
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's OOM killer would
    return marked(text)


def hangs_on_slow(text: str) -> Clip:
    if "慢" in text:
        time.sleep(20)
    return marked(text)


def engine(handler_name: str = "marked", identity: str = "fake/pool") -> FakeEngine:
    fake = FakeEngine(identity=identity)
    fake.spec = MarkingSpec(identity, handler_name)  # type: ignore[misc]
    return fake


def marks(result) -> dict[str, tuple[int, int, int]]:
    """text -> (pid, engines built by then, clips made by then) of the worker that made it."""
    return {t: tuple(int(x) for x in c.timings[0].text.split()) for t, c in result.clips.items()}


@pytest.fixture
def pool():
    pool = VoicePool(PoolShape(2, 1))
    yield pool
    pool.close()


def settings(tmp_path, **changes) -> SpeechSettings:
    return SpeechSettings(tmp_path / "clips", backoff=0.0, **changes)


TEXTS = ["甲。", "乙乙。", "丙丙丙。", "丁丁丁丁。", "戊。", "己己。"]


def test_a_worker_builds_its_engine_once_and_keeps_it_for_the_next_build(tmp_path, pool):
    with Session(engine(), settings(tmp_path), pool) as session:
        first = marks(session.synthesize(TEXTS))
    with Session(engine(), settings(tmp_path), pool) as session:
        second = marks(session.synthesize([f"第二次{t}" for t in TEXTS]))
    both = [*first.values(), *second.values()]
    assert {built for _, built, _ in both} == {1}  # no worker built a second engine
    assert len({pid for pid, _, _ in both}) <= 2  # and no new worker came for the second build


def test_a_worker_that_dies_fails_its_texts_in_one_line_and_the_pool_starts_afresh(tmp_path, pool):
    with Session(engine("dies_on_bad"), settings(tmp_path), pool) as session:
        result = session.synthesize(["坏。", "好。"])
    assert result.failures["坏。"] == WORKER_DIED
    assert set(result.clips) | set(result.failures) == {"坏。", "好。"}
    with Session(engine(), settings(tmp_path), pool) as session:
        again = session.synthesize(["坏。", "好。"])
    assert again.failures == {} and again.made + again.reused == 2


def test_a_worker_speaking_another_version_of_the_voice_is_refused(tmp_path, pool):
    client = engine(identity="fake/pool-v2")
    client.spec = MarkingSpec("fake/pool-v1")  # type: ignore[misc]
    with Session(client, settings(tmp_path), pool) as session:
        result = session.synthesize(["甲。"])
    assert result.failures == {"甲。": "a voice worker runs another version of the voice than fake/pool-v2"}


def test_an_error_stops_the_workers_of_the_speakers_pool_at_once(tmp_path):
    def fail_on_first(text, clip):
        raise TypeError("a bug in the caller")

    voice = engine("hangs_on_slow")
    voice.cpu_bound = True  # type: ignore[misc]  # so the speaker gives it voice workers
    before = set(multiprocessing.active_children())  # other tests' pools may live on
    with (
        pytest.raises(TypeError),
        Speaker(jobs=2, engines=[voice]) as speaker,
        speaker.session(voice.spec, settings(tmp_path)) as session,
    ):
        assert isinstance(session.executor, VoicePool)
        session.synthesize(["快。", "慢。"], on_settled=fail_on_first)
    assert not set(multiprocessing.active_children()) - before
    assert ClipCache(tmp_path / "clips").get(clip_key("fake/pool", "慢。")) is None  # stopped, not awaited


def test_the_speaker_runs_a_cpu_bound_voice_in_a_pool_and_others_in_process_by_what_they_declare():
    from enews_audio.speech.offline import OfflineEngine

    with Speaker(jobs=3) as speaker:
        offline = speaker.executor(OfflineEngine(Voice("zf_xiaobei")))
        assert isinstance(offline, VoicePool) and isinstance(offline, Executor)
        assert offline.shape.workers == 3
        assert speaker.executor(OfflineEngine(Voice("zm_yunxi"))) is offline  # one pool for the run
        assert isinstance(speaker.executor(FakeEngine()), LocalExecutor)
    cluster = LocalExecutor()  # any executor given speaks for every engine, a cluster's say
    with Speaker(executor=cluster) as speaker:
        assert speaker.executor(OfflineEngine(Voice("zf_xiaobei"))) is cluster


def test_engine_specs_are_picklable_and_build_the_same_engine():
    import pickle

    from enews_audio.speech.edge import EdgeEngine
    from enews_audio.speech.offline import OfflineEngine

    for made in (
        FakeEngine(identity="fake/x"),
        EdgeEngine(Voice("zh-CN-XiaoxiaoNeural", rate=-10), url="ws://127.0.0.1:9/edge/v1", proxy=None),
        OfflineEngine(Voice("zm_yunxi", rate=5), overrides={"天台": "tian1 tai1"}),
    ):
        spec = pickle.loads(pickle.dumps(made.spec))
        assert spec == made.spec and hash(spec) == hash(made.spec)
        rebuilt = spec.build(threads=1)
        assert (type(rebuilt), rebuilt.identity) == (type(made), made.identity)
    assert FakeEngine().spec == FakeSpec()


@dataclass(frozen=True)
class SlowSpec:
    """An engine whose loading takes long, and leaves a file when it starts and when it is done."""

    folder: str

    def build(self, threads: int) -> FakeEngine:
        (Path(self.folder) / f"started-{os.getpid()}").touch()
        time.sleep(20)
        (Path(self.folder) / f"loaded-{os.getpid()}").touch()
        return FakeEngine()


def test_workers_start_loading_when_warmed_and_closing_does_not_wait_for_it(tmp_path):
    slow = FakeEngine()
    slow.spec = SlowSpec(str(tmp_path))  # type: ignore[misc]
    pool = VoicePool(PoolShape(2, 1))
    before = set(multiprocessing.active_children())
    pool.warm(slow)
    for _ in range(1200):  # both workers start, each with a warm-up of its own (a guard, not a timing)
        if len(list(tmp_path.glob("started-*"))) == 2:
            break
        time.sleep(0.05)
    assert len(list(tmp_path.glob("started-*"))) == 2
    pool.close()
    assert not set(multiprocessing.active_children()) - before
    assert not list(tmp_path.glob("loaded-*"))
