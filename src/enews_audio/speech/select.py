"""Pick the engine for a build: edge when the service answers, else the embedded offline voice."""

from __future__ import annotations

from collections.abc import Callable

from enews_audio.errors import UnknownVoiceError, UsageError
from enews_audio.speech.engine import Engine, Voice
from enews_audio.speech.fake import FakeEngine
from enews_audio.speech.runner import run_sync

ENGINES = ("auto", "edge", "offline", "fake")
DEFAULT_VOICES = {"edge": "zh-CN-XiaoxiaoNeural", "offline": "zf_xiaobei", "fake": "fake"}


def select_engine(
    kind: str,
    voice: str | None = None,
    *,
    rate: int = 0,
    edge_url: str | None = None,
    on_choice: Callable[[str], None] | None = None,
) -> Engine:
    """The engine for ``kind``; with "auto" the edge service is probed once and ``on_choice`` told why."""
    if kind not in ENGINES:
        raise UsageError(f"--engine: unknown engine {kind!r} (choose from {', '.join(ENGINES)})")
    if kind == "auto":
        kind = _auto(voice, edge_url, on_choice or (lambda _m: None))
    name = voice or DEFAULT_VOICES[kind]
    if kind == "fake":
        return FakeEngine()
    if kind == "edge":
        from enews_audio.speech.edge import EDGE_VOICES, EdgeEngine

        _check_voice(name, "edge", list(EDGE_VOICES))
        return EdgeEngine(Voice(name, rate=rate), url=edge_url)
    from enews_audio.speech.offline import OfflineEngine, offline_voices

    _check_voice(name, "offline", offline_voices())
    return OfflineEngine(Voice(name, rate=rate))


def _auto(voice: str | None, edge_url: str | None, tell: Callable[[str], None]) -> str:
    from enews_audio.speech.edge import EDGE_VOICES, EdgeEngine

    if voice and voice not in EDGE_VOICES:
        tell(f"engine: offline (voice {voice} is not an edge voice)")
        return "offline"
    probe = EdgeEngine(Voice(voice or DEFAULT_VOICES["edge"]), url=edge_url)
    if run_sync(probe.probe()):
        tell("engine: edge (the edge-tts service answered)")
        return "edge"
    if voice:
        raise UsageError(f"--voice {voice} needs the edge-tts service, which did not answer")
    tell("engine: offline (the edge-tts service did not answer)")
    return "offline"


def _check_voice(name: str, kind: str, known: list[str]) -> None:
    if name not in known:
        raise UnknownVoiceError(f"--voice: {kind} engine has no voice {name!r} (known: {', '.join(known)})")
