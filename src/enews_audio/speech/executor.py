"""The seam where the speech stage hands its work out: texts in, clips in the clip store, each text settled.

``schedule.run`` looks in the clip store first and gives an ``Executor`` only the texts still missing, in
the order they should be made. The executor makes each one (retrying transient failures, ``make_clip``),
puts the clip in the store under ``engine_key(engine, text)`` and calls ``settled(text, clip)``, or
``settled(text, reason)`` with a one-line reason when the text cannot be spoken; once per text.

Two ship: ``LocalExecutor`` runs the engine's own calls on the session's event loop, as many at once as it
can take (edge, fake), and ``pool.VoicePool`` runs worker processes that each keep one warm engine (the
offline voice). An executor that runs the voice elsewhere ships ``engine.spec``, the texts and the
``SpeechSettings`` (all small and picklable), runs ``make_clip`` there and gets clip keys back, never audio:
the worker writes the clip to the store and the client reads it from there.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from enews_audio.errors import EngineUnavailableError, SpeechError
from enews_audio.model import Clip
from enews_audio.speech.cache import ClipCache, engine_key
from enews_audio.speech.engine import Engine

Settled = Callable[[str, Clip | str], None]  # text, and its clip or the one-line reason it failed
ATTEMPTS = 4  # tries per clip for failures worth retrying (a dropped connection, 429, 5xx, a timeout)


@dataclass(frozen=True, slots=True)
class SpeechSettings:
    """How the speech stage works; travels with the texts to wherever they are spoken (picklable)."""

    cache_dir: Path | str  # the clip store: a folder or an s3:// URL (store.py)
    concurrency: int | None = None  # calls at once in-process; None: what the engine says it can take
    attempts: int = ATTEMPTS
    backoff: float = 1.0  # first wait in seconds, doubled per retry, with jitter
    max_backoff: float = 30.0
    jobs: int | None = None  # voice worker processes; None: one per usable core, as memory allows

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.concurrency is not None and self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if self.jobs is not None and self.jobs < 1:
            raise ValueError("jobs must be at least 1")


@runtime_checkable
class Executor(Protocol):
    """Where the texts a build still needs are spoken. Made by the caller (and closed by it), so one
    executor, and its warm workers, can serve many builds; a ``Session`` closes the one it made itself."""

    def describe(self, engine: Engine, settings: SpeechSettings) -> str:
        """Who speaks, for the progress line, e.g. "offline voice: 2 workers × 1 thread"."""
        ...

    def warm(self, engine: Engine) -> None:
        """Start loading ``engine`` where it will speak, without waiting (a ``Session`` calls it when it
        opens, so workers load the voice while the caller reads the issue); nothing to do is fine."""
        ...

    async def make(
        self, engine: Engine, texts: Sequence[str], settings: SpeechSettings, settled: Settled
    ) -> None:
        """Make ``texts`` (distinct, none in the store yet; start them in the order given) into the store
        ``settings.cache_dir`` and call ``settled`` once for each, on the caller's event loop, as it
        finishes. A text that can't be spoken is settled with its reason, never raised; anything else
        raised (a clip store that can't be written, a bug) ends the call, and cancelling it stops the work
        not yet started."""
        ...

    def close(self, abort: bool = False) -> None:
        """Release the workers: wait for calls still running, or with ``abort`` stop them now."""
        ...


async def make_clip(engine: Engine, text: str, settings: SpeechSettings) -> Clip | str:
    """One text, in whichever process holds ``engine``: synthesised with retries and put in the clip store
    at once (a killed build keeps what it made). The clip, or the one-line reason it could not be made;
    a store that can't be written raises its ``SpeechError``."""
    try:
        clip = await _with_retries(engine, text, settings)
    except SpeechError as exc:
        return " ".join(str(exc).split()) or type(exc).__name__
    ClipCache(settings.cache_dir).put(engine_key(engine, text), clip)
    return clip


class LocalExecutor:
    """The engine's own calls on the caller's event loop, at most ``settings.concurrency`` (else the
    engine's ``concurrency``) at once: for engines that wait on a service, or the fake."""

    def describe(self, engine: Engine, settings: SpeechSettings) -> str:
        return f"{engine.name} voice: {settings.concurrency or engine.concurrency} at once"

    def warm(self, engine: Engine) -> None:
        return None

    async def make(
        self, engine: Engine, texts: Sequence[str], settings: SpeechSettings, settled: Settled
    ) -> None:
        limit = asyncio.Semaphore(settings.concurrency or engine.concurrency)

        async def one(text: str) -> None:
            async with limit:
                settled(text, await make_clip(engine, text, settings))

        await gather_all(one(t) for t in texts)

    def close(self, abort: bool = False) -> None:
        return None


def collected(store: ClipCache, engine: Engine, text: str, key: str, failure: str | None) -> Clip | str:
    """What a worker's answer (``key``, ``failure``) for ``text`` comes to on this side: the clip it put in
    the store, or why there is none. Any executor whose workers write to a shared store answers this way."""
    if failure is not None:
        return failure
    if key != engine_key(engine, text):
        return f"a voice worker runs another version of the voice than {engine.identity}"
    return store.get(key) or f"clip store: the clip a worker made is missing ({key})"


async def gather_all(calls: Iterable[Coroutine[Any, Any, None]]) -> None:
    """Run ``calls`` at once; the first error cancels the others and is raised as it is (a TaskGroup
    would wrap it in an ExceptionGroup, which the CLI's one-line error rendering does not unwrap)."""
    tasks = [asyncio.ensure_future(call) for call in calls]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def _with_retries(engine: Engine, text: str, settings: SpeechSettings) -> Clip:
    for attempt in range(1, settings.attempts + 1):
        try:
            return await engine.synthesize(text)
        except EngineUnavailableError as exc:
            if attempt == settings.attempts:
                raise EngineUnavailableError(f"{exc} (gave up after {attempt} tries)") from exc
            delay = min(settings.max_backoff, settings.backoff * 2 ** (attempt - 1))
            await asyncio.sleep(delay * random.uniform(0.5, 1.5))
    raise AssertionError("unreachable")
