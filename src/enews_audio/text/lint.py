"""Find what a voice may read wrongly, so an editor can add lexicon entries before a build."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from enews_audio.chars import HAN
from enews_audio.model import Issue, Part
from enews_audio.text.script import TextSettings, to_script
from enews_audio.text.segment import words

_HAN = re.compile(f"[{HAN}]")
_LATIN = re.compile(r"[A-Za-z]{2,}")
_DIGITS = re.compile(r"\d+")
# Marks every voice reads as a pause or a quote; anything else left in spoken text may be dropped or misread.
_KNOWN = frozenset("，。、：；！？“”‘’（）《》「」『』【】〔〕［］—…·・,.!?;:()'\" ")
_NUMERALS = frozenset("零〇一二两三四五六七八九十百千万亿点幺")
_SANDHI = frozenset("一不")
_ARTICLE_PARTS = (Part.HEADER, Part.BODY, Part.CAPTION)


@dataclass(frozen=True, slots=True)
class Finding:
    """A risky word: where it is (page code, headline, utterance number in ``script`` output) and why."""

    page: str
    article: str
    sentence: int
    word: str
    kind: str  # "polyphone", "latin", "number" or "symbol"
    detail: str


def lint(issue: Issue, settings: TextSettings | None = None) -> list[Finding]:
    """Every risky word of the articles' spoken text, in reading order; entries in the lexicon are not reported."""
    settings = settings or TextSettings()
    pinyin = settings.lexicon.pinyin
    findings = []
    for page in to_script(issue, settings).pages:
        for number, u in enumerate(page.utterances, 1):
            if u.part not in _ARTICLE_PARTS or u.article is None:
                continue
            title = page.page.articles[u.article].title
            for word, kind, detail in _risks(u.spoken, pinyin):
                findings.append(Finding(page.page.code, title, number, word, kind, detail))
    return findings


def _risks(spoken: str, pinyin: Mapping[str, str]) -> Iterator[tuple[str, str, str]]:
    for word in words(spoken):
        if len(word) < 2 or not _HAN.search(word) or set(word) <= _NUMERALS or _covered(word, spoken, pinyin):
            continue
        by_word, by_char = _readings(word)
        if by_word != by_char:
            yield word, "polyphone", f"word reading {by_word}, character reading {by_char}"
    for m in _LATIN.finditer(spoken):
        yield m[0], "latin", "the offline voice spells it letter by letter"
    for m in _DIGITS.finditer(spoken):
        yield m[0], "number", "left as digits after normalisation"
    for ch in sorted({c for c in spoken if not (c.isalnum() or c in _KNOWN)}, key=spoken.index):
        yield ch, "symbol", f"U+{ord(ch):04X} is not a mark the voices read"


def _covered(word: str, spoken: str, pinyin: Mapping[str, str]) -> bool:
    """Whether a pinyin override already fixes this word's reading."""
    return any(word in entry or (entry in word) for entry in pinyin if entry in spoken)


@lru_cache(maxsize=65536)
def _readings(word: str) -> tuple[str, str]:
    from pypinyin import Style, lazy_pinyin

    def read(text: str) -> list[str]:
        return lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True)

    by_word = read(word)
    by_char = [read(c)[0] for c in word]
    # 一 and 不 change tone by what follows (一百 yì, 一月 yí): every voice does that itself.
    by_word = [c if ch in _SANDHI else w for ch, w, c in zip(word, by_word, by_char, strict=True)]
    return " ".join(by_word), " ".join(by_char)
