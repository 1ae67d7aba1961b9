"""Sizing the voice pool: CPUs from the affinity mask and a cgroup quota, memory from the kernel and cgroup."""

import os

import pytest

from enews_audio.speech import machine
from enews_audio.speech.machine import WORKER_MEMORY, PoolShape, available_memory, pool_shape, usable_cpus

GB = 1_000_000_000


@pytest.fixture
def system(tmp_path, monkeypatch):
    """A /sys/fs/cgroup and /proc/meminfo of the test's own: ``system(cpu_max=..., memory_max=...)``."""
    cgroup, meminfo = tmp_path / "cgroup", tmp_path / "meminfo"
    cgroup.mkdir()
    meminfo.write_text("MemTotal:       24000000 kB\nMemAvailable:   20000000 kB\n")
    monkeypatch.setattr(machine, "CGROUP", cgroup)
    monkeypatch.setattr(machine, "MEMINFO", meminfo)

    def write(**files: str) -> None:
        for name, value in files.items():
            (cgroup / name.replace("_", ".")).write_text(value + "\n")

    return write


def test_one_single_threaded_worker_per_cpu_when_memory_allows():
    assert pool_shape(cpus=2, memory=20 * GB) == PoolShape(2, 1)
    assert str(pool_shape(cpus=2, memory=20 * GB)) == "2 workers × 1 thread"
    assert pool_shape(cpus=16, memory=64 * GB) == PoolShape(16, 1)


def test_memory_caps_the_workers_and_the_cores_go_to_threads():
    shape = pool_shape(cpus=16, memory=4 * WORKER_MEMORY + WORKER_MEMORY // 2)
    assert (shape.workers, shape.threads) == (4, 4)
    assert str(shape) == "4 workers × 4 threads (memory for 4)"
    tight = pool_shape(cpus=2, memory=WORKER_MEMORY // 3)
    assert (tight.workers, tight.threads) == (1, 2)  # always one worker: the build needs a voice


def test_jobs_override_the_count_and_share_the_cores():
    assert pool_shape(3, cpus=2, memory=20 * GB) == PoolShape(3, 1, "--jobs 3")
    assert pool_shape(1, cpus=4, memory=20 * GB) == PoolShape(1, 4, "--jobs 1")


def test_usable_cpus_follow_the_affinity_mask_and_a_cgroup_quota(system):
    mask = len(os.sched_getaffinity(0))
    assert usable_cpus() == mask  # no cpu.max: no quota
    system(cpu_max="max 100000")
    assert usable_cpus() == mask
    system(cpu_max="50000 100000")  # half a CPU still runs one worker
    assert usable_cpus() == 1
    system(cpu_max=f"{100000 * (mask + 8)} 100000")  # a quota above the mask does not add CPUs
    assert usable_cpus() == mask


def test_available_memory_is_the_kernels_or_less_under_a_cgroup_limit(system):
    assert available_memory() == 20000000 * 1024
    system(memory_max="max", memory_current="1000")
    assert available_memory() == 20000000 * 1024
    system(memory_max=str(3 * WORKER_MEMORY), memory_current=str(WORKER_MEMORY))
    assert available_memory() == 2 * WORKER_MEMORY
    assert pool_shape(cpus=8) == PoolShape(2, 4, "memory for 2")
