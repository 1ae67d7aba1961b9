"""One build per paper at a time: a lock per paper output folder, which a killed build never leaves held.

The lock is an ``flock`` (through filelock) on ``OUT/.cache/locks/<paper-slug>.lock``: the kernel drops it
when its process ends, however it ends, so a build killed with SIGKILL or by a reboot never blocks the next
one (the file stays; only a live process holds the lock). Builds of other papers take other locks and run
alongside. The file is outside the paper folder, so it is never served.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from enews_audio.errors import PublishError


def lock_path(out_dir: Path, slug: str) -> Path:
    return out_dir / ".cache" / "locks" / f"{slug}.lock"


@contextmanager
def paper_lock(out_dir: Path, slug: str, on_wait: Callable[[], None]) -> Iterator[None]:
    """Hold the paper's lock for the block; when another build holds it, call ``on_wait`` once and wait."""
    path = lock_path(out_dir, slug)
    lock = FileLock(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            on_wait()
            lock.acquire()
    except OSError as exc:
        raise PublishError(f"cannot lock {path}: {exc.strerror or exc}") from exc
    try:
        yield
    finally:
        lock.release()
