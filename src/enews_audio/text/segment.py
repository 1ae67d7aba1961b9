"""Split repaired Chinese text into sentences, and long sentences into clauses an engine can take."""

from __future__ import annotations

import logging
import re
from functools import cache

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
    pieces: list[str] = []
    current = ""
    for clause in (c for c in _CLAUSE_BREAK.split(sentence) if c):
        for part in _fit(clause, limit):
            if current and len(current) + len(part) > limit:
                pieces.append(current)
                current = ""
            current += part
    if current:
        pieces.append(current)
    return pieces


def _fit(clause: str, limit: int) -> list[str]:
    """A clause itself longer than the limit, cut at word boundaries."""
    if len(clause) <= limit:
        return [clause]
    parts: list[str] = []
    current = ""
    for word in _words(clause):
        while len(word) > limit:  # a single "word" longer than the limit (a long number or URL)
            if current:
                parts.append(current)
                current = ""
            parts.append(word[:limit])
            word = word[limit:]
        if len(current) + len(word) > limit:
            parts.append(current)
            current = ""
        current += word
    if current:
        parts.append(current)
    return parts


def _words(text: str) -> list[str]:
    return _jieba().lcut(text, HMM=True)


@cache
def _jieba():  # type: ignore[no-untyped-def]
    import jieba

    jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" chatter would land in a cron mail
    jieba.initialize()
    return jieba
