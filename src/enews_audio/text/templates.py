"""The wording around the articles, from ``voices/script.toml`` and an optional user file over it."""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import msgspec

from enews_audio.errors import TextError
from enews_audio.resources import voices_dir
from enews_audio.tomlfile import Invalid, Schema, load_toml

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
    ("brief", "intro"): frozenset({"paper", "count"}),
    ("brief", "closing"): frozenset({"paper"}),
}


@dataclass(frozen=True, slots=True)
class Templates:
    """Template strings by (section, key); an empty one means the line is not said."""

    strings: tuple[tuple[tuple[str, str], str], ...]

    def fill(self, section: str, key: str, **values: object) -> str:
        return dict(self.strings)[section, key].format(**values)


class _Section(Schema):
    """A ``[page]`` or ``[article]`` table: its templates, each checked for the placeholders it may use."""

    def __post_init__(self) -> None:
        section = type(self).__name__
        for key in self.__struct_fields__:
            value = getattr(self, key)
            if value is None:
                continue
            try:
                names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
            except ValueError as exc:
                raise Invalid(key, f"malformed template ({exc})") from exc
            if unknown := sorted(names - FIELDS[section, key]):
                allowed = ", ".join("{" + n + "}" for n in sorted(FIELDS[section, key]))
                raise Invalid(key, f"uses {{{unknown[0]}}}; it may use {allowed}")


# The file's schema, made from FIELDS so that each template is declared once.
_SECTIONS = tuple(dict.fromkeys(section for section, _ in FIELDS))
_TABLES = {
    section: msgspec.defstruct(
        section, [(key, str | None, None) for s, key in FIELDS if s == section], bases=(_Section,)
    )
    for section in _SECTIONS
}
_File = msgspec.defstruct(
    "_File", [(s, kind, msgspec.field(default_factory=kind)) for s, kind in _TABLES.items()], bases=(Schema,)
)


def load_templates(user_file: Path | None = None) -> Templates:
    """The shipped templates, with any keys of ``user_file`` replacing them."""
    return _load(voices_dir() / "script.toml", user_file)


@cache
def _load(shipped: Path, user_file: Path | None) -> Templates:
    strings: dict[tuple[str, str], str] = {}
    for path in (shipped, user_file):
        if path is not None:
            read = load_toml(path, _File, TextError, "script templates")
            for section in _SECTIONS:
                table = getattr(read, section)
                given = {k: getattr(table, k) for k in table.__struct_fields__}
                strings |= {(section, k): v for k, v in given.items() if v is not None}
    missing = sorted(set(FIELDS) - set(strings))
    if missing:
        raise TextError(f"{shipped}: template [{missing[0][0]}] {missing[0][1]} is missing")
    return Templates(tuple(sorted(strings.items())))
