"""The one owner of the voice for a run: which engine speaks a voice, where it runs, when it starts and stops."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Self

from enews_audio.speech.engine import Engine, EngineSpec
from enews_audio.speech.executor import Executor, LocalExecutor, SpeechSettings
from enews_audio.speech.machine import usable_cpus
from enews_audio.speech.session import Session


class Speaker:
    """``with Speaker(jobs=…) as speaker:`` speaks for every build of a run (one paper, or a batch of them).

    It makes one engine per voice (an ``EngineSpec``: the settings name voices, never live engines) and keeps
    it, and the executor it runs on, from build to build, so a voice is loaded once per run. Where an engine
    runs follows what it declares, never its name: an ``executor`` given (a Dask cluster) speaks for every
    engine; otherwise a ``cpu_bound`` engine (the offline voice) gets voice worker processes (``jobs`` of
    them, default one per usable core as memory allows), any other the build's own event loop. Leaving the
    block closes what it made; after an error it stops the workers at once, mid-clip.

    ``engines`` made by the caller speak for their own specs (a test's engine that counts its calls), as
    httpx takes a transport.
    """

    def __init__(
        self, *, jobs: int | None = None, executor: Executor | None = None, engines: Iterable[Engine] = ()
    ) -> None:
        self._jobs = jobs
        self._given = executor
        self._engines: dict[EngineSpec, Engine] = {engine.spec: engine for engine in engines}
        self._pools: dict[int | None, Executor] = {}
        self._local = LocalExecutor()
        self._lock = threading.Lock()  # papers of a batch may be built at once

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        self.close(abort=kind is not None)

    def engine(self, spec: EngineSpec) -> Engine:
        """The run's engine for ``spec``, made on first use."""
        with self._lock:
            if spec not in self._engines:
                self._engines[spec] = spec.build(usable_cpus())
            return self._engines[spec]

    def executor(self, engine: Engine, jobs: int | None = None) -> Executor:
        """Where ``engine`` speaks; ``jobs`` (a paper's own) counts only where the run set none."""
        if self._given is not None:
            return self._given
        if not engine.cpu_bound:
            return self._local
        from enews_audio.speech.pool import VoicePool  # multiprocessing, only for a voice that needs it

        jobs = self._jobs or jobs
        with self._lock:
            if jobs not in self._pools:
                self._pools[jobs] = VoicePool.sized(jobs)
            return self._pools[jobs]

    def warm(self, spec: EngineSpec, jobs: int | None = None) -> None:
        """Start loading the voice where it will speak, without waiting: call it before reading an issue."""
        engine = self.engine(spec)
        self.executor(engine, jobs).warm(engine)

    def session(self, spec: EngineSpec, settings: SpeechSettings) -> Session:
        """A ``Session`` speaking ``spec`` for one build (or one edition of it)."""
        engine = self.engine(spec)
        return Session(engine, settings, self.executor(engine, settings.jobs))

    def close(self, abort: bool = False) -> None:
        """Close the executors the speaker made (an ``executor`` given stays the caller's to close)."""
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close(abort)
