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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

import msgspec

from enews_audio.chars import HAN
from enews_audio.errors import TextError
from enews_audio.resources import voices_dir
from enews_audio.tomlfile import Invalid, Schema, load_toml, shown

_SYLLABLE = re.compile(r"[a-zv]{1,6}[1-5]")
_HAN_WORD = re.compile(f"[{HAN}]+")


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
        return re.compile("|".join(map(_whole, words)))


def _whole(word: str) -> str:
    """``word`` as a pattern; a Latin end only matches at a word's end (App is not the App of Apple)."""
    before = "(?<![A-Za-z])" if word[0].isascii() and word[0].isalpha() else ""
    after = "(?![A-Za-z])" if word[-1].isascii() and word[-1].isalpha() else ""
    return before + re.escape(word) + after


class _Scope(Schema):
    """Entries for every engine, one engine or one voice."""

    substitutions: dict[str, str] = msgspec.field(default_factory=dict)
    pinyin: dict[str, str] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        for kind in ("substitutions", "pinyin"):
            for word, value in getattr(self, kind).items():
                if not word.strip() or not value.strip():
                    raise Invalid((kind, word), f"empty {kind} entry")
        for word, value in self.pinyin.items():
            if not _HAN_WORD.fullmatch(word):
                raise Invalid(("pinyin", word), "a pinyin entry must be Chinese characters only")
            syllables = value.split()
            if len(syllables) != len(word) or not all(_SYLLABLE.fullmatch(s) for s in syllables):
                example = '"tian1 tai1 xian4" for 天台县'
                what = f"needs {len(word)} tone3 syllables, one per character (like {example}), not {shown(value)}"
                raise Invalid(("pinyin", word), what)


class _File(_Scope):
    engines: dict[str, _Scope] = msgspec.field(default_factory=dict)
    voices: dict[str, _Scope] = msgspec.field(default_factory=dict)


def load_lexicon(engine: str, voice: str, extra: Sequence[Path] = ()) -> Lexicon:
    """The lexicon for one engine and voice: the shipped files, then ``extra`` user files in order."""
    folder = voices_dir() / "lexicon"
    shipped = [p for p in (folder / "common.toml", folder / f"{engine}.toml") if p.is_file()]
    substitutions: dict[str, str] = {}
    pinyin: dict[str, str] = {}
    for path in [*shipped, *extra]:
        read = load_toml(path, _File, TextError, "lexicon")
        for scope in (read, read.engines.get(engine), read.voices.get(voice)):  # general before specific
            if scope is not None:
                substitutions |= {word: " ".join(v.split()) for word, v in scope.substitutions.items()}
                pinyin |= {word: " ".join(v.split()) for word, v in scope.pinyin.items()}
    return Lexicon(MappingProxyType(substitutions), MappingProxyType(pinyin), tuple([*shipped, *extra]))
