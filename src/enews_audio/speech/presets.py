"""Named listening presets (``voices/presets/*.toml``): engine, voice per engine, prosody and pauses.

A preset is checked whole when it is loaded, so a typo fails the build at once with the file's name,
not after an hour of synthesis.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from enews_audio.errors import SpeechError, UsageError
from enews_audio.resources import voices_dir
from enews_audio.tomlfile import read_toml

PRESET_ENGINES = ("auto", "edge", "offline", "fake")
_KEYS = {"description", "engine", "voices", "rate", "pitch", "volume", "pauses"}
_PAUSES = ("sentence", "paragraph", "heading", "article")
RANGES = {"rate": (-50, 100), "pitch": (-50, 50), "volume": (-100, 100)}  # %, Hz, %
_MAX_PAUSE = 10.0


@dataclass(frozen=True, slots=True)
class Pauses:
    """Seconds of silence after a sentence, a paragraph, a heading and an article (the text stage's)."""

    sentence: float
    paragraph: float
    heading: float
    article: float


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    path: Path
    description: str
    engine: str  # one of PRESET_ENGINES
    voices: tuple[tuple[str, str], ...]  # (engine, voice name); an engine not named uses its default
    rate: int  # percent
    pitch: int  # Hz
    volume: int  # percent
    pauses: Pauses

    def voice_for(self, engine: str) -> str | None:
        return dict(self.voices).get(engine)


def preset_dir() -> Path:
    return voices_dir() / "presets"


def preset_names() -> list[str]:
    return sorted(p.stem for p in preset_dir().glob("*.toml"))


def load_preset(name_or_path: str | Path) -> Preset:
    """A preset by name (``news``) or by path to a ``.toml`` file; any mistake is one ``UsageError`` line."""
    path = _find(str(name_or_path))
    data = read_toml(path, UsageError, "preset")
    try:
        return _preset(path, data)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"preset {path}: {exc}") from exc


def _find(name_or_path: str) -> Path:
    if name_or_path.endswith(".toml") or "/" in name_or_path:
        return Path(name_or_path)
    path = preset_dir() / f"{name_or_path}.toml"
    if not path.is_file():
        names = ", ".join(preset_names()) or "none installed"
        raise UsageError(f"--preset: no preset {name_or_path!r} (choose from {names}, or give a .toml file)")
    return path


def _preset(path: Path, data: dict) -> Preset:
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})")
    missing = sorted({"engine", "rate", "pitch", "volume", "pauses"} - set(data))
    if missing:
        raise ValueError(f"missing {missing[0]!r}")
    engine = data["engine"]
    if engine not in PRESET_ENGINES:
        raise ValueError(f"engine {engine!r} is not one of {', '.join(PRESET_ENGINES)}")
    prosody = {key: _int(data, key) for key in RANGES}
    return Preset(
        name=path.stem,
        path=path,
        description=_text(data.get("description", ""), "description"),
        engine=engine,
        voices=_voices(data.get("voices", {})),
        pauses=_pauses(data["pauses"]),
        **prosody,
    )


def _int(data: dict, key: str) -> int:
    value = data[key]
    low, high = RANGES[key]
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{key} must be a whole number, not {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{key} {value} is outside {low}..{high}")
    return value


def _voices(table: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(table, dict):
        raise ValueError('voices must be a table such as [voices] edge = "zh-CN-XiaoxiaoNeural"')
    for engine, name in table.items():
        if engine not in ("edge", "offline"):
            raise ValueError(f"voices: unknown engine {engine!r} (edge, offline)")
        _text(name, f"voices.{engine}")
    if "edge" in table:
        _check_edge_voice(table["edge"])
    return tuple(sorted(table.items()))


def _check_edge_voice(name: str) -> None:
    from enews_audio.speech.voices import edge_voice_names

    try:
        known = edge_voice_names()
    except SpeechError:
        return  # the build reports the damaged snapshot itself; don't blame the preset for it
    if name not in known:
        raise ValueError(f"voices.edge: unknown edge-tts voice {name!r} (see `enews-audio voices`)")


def _pauses(table: object) -> Pauses:
    if not isinstance(table, dict):
        raise ValueError("pauses must be a table: [pauses] sentence = 0.35 …")
    unknown = sorted(set(table) - set(_PAUSES))
    if unknown:
        raise ValueError(f"pauses: unknown key {unknown[0]!r} (known: {', '.join(_PAUSES)})")
    values = {}
    for key in _PAUSES:
        value = table.get(key)
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValueError(f"pauses.{key} must be a number of seconds, not {value!r}")
        if not 0 <= value <= _MAX_PAUSE:
            raise ValueError(f"pauses.{key} {value} is outside 0..{_MAX_PAUSE:g} s")
        values[key] = float(value)
    return Pauses(**values)


def _text(value: object, key: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{key} must be text, not {value!r}")
    return value
