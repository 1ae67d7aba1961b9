"""Turn display text into what a voice should say: numbers, dates, percents and units read out in words."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache

from enews_audio.chars import ASCII_ALNUM, HAN
from enews_audio.text.codes import codes, long_numbers, scores, two_thousand
from enews_audio.text.numerals import read_decimal, read_digits, read_integer, read_phone

__all__ = ["normalize", "read_digits", "read_integer"]

_HAN = f"[{HAN}]"
_NUM = r"\d+(?:\.\d+)?"
_SHORT = r"[1-9]\d{0,3}(?:\.\d+)?"  # a quantity, not a phone number
_DASH = r"[—–～~－]"  # a single one between numbers is a range: 1—5月, 3～5年
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_CLAUSES = re.compile(r"(?<=[，、；。：！？])")
_DIGIT_RUN = re.compile(rf"[^{HAN}]*\d[^{HAN}]*")
_HAN_BEFORE = re.compile(rf"{_HAN}{{0,2}}$")
_HAN_AFTER = re.compile(rf"{_HAN}{{0,3}}")
_CIRCLED = {chr(0x2460 + i): i + 1 for i in range(20)} | {chr(0x2474 + i): i + 1 for i in range(20)}
_WIDE = ASCII_ALNUM | {ord("％"): ord("%"), ord("＋"): ord("+"), ord("／"): ord("/"), ord("．"): ord(".")}
# Codes read as numbers, not digit by digit, despite looking like G60 or S2.
_NUMBER_CODES = re.compile(r"G20|U\d{2}|PM\d+")
# Classifiers after which a lone 2 is 两 (wetext says 二项, 二台, 二倍).
_LIANG = "项台倍种批座所件辆位只套艘架份款部栋场轮厅卫"
# Units wetext leaves as letters or misreads (3000mAh → 三千米Ah).
_UNITS = {
    "kWh": "千瓦时", "mAh": "毫安时", "MW": "兆瓦", "GW": "吉瓦", "dB": "分贝", "t": "吨", "g": "克",
    "kV": "千伏", "Hz": "赫兹", "kHz": "千赫", "MHz": "兆赫", "GHz": "吉赫", "hPa": "百帕",
}  # fmt: skip
_UNIT = "|".join(sorted(_UNITS, key=len, reverse=True))
# Currencies wetext reads only as $ 美元, € 欧元 and £ 英镑 before a plain number (HK$100 → HK一百美元).
_CURRENCIES = {
    "HK$": "港元", "US$": "美元", "NT$": "新台币", "MOP$": "澳门元", "$": "美元", "€": "欧元", "£": "英镑",
    "₩": "韩元", "₽": "卢布", "₹": "卢比",
}  # fmt: skip
_CURRENCY = "|".join(sorted(map(re.escape, _CURRENCIES), key=len, reverse=True))
# Where a minus before a number is a sign (增速-0.8%, -2/5), not a range or a hyphen (1-5月, 5G-A, 1月-3月).
_SIGN_AFTER = r"\s，。：:；（(“、=为是至达到于在长速比率值数额度差降升幅约了"
# Units and counts after which a number like 11.6 is a decimal, not November 6th.
_AFTER_DECIMAL = (
    "英寸|寸|点|倍|米|厘米|毫米|公里|千米|公斤|千克|克|斤|吨|升|毫升|元|块|美元|欧元|万|亿|个|分|秒|小时|天|周|级|度|亩|"
    "平方|立方|公顷|岁|磅|英里|海里|节|成|折|星|人|家|台|辆|件|项|次|场|代|版|兆|吉|毫"
)
_MD = r"(1[0-2]|0?[1-9])"  # a month
_DAY = r"([12]\d|3[01]|0?[1-9])"


def normalize(text: str) -> str:
    """Spoken form of ``text``; never applied to what is displayed (transcripts, chapter titles)."""
    return _normalize(text)


def _sub(pattern: str, repl: Callable[[re.Match[str]], str] | str) -> Callable[[str], str]:
    compiled = re.compile(pattern)
    return lambda text: compiled.sub(repl, text)


def _code(m: re.Match[str]) -> str:
    if _NUMBER_CODES.fullmatch(m[1] + m[2]):
        return m[1] + read_integer(int(m[2]))
    return m[1] + read_digits(m[2])


def _circled(m: re.Match[str]) -> str:
    follows = m.string[m.end() : m.end() + 1]
    return "第" + read_integer(_CIRCLED[m[0]]) + ("，" if follows and follows.isalnum() else "")


def _duration(m: re.Match[str]) -> str:
    """A race time, 2:08:35 → 两小时零八分三十五秒 (not a time of day)."""
    hours, minutes, seconds = int(m[2]), int(m[3]), int(m[4])
    if minutes > 59 or seconds > 59:
        return m[0]
    spoken = ("两" if hours == 2 else read_integer(hours)) + "小时" if hours else ""
    spoken += ("零" if hours and minutes < 10 else "") + read_integer(minutes) + "分"
    spoken += ("零" if seconds < 10 else "") + read_integer(seconds) + "秒" if seconds else ""
    return m[1] + spoken


def _clock(m: re.Match[str]) -> str:
    hour, minute = int(m[1]), int(m[2])
    if hour > 24 or minute > 59:
        return m[0]
    spoken = ("两" if hour == 2 else read_integer(hour)) + "点"
    if minute:
        spoken += ("零" if minute < 10 else "") + read_integer(minute) + "分"
    return spoken


def _date(year: str, month: str, day: str) -> str:
    return read_digits(year) + "年" + read_integer(int(month)) + "月" + read_integer(int(day)) + "日"


def _era(m: re.Match[str]) -> str:
    """2934ad → 公元二九三四年, 1823年3月bc → 公元前一八二三年3月."""
    era = "公元前" if m[3][0] in "bB" else "公元"
    return era + read_digits(m[1]) + (m[2] or "年")


def _meridiem(m: re.Match[str]) -> str:
    hour = int(m[1].split(":")[0])
    if hour > 12 or re.search("[午上晚晨]$", m.string[: m.start()]):  # 13:00pm, 下午3:30pm: said already
        return m[1]
    return ("上午" if m[2] in "aA" else "下午") + m[1]


# Our rules, in order, for what wetext reads wrongly or leaves alone; each is a row of the golden table.
_RULES: tuple[Callable[[str], str], ...] = (
    lambda text: text.translate(_WIDE),
    _sub(r"(?<=\d)：(?=\d)", ":"),  # 20：45: a full-width colon between digits is a time's or a score's
    _sub(r"[\u2460-\u2473\u2474-\u2487]", _circled),  # ①加快 → 第一，加快
    _sub(
        r"(?<=[零〇一二三四五六七八九])〇|〇(?=[零〇一二三四五六七八九])", "零"
    ),  # 二〇二五年: one zero for every voice
    # Dotted dates, 2024·3·8 → 二零二四年三月八日 (not 3·8 as a named day); 12/2/2 (not 12/2 a fraction).
    _sub(rf"(?<![\d.·・•])({_YEAR})([·・•.]){_MD}\2{_DAY}(?![\d.·・•])", lambda m: _date(m[1], m[3], m[4])),
    _sub(rf"(?<![\dA-Za-z./])(\d{{2}})/{_MD}/{_DAY}(?![\d./])", lambda m: _date(m[1], m[2], m[3])),
    # Other dotted triples are sections and versions: 第3.2.1条, iOS 17.2.1 → 三点二点一.
    _sub(
        r"(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\d.])",
        lambda m: "点".join(read_integer(int(part)) for part in m.groups()),
    ),
    # Days named by month and day: 3·15晚会, 5·12地震, 3.15晚会 → 三一五 (a date, not three point one five).
    _sub(r"(?<![\d.])(1[0-2]|[1-9])[·・•](\d{1,2})(?!\d)", lambda m: read_digits(m[1] + m[2])),
    _sub(r"(?<![\d.])(1[0-2]|[1-9])\.(\d{1,2})(?=晚会|消费者权益日)", lambda m: read_digits(m[1] + m[2])),
    _sub(
        r"ISBN[\s:：]*((?:\d[\s-]?){9,12}[\dX])",
        lambda m: "ISBN" + read_digits(re.sub(r"[\s-]", "", m[1]).rstrip("X")) + "X" * m[1].endswith("X"),
    ),
    # Phone numbers: +86 → 加八六; groups with spaces are one number (138 1234 5678), read digit by digit.
    _sub(r"\+\s?(\d{1,3})(?=\s\d{2})", lambda m: "加" + read_digits(m[1])),
    # A mobile number after its country code, written as one run: +8613957123456, 加86 13957123456.
    _sub(r"(?:\+|加)\s?86[\s-]?(1[3-9]\d{9})(?!\d)", lambda m: "加八六" + read_phone(m[1])),
    _sub(r"(?<![\d.])(1[3-9]\d)\s(\d{4})\s(\d{4})(?![\d.])", lambda m: read_phone(m[1] + m[2] + m[3])),
    _sub(r"(?<![\d.])(0\d{2,3})\s(\d{3,4})\s?(\d{4})(?![\d.])", lambda m: read_phone(m[1] + m[2] + m[3])),
    # Race times with seconds: 以2:08:35的成绩 → 两小时零八分三十五秒.
    _sub(r"(以|成绩为?|用时|耗时|历时|跑出|时间为)(\d{1,2}):(\d{2}):(\d{2})(?!\d)", _duration),
    # Years of an era: 公元前202年 → 公元前二零二年; 2334bc → 公元前二三三四年.
    _sub(r"(?<=公元)(前?)(\d{1,4})(?=年)", lambda m: m[1] + read_digits(m[2])),
    _sub(r"(?i)(?<![\dA-Za-z])(\d{1,4})(年(?:\d{1,2}月)?)?\s?(a\.?d\.?|b\.?c\.?)(?![A-Za-z])", _era),
    _sub(r"(?<![\d.])0([1-9])(?=月)", r"\1"),  # 05月 → 五月
    codes,  # 尾号5821, 编号30417, 0806室: codes, read digit by digit
    scores,  # 比分21:19, 以21:19战胜: scores, not times of day
    long_numbers,  # 11000000000 → 一百一十亿 (wetext reads a bare run that long as a code)
    # A year written with two digits: 25年3月, 25年底 → 二五年 (25年来 stays twenty-five years).
    _sub(
        r"(?<![\d.])(\d{2})年(?=\d{1,2}月|底|初|末|度|春节|上半年|下半年)", lambda m: read_digits(m[1]) + "年"
    ),
    _sub(r"([“‘「])(\d{2,8})([”’」])", lambda m: m[1] + read_digits(m[2]) + m[3]),  # “132” → “一三二”
    _sub(r"[¥￥]\s?(\d[\d,]*(?:\.\d+)?)", lambda m: m[1].replace(",", "") + "元"),  # ¥1,200 → 1200元
    _sub(  # HK$1.5亿 → 1.5亿港元, ₩100 → 100韩元
        rf"(?<![A-Za-z])({_CURRENCY})\s?(\d[\d,]*(?:\.\d+)?)(万亿|万|亿)?",
        lambda m: m[2].replace(",", "") + (m[3] or "") + _CURRENCIES[m[1]],
    ),
    _sub(r"(?<![A-Za-z])[Nn][Oo]\.\s?(\d+)", lambda m: "第" + read_integer(int(m[1]))),  # No.1, NO.1
    # Below zero: -5℃ → 零下5℃ (wetext says 负五), also at the start of a range (-3～5℃).
    _sub(
        rf"(?<![\dA-Za-z℃—–～~－-])[-−－]({_NUM})(?=\s*(?:(?:{_DASH}|-|到|至)[-−－]?{_NUM})?\s*(?:℃|°C))",
        r"零下\1",
    ),
    _sub(r"(?<=℃)\s*-\s*(?=[-−－]?\d)", "到"),  # 15℃-22℃
    _sub(rf"(?<=[\d%℃日月年号])\s*(?<!—){_DASH}(?!—)\s*[-−－](?=\d+(?:\.\d+)?\s*(?:℃|°C))", "到零下"),
    # Signs: 增速-0.8% → 增速负0.8% (wetext: 百分之负零点八), -2/5 → 负五分之二, -百分之1.
    _sub(rf"(?:^|(?<=[{_SIGN_AFTER}]))[-−－](?=\d|百分之)", "负"),
    # Ranges: 1—5月, 3～5年, 8:00-18:00, 3-5年 (wetext reads a hyphen there as 减).
    _sub(r"(\d{1,2}:\d{2})\s*(?:[-—–～~－]|至)\s*(\d{1,2}:\d{2})", r"\1到\2"),
    _sub(rf"(?<=[\d%℃日月年号])\s*(?<!—){_DASH}(?!—)\s*(?=\d)", "到"),
    _sub(rf"(?<![\d.\-:A-Za-z])({_SHORT})-({_SHORT})(?![\d\-])(?=\s*(?:{_HAN}|%))", r"\1到\2"),
    _sub(r"(?<![\d.])2(?=到\d+(?:\.\d+)?\s*(?:月|日|号|℃|°C|%))", "二"),  # 2—5月 is 二到五月, not 两
    # Years and year ranges: 2025—2026年 → 二零二五到二零二六年.
    _sub(
        rf"(?<!\d)({_YEAR})年?\s*(?:{_DASH}|-|/|至|到)\s*({_YEAR})(?=年|赛季|学年|财年|年度)",
        lambda m: read_digits(m[1]) + "到" + read_digits(m[2]),
    ),
    _sub(r"(?<![\d.])2(?=分之)", "二"),  # 5又2分之1: never 两分之
    # Fractions ourselves: wetext reads 约3/4 as 四分之约三.
    _sub(
        r"(?<![\d./])(\d{1,2})/(\d{1,3})(?![\d./])",
        lambda m: (
            read_integer(int(m[2])) + "分之" + read_integer(int(m[1])) if int(m[1]) < int(m[2]) else m[0]
        ),
    ),
    # A year naming an event, 2026江城马拉松 → 二零二六 (not two thousand and twenty-six).
    _sub(
        rf"(?:^|(?<=[，。：；、“《（\s]))({_YEAR})(?={_HAN})(?![{_LIANG}年个人元名次家户条天万亿届])",
        lambda m: read_digits(m[1]),
    ),
    # A decimal that looks like month.day (wetext: 11.6英寸 → 十一月六日, 10.18点 → 十月十八日) is one before a
    # unit, or after a word of change or level at a clause's end (增长11.6。); 将于10.20召开 stays a date.
    _sub(
        rf"(?<![\d.:A-Za-z\-−－$€£¥￥₩])(?<![A-Za-z]\s)(1[0-2]|[1-9])\.(\d{{1,2}})(?![\d.])(?=\s*(?:{_AFTER_DECIMAL}))",
        lambda m: read_decimal(m[1], m[2]),
    ),
    _sub(
        r"(?<=[涨跌长降率比数值达约])(1[0-2]|[1-9])\.(\d{1,2})(?=$|[，。、；！？）”])",
        lambda m: read_decimal(m[1], m[2]),
    ),
    # Month and day as cardinals: wetext says 一月两日 for 1月2日.
    _sub(
        rf"(?<![\d.]){_MD}月{_DAY}([日号])",
        lambda m: read_integer(int(m[1])) + "月" + read_integer(int(m[2])) + m[3],
    ),
    _sub(rf"(?<![\d.]){_DAY}日", lambda m: read_integer(int(m[1])) + "日"),  # 05日 → 五日
    # 8:00 a.m. → 上午8:00 (wetext reads only some of these forms)
    _sub(r"(?i)(?<![\d:])(\d{1,2}:\d{2}(?::\d{2})?)\s?([ap])\.?m\.?(?![A-Za-z\d])", _meridiem),  # not PM2.5
    _sub(r"(?<![\d:])(\d{1,2}):(\d{2})(?![\d:])(?!\s*比)", _clock),  # 0:30 is a time, not a score
    _sub(r"(?<=\S)\s*\+\s*(?=\S)|(?<=[\d万亿])\+", "加"),  # 1+X, 居住证+积分, 10万+
    _sub(r"(?<![A-Za-z0-9.])([A-Z]{1,6})-?(\d+)(?![\d.])", _code),  # G60 → G六零, A04版 → A零四版
    _sub(r"第(\d+)(?![\d.,])", lambda m: "第" + read_integer(int(m[1]))),  # wetext says 第两季度
    _sub(rf"(?<![\d.,])2(?=[{_LIANG}万亿千])", "两"),
    _sub(r"(?<![\d.])(\d[05])后", lambda m: read_digits(m[1]) + "后"),  # 95后 → 九五后
    _sub(rf"(?<=\d)({_UNIT})(?![A-Za-z])", lambda m: _UNITS[m[1]]),  # 0.5g → 0.5克
    _sub(rf"(?<=[元克米斤吨])/(?={_HAN})", "每"),  # 12元/公斤 → 12元每公斤
    _sub(rf"^(\d{{1,2}})[.、](?={_HAN})", lambda m: read_integer(int(m[1])) + "、"),  # 1.加快 → 一、
)


@lru_cache(maxsize=4096)
def _normalize(text: str) -> str:
    for rule in _RULES:
        text = rule(text)
    return "".join(_wetext_numbers(clause) for clause in _CLAUSES.split(text))


def _wetext_numbers(clause: str) -> str:
    """Give wetext only the stretches with digits, with a few characters each side for units and context.

    Its cost grows with the length of what it is given (≈0.15 ms a character), and most of a sentence is words.
    """
    windows: list[list[int]] = []
    for m in _DIGIT_RUN.finditer(clause):
        start = m.start() - len(_HAN_BEFORE.search(clause, 0, m.start())[0])
        end = m.end() + len(_HAN_AFTER.match(clause, m.end())[0])
        if windows and start <= windows[-1][1]:
            windows[-1][1] = end
        else:
            windows.append([start, end])
    out, at = [], 0
    for start, end in windows:
        out += [clause[at:start], _wetext(clause[start:end])]
        at = end
    return "".join([*out, clause[at:]])


@lru_cache(maxsize=16384)
def _wetext(clause: str) -> str:
    return two_thousand(_normalizer().normalize(clause)) if re.search(r"\d", clause) else clause


@cache
def _normalizer():  # type: ignore[no-untyped-def]
    # wetext ships its FSTs in the wheel (no download) and reads dates, 万/亿, percents and ranges right.
    from wetext import Normalizer

    return Normalizer(lang="zh", operator="tn")
