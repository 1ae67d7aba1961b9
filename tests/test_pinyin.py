import pytest

from enews_audio.pinyin import read_run, sandhi


def _pinyin(text: str, overrides: dict[str, str] | None = None) -> str:
    return " ".join(s for _, syllables in read_run(text, overrides or {}) for s in syllables)


# 一 and 不 as a newsreader says them; pypinyin alone leaves most of these at yī and bù.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一件接着一件办", "yi2 jian4 jie1 zhe5 yi2 jian4 ban4"),
        ("一年接着一年干", "yi4 nian2 jie1 zhe5 yi4 nian2 gan4"),
        ("不断提高", "bu2 duan4 ti2 gao1"),
        ("不能一刀切", "bu4 neng2 yi4 dao1 qie1"),
        ("是不是", "shi4 bu5 shi4"),
        ("看一看", "kan4 yi5 kan4"),
        ("一万", "yi2 wan4"),
        ("一千八百", "yi4 qian1 ba1 bai3"),
        # yī: digits, ordinals, the end of a word, dates, scores, times of day
        ("二零二一年", "er4 ling2 er4 yi1 nian2"),
        ("一九九八年", "yi1 jiu3 jiu3 ba1 nian2"),
        ("第一次", "di4 yi1 ci4"),
        ("统一部署", "tong3 yi1 bu4 shu3"),
        ("一月中旬", "yi1 yue4 zhong1 xun2"),
        ("每周一至周五", "mei3 zhou1 yi1 zhi4 zhou1 wu3"),
        ("三比一逆转", "san1 bi3 yi1 ni4 zhuan3"),
        ("次日一时", "ci4 ri4 yi1 shi2"),
        ("一点五", "yi1 dian3 wu3"),
        ("快一点", "kuai4 yi4 dian3"),
        ("一是加快", "yi1 shi4 jia1 kuai4"),
    ],
)
def test_yi_and_bu_change_tone_as_read_aloud(text, expected):
    assert _pinyin(text) == expected


def test_lexicon_words_keep_their_reading_and_still_set_the_tone_of_yi():
    assert _pinyin("天台县一日游", {"天台县": "tian1 tai1 xian4"}).startswith("tian1 tai1 xian4 yi2 ri4")


def test_sandhi_leaves_other_characters_alone():
    assert sandhi("你好", ["ni3", "hao3"]) == ["ni3", "hao3"]
