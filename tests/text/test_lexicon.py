import pytest
from pypinyin import Style, lazy_pinyin

from enews_audio.errors import TextError
from enews_audio.text import Lexicon, load_lexicon


def _write(tmp_path, body, name="mine.toml"):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_offline_lexicon_ships_place_names_pypinyin_misreads():
    lexicon = load_lexicon("offline", "zf_xiaobei")
    assert lexicon.pinyin["天台县"] == "tian1 tai1 xian4"
    assert lexicon.pinyin["单县"] == "shan4 xian4"
    for word, reading in lexicon.pinyin.items():
        assert len(reading.split()) == len(word)
        # an entry pypinyin already reads right is dead weight
        assert lazy_pinyin(word, style=Style.TONE3, neutral_tone_with_five=True) != reading.split(), word


def test_edge_gets_no_pinyin():
    assert not load_lexicon("edge", "zh-CN-XiaoxiaoNeural").pinyin


def test_user_file_is_scoped_by_engine_and_voice_and_wins(tmp_path):
    mine = _write(
        tmp_path,
        '[substitutions]\n"长江" = "常江"\n'
        '[engines.edge.substitutions]\n"单县" = "善县"\n'
        '[voices.zm_yunxi.pinyin]\n"乐清" = "yue4 qing1"\n'
        '[pinyin]\n"单县" = "dan1 xian4"\n',
    )
    edge = load_lexicon("edge", "zh-CN-XiaoxiaoNeural", [mine])
    assert edge.substitutions == {"长江": "常江", "单县": "善县"}
    offline = load_lexicon("offline", "zm_yunxi", [mine])
    assert "单县" not in offline.substitutions
    assert offline.pinyin["乐清"] == "yue4 qing1"
    assert offline.pinyin["单县"] == "dan1 xian4"  # the user's file overrides the shipped entry
    assert offline.files[-1] == mine


def test_substitution_prefers_the_longest_word():
    lexicon = Lexicon({"重庆": "崇庆", "重庆市": "崇庆市区"})
    assert lexicon.substitute("重庆市和重庆") == "崇庆市区和崇庆"
    assert Lexicon().substitute("原样") == "原样"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[pinyin]\n"天台县" = "tian1 tai1"\n', "mine.toml:2"),
        ('[pinyin]\n\n"天台" = "tian tai"\n', "mine.toml:3"),
        ('[pinyin]\n"G60" = "ji4 liu4"\n', "Chinese characters only"),
        ('[substitutions]\n"重庆" = 3\n', "mine.toml:2"),
        ("[substitution]\n", "unknown table"),
        ('[substitutions]\n"重庆" = \n', "mine.toml:2:8: not valid TOML: Invalid value"),
    ],
)
def test_a_malformed_lexicon_is_one_line_naming_file_and_line(tmp_path, body, message):
    path = _write(tmp_path, body)
    with pytest.raises(TextError) as caught:
        load_lexicon("offline", "zf_xiaobei", [path])
    assert str(path) in str(caught.value)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_user_lexicon_is_reported(tmp_path):
    with pytest.raises(TextError, match="not found"):
        load_lexicon("edge", "x", [tmp_path / "nope.toml"])


def test_a_latin_substitution_matches_whole_words_only():
    lexicon = Lexicon({"Max": "麦克斯", "Apple": "苹果"})
    assert lexicon.substitute("Apple发布iPhone 15 Pro Max") == "苹果发布iPhone 15 Pro 麦克斯"
    assert lexicon.substitute("Maxwell与Pineapple") == "Maxwell与Pineapple"


def test_shipped_latin_readings_are_what_the_offline_voice_can_say():
    from enews_audio.speech.phonemes import to_phonemes
    from enews_audio.text.lint import _LATIN

    lexicon = load_lexicon("offline", "zf_xiaobei")
    latin = {word: said for word, said in lexicon.substitutions.items() if word.isascii()}
    assert {"iPhone", "Wi-Fi", "Tesla"} <= set(latin)
    for word, said in latin.items():
        assert not _LATIN.search(said), word  # not a word the voice would spell out again
        assert to_phonemes(said).dropped == (), word
    assert lexicon.substitute("新款iPhone支持Wi-Fi") == "新款爱疯支持歪飞"
    assert not load_lexicon("edge", "zh-CN-XiaoxiaoNeural").substitutions.get("iPhone")  # edge reads English
