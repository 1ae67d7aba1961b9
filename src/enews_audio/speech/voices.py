"""Which voices exist: the edge snapshot in ``voices/edge-voices.toml`` and the embedded offline voices.

The edge list lives in a data file, not in code, so it can be refreshed from the live service
without a release; every edge voice name is checked against it before any request.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from enews_audio.atomic import write_atomic
from enews_audio.errors import SpeechError
from enews_audio.resources import voices_dir

SNAPSHOT = "edge-voices.toml"
_FIELDS = ("name", "gender", "locale", "notes")


@dataclass(frozen=True, slots=True)
class VoiceInfo:
    """One voice as ``enews-audio voices`` lists it."""

    engine: str  # "edge" or "offline"
    name: str
    gender: str  # "female" or "male"
    locale: str
    notes: str = ""


def snapshot_path() -> Path:
    return voices_dir() / SNAPSHOT


def edge_voices() -> tuple[VoiceInfo, ...]:
    """The edge voices of the snapshot, in its order."""
    path = snapshot_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return tuple(_edge_voice(entry) for entry in data["voice"])
    except FileNotFoundError as exc:
        raise SpeechError(f"{path}: the edge voice list is missing (reinstall enews-audio)") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError) as exc:
        raise SpeechError(f"{path}: damaged edge voice list ({_one_line(exc)})") from exc


def edge_voice_names() -> list[str]:
    return [voice.name for voice in edge_voices()]


def offline_voice_infos() -> tuple[VoiceInfo, ...]:
    from enews_audio.speech.offline import DEFAULT_VOICE, offline_voices

    return tuple(
        VoiceInfo(
            "offline",
            name,
            "female" if name.startswith("zf_") else "male",
            "zh-CN",
            "Kokoro-82M on this computer, no network" + ("; the default" if name == DEFAULT_VOICE else ""),
        )
        for name in offline_voices()
    )


def list_voices(refresh: bool = False, *, proxy: str | None = None) -> tuple[VoiceInfo, ...]:
    """Edge voices (the snapshot, or with ``refresh`` the live list, saved as the new snapshot), then offline ones.

    A failed refresh raises ``EngineUnavailableError`` and leaves the snapshot as it was.
    """
    edge = refresh_edge_voices(proxy=proxy) if refresh else edge_voices()
    return edge + offline_voice_infos()


def refresh_edge_voices(*, proxy: str | None = None) -> tuple[VoiceInfo, ...]:
    """Fetch the service's Chinese voices and write them as the snapshot; notes already written are kept."""
    from enews_audio.speech.edge import fetch_voices
    from enews_audio.speech.runner import run_sync

    live = run_sync(fetch_voices(proxy=proxy))
    try:
        known = {voice.name: voice.notes for voice in edge_voices()}
    except SpeechError:
        known = {}  # a damaged snapshot is exactly what a refresh repairs
    voices = tuple(
        VoiceInfo("edge", v.name, v.gender, v.locale, known.get(v.name) or v.notes)
        for v in sorted(live, key=lambda v: (v.locale, v.name))
        if v.locale.startswith("zh-")
    )
    if not voices:
        raise SpeechError("edge-tts: the live voice list has no Chinese voices; the snapshot was kept")
    write_edge_voices(voices, snapshot_path(), source="edge_tts.list_voices()")
    return voices


def write_edge_voices(voices: tuple[VoiceInfo, ...], path: Path, *, source: str) -> None:
    lines = [
        "# Chinese voices of the free edge-tts service: `--voice` is checked against this list.",
        "# Written by `enews-audio voices --refresh`; notes may be edited by hand and survive a refresh.",
        f"source = {json.dumps(source, ensure_ascii=False)}",
    ]
    for voice in voices:
        lines += ["", "[[voice]]"]
        lines += [f"{key} = {json.dumps(getattr(voice, key), ensure_ascii=False)}" for key in _FIELDS]
    write_atomic(path, "\n".join(lines) + "\n")


def _edge_voice(entry: dict) -> VoiceInfo:
    values = {key: entry.get(key, "") for key in _FIELDS}
    if not all(isinstance(v, str) for v in values.values()) or not values["name"]:
        raise ValueError(f"a voice needs a name and text fields: {entry!r}")
    return VoiceInfo("edge", **values)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
