"""Crash safety, proven: a build SIGKILLed at any kind of operation leaves a feed whose every file is whole,
and a rerun completes with the same episodes a build without a kill makes (see crash_runner.py)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from support.epaper_server import serving

HERE = Path(__file__).parent
PER_KIND = 3
KINDS = {"fetch", "page cache", "lock", "clip cache", "assembly", "episode memo", "episode", "side file",
         "build record", "feed", "web edition"}  # fmt: skip


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    # On tmpfs when there is one: some 80 builds each remove and make a hundred small files, which takes
    # seconds on a disk mounted with discard and nothing on tmpfs. A process killed is killed either way.
    shm = Path("/dev/shm")
    on_tmpfs = shm.is_dir() and os.access(shm, os.W_OK)
    work = (
        Path(tempfile.mkdtemp(prefix="enews-crash-", dir=shm))
        if on_tmpfs
        else tmp_path_factory.mktemp("crash")
    )
    try:
        with serving() as server:
            config = {"source": server.url("pclayout/index.html"), "work": str(work), "per_kind": PER_KIND}
            (work / "config.json").write_text(json.dumps(config))
            done = subprocess.run(
                [sys.executable, str(HERE / "crash_runner.py"), str(work / "config.json")],
                capture_output=True, text=True, timeout=600,
            )  # fmt: skip
        assert done.returncode == 0, done.stderr
        yield json.loads((work / "report.json").read_text())
    finally:
        if on_tmpfs:
            shutil.rmtree(work, ignore_errors=True)


def test_every_kind_of_operation_was_killed_at(report):
    assert set(report["counts"]) >= KINDS, report["counts"]
    results = report["results"]
    assert {r["point"].split(" #")[0] for r in results} >= KINDS
    assert len(results) >= PER_KIND * len(KINDS) - 2  # episodes: one per page, two pages
    unreached = [r["point"] for r in results if r["ended"] != "signal 9"]
    assert not unreached, unreached


def test_the_build_was_killed_between_pages_too(report):
    """Each page is published as soon as it and the pages before it are in place: killed in between, the
    feed (with the first pages of the new build) must be whole as at any other point."""
    between = report["between_pages"]
    assert between, "no feed written before the last page was in place"
    killed = {r["point"]: r for r in report["results"]}
    assert all(killed[point]["ended"] == "signal 9" and not killed[point]["after_kill"] for point in between)


def test_after_every_kill_the_feed_and_every_file_it_names_are_whole(report):
    broken = {r["where"]: r["after_kill"] for r in report["results"] if r["after_kill"]}
    assert not broken


def test_after_every_kill_a_rerun_completes_with_the_episodes_of_an_unkilled_build(report):
    for result in report["results"]:
        assert result["rerun"] == "exit 0", result
        assert result["after_rerun"] == [], result
        assert result["same_as_unkilled"], result
        assert result["leftovers"] == [], result
