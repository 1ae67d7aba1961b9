"""The wording around the articles, from ``voices/script.toml`` and an optional user file over it."""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from enews_audio.errors import TextError
from enews_audio.resources import voices_dir
from enews_audio.tomlfile import read_toml

# Each template and the placeholders it may use.
FIELDS: dict[tuple[str, str], frozenset[str]] = {
    ("page", "opening"): frozenset({"paper", "date", "year", "month", "day", "weekday"}),
    ("page", "summary"): frozenset({"code", "name", "count"}),
    ("page", "rundown"): frozenset({"number", "title"}),
    ("page", "closing"): frozenset({"paper", "code", "name"}),
    ("article", "announce"): frozenset({"number", "count"}),
    ("article", "kicker"): frozenset({"text"}),
    ("article", "title"): frozenset({"text"}),
    ("article", "subtitle"): frozenset({"text"}),
    ("article", "byline"): frozenset({"text"}),
    ("article", "caption"): frozenset({"text"}),
}


@dataclass(frozen=True, slots=True)
class Templates:
    """Template strings by (section, key); an empty one means the line is not said."""

    strings: tuple[tuple[tuple[str, str], str], ...]

    def fill(self, section: str, key: str, **values: object) -> str:
        return dict(self.strings)[section, key].format(**values)


def load_templates(user_file: Path | None = None) -> Templates:
    """The shipped templates, with any keys of ``user_file`` replacing them."""
    return _load(voices_dir() / "script.toml", user_file)


@cache
def _load(shipped: Path, user_file: Path | None) -> Templates:
    strings: dict[tuple[str, str], str] = {}
    for path in (shipped, user_file):
        if path is not None:
            strings |= _read(path)
    missing = sorted(set(FIELDS) - set(strings))
    if missing:
        raise TextError(f"{shipped}: template [{missing[0][0]}] {missing[0][1]} is missing")
    return Templates(tuple(sorted(strings.items())))


def _read(path: Path) -> dict[tuple[str, str], str]:
    data = read_toml(path, TextError, "script templates")
    out = {}
    for section, table in data.items():
        if not isinstance(table, dict):
            raise TextError(f"{path}: {section} must be a table such as [page] or [article]")
        for key, value in table.items():
            if (section, key) not in FIELDS:
                known = ", ".join(f"{s}.{k}" for s, k in FIELDS)
                raise TextError(f"{path}: unknown template {section}.{key} (known: {known})")
            out[section, key] = _checked(path, section, key, value)
    return out


def _checked(path: Path, section: str, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise TextError(f"{path}: template {section}.{key} must be a string")
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    except ValueError as exc:
        raise TextError(f"{path}: template {section}.{key} is malformed ({exc})") from exc
    unknown = sorted(names - FIELDS[section, key])
    if unknown:
        allowed = ", ".join("{" + n + "}" for n in sorted(FIELDS[section, key]))
        raise TextError(f"{path}: template {section}.{key} uses {{{unknown[0]}}}; it may use {allowed}")
    return value
