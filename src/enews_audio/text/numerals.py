"""Arabic digits in words: as a cardinal (一千零一十) or digit by digit, as codes are read (零五七一)."""

from __future__ import annotations

import re

from enews_audio.chars import CHINESE_DIGITS as _CN_DIGITS

_MOBILE = re.compile(r"1[3-9]\d{9}")


def read_integer(n: int) -> str:
    """A whole number as a cardinal (12 → 十二, 105 → 一百零五, 20003 → 二万零三); 二 stays 二."""
    if n < 0:
        return "负" + read_integer(-n)
    if n == 0:
        return "零"
    sections = []
    while n:
        n, section = divmod(n, 10_000)
        sections.append(section)
    out, gap = "", False
    for power in reversed(range(len(sections))):
        section = sections[power]
        if not section:
            gap = bool(out)
            continue
        if out and (gap or section < 1000):
            out += "零"
        out += _below_10000(section) + ("", "万", "亿", "万亿")[power]
        gap = False
    return out[1:] if out.startswith("一十") else out


def read_digits(digits: str, one: str = "一") -> str:
    """Digit by digit, as codes are read: 132 → 一三二; ``one="幺"`` for phone numbers (尾号幺七零二)."""
    return "".join(one if d == "1" else _CN_DIGITS[int(d)] for d in digits)


def read_decimal(whole: str, fraction: str) -> str:
    """11.6 → 十一点六: the whole part as a cardinal, the fraction digit by digit."""
    return read_integer(int(whole)) + "点" + read_digits(fraction)


def read_phone(digits: str) -> str:
    """A phone number digit by digit; a mobile number's 1 is 幺, as wetext reads one written without spaces."""
    return read_digits(digits, "幺" if _MOBILE.fullmatch(digits) else "一")


def is_mobile(digits: str) -> bool:
    return bool(_MOBILE.fullmatch(digits))


def _below_10000(n: int) -> str:
    out = ""
    for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            out += _CN_DIGITS[digit] + name
        elif out and n:
            out += "零"
    return re.sub("零+", "零", out)
