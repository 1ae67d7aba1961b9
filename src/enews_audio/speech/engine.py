"""The one seam every speech engine fits: text in, an MP3 clip out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from enews_audio.model import Clip


@dataclass(frozen=True, slots=True)
class Voice:
    """Which voice speaks and how: part of every clip's cache key."""

    name: str
    rate: int = 0  # percent faster (+) or slower (-) than normal
    pitch: int = 0  # Hz
    volume: int = 0  # percent

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a voice needs a name")
        if not -50 <= self.rate <= 100:
            raise ValueError(f"rate {self.rate}% is outside -50..100")


class EngineSpec(Protocol):
    """What another process needs to make the same engine: a small, picklable, hashable value.

    An executor that runs the voice elsewhere (worker processes, a cluster) ships the spec, never the
    engine, and each worker keeps the engine ``build`` made for as long as it lives. Settings hold specs,
    not engines; the same voice at another rate is ``dataclasses.replace(spec, voice=...)``.
    """

    voice: Voice

    def build(self, threads: int) -> Engine:
        """The engine, using at most ``threads`` CPU threads (engines that wait on a service ignore it)."""
        ...


@runtime_checkable
class Engine(Protocol):
    """A speech engine. ``identity`` names engine, version and voice settings: the cache key's prefix.

    All calls of one engine's working life run on one event loop (``Session``); ``aclose`` releases what
    it holds on that loop (connections, a pool), after which it may work again, on another loop.
    ``spec.build(threads)`` makes the same engine (same ``identity``) in another process.

    What a runner needs to know it reads here, never from ``name`` (which names the engine to people and
    lexicons): ``cpu_bound``, ``concurrency``, ``resource`` and ``warm``.
    """

    name: str
    voice: Voice
    identity: str
    concurrency: int  # how many calls are worth running at once in one process
    cpu_bound: bool  # speaks on this machine's CPU: worth a process per core, not more calls at once
    resource: str | None  # a per-host limit its calls count against on a cluster (edge: "edge"), or None
    spec: EngineSpec

    def warm(self) -> None:
        """Load what the first call would (a model): a worker does it while the issue is still read."""
        ...

    def readings(self, text: str) -> str:
        """What decides ``text``'s audio besides ``identity`` and the text: the lexicon's readings that apply
        to it (the offline voice's pinyin entries), "" when none does. Part of the clip's key, so a new entry
        re-speaks only the texts it touches."""
        ...

    async def synthesize(self, text: str) -> Clip: ...

    async def aclose(self) -> None: ...
