"""Find what the chosen voice will plausibly misread, so an editor can add lexicon entries before a build.

Not every polyphone: 银行, 作为 and 应用 are read right by every voice. For the offline voice lint looks at the
pinyin it will actually be given (``reading.read_run``: pypinyin over the whole run, the lexicon, 一/不
sandhi) and reports a word where that differs from the word's own reading (pypinyin's phrase match ran across
the word: 已经传到 reads 经传) or from the reading in ``voices/lexicon/watch.toml`` (place names, surnames).
Edge voices read plain text with a dictionary we cannot see, so for them every word on that curated list is
reported until a substitution covers it. For both: digits normalisation left, codes read as quantities (尾号
三千三百八十五, 零八百零六室) and symbols no voice reads; for the offline voice also Latin words it would spell out
letter by letter (after the lexicon's substitutions: voices/lexicon/offline.toml gives iPhone, App … readings).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

import msgspec

from enews_audio.errors import TextError
from enews_audio.model import Issue, Part
from enews_audio.pinyin import RUN, read_run
from enews_audio.resources import voices_dir
from enews_audio.text.codes import CODE_WORDS, PHONE_WORDS
from enews_audio.text.script import TextSettings, to_script
from enews_audio.text.segment import tagged_words
from enews_audio.tomlfile import Schema, load_toml

_HAN_RUN = re.compile(f"[{RUN}]+")
# Upper-case runs of up to four letters (GDP, CBD, PM) are read letter by letter, as newsreaders say them;
# a word with lower case (iPhone, Mate) or a long one (COVID) is a word a voice will spell out or garble.
# A hyphen or apostrophe joins one word (Wi-Fi, McDonald's).
_LATIN = re.compile(r"(?=[A-Za-z'-]*[a-z]|[A-Z]{5})[A-Za-z]+(?:['-][A-Za-z]+)*")
_DIGITS = re.compile(r"\d+")
# A code said as a quantity: a cardinal of three digits or more (it has 百/千/万/亿) after a word that makes it a
# code, not followed by a count (电话一百多个 is a count); or a number whose reading starts with 零 and a place
# (零八百零六): no quantity is said that way, only a code with a leading zero.
_NUMERAL = "零一二两三四五六七八九十百千万亿"
_CODE_WORDS = "|".join(sorted(map(re.escape, PHONE_WORDS + CODE_WORDS), key=len, reverse=True))
_CODE_AS_QUANTITY = re.compile(
    rf"(?:{_CODE_WORDS})(?:为|是|：|:)?([{_NUMERAL}]*[百千万亿][{_NUMERAL}]*)(?![{_NUMERAL}多余个次通条人件起元年天家位名户辆份台项所场倍间架趟批])"
    rf"|(?<![{_NUMERAL}点第])零[一二两三四五六七八九][十百千万亿][{_NUMERAL}]*"
)
# Marks every voice reads as a pause or a quote; anything else left in spoken text may be dropped or misread.
_KNOWN = frozenset("，。、：；！？“”‘’（）《》「」『』【】〔〕［］—…·・,.!?;:()'\"- ")
_SANDHI = frozenset("一不")  # their tone depends on what follows; reading.py sets it
_NAME_TAGS = frozenset({"nr", "nrfg", "nrt"})
_ARTICLE_PARTS = (Part.HEADER, Part.BODY, Part.CAPTION)


@dataclass(frozen=True, slots=True)
class Finding:
    """A risky word: where it is (page code, headline, utterance number in ``script`` output) and why."""

    page: str
    article: str
    sentence: int
    word: str
    kind: str  # "reading", "name", "watch", "latin", "number", "code" or "symbol"
    detail: str


def lint(issue: Issue, settings: TextSettings | None = None, engine: str = "offline") -> list[Finding]:
    """Every risky word of the articles' spoken text for ``engine`` ("offline" or "edge"), in reading order."""
    settings = settings or TextSettings()
    findings = []
    for page in to_script(issue, settings).pages:
        for number, u in enumerate(page.utterances, 1):
            if u.part not in _ARTICLE_PARTS or u.article is None:
                continue
            title = page.page.articles[u.article].title
            for word, kind, detail in _risks(u.spoken, engine, settings.lexicon.pinyin):
                findings.append(Finding(page.page.code, title, number, word, kind, detail))
    return findings


