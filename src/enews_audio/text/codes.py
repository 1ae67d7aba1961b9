"""Numbers the words around them make codes or scores, not quantities: 尾号5821, 0806室, 比分21:19.

wetext decides from the digits alone (a bare 5821 is 五千八百二十一, 21:19 a time of day); a newsreader hears
the word before or after. Each rule here returns the text with such numbers already in words, so wetext never
sees them. Hand-written: no library we can ship reads these contexts.
"""

from __future__ import annotations

import re

from enews_audio.chars import HAN
from enews_audio.text.numerals import is_mobile, read_digits, read_integer, read_phone

# Words after which a run of digits is a phone number (a reader says 幺 for 1, as wetext does for 12345)…
PHONE_WORDS = (
    "尾号", "手机号码", "手机号", "手机", "电话号码", "电话", "热线", "号码", "拨打", "致电", "来电", "分机", "短号",
)  # fmt: skip
# … or another code, read digit by digit with 一 (as G1234 and 京A12345 are).
CODE_WORDS = (
    "编号", "工号", "学号", "房间号", "房号", "门牌号", "邮编", "邮政编码", "车次", "航班号", "航班", "班次",
    "座位号", "订单号", "单号", "账号", "帐号", "卡号", "批号", "证号", "验证码", "代码", "警号", "群号", "微信号", "QQ号", "QQ群", "QQ",
)  # fmt: skip
_WORDS = "|".join(sorted(map(re.escape, PHONE_WORDS + CODE_WORDS), key=len, reverse=True))
# A count after the number makes it a quantity again: 接到电话100多个, 航班300余架次.
_COUNT_AFTER = "多余个次通条万亿千百人件起元年月日天家位名户辆份台项所场倍间架趟批%.．"
_CODE = re.compile(rf"({_WORDS})(为|是|：|:)?\s*([A-Z\d]{{0,3}}?\d{{3,}}[A-Z]?)(?![\dA-Za-z{_COUNT_AFTER}-])")
_ROOM = re.compile(r"(?<![\d.])(\d{3,5})(?=室(?!厅)|房间|号房)")  # 0806室 (3室2厅 is a flat's layout)
# A leading zero makes any number a code: 0806号楼, 007; not 0.5, 05年, 0571-… (wetext reads those).
_LEADING_ZERO = re.compile(r"(?<![\d.,:：/\-A-Za-z])(0\d{2,})(?![\d.,:：/\-]|\s\d)")
# A bare number of 9 to 16 digits is a quantity (wetext reads it digit by digit, or garbles it past 12);
# a longer one (an ID card's 18, with its X) can only be a code.
_LONG = re.compile(r"(?<![\d.,:：/\-+A-Za-z])([1-9]\d{8,15})(?![\d.,:/%A-Za-z])")
_VERY_LONG = re.compile(r"(?<![\d.])(\d{17,})(X?)(?![\d.])")

_VERBS = "战胜|击败|力克|大胜|险胜|完胜|横扫|取胜|获胜|胜出|赢下|拿下|告负|落败|负于|不敌|憾负|惜败|战平|逼平|淘汰|晋级"
_SCORE = r"(\d{1,3}):(\d{1,3})(?![\d:])"
_SCORES = (
    re.compile(rf"(总?比分[{HAN}]{{0,4}}?){_SCORE}"),  # 比分21:19, 比分定格在21:19
    re.compile(rf"(以){_SCORE}(?=[{HAN}]{{0,6}}?(?:{_VERBS}|的(?:总)?比分|结束))"),  # 以21:19战胜
    re.compile(rf"((?:{_VERBS})[{HAN}]{{0,7}}?队)\s*{_SCORE}"),  # 战胜日本队21:19 (not 战胜对手后于20:30)
    re.compile(rf"()(?<![\d:.]){_SCORE}(?=(?:的(?:总)?比分)?(?:{_VERBS}))"),  # 21:19击败
    re.compile(rf"(队)\s*{_SCORE}\s*(?=[{HAN}]{{1,8}}队)"),  # 中国队21:19日本队
)


def codes(text: str) -> str:
    """Numbers that a context word makes a code, read digit by digit (编号30417 → 编号三零四一七)."""
    text = _CODE.sub(_code, text)
    text = _ROOM.sub(lambda m: read_digits(m[1]), text)
    return _LEADING_ZERO.sub(lambda m: read_digits(m[1]), text)


def scores(text: str) -> str:
    """Scores that would be read as clock times: 比分21:19 → 比分二十一比十九."""
    for pattern in _SCORES:
        text = pattern.sub(lambda m: m[1] + read_integer(int(m[2])) + "比" + read_integer(int(m[3])), text)
    return text


def long_numbers(text: str) -> str:
    """A bare 9- to 16-digit number as a cardinal (11000000000 → 一百一十亿), a longer one digit by digit; a
    mobile number is left for the phone rules."""
    text = _VERY_LONG.sub(lambda m: read_digits(m[1]) + m[2], text)
    return _LONG.sub(lambda m: _long(m[1]), text)


def _long(digits: str) -> str:
    if is_mobile(digits):  # wetext reads a mobile number right
        return digits
    if digits.startswith("86") and is_mobile(digits[2:]):  # with its country code: 8613957123456
        return "八六" + read_phone(digits[2:])
    return spoken_integer(int(digits))


def spoken_integer(n: int) -> str:
    """A cardinal as said aloud: 2000 in the lead of a section is 两千 (一万两千), as wetext says 两千."""
    return two_thousand(read_integer(n))


def two_thousand(spoken: str) -> str:
    """二千 → 两千 where it leads a number or follows 万/亿/零 (wetext says 二千 inside decimals and 亿s)."""
    return re.sub(r"(?<![一二三四五六七八九十点])二千", "两千", spoken)


def _code(m: re.Match[str]) -> str:
    word, sep, code = m[1], m[2] or "", m[3]
    digits = re.sub(r"\D", "", code)
    # A phone number takes 幺 (12345, 尾号幺七零二), except a landline (area code, or 7–8 digits), which keeps
    # 一 as wetext reads 0571-87001234; other codes keep 一.
    landline = digits.startswith("0") or len(digits) in (7, 8)
    one = "幺" if word in PHONE_WORDS and not landline else "一"
    spoken = re.sub(r"\d+", lambda d: read_digits(d[0], one), code)
    return word + sep + spoken
