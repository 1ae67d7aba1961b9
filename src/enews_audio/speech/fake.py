"""An engine for tests and dry runs: real, decodable silence whose length follows the text."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache

from enews_audio.model import Clip
from enews_audio.speech.engine import Voice
from enews_audio.speech.mp3 import SAMPLE_RATE, encode_mp3

Handler = Callable[[str], Clip | Awaitable[Clip]]

SECONDS_PER_CHAR = 0.12
VOICE = Voice("fake")  # the fake speaks every voice alike: its clips follow ``identity`` alone


def silent_clip(text: str) -> Clip:
    seconds = max(0.3, round(len(text) * SECONDS_PER_CHAR, 2))
    return Clip(audio=_silence(seconds), duration=seconds)


@cache
def _silence(seconds: float) -> bytes:
    return encode_mp3(bytes(2 * int(seconds * SAMPLE_RATE)), bitrate=32, quality=7)


@dataclass(frozen=True, slots=True)
class FakeSpec:
    """A fake engine for another process: its handler must be picklable (a module-level function)."""

    handler: Handler | None = None
    identity: str = "fake/1"
    voice: Voice = VOICE

    def build(self, threads: int) -> FakeEngine:
        return FakeEngine(self.handler, self.identity)


class FakeEngine:
    """``FakeEngine(handler)``: a handler may fail, sleep or count calls; the default returns silence."""

    name = "fake"
    voice = VOICE
    concurrency = 4
    cpu_bound = False
    resource = None

    def __init__(self, handler: Handler | None = None, identity: str = "fake/1") -> None:
        self._handler: Handler = handler or silent_clip
        self.identity = identity
        self.spec = FakeSpec(handler, identity)
        self.calls: list[str] = []

    async def synthesize(self, text: str) -> Clip:
        self.calls.append(text)
        result = self._handler(text)
        return await result if inspect.isawaitable(result) else result

    def warm(self) -> None:
        return None

    def readings(self, text: str) -> str:
        return ""

    async def aclose(self) -> None:
        return None
