"""Run many syntheses through one engine: the clip store first, the rest handed to an executor."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from enews_audio.model import Clip, Progress
from enews_audio.speech.cache import ClipCache, engine_key
from enews_audio.speech.engine import Engine
from enews_audio.speech.executor import Executor, SpeechSettings

__all__ = ["SpeechResult", "SpeechSettings", "run"]


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
    executor: Executor,
    on_progress: Callable[[Progress], None] | None = None,
    on_settled: Callable[[str, Clip | None], None] | None = None,
) -> SpeechResult:
    """Clips for every distinct text; the ones not in the store are made by ``executor`` in the order
    ``texts`` gives them, so a caller puts first what it needs first."""
    unique = list(dict.fromkeys(texts))
    settled = on_settled or (lambda _t, _c: None)
    cache = ClipCache(settings.cache_dir)
    clips: dict[str, Clip] = {}
    todo: list[str] = []
    keys = {text: engine_key(engine, text) for text in unique}
    cached = cache.get_many(keys.values())  # from S3 all at once
    for text in unique:
        clip = cached.get(keys[text])
        if clip is None:
            todo.append(text)
        else:
            clips[text] = clip
    reused = len(clips)
    for text, clip in clips.items():
        settled(text, clip)
    failures: dict[str, str] = {}
    report = on_progress or (lambda _p: None)
    report(Progress("speech", 0, len(todo), executor.describe(engine, settings) if todo else ""))

    def one(text: str, outcome: Clip | str) -> None:
        if isinstance(outcome, str):
            failures[text] = outcome
            settled(text, None)
        else:
            clips[text] = outcome
            settled(text, outcome)
        report(Progress("speech", len(clips) - reused + len(failures), len(todo), text))

    if todo:
        await executor.make(engine, todo, settings, one)
    unsettled = len(unique) - len(clips) - len(failures)
    if unsettled:
        raise RuntimeError(f"{type(executor).__name__} left {unsettled} text(s) unsettled")
    return SpeechResult(clips, failures, made=len(todo) - len(failures), reused=reused)
