"""Speech stage: spoken texts become MP3 clips through one engine, cached and scheduled."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from enews_audio.model import Progress
from enews_audio.speech.engine import Engine, Voice
from enews_audio.speech.fake import FakeEngine
from enews_audio.speech.runner import run_sync
from enews_audio.speech.schedule import SpeechResult, SpeechSettings, run
from enews_audio.speech.select import ENGINES, select_engine

__all__ = [
    "ENGINES",
    "Engine",
    "FakeEngine",
    "SpeechResult",
    "SpeechSettings",
    "Voice",
    "close_engine",
    "select_engine",
    "synthesize",
]


def synthesize(
    texts: Sequence[str],
    engine: Engine,
    settings: SpeechSettings,
    on_progress: Callable[[Progress], None] | None = None,
) -> SpeechResult:
    """Clips for every distinct text, from the cache where possible; failures are reported, not raised."""
    return run_sync(run(texts, engine, settings, on_progress))


def close_engine(engine: Engine) -> None:
    run_sync(engine.aclose())
