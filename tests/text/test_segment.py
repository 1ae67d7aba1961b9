import pytest

from enews_audio.text.segment import pack_clauses, split_sentences, words


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
    for word in words(sentence):
        at += len(word)
        boundaries.add(at)
    at = 0
    for piece in pieces[:-1]:
        at += len(piece)
        assert at in boundaries, f"cut inside a word after {piece!r}"


def test_limit_too_small_is_a_programmer_error():
    with pytest.raises(ValueError):
        pack_clauses("随便什么句子", 3)


PARAGRAPH = (
    "今年以来，市乡村振兴工作专班坚持以城乡融合发展为主线，全面落实“132”总体部署，"
    "完成年度投资1696.8亿元、完成率59.1%，"
    "统筹推进强村富民乡村集成改革和农业转移人口市民化集成改革深化拓展新时代美丽乡村建设和县域城乡融合发展试点"
    "持续扩大优质公共服务供给覆盖面；新培育农创客2万人，带动农民就业增收。"
    "据统计，1—11月全市农村居民人均可支配收入达3.5万元，同比增长6.8%！"
)


def _cuts(pieces):
    at, cuts = 0, []
    for piece in pieces[:-1]:
        at += len(piece)
        cuts.append(at)
    return cuts


@pytest.mark.parametrize("limit", [8, 12, 20, 30, 45, 80])
def test_a_long_paragraph_packs_within_the_limit_and_never_cuts_a_word_or_number(limit):
    for sentence in split_sentences(PARAGRAPH):
        pieces = pack_clauses(sentence, limit)
        assert "".join(pieces) == sentence
        assert all(0 < len(p) <= limit for p in pieces)
        boundaries, at = set(), 0
        for word in words(sentence):
            at += len(word)
            boundaries.add(at)
        for cut in _cuts(pieces):
            assert cut in boundaries or sentence[cut - 1] in "，、：", f"cut inside a word at {cut}"
        for number in ("1696.8", "59.1%", "3.5", "6.8%"):
            if number in sentence and len(number) <= limit:
                assert any(number in p for p in pieces), f"{number} was cut"


def test_paragraph_sentences_end_at_semicolon_and_exclamation():
    sentences = split_sentences(PARAGRAPH)
    assert [s[-1] for s in sentences] == ["；", "。", "！"]
