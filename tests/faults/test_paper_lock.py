"""One build per paper at a time, tested with real processes: a second build of the same paper waits for
the first and says so; a build of another paper runs alongside; a lock whose holder was killed binds no one."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support.issue_toml import issue_toml

HERE = Path(__file__).parent
WAITING = "waiting for it to finish"


def _issue(tmp_path, paper):
    path = tmp_path / f"{paper}.toml"
    article = {"title": "春耕备耕有序推进", "paragraphs": ["全市春耕备耕工作有序推进。"]}
    path.write_text(issue_toml(paper, "2026-05-06", (("A01", "要闻", (article,)),)), encoding="utf-8")
    return path


def _holder(source, out, gate):
    """A build of ``source`` that holds its paper's lock until ``gate`` is created."""
    process = subprocess.Popen(
        [sys.executable, str(HERE / "slow_build.py"), str(source), str(out), str(gate)]
    )
    began = time.monotonic()
    while not gate.with_suffix(".started").exists():
        if process.poll() is not None or time.monotonic() - began > 60:
            process.kill()
            pytest.fail("the holding build never started speaking")
        time.sleep(0.02)
    return process


def _cli(source, out, log):
    command = [sys.executable, "-m", "enews_audio", "build", str(source), "-o", str(out), "--engine", "fake"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log.open("w"), text=True)


def _wait_for(condition, what, process, deadline=60.0):
    began = time.monotonic()
    while not condition():
        if time.monotonic() - began > deadline:
            process.kill()
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_a_second_build_waits_for_the_first_another_paper_builds_alongside_and_a_kill_frees_the_lock(
    tmp_path,
):
    out, gate = tmp_path / "out", tmp_path / "gate"
    first = _holder(_issue(tmp_path, "江城日报"), out, gate)
    processes = [first]
    try:
        second_log, other_log = tmp_path / "second.log", tmp_path / "other.log"
        second = _cli(_issue(tmp_path, "江城日报"), out, second_log)
        other = _cli(_issue(tmp_path, "海湾日报"), out, other_log)
        processes += [second, other]
        assert other.wait(timeout=120) == 0, other_log.read_text()
        assert first.poll() is None  # the other paper was built while the first held its own lock
        assert WAITING not in other_log.read_text()

        _wait_for(lambda: WAITING in second_log.read_text(), "the second build to say it waits", second)
        assert second.poll() is None
        assert not (out / "jiangchengribao" / "feed.xml").exists()
        (line,) = [line for line in second_log.read_text().splitlines() if WAITING in line]
        assert "江城日报" in line and str(out / "jiangchengribao") in line

        # Killed while holding the lock: the kernel drops it with the process; the file stays.
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert list((out / ".cache" / "locks").iterdir())
        stdout, _ = second.communicate(timeout=120)
        assert second.returncode == 0, second_log.read_text()
        assert re.search(r"clips: [1-9]\d* made", stdout), stdout  # the killed build had cached nothing
        assert (out / "jiangchengribao" / "feed.xml").is_file()
    finally:
        gate.touch()
        for process in processes:
            if process.poll() is None:
                process.kill()
