"""Turn display text into what a voice should say: numbers, dates, percents and units read out in words."""

from __future__ import annotations

import re
from functools import cache

_CN_DIGITS = dict(zip("0123456789", "零一二三四五六七八九", strict=True))

# Rules wetext gets wrong, applied before it (see the golden table in tests/text/test_normalize.py).
_QUOTED_CODE = re.compile(r"“(\d{2,6})”")  # 省委“132”总体部署: a code read digit by digit, not 一百三十二


def normalize(text: str) -> str:
    """Spoken form of ``text``; never applied to what is displayed (transcripts, chapter titles)."""
    text = _QUOTED_CODE.sub(lambda m: "“" + _digitwise(m.group(1)) + "”", text)
    return _normalizer().normalize(text)


def _digitwise(digits: str) -> str:
    return "".join(_CN_DIGITS[d] for d in digits)


@cache
def _normalizer():  # type: ignore[no-untyped-def]
    # wetext ships its FSTs in the wheel (no download) and reads dates, 万/亿, percents and ranges right.
    from wetext import Normalizer

    return Normalizer(lang="zh", operator="tn")
