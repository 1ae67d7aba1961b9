import datetime as dt

import pytest

from enews_audio.model import Article, Issue, Page, Part
from enews_audio.text import Lexicon, TextSettings, chinese_number, to_script


def _issue(*articles: Article) -> Issue:
    return Issue("山城晚报", dt.date(2025, 12, 31), (Page("A04", "聚焦", articles),))


STORY = Article(
    title="全市民生实事 全部完成",
    kicker="年终盘点",
    subtitle="——三十二个项目按期交付",
    byline="记者 李明",
    paragraphs=("今年,全市安排民生实事项目32项,完成率100%。总投资128.6亿元。",),
    captions=("新建的社区食堂。",),
)
OTHER = Article(title="山区公交通到村口", paragraphs=("全市新开公交线路12条。",))


def test_page_opens_with_paper_date_weekday_page_and_rundown():
    page = to_script(_issue(STORY, OTHER), TextSettings()).pages[0]
    opening = [u.display for u in page.utterances if u.part is Part.OPENING]
    assert opening == [
        "山城晚报，2025年12月31日，星期三。",
        "A04版，聚焦。本版共两篇文章。",
        "第一篇，全市民生实事，全部完成。",
        "第二篇，山区公交通到村口。",
    ]
    assert "A零四版" in page.utterances[1].spoken
    assert "二零二五年十二月三十一日" in page.utterances[0].spoken


def test_each_article_is_announced_with_number_and_headings():
    page = to_script(_issue(STORY, OTHER), TextSettings()).pages[0]
    headers = [u for u in page.utterances if u.part is Part.HEADER and u.article == 0]
    assert [u.display for u in headers] == [
        "第一篇，共两篇。",
        "年终盘点",
        "全市民生实事 全部完成",
        "三十二个项目按期交付",
        "记者 李明",
    ]
    assert headers[2].spoken == "全市民生实事，全部完成。"  # the line break is heard as a pause


def test_body_is_split_and_normalised():
    page = to_script(_issue(STORY, OTHER), TextSettings()).pages[0]
    body = [u for u in page.utterances if u.part is Part.BODY]
    assert [u.display for u in body] == [
        "今年，全市安排民生实事项目32项，完成率100%。",
        "总投资128.6亿元。",
        "全市新开公交线路12条。",
    ]
    assert body[0].spoken == "今年，全市安排民生实事项目三十二项，完成率百分之一百。"


def test_captions_close_the_article_and_pauses_grow_with_structure():
    s = TextSettings()
    page = to_script(_issue(STORY, OTHER), s).pages[0]
    caption = next(u for u in page.utterances if u.part is Part.CAPTION)
    assert caption.display == "图片说明：新建的社区食堂。"
    assert caption.pause == s.pauses.article
    body = [u for u in page.utterances if u.part is Part.BODY and u.article == 0]
    assert body[0].pause == s.pauses.sentence
    assert body[-1].pause == s.pauses.paragraph
    assert page.utterances[-1].part is Part.CLOSING


def test_long_sentences_are_packed_below_the_limit():
    long = Article(title="长句", paragraphs=("，".join(["城乡规划布局一体融合发展"] * 12) + "。",))
    page = to_script(_issue(long), TextSettings(max_chars=30)).pages[0]
    assert all(len(u.display) <= 30 for u in page.utterances if u.part is Part.BODY)
    assert "".join(u.display for u in page.utterances if u.part is Part.BODY) == long.paragraphs[0]


@pytest.mark.parametrize(
    ("n", "ordinal", "count"),
    [(1, "一", "一"), (2, "二", "两"), (10, "十", "十"), (12, "十二", "十二"), (25, "二十五", "二十五")],
)
def test_chinese_numbers(n, ordinal, count):
    assert chinese_number(n) == ordinal
    assert chinese_number(n, count=True) == count


def test_lexicon_changes_what_is_said_not_what_is_shown():
    lexicon = Lexicon({"渝中区": "鱼中区"})
    article = Article(title="渝中区新闻", paragraphs=("渝中区新开2家食堂。",))
    page = to_script(_issue(article), TextSettings(lexicon=lexicon)).pages[0]
    body = next(u for u in page.utterances if u.part is Part.BODY)
    assert body.display == "渝中区新开2家食堂。"
    assert body.spoken == "鱼中区新开两家食堂。"


def test_user_templates_reword_and_silence_lines(tmp_path):
    path = tmp_path / "script.toml"
    path.write_text(
        '[page]\nclosing = ""\nsummary = "{code}版{name}，{count}篇。"\n[article]\ncaption = "照片：{text}"\n',
        encoding="utf-8",
    )
    page = to_script(_issue(STORY, OTHER), TextSettings(script=path)).pages[0]
    assert page.utterances[1].display == "A04版聚焦，两篇。"
    assert page.utterances[-1].part is not Part.CLOSING
    assert any(u.display == "照片：新建的社区食堂。" for u in page.utterances)


def test_an_empty_page_name_leaves_no_stray_comma():
    issue = Issue("山城晚报", dt.date(2025, 12, 31), (Page("A04", "", (OTHER,)),))
    assert to_script(issue, TextSettings()).pages[0].utterances[1].display == "A04版。本版共一篇文章。"
