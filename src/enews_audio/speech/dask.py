"""Speak on a Dask cluster: tasks carry a text and the engine's spec, workers put the clip in the clip store.

``DaskExecutor.connect("tcp://scheduler:8786", store)`` (the ``dask`` extra). Only texts and clip keys go
through the scheduler, never audio: a worker makes the clip, puts it in the clip store (a folder every
machine mounts, or S3) and returns its key; the client reads it from there for assembly. Each worker process
keeps one warm engine per spec (one ONNX session for the offline voice), made on its first task, not one
per task. Longer texts go first (task priority), so no worker is left with a long one at the end. Edge
tasks each hold one unit of the worker resource ``edge``: workers started with ``--resources edge=3`` keep
to three connections per machine, the service's limit per address, whatever their threads.

A worker that dies mid-task loses nothing: the scheduler gives its tasks to the others (and to workers that
join later), and a task finds its clip already in the store if the dead worker had put it there.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import uuid
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import Any

from enews_audio.errors import SpeechError, UsageError
from enews_audio.model import Clip, Progress
from enews_audio.speech.cache import ClipCache, clip_key
from enews_audio.speech.engine import Engine, Voice
from enews_audio.speech.schedule import SpeechResult, SpeechSettings, _with_retries

CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler before giving up with one line
EDGE_RESOURCE = "edge"


@dataclasses.dataclass(frozen=True, slots=True)
class EngineSpec:
    """What a worker rebuilds an engine from: picklable, and equal for engines that speak alike."""

    kind: str
    voice: Voice
    identity: str
    options: tuple[tuple[str, Any], ...] = ()  # edge: url, proxy; offline: pinyin overrides
    engine: Any = dataclasses.field(default=None, compare=False)  # one that travels as it is (the fake)
    token: str = ""  # which such engine: two fakes of one identity may speak differently

    def build(self) -> Engine:
        options = dict(self.options)
        if self.engine is not None:
            return self.engine
        if self.kind == "edge":
            from enews_audio.speech.edge import EdgeEngine

            return EdgeEngine(self.voice, url=options.get("url"), proxy=options.get("proxy"))
        from enews_audio.speech.offline import OfflineEngine

        # One intra-op thread: a worker process per core is the faster way to use cores (2 processes x 1
        # thread speak 1.9x one process, one process x 2 threads 1.6x; see BENCHMARKS.md).
        return OfflineEngine(self.voice, overrides=dict(options.get("overrides", ())), threads=1)


def engine_spec(engine: Engine) -> EngineSpec:
    """The spec of ``engine``; an engine of another kind (the fake) travels pickled as it is."""
    if engine.name == "edge":
        options = (("url", engine.url), ("proxy", engine.proxy))  # type: ignore[attr-defined]
        return EngineSpec("edge", engine.voice, engine.identity, options)
    if engine.name == "offline":
        overrides = tuple(sorted(engine._overrides.items()))  # type: ignore[attr-defined]
        return EngineSpec("offline", engine.voice, engine.identity, (("overrides", overrides),))
    token = _tokens.setdefault(engine, uuid.uuid4().hex)
    return EngineSpec(engine.name, engine.voice, engine.identity, engine=engine, token=token)


_tokens: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


class DaskExecutor:
    """Hands a build's missing texts to the workers of one Dask cluster; one per batch, closed at its end."""

    def __init__(self, client: Any, store: str) -> None:
        self.client = client
        self.store = store  # the clip store's URL, as the workers reach it

    @classmethod
    def connect(cls, address: str, store: str, timeout: float | None = None) -> DaskExecutor:
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
        return cls(client, store)

    def close(self) -> None:
        self.client.close()

    def workers(self) -> int:
        return len(self.client.scheduler_info(n_workers=-1)["workers"])

    def _offered(self, resource: str) -> bool:
        workers = self.client.scheduler_info(n_workers=-1)["workers"].values()
        return any(w.get("resources", {}).get(resource) for w in workers)

    async def run(self, *args: Any, **kwargs: Any) -> SpeechResult:
        """``schedule.run``'s contract (texts, engine, settings, on_progress, on_settled), the synthesis on
        the cluster's workers, waited for in a thread of its own."""
        return await asyncio.to_thread(self._run, *args, **kwargs)

    def _run(
        self,
        texts: Sequence[str],
        engine: Engine,
        settings: SpeechSettings,
        on_progress: Callable[[Progress], None] | None = None,
        on_settled: Callable[[str, Clip | None], None] | None = None,
    ) -> SpeechResult:
        from distributed import as_completed

        settled = on_settled or (lambda _t, _c: None)
        report = on_progress or (lambda _p: None)
        cache = ClipCache(self.store)
        unique = list(dict.fromkeys(texts))
        keys = {text: clip_key(engine.identity, text) for text in unique}
        found = cache.get_many(keys.values())
        clips = {text: found[key] for text, key in keys.items() if key in found}
        for text, clip in clips.items():
            settled(text, clip)
        todo = sorted((t for t in unique if t not in clips), key=len, reverse=True)
        report(Progress("speech", 0, len(todo)))
        spec = engine_spec(engine)
        resources = {EDGE_RESOURCE: 1} if spec.kind == "edge" else None
        if resources and todo and not self._offered(EDGE_RESOURCE):
            raise SpeechError(
                f"--cluster: no worker offers the {EDGE_RESOURCE!r} resource; start the workers with "
                f"--resources {EDGE_RESOURCE}=3 (the edge service's limit per address)"
            )
        futures = {
            # The key names the clip: two builds asking for the same clip share one task.
            self.client.submit(
                speak, spec, self.store, text, settings, key=f"speak-{keys[text]}", priority=len(text),
                resources=resources, pure=False,
            ): text
            for text in todo
        }  # fmt: skip
        failures: dict[str, str] = {}
        for done, future in enumerate(as_completed(futures, loop=self.client.loop), start=1):
            text = futures[future]
            try:
                _, why = future.result()
            except Exception as exc:  # the task itself failed: a bug, or workers killed over and over
                why = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
            clip = cache.get(keys[text]) if not why else None
            if clip is None:
                failures[text] = why or "the clip store lost the clip"
            else:
                clips[text] = clip
            settled(text, clip)
            report(Progress("speech", done, len(todo), text))
        return SpeechResult(clips, failures, made=len(todo) - len(failures), reused=len(unique) - len(todo))


# --- on the workers ------------------------------------------------------------------------------------

_warm: dict[EngineSpec, Engine] = {}  # per worker process: one engine per spec, kept for every build
_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None  # one per process: an engine's connections belong to it


def speak(spec: EngineSpec, store: str, text: str, settings: SpeechSettings) -> tuple[str, str]:
    """Make the clip of ``text`` into the store: its key and "", or "" and why it could not be made."""
    engine = _engine(spec)
    key = clip_key(engine.identity, text)
    cache = ClipCache(store)
    if cache.get(key) is not None:  # made by a worker that died before it could answer
        return key, ""
    try:
        clip = asyncio.run_coroutine_threadsafe(
            _with_retries(engine, text, settings), _running_loop()
        ).result()
    except SpeechError as exc:
        return "", " ".join(str(exc).split()) or type(exc).__name__
    cache.put(key, clip)
    return key, ""


def _engine(spec: EngineSpec) -> Engine:
    with _lock:
        if spec not in _warm:
            _warm[spec] = spec.build()
        return _warm[spec]


def _running_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="enews-speech", daemon=True).start()
        return _loop
