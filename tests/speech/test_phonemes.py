import json
import re
from pathlib import Path

import pytest
from misaki.zh import ZHG2P

from enews_audio.speech.phonemes import MAX_TOKENS, PAUSES, split_phonemes, to_phonemes, to_token_ids

VOCAB = json.loads((Path(__file__).parents[2] / "voices" / "kokoro" / "vocab.json").read_text("utf-8"))


def ipa(pinyin: str) -> str:
    """One word's phonemes, straight from misaki's pinyin → IPA table (diphthong marks removed)."""
    return "".join(ZHG2P.py2ipa(py) for py in pinyin.split()).replace(chr(815), "")


def words(text: str) -> list[str]:
    return re.sub(r'[;:,.!?—…"()“”]', " ", text).split()


def test_pinyin_comes_from_the_whole_sentence():
    result = to_phonemes("他下班后去银行还钱，顺便逛了逛都市。")
    assert ipa("huan2") in words(result.text)
    assert ipa("du1 shi4") in words(result.text)
    assert ipa("hai2") not in words(result.text)


def test_words_are_separated_by_spaces_syllables_are_not():
    assert words(to_phonemes("我们喜欢音乐").text) == [ipa("wo3 men5"), ipa("xi3 huan1"), ipa("yin1 yue4")]


def test_full_width_marks_become_kokoro_pauses():
    text = to_phonemes("春天来了，花开了。你好吗？好！").text
    assert [c for c in text if c in PAUSES - {" "}] == [",", ".", "?", "!"]
    assert ", " in text
    assert text.endswith("!")


def test_ascii_marks_are_repaired_like_full_width_ones():
    assert to_phonemes("春天来了,花开了!") == to_phonemes("春天来了，花开了！")


def test_book_title_marks_become_quotes():
    text = to_phonemes("他读了《小王子》。").text
    assert f"“{ipa('xiao3 wang2 zi3')}”." in text


def test_latin_letters_are_spelled_not_dropped():
    result = to_phonemes("拍了X光")
    assert result.dropped == ()
    assert ipa("ai4 ke4 si5") in words(result.text)
    assert len(words(to_phonemes("GDP").text)) == 3


def test_lower_and_upper_case_letters_read_the_same():
    assert to_phonemes("abc") == to_phonemes("ABC")


def test_remaining_digits_are_read_out():
    assert to_phonemes("买了3个苹果").text == to_phonemes("买了三个苹果").text
    assert to_phonemes("共1,000元").text == to_phonemes("共一千元").text
    assert not re.search(r"\d", to_phonemes("编号９").text)


def test_overrides_win_over_the_dictionary():
    plain = to_phonemes("天台的风景")
    fixed = to_phonemes("天台的风景", overrides={"天台": "tian1 tai1"})
    assert ipa("tian1 tai1") in words(fixed.text)
    assert words(fixed.text)[1:] == words(plain.text)[1:]


def test_an_override_needs_one_syllable_per_character():
    with pytest.raises(ValueError, match="天台"):
        to_phonemes("天台", overrides={"天台": "tian1"})


def test_unvoiceable_characters_are_reported():
    result = to_phonemes("今天☺好")
    assert result.dropped == ("☺",)
    assert result.speakable


def test_marks_alone_are_not_speakable():
    assert not to_phonemes("……，。").speakable
    assert not to_phonemes("☺").speakable


def test_every_symbol_is_in_the_vocabulary():
    text = "2024年，“新质生产力”（NEV）成了热词——她说：“真好！”一〇〇号、《论语》…还有iPhone？"
    result = to_phonemes(text)
    assert result.text
    assert set(result.text) <= set(VOCAB)
    assert to_token_ids(result.text) == [VOCAB[c] for c in result.text]


def test_token_ids_reject_symbols_outside_the_vocabulary():
    with pytest.raises(ValueError, match="Kokoro phoneme"):
        to_token_ids("ni§")


def test_long_text_is_split_at_marks_within_the_limit():
    phonemes = to_phonemes("今天上午，市民们来到公园参加植树活动。" * 40).text
    assert len(phonemes) > 3 * MAX_TOKENS
    chunks = split_phonemes(phonemes)
    assert len(chunks) > 3
    assert all(len(c) <= MAX_TOKENS for c in chunks)
    assert all(c[-1] in ",." for c in chunks)
    assert " ".join(chunks) == phonemes


def test_without_marks_the_split_falls_on_spaces():
    phonemes = to_phonemes("我们 喜欢 音乐 " * 10).text
    chunks = split_phonemes(phonemes, limit=30)
    assert all(len(c) <= 30 for c in chunks)
    assert " ".join(chunks) == phonemes
    assert all(w in words(phonemes) for c in chunks for w in c.split())


def test_a_text_without_spaces_is_cut_hard():
    assert split_phonemes("a" * 25, limit=10) == ["a" * 10, "a" * 10, "a" * 5]


def test_short_text_is_one_chunk():
    assert split_phonemes("ni↓ xau↓.") == ["ni↓ xau↓."]
