"""Named listening presets (``voices/presets/*.toml``): engine, voice per engine, prosody and pauses.

A preset is checked whole when it is loaded, so a typo fails the build at once with the file's name,
not after an hour of synthesis.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from enews_audio.errors import SpeechError, UsageError
from enews_audio.model import Pauses
from enews_audio.resources import voices_dir
from enews_audio.tomlfile import Invalid, Schema, load_toml, shown

PRESET_ENGINES = ("auto", "edge", "offline", "fake")
RANGES = {"rate": (-50, 100), "pitch": (-50, 50), "volume": (-100, 100)}  # %, Hz, %


def _within(key: str, unit: str) -> object:
    low, high = RANGES[key]
    return Annotated[int, Meta(ge=low, le=high, description=f"a whole number of {unit} in {low}..{high}")]


class Voices(Schema):
    """The voice per engine; an engine not named uses its default."""

    edge: str | None = None
    offline: str | None = None

    def __post_init__(self) -> None:
        if self.edge is not None:
            _check_edge_voice(self.edge)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        """(engine, voice name) for each engine named."""
        return ((k, v) for k in self.__struct_fields__ if (v := getattr(self, k)) is not None)


class _PresetFile(Schema):
    """A preset file's keys."""

    engine: Literal["auto", "edge", "offline", "fake"]  # PRESET_ENGINES
    rate: _within("rate", "percent")  # type: ignore[valid-type]
    pitch: _within("pitch", "Hz")  # type: ignore[valid-type]
    volume: _within("volume", "percent")  # type: ignore[valid-type]
    pauses: Pauses
    description: str = ""
    voices: Voices = Voices()


class Preset(_PresetFile, kw_only=True):
    """A preset, and the file it was read from."""

    path: Path

    @property
    def name(self) -> str:
        return self.path.stem

    def voice_for(self, engine: str) -> str | None:
        return getattr(self.voices, engine, None)


def preset_dir() -> Path:
    return voices_dir() / "presets"


def preset_names() -> list[str]:
    return sorted(p.stem for p in preset_dir().glob("*.toml"))


def load_preset(name_or_path: str | Path) -> Preset:
    """A preset by name (``news``) or by path to a ``.toml`` file; any mistake is one ``UsageError`` line."""
    path = _find(str(name_or_path))
    read = load_toml(path, _PresetFile, UsageError, "preset", where=f"preset {path}")
    return Preset(path=path, **msgspec.structs.asdict(read))


def _find(name_or_path: str) -> Path:
    if name_or_path.endswith(".toml") or "/" in name_or_path:
        return Path(name_or_path)
    path = preset_dir() / f"{name_or_path}.toml"
    if not path.is_file():
        names = ", ".join(preset_names()) or "none installed"
        raise UsageError(f"--preset: no preset {name_or_path!r} (choose from {names}, or give a .toml file)")
    return path


def _check_edge_voice(name: str) -> None:
    from enews_audio.speech.voices import edge_voice_names

    try:
        known = edge_voice_names()
    except SpeechError:
        return  # the build reports the damaged snapshot itself; don't blame the preset for it
    if name not in known:
        raise Invalid("edge", f"unknown edge-tts voice {shown(name)} (see `enews-audio voices`)")
