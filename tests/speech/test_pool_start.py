"""How voice workers start: forked from a fork server that loaded the voice's modules once, given the
parent's environment, and started without holding up the caller. Real processes; fake engines that write
what their worker saw into the clip they make."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from enews_audio.model import Clip, Timing
from enews_audio.speech import Session, SpeechSettings
from enews_audio.speech.fake import FakeEngine, silent_clip
from enews_audio.speech.machine import PoolShape
from enews_audio.speech.pool import VoicePool, worker_context

SEEN = ""  # what the worker saw when it built its engine, before any task of its own loaded anything


@dataclass(frozen=True)
class LookingSpec:
    """Builds a fake engine after noting what the worker process already has: jieba's dictionary, the
    offline voice's modules, and the environment variable ``variable``."""

    variable: str = "ENEWS_TEST_SEEN"
    identity: str = "fake/looking"

    def build(self, threads: int) -> FakeEngine:
        global SEEN
        jieba = sys.modules.get("jieba")
        SEEN = " ".join(
            [
                f"jieba={bool(jieba and jieba.dt.initialized)}",
                f"phonemes={'enews_audio.speech.phonemes' in sys.modules}",
                f"onnxruntime={'onnxruntime' in sys.modules}",
                f"env={os.environ.get(self.variable, '-')}",
            ]
        )
        return FakeEngine(seen, self.identity)


def seen(text: str) -> Clip:
    clip = silent_clip(text)
    return Clip(clip.audio, clip.duration, (Timing(0.0, clip.duration, SEEN),))


def looking(variable: str = "ENEWS_TEST_SEEN") -> FakeEngine:
    engine = FakeEngine(identity="fake/looking")
    engine.spec = LookingSpec(variable)  # type: ignore[misc]
    return engine


def what_a_worker_saw(tmp_path, engine: FakeEngine) -> dict[str, str]:
    pool = VoicePool(PoolShape(1, 1))
    try:
        with Session(engine, SpeechSettings(tmp_path / "clips", backoff=0.0), pool) as session:
            result = session.synthesize(["看。"])
    finally:
        pool.close()
    return dict(pair.split("=") for pair in result.clips["看。"].timings[0].text.split())


@pytest.mark.skipif("forkserver" not in multiprocessing.get_all_start_methods(), reason="no fork server")
def test_a_worker_starts_with_the_voices_modules_and_jiebas_dictionary_loaded_by_the_fork_server(tmp_path):
    assert worker_context().get_start_method() == "forkserver"
    saw = what_a_worker_saw(tmp_path, looking())
    assert saw | {"env": ""} == {"jieba": "True", "phonemes": "True", "onnxruntime": "True", "env": ""}


def test_a_worker_sees_the_environment_of_when_its_pool_started(tmp_path, monkeypatch):
    what_a_worker_saw(tmp_path / "before", looking())  # the fork server runs from before the variable is set
    monkeypatch.setenv("ENEWS_TEST_SEEN", "set-later")
    assert what_a_worker_saw(tmp_path / "after", looking())["env"] == "set-later"
    monkeypatch.delenv("ENEWS_TEST_SEEN")
    assert what_a_worker_saw(tmp_path / "gone", looking())["env"] == "-"


def test_a_pool_closed_as_soon_as_it_was_warmed_leaves_no_process_behind():
    before = set(multiprocessing.active_children())
    pool = VoicePool(PoolShape(2, 1))
    pool.warm(looking())
    pool.close()
    assert not set(multiprocessing.active_children()) - before


# A parent that starts a pool of two workers, has them make a clip each, prints their process ids and the
# fork server's, and waits to be killed.
PARENT = """
import multiprocessing, multiprocessing.forkserver, sys, time
from enews_audio.speech import Session, SpeechSettings
from enews_audio.speech.fake import FakeEngine
from enews_audio.speech.machine import PoolShape
from enews_audio.speech.pool import VoicePool

pool = VoicePool(PoolShape(2, 1))
with Session(FakeEngine(), SpeechSettings(sys.argv[1]), pool) as session:
    session.synthesize(["甲。", "乙。"])
pids = [p.pid for p in multiprocessing.active_children()]
pids.append(multiprocessing.forkserver._forkserver._forkserver_pid or pids[0])
print(*pids, flush=True)
time.sleep(120)
"""


def running(pid: int) -> bool:
    """Whether ``pid`` still runs (an ended process its new parent has not yet reaped does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_workers_and_their_fork_server_end_when_the_parent_is_killed_outright(tmp_path):
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(tmp_path / "clips")], stdout=subprocess.PIPE, text=True
    )
    try:
        pids = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(pids) == 3 and all(running(pid) for pid in pids)
    finally:
        parent.send_signal(signal.SIGKILL)  # as the kernel's OOM killer would
        parent.wait()
    for _ in range(200):  # they end at once; a guard, not a timing
        if not any(running(pid) for pid in pids):
            break
        time.sleep(0.05)
    left = [pid for pid in pids if running(pid)]
    for pid in left:  # not to leave them to the next test
        os.kill(pid, signal.SIGKILL)
    assert not left
