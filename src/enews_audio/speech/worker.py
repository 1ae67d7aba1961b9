"""What runs in a voice worker process, whichever executor started it (the voice pool's, a Dask worker).

A worker keeps one engine per spec for as long as it lives (``warm_engine``), and one event loop in a thread
of its own for all its calls (an engine's connections belong to the loop that opened them; a Dask worker
runs several tasks at once in threads, which all hand their call to that loop). A task makes one clip into
the store and answers with its key, never the audio.
"""

from __future__ import annotations

import asyncio
import threading

from enews_audio.speech.cache import ClipCache, engine_key
from enews_audio.speech.engine import Engine, EngineSpec
from enews_audio.speech.executor import SpeechSettings, make_clip

_lock = threading.Lock()


KEEP = 8  # engines a worker keeps (voices × lexicons × rates); the oldest goes first
_engines: dict[tuple[EngineSpec, int], Engine] = {}


def warm_engine(spec: EngineSpec, threads: int) -> Engine:
    """This process's engine for ``spec``, built once (two tasks asking at once wait for one build)."""
    with _lock:
        if (spec, threads) not in _engines:
            if len(_engines) >= KEEP:
                del _engines[next(iter(_engines))]
            _engines[spec, threads] = spec.build(threads)
        return _engines[spec, threads]


def engines_kept() -> list[str]:
    """The identities of the engines this process keeps warm (what an operator, or a test, asks a worker)."""
    with _lock:
        return [engine.identity for engine in _engines.values()]


def warm_in_worker(spec: EngineSpec, threads: int) -> None:
    """A worker's first task: build the engine and have it load what its first call would."""
    warm_engine(spec, threads).warm()


def make_in_worker(
    spec: EngineSpec, text: str, settings: SpeechSettings, threads: int
) -> tuple[str, str | None]:
    """A worker's task: make one clip into the store (``make_clip`` with this process's warm engine); the
    clip's key, and the reason if it failed. A task redone after its worker died finds the clip already in
    the store if that worker had put it there. Raises what ``make_clip`` raises."""
    engine = warm_engine(spec, threads)
    key = engine_key(engine, text)
    if ClipCache(settings.cache_dir).get(key) is not None:
        return key, None
    outcome = asyncio.run_coroutine_threadsafe(make_clip(engine, text, settings), _loop()).result()
    return key, outcome if isinstance(outcome, str) else None


_running: list[asyncio.AbstractEventLoop] = []
_loop_lock = threading.Lock()


def _loop() -> asyncio.AbstractEventLoop:
    """This process's one event loop, running in a thread of its own, started by the first task."""
    with _loop_lock:
        if not _running:
            _running.append(asyncio.new_event_loop())
            threading.Thread(target=_running[0].run_forever, name="enews-speech", daemon=True).start()
        return _running[0]
