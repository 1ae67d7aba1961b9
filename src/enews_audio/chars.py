"""Chinese text knowledge every stage shares: which characters are Han, full-width forms, digits, weekdays.

It lies below the stages, like ``model``: sources, text, speech and publish import it, so each fact is
written once and every stage agrees on what a Han character is.
"""

from __future__ import annotations

import datetime as dt

# Han characters, for a regex character class ``[{HAN}]``: the CJK ideographs — extension A, the unified
# block, the compatibility ideographs, and extensions B to G (𠮷, 𡋾). Not 〇, a numeral sign, not an ideograph.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# CJK symbols and punctuation (、。《》「」〔〕, the ideographic space) and the full-width forms (，：！０Ａ), for [...].
CJK_PUNCTUATION = "\u3000-\u303f"
FULLWIDTH_FORMS = "\uff00-\uffef"
FULLWIDTH_ALNUM = "０-９Ａ-Ｚａ-ｚ"
# Full-width digits and letters as ASCII, a ``str.translate`` table; full-width punctuation is Chinese
# punctuation and is not in it.
ASCII_ALNUM = {
    c: c - 0xFEE0 for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
}
CHINESE_DIGITS = "零一二三四五六七八九"
_WEEKDAYS = "一二三四五六日"


def weekday(date: dt.date) -> str:
    """The day of the week as printed and said: 星期一 … 星期日."""
    return "星期" + _WEEKDAYS[date.weekday()]


def is_speakable(text: str) -> bool:
    """True if ``text`` has a letter, a digit or a Han character: something to say, not only marks."""
    return any(ch.isalnum() for ch in text)
