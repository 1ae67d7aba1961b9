"""The speech stage on a Dask cluster: an ``Executor`` whose tasks carry a text and the engine's spec.

``DaskExecutor.connect("tcp://scheduler:8786")`` (the ``dask`` extra). Only texts, specs and clip keys go
through the scheduler, never audio: a worker makes the clip (``executor.make_clip``), puts it in the clip
store (a folder every machine mounts, or S3: ``settings.cache_dir``) and returns its key; the client reads it
from there for assembly. Each worker process keeps one warm engine per spec (``pool.warm_engine``: one
single-threaded ONNX session for the offline voice, a worker per core), made on its first task. Tasks start
in the order given (task priority). Edge tasks each hold one unit of the worker resource ``edge``: workers
started with ``--resources edge=3`` keep to three connections per machine whatever their threads.

A worker that dies mid-task loses nothing: the scheduler gives its tasks to the others (and to workers that
join later), and a task finds its clip already in the store if the dead worker had put it there.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import Any

from enews_audio.errors import SpeechError, UsageError
from enews_audio.model import Clip
from enews_audio.speech.cache import ClipCache, clip_key
from enews_audio.speech.engine import Engine, EngineSpec
from enews_audio.speech.executor import Settled, SpeechSettings, collected, make_clip
from enews_audio.speech.pool import warm_engine, warm_in_worker

CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler before giving up with one line
EDGE_RESOURCE = "edge"


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
        """Have every worker build the engine (and load the model) now, without waiting for it."""
        from distributed import fire_and_forget

        for worker in self.workers():
            fire_and_forget(
                self.client.submit(warm_in_worker, engine.spec, 1, workers=[worker], pure=False, priority=1e9)
            )

    async def make(
        self, engine: Engine, texts: Sequence[str], settings: SpeechSettings, settled: Settled
    ) -> None:
        from distributed import as_completed

        resources = {EDGE_RESOURCE: 1} if engine.name == "edge" else None
        if resources and not any(w.get("resources", {}).get(EDGE_RESOURCE) for w in self.workers().values()):
            raise SpeechError(
                f"--cluster: no worker offers the {EDGE_RESOURCE!r} resource; start the workers with "
                f"--resources {EDGE_RESOURCE}=3 (the edge service's limit per address)"
            )
        futures = {
            # Named by the clip: two builds asking for the same clip share one task. Priority keeps the order.
            self.client.submit(
                speak, engine.spec, text, settings, key=f"speak-{clip_key(engine.identity, text)}",
                priority=len(texts) - index, resources=resources, pure=False,
            ): text
            for index, text in enumerate(texts)
        }  # fmt: skip
        loop, done = asyncio.get_running_loop(), asyncio.Queue[tuple[str, Clip | str]]()
        completed = as_completed(futures, loop=self.client.loop)

        def collect() -> None:  # in a thread: the client's calls block
            store = ClipCache(settings.cache_dir)
            for future in completed:
                text = futures.get(future)
                if text is None:  # dropped: the build ended early
                    return
                outcome = _outcome(future, store, engine.identity, text)
                loop.call_soon_threadsafe(done.put_nowait, (text, outcome))

        collecting = loop.run_in_executor(None, collect)
        try:
            for _ in range(len(futures)):
                settled(*await done.get())
        finally:
            # Dropping the futures releases the tasks no other build wants (an error, or the build cancelled);
            # cancelling them would cancel them for another paper asking for the same clip too.
            completed.clear()
            futures.clear()
            await collecting

    def close(self, abort: bool = False) -> None:
        self.client.close()


def _outcome(future: Any, store: ClipCache, identity: str, text: str) -> Clip | str:
    try:
        key, failure = future.result()
    except Exception as exc:  # the task itself failed: a bug, or workers killed over and over
        return f"{type(exc).__name__}: {' '.join(str(exc).split())}"
    return collected(store, identity, text, key, failure)


# --- on the workers ------------------------------------------------------------------------------------

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None  # one per process: an engine's connections belong to it


def speak(spec: EngineSpec, text: str, settings: SpeechSettings) -> tuple[str, str | None]:
    """A worker's task: make one clip into the store; its key, and the reason if it failed.

    ``pool.make_in_worker`` with two differences: a Dask worker runs several tasks at once in threads (edge
    calls), so they share one event loop in a thread of its own instead of each running the loop; and a task
    redone after its worker died finds the clip already in the store."""
    engine = warm_engine(spec, 1)  # one thread: a worker process per core speaks faster than threads
    key = clip_key(engine.identity, text)
    if ClipCache(settings.cache_dir).get(key) is not None:  # made by a worker that died before answering
        return key, None
    outcome = asyncio.run_coroutine_threadsafe(make_clip(engine, text, settings), _running_loop()).result()
    return key, outcome if isinstance(outcome, str) else None


def _running_loop() -> asyncio.AbstractEventLoop:
    """This process's loop, in a thread of its own: the worker's task threads each hand it their call."""
    global _loop
    with _lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="enews-speech", daemon=True).start()
        return _loop
