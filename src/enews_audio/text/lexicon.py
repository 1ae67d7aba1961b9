"""Pronunciation fixes kept as data: same-sounding substitutions per engine or voice, and pinyin overrides.

A lexicon file is TOML with any of these tables (later files win, entry by entry)::

    [substitutions]                      # every engine: written word → what to say instead
    "重庆" = "崇庆"
    [pinyin]                             # the offline engine: word → tone3 pinyin, one syllable per character
    "天台县" = "tian1 tai1 xian4"
    [engines.edge.substitutions]         # only for one engine …
    [voices."zh-CN-YunxiNeural".substitutions]   # … or one voice (also [voices.NAME.pinyin])

``voices/lexicon/common.toml`` and ``voices/lexicon/<engine>.toml`` are read first, then the user's files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from enews_audio.chars import HAN
from enews_audio.errors import TextError
from enews_audio.resources import voices_dir
from enews_audio.tomlfile import read_toml

_SYLLABLE = re.compile(r"[a-zv]{1,6}[1-5]")
_HAN_WORD = re.compile(f"[{HAN}]+")
_TABLES = frozenset({"substitutions", "pinyin", "engines", "voices"})


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Lexicon:
    """Substitutions applied to spoken text, and pinyin overrides for the offline engine's ``overrides``."""

    substitutions: Mapping[str, str] = field(default_factory=_empty)
    pinyin: Mapping[str, str] = field(default_factory=_empty)
    files: tuple[Path, ...] = ()

    def substitute(self, text: str) -> str:
        """``text`` with every listed word replaced, longest match first, in one pass."""
        if not self.substitutions:
            return text
        return self._pattern.sub(lambda m: self.substitutions[m[0]], text)

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        words = sorted(self.substitutions, key=len, reverse=True)
        return re.compile("|".join(map(re.escape, words)))


def load_lexicon(engine: str, voice: str, extra: Sequence[Path] = ()) -> Lexicon:
    """The lexicon for one engine and voice: the shipped files, then ``extra`` user files in order."""
    folder = voices_dir() / "lexicon"
    shipped = [p for p in (folder / "common.toml", folder / f"{engine}.toml") if p.is_file()]
    substitutions: dict[str, str] = {}
    pinyin: dict[str, str] = {}
    for path in [*shipped, *extra]:
        data, text = _read(path)
        for table, kind in _tables(data, engine, voice, path):
            for word, value in table.items():
                _check(path, text, kind, word, value)
                (pinyin if kind == "pinyin" else substitutions)[word] = " ".join(value.split())
    return Lexicon(MappingProxyType(substitutions), MappingProxyType(pinyin), tuple([*shipped, *extra]))


def _read(path: Path) -> tuple[dict[str, Any], str]:
    data = read_toml(path, TextError, "lexicon")
    return data, path.read_text(encoding="utf-8")  # the text too: errors name the entry's line


def _tables(data: dict[str, Any], engine: str, voice: str, path: Path) -> Iterator[tuple[dict, str]]:
    """The (table, kind) pairs that apply to this engine and voice, general before specific."""
    unknown = sorted(set(data) - _TABLES)
    if unknown:
        raise TextError(f"{path}: unknown table [{unknown[0]}] (use substitutions, pinyin, engines, voices)")
    scopes = [
        data,
        _table(data, "engines", path).get(engine, {}),
        _table(data, "voices", path).get(voice, {}),
    ]
    for scope in scopes:
        for kind in ("substitutions", "pinyin"):
            table = _table(scope, kind, path)
            if table:
                yield table, kind


def _table(data: Any, key: str, path: Path) -> dict[str, Any]:
    value = data.get(key, {}) if isinstance(data, dict) else {}
    if not isinstance(value, dict):
        raise TextError(f"{path}: [{key}] must be a table of entries")
    return value


def _check(path: Path, text: str, kind: str, word: str, value: Any) -> None:
    where = f"{path}:{_line_of(text, word)}"
    if not isinstance(value, str):
        raise TextError(f"{where}: {word!r} must map to a string")
    if not word.strip() or not value.strip():
        raise TextError(f"{where}: empty {kind} entry {word!r}")
    if kind != "pinyin":
        return
    syllables = value.split()
    if not _HAN_WORD.fullmatch(word):
        raise TextError(f"{where}: pinyin entry {word!r} must be Chinese characters only")
    if len(syllables) != len(word) or not all(_SYLLABLE.fullmatch(s) for s in syllables):
        raise TextError(
            f'{where}: {word!r} needs one tone3 syllable per character, like "tian1 tai1" (got {value!r})'
        )


def _line_of(text: str, word: str) -> int:
    """The line where ``word`` is defined (TOML errors beyond syntax carry no position)."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith((word, f'"{word}"', f"'{word}'")):
            return number
    return 0
