"""Voice worker processes: the offline voice on every core, one warm model session per worker.

The offline voice is CPU-bound and one ONNX session scales badly over threads (two threads in one
process speak 1.6× as fast as one; two processes 1.9×), so a build's texts go to worker processes, each
running ``make_clip`` with an engine built from ``engine.spec`` and kept for as long as the worker lives
(``worker.py``, as on a Dask worker):
across the build, and across builds when the caller keeps the pool (a batch of papers). Workers write
clips to the clip store and send back only their keys.

Built on ``concurrent.futures.ProcessPoolExecutor``: tasks start in the order they were submitted, and a
worker that dies (killed for memory) breaks the pool loudly instead of hanging it as
``multiprocessing.Pool`` would. Workers are not forked from the parent, which has threads (the session's
loop, the assembler) that a fork would copy mid-flight, but from multiprocessing's fork server: one
process of one thread, started by the first pool and kept while the parent lives, that imports what every
worker needs (``preload.py``: the voice's modules and jieba's dictionary) once and forks each worker from
itself. A worker's start is then its model session, 0.8 s of CPU instead of 2.3 s, and the second worker
costs no second import (BENCHMARKS.md, "Start-up"). Starting a worker waits for the fork server to be
ready, so the pool starts its workers from a thread of its own and the build reads its issue meanwhile.
A forked worker gets the parent's working directory and ``sys.path`` from multiprocessing, as a spawned
one does, and its environment from the pool (the fork server's is that of when it started).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from enews_audio.speech.cache import ClipCache
from enews_audio.speech.engine import Engine, EngineSpec
from enews_audio.speech.executor import Settled, SpeechSettings, collected, gather_all
from enews_audio.speech.machine import PoolShape, pool_shape
from enews_audio.speech.worker import make_in_worker, warm_in_worker

WORKER_DIED = "a voice worker died (out of memory?); rerun to resume"
PRELOAD = ["enews_audio.speech.preload"]  # what the fork server imports before it forks any worker


class VoicePool:
    """``VoicePool(shape)``: ``shape.workers`` processes × ``shape.threads`` threads, started on first use
    and kept until ``close``; ``VoicePool.sized(jobs)`` fits the machine (``machine.pool_shape``)."""

    def __init__(self, shape: PoolShape) -> None:
        self.shape = shape
        self._pool: ProcessPoolExecutor | None = None
        self._warming: list[Future[None]] = []
        self._starting: list[threading.Thread] = []

    @classmethod
    def sized(cls, jobs: int | None = None) -> VoicePool:
        return cls(pool_shape(jobs))

    def describe(self, engine: Engine, settings: SpeechSettings) -> str:
        return f"{engine.name} voice: {self.shape}"

    def warm(self, engine: Engine) -> None:
        """Start every worker and have it build the engine (and load the model), without waiting: one task
        each, since each submit that finds no idle worker starts one, submitted from a thread, since
        starting a worker waits for the fork server to be ready."""
        pool = self._started()
        starting = threading.Thread(
            target=self._warm_workers, args=(pool, engine.spec), name="voice-pool-start", daemon=True
        )
        self._starting = [*(t for t in self._starting if t.is_alive()), starting]
        starting.start()

    def _warm_workers(self, pool: ProcessPoolExecutor, spec: EngineSpec) -> None:
        try:
            for _ in range(self.shape.workers):
                self._warming.append(pool.submit(warm_in_worker, spec, self.shape.threads))
        except Exception:  # closed meanwhile, a worker died, no fork server: the build's own submit
            return  # meets it again and reports it, where this thread's traceback would only be noise

    async def make(
        self, engine: Engine, texts: Sequence[str], settings: SpeechSettings, settled: Settled
    ) -> None:
        pool = self._started()
        store = ClipCache(settings.cache_dir)
        spec, threads = engine.spec, self.shape.threads
        jobs: list[tuple[str, Future[tuple[str, str | None]]]] = []
        try:
            for text in texts:  # all queued now: the pool starts them in this order as workers free up
                jobs.append((text, pool.submit(make_in_worker, spec, text, settings, threads)))
        except BrokenProcessPool:
            self._discard(pool)

        async def one(text: str, job: Future[tuple[str, str | None]]) -> None:
            try:
                key, failure = await asyncio.wrap_future(job)
            except BrokenProcessPool:
                self._discard(pool)
                settled(text, WORKER_DIED)
                return
            settled(text, collected(store, engine, text, key, failure))

        try:
            await gather_all(one(text, job) for text, job in jobs)
        finally:
            for _, job in jobs:
                job.cancel()  # those not started yet: after an error, or when the build is cancelled
        for text in texts[len(jobs) :]:
            settled(text, WORKER_DIED)

    def close(self, abort: bool = False) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        for starting in self._starting:  # a worker being started is stopped like the others, once it is up
            starting.join()
        self._starting = []
        # A warm-up still running is not worth waiting for (a rebuild that made no clip closes the pool
        # while its workers still load the voice). Python 3.14 has pool.terminate_workers(); before it,
        # the workers are only reachable through this attribute.
        if abort or not all(w.done() for w in self._warming):
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)

    def _discard(self, broken: ProcessPoolExecutor) -> None:
        """A worker died: the pool is broken; the next build starts fresh workers."""
        if self._pool is broken:
            self._pool = None
            broken.shutdown(wait=False, cancel_futures=True)

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.shape.workers,
                mp_context=worker_context(),
                initializer=_prepare,
                initargs=(dict(os.environ),),
            )
        return self._pool


def worker_context() -> multiprocessing.context.BaseContext:
    """The fork server, which imports ``PRELOAD`` when it starts; spawn where there is none. A fork server
    that other code of this process started first is used as it is: its workers load the voice themselves."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def _prepare(environ: dict[str, str]) -> None:
    """A forked worker's start: the parent's environment as it was when the pool started (``ENEWS_VOICES_DIR``,
    an S3 endpoint); Ctrl-C is the parent's to handle (it stops the workers), so a worker must not print a
    traceback; and a worker ends with its parent (``_end_with``)."""
    os.environ.clear()
    os.environ.update(environ)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_end_with, args=(parent.sentinel,), name="parent-watch", daemon=True).start()


def _end_with(parent: int) -> None:
    """Wait for the parent to end, then end this worker. A parent killed outright (SIGKILL, the OOM killer)
    cannot stop its workers, and each would wait for its next task for ever, keeping its memory (and the
    fork server, which lives while a worker it forked does)."""
    multiprocessing.connection.wait([parent])
    os._exit(1)
