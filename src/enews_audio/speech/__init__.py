"""Speech stage: spoken texts become MP3 clips through one engine, cached and scheduled."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from enews_audio.model import Clip, Progress
from enews_audio.speech.engine import Engine, Voice
from enews_audio.speech.fake import FakeEngine
from enews_audio.speech.placeholder import PLACEHOLDER_TEXT, placeholder_clip
from enews_audio.speech.presets import Pauses, Preset, load_preset, preset_names
from enews_audio.speech.runner import run_sync
from enews_audio.speech.schedule import SpeechResult, SpeechSettings, run
from enews_audio.speech.select import ENGINES, list_voices, select_engine
from enews_audio.speech.voices import VoiceInfo

__all__ = [
    "ENGINES",
    "PLACEHOLDER_TEXT",
    "Engine",
    "FakeEngine",
    "Pauses",
    "Preset",
    "SpeechResult",
    "SpeechSettings",
    "Voice",
    "VoiceInfo",
    "close_engine",
    "list_voices",
    "load_preset",
    "placeholder_clip",
    "preset_names",
    "select_engine",
    "synthesize",
]


def synthesize(
    texts: Sequence[str],
    engine: Engine,
    settings: SpeechSettings,
    on_progress: Callable[[Progress], None] | None = None,
    on_settled: Callable[[str, Clip | None], None] | None = None,
) -> SpeechResult:
    """Clips for every distinct text, from the cache where possible; failures are reported, not raised.

    ``on_settled(text, clip_or_None)`` is called (from the speech thread) as each text is done, so a caller
    can start on finished work while the rest is still being spoken.
    """
    return run_sync(run(texts, engine, settings, on_progress, on_settled))


def close_engine(engine: Engine) -> None:
    run_sync(engine.aclose())
