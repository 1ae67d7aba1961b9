import datetime as dt

import pytest

from enews_audio.model import Article, Issue, Page
from enews_audio.text import Lexicon, TextSettings, lint, load_lexicon
from enews_audio.text.lint import _risks


def _issue(*paragraphs: str, title: str = "银行新规") -> Issue:
    article = Article(title=title, paragraphs=paragraphs)
    return Issue("山城晚报", dt.date(2025, 12, 31), (Page("A02", "财经", (article,)),))


def _found(findings, kind: str) -> set[str]:
    return {f.word for f in findings if f.kind == kind}


def test_everyday_polyphones_are_not_findings():
    # Their word and character readings differ, but every voice reads them right.
    text = "市民到银行办理业务，作为试点的应用场景增长很快，重庆的长江大桥也在其中。"
    assert lint(_issue(text)) == []
    assert lint(_issue(text), engine="edge") == []


def test_a_reading_pypinyin_takes_across_a_word_is_found_with_its_place():
    findings = lint(_issue("这门手艺已经传到第四代。", "下一段。"))
    (found,) = [f for f in findings if f.kind == "reading"]
    assert found.word == "传到" and "zhuan4" in found.detail and "chuan2" in found.detail
    assert (found.page, found.article) == ("A02", "银行新规")


def test_the_shipped_lexicon_fixes_what_it_lists():
    text = "这门手艺已经传到第四代，闵行区有三十人参加学习。"
    assert _found(lint(_issue(text)), "reading") == {"传到", "闵行", "参加"}  # 人参 (ginseng) across words
    shipped = TextSettings(lexicon=load_lexicon("offline", "zf_xiaobei"))
    assert lint(_issue(text), shipped) == []


def test_names_with_a_surname_read_otherwise_are_found():
    findings = lint(_issue("记者曾国强报道，解小东说，市民王芳也来了。"))
    assert _found(findings, "name") == {"曾国强", "解小东"}
    own = TextSettings(lexicon=Lexicon(pinyin={"曾国强": "zeng1 guo2 qiang2"}))
    assert _found(lint(_issue("记者曾国强报道。"), own), "name") == set()


def test_edge_lists_the_curated_words_and_names():
    findings = lint(_issue("游客在朝天门合影，单晓雯说风景很好。"), engine="edge")
    assert _found(findings, "watch") == {"朝天门"}
    assert _found(findings, "name") == {"单晓雯"}


@pytest.mark.parametrize(
    ("word", "flagged"), [("iPhone", True), ("COVID", True), ("GDP", False), ("CBD", False)]
)
def test_latin_words_the_offline_voice_would_spell_out(word, flagged):
    findings = lint(_issue(f"新发布的{word}上线。"))
    assert (word in _found(findings, "latin")) is flagged
    assert not _found(lint(_issue(f"新发布的{word}上线。"), engine="edge"), "latin")


def test_leftover_digits_and_symbols_are_found():
    findings = lint(_issue("新推出★服务。"))
    assert _found(findings, "symbol") == {"★"}
    assert [(w, k) for w, k, _ in _risks("第3号", "offline", {})] == [("3", "number")]


def test_the_latin_words_the_shipped_lexicon_leaves_are_listed():
    text = "新发布的iPhone支持Wi-Fi，还能拍Vlog。"
    assert _found(lint(_issue(text)), "latin") == {"iPhone", "Wi-Fi", "Vlog"}
    shipped = TextSettings(lexicon=load_lexicon("offline", "zf_xiaobei"))
    assert _found(lint(_issue(text), shipped), "latin") == {"Vlog"}


@pytest.mark.parametrize(
    ("spoken", "code"),
    [
        ("手机尾号为三千三百八十五", "尾号为三千三百八十五"),
        ("住在零八百零六室", "零八百零六"),
        ("编号三万零四百一十七", "编号三万零四百一十七"),
    ],
)
def test_a_code_read_as_a_quantity_is_found(spoken, code):
    assert [(w, k) for w, k, _ in _risks(spoken, "offline", {})] == [(code, "code")]


@pytest.mark.parametrize(
    "spoken",
    [
        "接到电话一百多个",
        "一百零八人",
        "零点五",
        "二零二五年",
        "零下十五度",
        "尾号幺七零二",
        "比分一百零二比九十",
    ],
)
def test_quantities_and_codes_read_right_are_not_findings(spoken):
    assert [k for _, k, _ in _risks(spoken, "offline", {}) if k == "code"] == []


def test_codes_in_an_issue_are_read_digit_by_digit_so_lint_finds_none():
    findings = lint(
        _issue("手机尾号为5821的市民住在0806室。", "双方以21:19结束比赛，屏幕为11.6英寸。", title="市民来信")
    )
    assert not {f.kind for f in findings} & {"code", "number"}


def test_numbers_read_out_and_tone_sandhi_are_not_findings():
    findings = lint(_issue("全年完成一百项任务，共计1500台，一件接着一件办，不断提高。", title="任务完成"))
    assert findings == []