def sentence_risks(
    spoken: str, engine: str = "offline", pinyin: Mapping[str, str] | None = None
) -> list[tuple[str, str, str]]:
    """(word, kind, detail) for each risky word of one spoken sentence, as ``lint`` finds them: what the
    operator sees beside a listener's report of that sentence."""
    return list(_risks(spoken, engine, pinyin or {}))


def usual_reading(word: str, *, name: bool = False) -> str:
    """The tone3 pinyin ``word`` should get: the watch list's, else the word read alone (a ``name`` with
    its surname as said in names): the reading a lexicon entry for it would most likely give."""
    watch = _watch()
    if word in watch.words:
        return watch.words[word]
    alone = _alone(word)
    if name and word[0] in watch.surnames:
        alone = [watch.surnames[word[0]], *alone[1:]]
    return " ".join(alone)


def _risks(spoken: str, engine: str, pinyin: Mapping[str, str]) -> Iterator[tuple[str, str, str]]:
    for run in _HAN_RUN.findall(spoken):
        yield from (_offline(run, pinyin) if engine == "offline" else _edge(run))
    if engine == "offline":  # Microsoft's voices read English words; Kokoro's Mandarin voices spell them
        for m in _LATIN.finditer(spoken):
            yield m[0], "latin", "the offline voice spells it letter by letter"
    for m in _DIGITS.finditer(spoken):
        yield m[0], "number", "left as digits after normalisation"
    for m in _CODE_AS_QUANTITY.finditer(spoken):
        yield m[0], "code", "a code read as a quantity: it should be said digit by digit"
    for ch in sorted(
        {c for c in spoken if not (c.isalnum() or c.isspace() or c in _KNOWN)}, key=spoken.index
    ):
        yield ch, "symbol", f"U+{ord(ch):04X} is not a mark the voices read"


def _offline(run: str, pinyin: Mapping[str, str]) -> Iterator[tuple[str, str, str]]:
    words = read_run(run, pinyin)
    given = [s for _, syllables in words for s in syllables]
    for word, syllables in words:
        if word in pinyin or len(word) < 2:
            continue
        alone = _alone(word)
        if _differ(word, syllables, alone):
            yield word, "reading", f"given {' '.join(syllables)}, the word alone reads {' '.join(alone)}"
    watch = _watch()
    for word, reading in watch.words.items():
        for m in re.finditer(re.escape(word), run):
            said = given[m.start() : m.end()]
            if said != reading.split():
                yield word, "reading", f"given {' '.join(said)}, should be {reading}"
    for name, start in _names(run):
        surname = watch.surnames.get(name[0])
        if surname and given[start] != surname and not any(name in w for w in pinyin):
            yield name, "name", f"surname {name[0]} given {given[start]}, said {surname} in names"


def _edge(run: str) -> Iterator[tuple[str, str, str]]:
    watch = _watch()
    for word, reading in watch.words.items():
        if word in run:
            yield word, "watch", f"should be {reading}: check the voice, else add a substitution"
    for name, _start in _names(run):
        if name[0] in watch.surnames:
            yield name, "name", f"surname {name[0]} is said {watch.surnames[name[0]]}: check the voice"


def _differ(word: str, given: list[str], alone: list[str]) -> bool:
    return any(c not in _SANDHI and g != a for c, g, a in zip(word, given, alone, strict=True))


@lru_cache(maxsize=65536)
def _alone(word: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(word, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda c: [""] * len(c))


@lru_cache(maxsize=16384)
def _names(run: str) -> tuple[tuple[str, int], ...]:
    """Personal names jieba tags in ``run``, with where each starts."""
    out, at = [], 0
    for word, flag in tagged_words(run):
        if flag in _NAME_TAGS and len(word) >= 2:
            out.append((word, at))
        at += len(word)
    return tuple(out)


class _Watch(Schema):
    """``voices/lexicon/watch.toml``: words with the reading they must have; surnames said otherwise in names."""

    words: dict[str, str] = msgspec.field(default_factory=dict)
    surnames: dict[str, str] = msgspec.field(default_factory=dict)


@cache
def _watch() -> _Watch:
    return load_toml(voices_dir() / "lexicon" / "watch.toml", _Watch, TextError, "watch list")
