"""Run many syntheses through one engine: cache first, bounded concurrency, retries with backoff."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from enews_audio.errors import EngineUnavailableError, SpeechError
from enews_audio.model import Clip, Progress
from enews_audio.speech.cache import ClipCache, clip_key
from enews_audio.speech.engine import Engine


@dataclass(frozen=True, slots=True)
class SpeechSettings:
    cache_dir: Path | str  # the clip store: a folder or an s3:// URL
    concurrency: int | None = None  # None: what the engine says it can take
    attempts: int = 4  # tries per clip for failures worth retrying
    backoff: float = 1.0  # first wait in seconds, doubled per retry, with jitter
    max_backoff: float = 30.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.concurrency is not None and self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")


@dataclass(frozen=True, slots=True)
class SpeechResult:
    """Every distinct text is in exactly one of ``clips`` (made or reused) and ``failures``."""

    clips: dict[str, Clip]  # spoken text -> clip
    failures: dict[str, str] = field(default_factory=dict)  # spoken text -> why, one line
    made: int = 0
    reused: int = 0

    @property
    def failed(self) -> int:
        return len(self.failures)


async def run(
    texts: Sequence[str],
    engine: Engine,
    settings: SpeechSettings,
    on_progress: Callable[[Progress], None] | None = None,
    on_settled: Callable[[str, Clip | None], None] | None = None,
) -> SpeechResult:
    unique = list(dict.fromkeys(texts))
    settled = on_settled or (lambda _t, _c: None)
    cache = ClipCache(settings.cache_dir)
    clips: dict[str, Clip] = {}
    todo: list[str] = []
    cached = cache.get_many(clip_key(engine.identity, text) for text in unique)  # from S3 all at once
    for text in unique:
        clip = cached.get(clip_key(engine.identity, text))
        if clip is None:
            todo.append(text)
        else:
            clips[text] = clip
    reused = len(clips)
    for text, clip in clips.items():
        settled(text, clip)
    failures: dict[str, str] = {}
    done = 0
    report = on_progress or (lambda _p: None)
    report(Progress("speech", done, len(todo)))
    limit = asyncio.Semaphore(settings.concurrency or engine.concurrency)

    async def one(text: str) -> None:
        nonlocal done
        async with limit:
            try:
                clip = await _with_retries(engine, text, settings)
            except SpeechError as exc:
                failures[text] = " ".join(str(exc).split()) or type(exc).__name__
                settled(text, None)
            else:
                cache.put(clip_key(engine.identity, text), clip)  # at once: a killed build keeps what it made
                clips[text] = clip
                settled(text, clip)
        done += 1
        report(Progress("speech", done, len(todo), text))

    await asyncio.gather(*(one(t) for t in todo))
    return SpeechResult(clips, failures, made=len(todo) - len(failures), reused=reused)


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
