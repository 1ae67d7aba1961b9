"""The pinyin the offline voice is given for a run of Chinese characters, shared by the voice and by lint.

pypinyin reads the whole run (its phrase dictionary sees the context: 还钱, 都市), the lexicon's words take
their listed pinyin, and 一/不 change tone by what follows. pypinyin's own ``tone_sandhi`` does not do the
last right for news text (it says yì for the digits of 二零二一年, for 第一名 and 一月, and misses 一 at the end of
统一), so the few rules are written out here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from functools import cache

from enews_audio.chars import HAN

# What ``read_run`` takes, for a regex character class ``[{RUN}]``: the voice and lint cut text into runs
# of these alike, since pypinyin's reading of a character depends on where its run starts and ends.
RUN = f"〇{HAN}"  # 〇 is read líng like the ideographs

_DIGITS = frozenset("零〇一二三四五六七八九")  # 一 among digits is read yī: 一九九八, 一一对应
_NUMBER_BEFORE = frozenset("零〇一二两三四五六七八九十百千万亿第点周初")  # 十一, 第一, 万一, 周一, 初一
_PLAIN_AFTER = frozenset("月号季期")  # 一月, 一号线, 一季度, 一期工程: a name, not a count
_CLOCK_BEFORE = frozenset("日晨午晚夜")  # 次日一时, 下午一点: a time of day


def read_run(run: str, overrides: Mapping[str, str]) -> list[tuple[str, list[str]]]:
    """(word, tone3 syllables) for a run of Han characters; a syllable is "" where pypinyin knows none."""
    from pypinyin import Style, lazy_pinyin

    read: list[tuple[str, list[str]]] = []
    for part, pinyin in _split_overrides(run, overrides):
        if pinyin is not None:
            read.append((part, pinyin.split()))
            continue
        readings = lazy_pinyin(
            part, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda chars: [""] * len(chars)
        )
        at = 0
        for word in words(part):
            read.append((word, readings[at : at + len(word)]))
            at += len(word)
    return _with_sandhi(read)


def _with_sandhi(words: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    chars = "".join(w for w, _ in words)
    syllables = [s for _, ss in words for s in ss]
    word_ends = set()
    at = 0
    for word, _ in words:
        at += len(word)
        if len(word) > 1:
            word_ends.add(at - 1)
    tones = sandhi(chars, syllables, word_ends)
    out, at = [], 0
    for word, _ in words:
        out.append((word, tones[at : at + len(word)]))
        at += len(word)
    return out


def sandhi(chars: str, syllables: list[str], word_ends: set[int] | frozenset[int] = frozenset()) -> list[str]:
    """``syllables`` of ``chars`` with 一 and 不 in the tone said before what follows them.

    不: bú before a fourth tone, bù elsewhere, neutral in 是不是. 一: yī at the end of a word or run, in
    numbers and ordinals (十一, 第一, 一九九八, 一点五, 一月), neutral in 看一看; otherwise yí before a fourth
    (or neutral) tone and yì before the others. ``word_ends`` holds the indexes that end a word of two or more
    characters (统一, 之一).
    """
    out = list(syllables)
    for i, ch in enumerate(chars):
        if ch not in "一不" or not out[i]:
            continue
        prev = chars[i - 1] if i else ""
        after = chars[i + 1] if i + 1 < len(chars) else ""
        tone = out[i + 1][-1:] if after and out[i + 1] else ""
        if ch == "不":
            out[i] = "bu5" if prev and prev == after else "bu2" if tone == "4" else "bu4"
        elif prev and prev == after:
            out[i] = "yi5"
        elif (
            not tone
            or i in word_ends
            or prev in _NUMBER_BEFORE
            or after in _DIGITS
            or after in _PLAIN_AFTER
            or (after == "点" and chars[i + 2 : i + 3] in _DIGITS)
            or (after in "时点" and prev in _CLOCK_BEFORE)
            or (prev == "比" and chars[i - 2 : i - 1] in _NUMBER_BEFORE)  # 三比一: a score
            or (after == "是" and i == 0)  # 一是……二是……: counting points
        ):
            out[i] = "yi1"
        else:
            out[i] = "yi2" if tone in ("4", "5") else "yi4"
    return out


def _split_overrides(run: str, overrides: Mapping[str, str]) -> Iterator[tuple[str, str | None]]:
    """Cut a run into (text, pinyin) parts: overridden words with their pinyin, the rest with None."""
    words = sorted((w for w in overrides if w in run), key=len, reverse=True)
    if not words:
        yield run, None
        return
    start = 0
    for m in re.finditer("|".join(map(re.escape, words)), run):
        if m.start() > start:
            yield run[start : m.start()], None
        yield m[0], overrides[m[0]]
        start = m.end()
    if start < len(run):
        yield run[start:], None


def words(text: str) -> list[str]:
    """Jieba words of ``text``, which together are exactly ``text`` (the text stage cuts clauses with them)."""
    return load_jieba().lcut(text, HMM=True)


@cache
def load_jieba():  # type: ignore[no-untyped-def]
    """jieba, loaded once, quietly: its "Building prefix dict" chatter would land in a cron mail."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba
