"""Which edge voices exist: the catalogue, read from a data file so it can change without a release.

The list shipped in ``voices/edge-voices.toml`` is the fallback; ``enews-audio voices --refresh`` writes the
live list to the user's data folder (``$XDG_DATA_HOME/enews-audio/edge-voices.toml``), which then wins.
Every edge voice name is checked against the list in effect before any request. Fetching the live list
is the edge engine's business (``edge.refresh_edge_voices``); the offline voices are ``offline``'s.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from enews_audio.atomic import write_atomic
from enews_audio.errors import SpeechError
from enews_audio.resources import user_data_dir, voices_dir

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


def shipped_path() -> Path:
    return voices_dir() / SNAPSHOT


def refreshed_path() -> Path:
    return user_data_dir() / SNAPSHOT


def snapshot_path() -> Path:
    """The list in effect: the user's refreshed one if there is one, else the shipped one."""
    refreshed = refreshed_path()
    return refreshed if refreshed.is_file() else shipped_path()


def edge_voices() -> tuple[VoiceInfo, ...]:
    """The edge voices of the list in effect, in its order."""
    return read_edge_voices(snapshot_path())


def edge_voice_names() -> list[str]:
    return [voice.name for voice in edge_voices()]


def read_edge_voices(path: Path) -> tuple[VoiceInfo, ...]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return tuple(_edge_voice(entry) for entry in data["voice"])
    except FileNotFoundError as exc:
        raise SpeechError(f"{path}: the edge voice list is missing (reinstall enews-audio)") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError) as exc:
        fix = "run `enews-audio voices --refresh` or delete it" if path != shipped_path() else "reinstall"
        raise SpeechError(f"{path}: damaged edge voice list ({_one_line(exc)}); {fix}") from exc
    except OSError as exc:
        raise SpeechError(f"{path}: cannot read the edge voice list: {exc.strerror or exc}") from exc


def known_notes() -> dict[str, str]:
    """Notes by voice name, shipped ones overlaid by the refreshed list's; a damaged list adds none."""
    notes: dict[str, str] = {}
    for path in (shipped_path(), refreshed_path()):
        try:
            notes |= {voice.name: voice.notes for voice in read_edge_voices(path) if voice.notes}
        except SpeechError:
            continue  # missing or damaged: exactly what a refresh repairs
    return notes


def save_edge_voices(voices: Iterable[VoiceInfo], *, source: str) -> Path:
    """Write ``voices`` as the user's refreshed list; returns where."""
    path = refreshed_path()
    lines = [
        "# Chinese voices of the free edge-tts service: `--voice` is checked against this list.",
        "# Written by `enews-audio voices --refresh`; notes may be edited by hand and survive a refresh.",
        f"source = {json.dumps(source, ensure_ascii=False)}",
    ]
    for voice in voices:
        lines += ["", "[[voice]]"]
        lines += [f"{key} = {json.dumps(getattr(voice, key), ensure_ascii=False)}" for key in _FIELDS]
    try:
        write_atomic(path, "\n".join(lines) + "\n")
    except OSError as exc:
        raise SpeechError(f"{path}: cannot write the edge voice list: {exc.strerror or exc}") from exc
    return path


def _edge_voice(entry: dict) -> VoiceInfo:
    values = {key: entry.get(key, "") for key in _FIELDS}
    if not all(isinstance(v, str) for v in values.values()) or not values["name"]:
        raise ValueError(f"a voice needs a name and text fields: {entry!r}")
    return VoiceInfo("edge", **values)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
