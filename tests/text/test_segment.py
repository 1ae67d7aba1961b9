import pytest

from enews_audio.text.segment import _words, pack_clauses, split_sentences


def test_sentences_end_at_chinese_end_marks_and_keep_closing_quotes():
    text = "完成投资1696.8亿元、完成率59.1%。开工率87.1%！他说：“好。”真的吗？最后没有句号"
    assert split_sentences(text) == [
        "完成投资1696.8亿元、完成率59.1%。",
        "开工率87.1%！",
        "他说：“好。”",
        "真的吗？",
        "最后没有句号",
    ]


def test_a_run_of_end_marks_stays_with_its_sentence():
    assert split_sentences("怎么会这样？！接着说……好。") == ["怎么会这样？！", "接着说……", "好。"]


def test_short_sentence_is_not_packed():
    assert pack_clauses("短句。", 20) == ["短句。"]


def test_long_sentence_packs_clauses_at_commas_within_limit():
    sentence = "一是拓宽融合发展路径，二是系统集成政策体系，三是强化重大项目支撑，四是创新体制机制改革。"
    pieces = pack_clauses(sentence, 24)
    assert "".join(pieces) == sentence
    assert all(len(p) <= 24 for p in pieces)
    assert all(p.endswith(("，", "。")) for p in pieces)


@pytest.mark.parametrize("limit", [10, 16, 25])
def test_unpunctuated_stretch_breaks_only_at_word_boundaries(limit):
    sentence = (
        "加快一二三产融合发展实施土特产富全链发展优质优价工程清单化精准培育建成乡村全产业链一百三十五条以上。"
    )
    pieces = pack_clauses(sentence, limit)
    assert "".join(pieces) == sentence
    assert all(len(p) <= limit for p in pieces)
    boundaries, at = set(), 0
    for word in _words(sentence):
        at += len(word)
        boundaries.add(at)
    at = 0
    for piece in pieces[:-1]:
        at += len(piece)
        assert at in boundaries, f"cut inside a word after {piece!r}"


def test_limit_too_small_is_a_programmer_error():
    with pytest.raises(ValueError):
        pack_clauses("随便什么句子", 3)
