"""Split repaired Chinese text into sentences, and long sentences into clauses an engine can take."""

from __future__ import annotations

import re
from collections.abc import Iterable

from enews_audio.pinyin import load_jieba, words

_ENDS = "。！？；…"
_CLOSERS = "”’」』）》】\"'"
# A sentence runs to an end mark (a run of them, as in ！？ or ……) plus any closing quotes or brackets.
_SENTENCE = re.compile(rf"[^{_ENDS}]*(?:[{_ENDS}]+[{_CLOSERS}]*|$)")
_CLAUSE_BREAK = re.compile(r"(?<=[，、：,])")


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``; punctuation must already be repaired (ASCII `.` never ends a sentence)."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def pack_clauses(sentence: str, limit: int) -> list[str]:
    """Cut a sentence longer than ``limit`` characters into pieces no longer than it.

    Pieces break after ，、： where possible, packing clauses greedily; a stretch with no such mark breaks
    at a jieba word boundary so no word is cut in half.
    """
    if limit < 8:
        raise ValueError("limit must be at least 8 characters")
    if len(sentence) <= limit:
        return [sentence]
    clauses = (c for c in _CLAUSE_BREAK.split(sentence) if c)
    return _pack((part for clause in clauses for part in _fit(clause, limit)), limit)


def _fit(clause: str, limit: int) -> list[str]:
    """A clause itself longer than the limit, cut at word boundaries."""
    if len(clause) <= limit:
        return [clause]
    # A single "word" longer than the limit (a long number or URL) is the only thing ever cut inside.
    parts = (w[i : i + limit] for w in words(clause) for i in range(0, len(w), limit))
    return _pack(parts, limit)


def _pack(parts: Iterable[str], limit: int) -> list[str]:
    """Join parts greedily into pieces of at most ``limit`` characters (each part already fits)."""
    pieces: list[str] = []
    current = ""
    for part in parts:
        if current and len(current) + len(part) > limit:
            pieces.append(current)
            current = ""
        current += part
    if current:
        pieces.append(current)
    return pieces


def tagged_words(text: str) -> list[tuple[str, str]]:
    """Jieba words of ``text`` with their part of speech ("nr" and "nrfg": a person's name)."""
    load_jieba()  # quiet and initialised before the tagger, which would otherwise load the dictionary noisily
    import jieba.posseg

    return [(pair.word, pair.flag) for pair in jieba.posseg.lcut(text)]
