"""The Chinese text knowledge every stage shares: one definition, checked here once."""

import datetime as dt
import re

import pytest

from enews_audio.chars import ASCII_ALNUM, CHINESE_DIGITS, FULLWIDTH_ALNUM, HAN, is_speakable, weekday

_HAN = re.compile(f"[{HAN}]")


@pytest.mark.parametrize(
    ("char", "han"),
    [
        ("中", True),
        ("㐀", True),  # extension A
        ("𠮷", True),  # extension B, printed in names
        ("﨑", True),  # a compatibility ideograph
        ("〇", False),  # a numeral sign, not an ideograph
        ("䷀", False),  # a Yijing hexagram, between extension A and the unified block
        ("，", False),
        ("Ａ", False),
        ("a", False),
    ],
)
def test_han_is_the_ideographs(char, han):
    assert bool(_HAN.fullmatch(char)) is han


def test_full_width_digits_and_letters_become_ascii_and_punctuation_stays():
    assert "Ｇ６０，１２３ａｂ！".translate(ASCII_ALNUM) == "G60，123ab！"
    assert re.fullmatch(f"[{FULLWIDTH_ALNUM}]+", "０９ＡＺａｚ")


def test_weekdays_and_digits():
    assert [weekday(dt.date(2025, 12, 29) + dt.timedelta(days=n)) for n in (0, 2, 6)] == [
        "星期一",
        "星期三",
        "星期日",
    ]
    assert CHINESE_DIGITS.index("七") == 7


@pytest.mark.parametrize(
    ("text", "speakable"), [("你好", True), ("A", True), ("3", True), ("……！？", False), ("", False)]
)
def test_speakable_means_a_letter_digit_or_han_character(text, speakable):
    assert is_speakable(text) is speakable
