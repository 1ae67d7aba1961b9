"""The speech stage on a Dask cluster: an ``Executor`` whose tasks carry a text and the engine's spec.

``DaskExecutor.connect("tcp://scheduler:8786")`` (the ``dask`` extra). Only texts, specs and clip keys go
through the scheduler, never audio: a worker makes the clip (``executor.make_clip``), puts it in the clip
store (a folder every machine mounts, or S3: ``settings.cache_dir``) and returns its key; the client reads it
from there for assembly. Each worker process keeps one warm engine per spec (``worker.py``, as in the voice
pool: one single-threaded ONNX session for the offline voice, a worker per core). ``warm`` registers a
worker plugin per voice, so the workers there now and every worker that joins later start loading it at
once. Tasks start in the order given (task priority). A task of an engine with a ``resource`` holds one unit
of it: workers started with ``--resources edge=3`` keep to three edge connections per machine whatever their
threads.

A worker that dies mid-task loses nothing: the scheduler gives its tasks to the others (and to workers that
join later), and a task finds its clip already in the store if the dead worker had put it there.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Sequence
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import Any

from enews_audio.errors import SpeechError, UsageError
from enews_audio.model import Clip
from enews_audio.speech.cache import ClipCache, engine_key
from enews_audio.speech.engine import Engine, EngineSpec
from enews_audio.speech.executor import Settled, SpeechSettings, collected
from enews_audio.speech.worker import make_in_worker, warm_in_worker

try:
    from distributed import WorkerPlugin
except ImportError:  # the dask extra is missing: ``connect`` says so in one line before a plugin is made
    WorkerPlugin = object

CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler before giving up with one line
THREADS = 1  # per engine on a worker: a worker process per core speaks faster than threads in one


class DaskExecutor:
    """Hands a build's missing texts to the workers of one Dask cluster; one per batch, closed at its end."""

    def __init__(self, client: Any, address: str) -> None:
        self.client = client
        self.address = address

    @classmethod
    def connect(cls, address: str, timeout: float | None = None) -> DaskExecutor:
        """A client of the scheduler at ``address``; one ``UsageError`` line when none answers in time."""
        timeout = CONNECT_TIMEOUT if timeout is None else timeout
        try:
            from distributed import Client
        except ImportError:
            raise UsageError("--cluster: needs the dask extra (pip install 'enews-audio[dask]')") from None
        try:
            client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, FuturesTimeout) as exc:
            raise UsageError(f"--cluster {address}: no scheduler answered within {timeout:g} s") from exc
        except ValueError as exc:
            raise UsageError(
                f"--cluster {address}: not a scheduler address like tcp://host:8786 ({exc})"
            ) from exc
        return cls(client, address)

    def workers(self) -> dict[str, Any]:
        return self.client.scheduler_info(n_workers=-1)["workers"]

    def describe(self, engine: Engine, settings: SpeechSettings) -> str:
        return f"{engine.name} voice on the cluster at {self.address}: {len(self.workers())} workers now"

    def warm(self, engine: Engine) -> None:
        """Have every worker, now and joining later, build the engine and load its model, without waiting."""
        name = "enews-warm-" + hashlib.sha256(engine.identity.encode()).hexdigest()[:16]
        self.client.register_plugin(_Warm(engine.spec), name=name)

    async def make(
        self, engine: Engine, texts: Sequence[str], settings: SpeechSettings, settled: Settled
    ) -> None:
        from distributed import as_completed

        need = engine.resource
        resources = {need: 1} if need else None
        if need and not any(w.get("resources", {}).get(need) for w in self.workers().values()):
            raise SpeechError(
                f"--cluster: no worker offers the {need!r} resource; start the workers with "
                f"--resources {need}=3 (the {engine.name} service's limit per address)"
            )
        futures = {
            # Named by the clip: two builds asking for the same clip share one task. Priority keeps the order.
            self.client.submit(
                make_in_worker, engine.spec, text, settings, THREADS,
                key=f"speak-{engine_key(engine, text)}",
                priority=len(texts) - index, resources=resources, pure=False,
            ): text
            for index, text in enumerate(texts)
        }  # fmt: skip
        loop, done = asyncio.get_running_loop(), asyncio.Queue[tuple[str, Clip | str | BaseException]]()
        completed = as_completed(futures, loop=self.client.loop)

        def collect() -> None:  # in a thread: the client's calls block
            store = ClipCache(settings.cache_dir)
            for future in completed:
                text = futures.get(future)
                if text is None:  # dropped: the build ended early
                    return
                try:
                    outcome: Clip | str | BaseException = _outcome(future, store, engine, text)
                except Exception as exc:  # the store could not be written, a bug: it ends the call
                    outcome = exc
                loop.call_soon_threadsafe(done.put_nowait, (text, outcome))

        collecting = loop.run_in_executor(None, collect)
        try:
            for _ in range(len(futures)):
                text, outcome = await done.get()
                if isinstance(outcome, BaseException):
                    raise outcome
                settled(text, outcome)
        finally:
            # Releasing our futures drops the tasks no other build wants (an error, or the build cancelled);
            # cancelling them would cancel them for another paper asking for the same clip too. Released by
            # hand: as_completed keeps a reference to each future until it is done, so dropping ours would
            # leave every task running.
            for future in futures:
                future.release()
            completed.clear()
            futures.clear()
            await collecting

    def close(self, abort: bool = False) -> None:
        self.client.close()


def _outcome(future: Any, store: ClipCache, engine: Engine, text: str) -> Clip | str:
    """The clip, or why there is none; what the task raised (a store it could not write) is raised here."""
    from distributed import KilledWorker

    try:
        key, failure = future.result()
    except KilledWorker as exc:  # workers died on it over and over (out of memory?)
        return f"voice workers died on it: {' '.join(str(exc).split())}"
    return collected(store, engine, text, key, failure)


class _Warm(WorkerPlugin):
    """A worker plugin: on each worker it is set up on, start building the engine in a thread of its own (a
    plugin's ``setup`` runs on the worker's event loop, which must keep answering the scheduler)."""

    idempotent = True  # registered again for the next paper: the workers that have it keep it

    def __init__(self, spec: EngineSpec) -> None:
        self.spec = spec

    def setup(self, worker: Any) -> None:
        threading.Thread(
            target=warm_in_worker, args=(self.spec, THREADS), name="enews-warm", daemon=True
        ).start()
