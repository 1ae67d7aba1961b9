import datetime as dt

from enews_audio.model import Article, Issue, Page
from enews_audio.text import Lexicon, TextSettings, lint


def _issue(*paragraphs: str, title: str = "银行新规") -> Issue:
    article = Article(title=title, paragraphs=paragraphs)
    return Issue("山城晚报", dt.date(2025, 12, 31), (Page("A02", "财经", (article,)),))


def test_polyphones_latin_and_symbols_are_found_with_their_place():
    findings = lint(_issue("市民到银行办理业务。", "新发布的APP上线★服务。"))
    kinds = {(f.word, f.kind) for f in findings}
    assert ("银行", "polyphone") in kinds
    assert ("APP", "latin") in kinds
    assert ("★", "symbol") in kinds
    bank = next(f for f in findings if f.word == "银行")
    assert (bank.page, bank.article) == ("A02", "银行新规")
    assert "hang2" in bank.detail and "xing2" in bank.detail
    assert bank.sentence < next(f for f in findings if f.word == "APP").sentence


def test_numbers_read_out_and_tone_sandhi_are_not_findings():
    findings = lint(_issue("全年完成一百项任务，共计1500台。", title="任务完成"))
    assert not [f for f in findings if f.kind in {"number", "polyphone"}]


def test_words_the_lexicon_fixes_are_not_reported():
    settings = TextSettings(lexicon=Lexicon(pinyin={"银行": "yin2 hang2"}))
    assert not [f for f in lint(_issue("市民到银行办理业务。"), settings) if f.word == "银行"]
