"""How many voice workers this machine can run: the CPUs this process may use, and the memory free.

Written by hand: ``os.process_cpu_count`` (3.13) sees the affinity mask but not a container's CPU quota,
and psutil sees neither quota nor the cgroup's memory limit; reading them is a few lines of /sys and /proc.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

# Peak RSS of one voice worker, measured (benchmarks/offline_engine.py, BENCHMARKS.md): 0.52 GB after a
# short call (30 tokens), 0.68 GB after a sentence (177), 1.10-1.19 GB after calls near the longest the
# model takes (485-510 tokens), which its memory arena then keeps. A worker is counted at that peak, so a
# pool never outgrows the memory it was sized for.
WORKER_MEMORY = 1_250_000_000

CGROUP = Path("/sys/fs/cgroup")
MEMINFO = Path("/proc/meminfo")


@dataclass(frozen=True, slots=True)
class PoolShape:
    """Worker processes × threads each, and what decided it (for the progress line)."""

    workers: int
    threads: int
    why: str = ""

    def __str__(self) -> str:
        text = f"{_count(self.workers, 'worker')} × {_count(self.threads, 'thread')}"
        return f"{text} ({self.why})" if self.why else text


def pool_shape(jobs: int | None = None, *, cpus: int | None = None, memory: int | None = None) -> PoolShape:
    """One single-threaded worker per usable CPU (two processes speak 1.9× as fast as one, two threads in one
    process only 1.6×), fewer with more threads each when memory can't hold that many; ``jobs`` overrides."""
    cpus = cpus or usable_cpus()
    memory = available_memory() if memory is None else memory
    if jobs:
        return PoolShape(jobs, max(1, cpus // jobs), f"--jobs {jobs}")
    fits = cpus if memory is None else max(1, memory // WORKER_MEMORY)
    if fits < cpus:
        return PoolShape(fits, max(1, cpus // fits), f"memory for {fits}")
    return PoolShape(cpus, 1)


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask), or fewer under a cgroup v2 CPU quota."""
    cpus = len(os.sched_getaffinity(0))
    try:
        quota, period = (CGROUP / "cpu.max").read_text().split()
    except (OSError, ValueError):
        return cpus
    if quota == "max":
        return cpus
    return max(1, min(cpus, math.ceil(int(quota) / int(period))))


def available_memory() -> int | None:
    """Bytes this process can still take: the kernel's MemAvailable, or less under a cgroup v2 limit."""
    available = None
    try:
        for line in MEMINFO.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                available = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        limit = (CGROUP / "memory.max").read_text().strip()
        if limit != "max":
            left = int(limit) - int((CGROUP / "memory.current").read_text())
            available = left if available is None else min(available, left)
    except (OSError, ValueError):
        pass
    return available


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
