"""Pick the engine for a build: edge when the service answers, else the embedded offline voice."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from enews_audio.errors import UnknownVoiceError, UsageError
from enews_audio.speech.engine import Engine, Voice
from enews_audio.speech.fake import FakeEngine
from enews_audio.speech.presets import PRESET_ENGINES, RANGES, Preset
from enews_audio.speech.runner import run_sync
from enews_audio.speech.voices import VoiceInfo, edge_voice_names, edge_voices

if TYPE_CHECKING:
    from enews_audio.speech.edge import EdgeEngine

ENGINES = PRESET_ENGINES  # a preset may name any engine --engine accepts
DEFAULT_VOICES = {"edge": "zh-CN-XiaoxiaoNeural", "offline": "zf_xiaobei", "fake": "fake"}


def select_engine(
    kind: str | None = None,
    voice: str | None = None,
    *,
    rate: int | None = None,
    pitch: int | None = None,
    volume: int | None = None,
    preset: Preset | None = None,
    edge_url: str | None = None,
    proxy: str | None = None,
    pinyin: Mapping[str, str] | Callable[[str], Mapping[str, str]] | None = None,
    on_choice: Callable[[str], None] | None = None,
    probes: dict[tuple[str, str | None, str | None], bool] | None = None,
) -> Engine:
    """The engine for ``kind``; with "auto" the edge service is probed once and ``on_choice`` told why.

    Anything given explicitly wins over the ``preset``, which wins over the defaults (auto, the engine's
    default voice, normal rate). ``proxy`` and ``edge_url`` (else ``$ENEWS_EDGE_URL``) reach edge-tts;
    ``pinyin`` (word -> "pin1 yin1") overrides the offline voice's readings; given as a function of the voice
    name, it is asked once the voice is chosen (a lexicon may have entries for one voice). ``probes`` keeps
    the probes' answers for a run: a batch of papers probes the service once, and tells ``on_choice`` once.
    """
    kind = kind or (preset.engine if preset else "auto")
    if proxy is not None:
        parts = urlsplit(proxy)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"--proxy: {proxy!r} is not a proxy URL like http://127.0.0.1:8080")

    def pick(value: int | None, field: str) -> int:
        return value if value is not None else getattr(preset, field, 0)

    rate, pitch, volume = pick(rate, "rate"), pick(pitch, "pitch"), pick(volume, "volume")
    wrong = option_problems(kind, rate=rate, pitch=pitch, volume=volume)
    if wrong:
        key, what = wrong[0]
        raise UsageError(f"--{key}: {what}")
    if kind == "auto":
        kind = _auto(
            voice, preset, edge_url, proxy, on_choice or (lambda _m: None), {} if probes is None else probes
        )
    name = voice or (preset and preset.voice_for(kind)) or DEFAULT_VOICES[kind]
    if kind == "fake":
        return FakeEngine()
    if kind == "edge":
        from enews_audio.speech.edge import EdgeEngine

        _check_voice(name, "edge", edge_voice_names())
        return EdgeEngine(Voice(name, rate=rate, pitch=pitch, volume=volume), url=edge_url, proxy=proxy)
    from enews_audio.speech.offline import OfflineEngine, offline_voices

    _check_voice(name, "offline", offline_voices())
    overrides = pinyin(name) if callable(pinyin) else pinyin
    return OfflineEngine(Voice(name, rate=rate, pitch=pitch, volume=volume), overrides=overrides)


def option_problems(kind: str | None, **levels: int | None) -> list[tuple[str, str]]:
    """What is wrong with an engine's name and its ``rate``, ``pitch`` and ``volume`` (None: not given), as
    (option, what) pairs: ``select_engine`` raises the first, ``batch`` lists them all before building."""
    wrong = []
    if kind is not None and kind not in ENGINES:
        wrong.append(("engine", f"unknown engine {kind!r} (choose from {', '.join(ENGINES)})"))
    for key, (low, high) in RANGES.items():
        value = levels.get(key)
        if value is not None and not low <= value <= high:
            wrong.append((key, f"{value} is outside {low}..{high}"))
    return wrong


def _auto(
    voice: str | None,
    preset: Preset | None,
    edge_url: str | None,
    proxy: str | None,
    tell: Callable[[str], None],
    probes: dict[tuple[str, str | None, str | None], bool],
) -> str:
    from enews_audio.speech.edge import EdgeEngine

    if voice and voice not in edge_voice_names():
        tell(f"engine: offline (voice {voice} is not an edge voice)")
        return "offline"
    edge_voice = voice or (preset and preset.voice_for("edge")) or DEFAULT_VOICES["edge"]
    asked = (edge_voice, edge_url, proxy)
    known = asked in probes
    if not known:
        probes[asked] = run_sync(_probed(EdgeEngine(Voice(edge_voice), url=edge_url, proxy=proxy)))
    if probes[asked]:
        if not known:
            tell("engine: edge (the edge-tts service answered)")
        return "edge"
    if voice:
        raise UsageError(f"--voice {voice} needs the edge-tts service, which did not answer")
    if not known:
        tell("engine: offline (the edge-tts service did not answer)")
    return "offline"


async def _probed(engine: EdgeEngine) -> bool:
    """Probe a throwaway engine and close it: its whole life on one short loop, before the build's engine exists."""
    try:
        return await engine.probe()
    finally:
        await engine.aclose()


def _check_voice(name: str, kind: str, known: list[str]) -> None:
    if name not in known:
        raise UnknownVoiceError(f"--voice: {kind} engine has no voice {name!r} (known: {', '.join(known)})")


def list_voices(
    refresh: bool = False, *, proxy: str | None = None, edge_url: str | None = None
) -> tuple[VoiceInfo, ...]:
    """Edge voices (the list in effect, or with ``refresh`` the live one, saved as the user's), then offline ones.

    A failed refresh raises ``EngineUnavailableError`` and leaves the lists as they were.
    """
    from enews_audio.speech.offline import offline_voice_infos

    if refresh:
        from enews_audio.speech.edge import refresh_edge_voices

        edge = refresh_edge_voices(url=edge_url, proxy=proxy)
    else:
        edge = edge_voices()
    return edge + offline_voice_infos()
