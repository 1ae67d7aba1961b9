"""Toned-pinyin error of a transcript against the text meant to be heard.

Both sides become toned pinyin syllables (Latin letters one token each, punctuation dropped); the transcript
is first made simplified (OpenCC t2s) and its Arabic numerals are read as our front end reads printed text
(then cn2an for anything left), so "2025年" and "二零二五年" compare equal. Each reference sentence is matched
to its best stretch of the transcript (edit distance with free ends, edlib's infix mode); its error is that
distance over its number of syllables.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from enews_audio.chars import CHINESE_DIGITS

_PIECES = re.compile(r"(?P<han>[\u3007\u3400-\u9fff]+)|(?P<latin>[A-Za-z]+)|(?P<digit>[0-9])")
# Same sound, different writing: the digit 1 said yāo, 两 for 2, 〇 for zero.
_SAME = str.maketrans({"幺": "一", "两": "二", "〇": "零"})
# Whisper writes phone and ISBN numbers in groups, with hyphens or spaces as it likes (139-5712-3456): one
# number, whatever the grouping, so that the grouping it picks does not count as an error.
_GROUPED = re.compile(r"(\+\s?\d{1,3}[-\s])?(\d+(?:[-\s]\d+){2,})")


def _join_groups(m: re.Match[str]) -> str:
    prefix = "+" + re.sub(r"\D", "", m[1]) + " " if m[1] else ""
    return prefix + re.sub(r"[-\s]", "", m[2])


@cache
def _t2s():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def written_to_spoken(text: str) -> str:
    """A transcript as it would be said: simplified characters, numerals in words."""
    import cn2an

    from enews_audio.text.normalize import normalize

    text = _GROUPED.sub(_join_groups, _t2s().convert(text))
    text = normalize(text)
    if re.search(r"\d", text):
        with contextlib.suppress(ValueError, KeyError, IndexError):  # cn2an gives up on odd spans
            text = cn2an.transform(text, "an2cn")
    return text


def syllables(spoken: str) -> list[str]:
    """Toned pinyin (tone3, 5 = neutral) of spoken text; Latin letters as upper-case tokens."""
    from pypinyin import Style, lazy_pinyin

    out: list[str] = []
    for m in _PIECES.finditer(spoken.translate(_SAME)):
        if m["han"]:
            out += lazy_pinyin(m["han"], style=Style.TONE3, neutral_tone_with_five=True)
        elif m["latin"]:
            out += list(m["latin"].upper())
        else:
            out += lazy_pinyin(CHINESE_DIGITS[int(m["digit"])], style=Style.TONE3)
    return out


@dataclass(frozen=True, slots=True)
class Match:
    errors: int  # edits between the sentence and its best stretch of the transcript
    length: int  # syllables in the reference sentence
    heard: tuple[str, ...]  # that stretch

    @property
    def rate(self) -> float:
        return self.errors / self.length if self.length else 0.0


def best_match(reference: Sequence[str], transcript: Sequence[str]) -> Match:
    """The stretch of ``transcript`` closest to ``reference`` by edit distance (free start and end)."""
    import edlib

    if not reference:
        return Match(0, 0, ())
    if not transcript:
        return Match(len(reference), len(reference), ())
    # edlib takes at most 256 distinct symbols: every transcript syllable the reference lacks can only be
    # a mismatch, so they all become one symbol, which changes no distance.
    alphabet = {s: i for i, s in enumerate(dict.fromkeys(reference))}
    other = len(alphabet)
    result = edlib.align(
        [alphabet[s] for s in reference],
        [alphabet.get(s, other) for s in transcript],
        mode="HW",
        task="locations",
    )
    start, end = result["locations"][0]
    start = 0 if start is None else start
    return Match(result["editDistance"], len(reference), tuple(transcript[start : end + 1]))


def total_rate(matches: Sequence[Match]) -> float:
    """Errors over syllables of all sentences (long sentences weigh more, as they take more listening)."""
    syllable_count = sum(m.length for m in matches)
    return sum(m.errors for m in matches) / syllable_count if syllable_count else 0.0
