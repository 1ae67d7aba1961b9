"""The briefing's script: the pages' own opening lines, a chapter per page, never more than its share."""

import datetime as dt

import pytest

from enews_audio.model import Article, Issue, Page, Part
from enews_audio.text import TextSettings, to_brief, to_script
from enews_audio.text.script import BRIEF_SHARE, estimated_seconds

BODY = ("全市新开公交线路十二条，覆盖三十个行政村，群众出行更加方便。" * 4,)


def _issue(*pages: Page) -> Issue:
    return Issue("山城晚报", dt.date(2025, 12, 31), pages)


def _page(code: str, name: str, *titles: str, body: tuple[str, ...] = BODY) -> Page:
    return Page(code, name, tuple(Article(title=t, paragraphs=body) for t in titles))


def test_the_briefing_says_the_pages_opening_lines_with_a_chapter_per_page():
    issue = _issue(
        _page("A01", "要闻", "民生实事全部兑现", "跨年夜交通管制"), _page("A04", "聚焦", "加装电梯")
    )
    script = to_script(issue, TextSettings())
    brief = to_brief(script, TextSettings())
    assert brief is not None
    shown = [u.display for u in brief.utterances]
    assert shown == [
        "山城晚报，2025年12月31日，星期三。",
        "今日要目，本期共两个版面。",
        "A01版，要闻。本版共两篇文章。",
        "第一篇，民生实事全部兑现。",
        "第二篇，跨年夜交通管制。",
        "A04版，聚焦。本版共一篇文章。",
        "第一篇，加装电梯。",
        "今日要目播报完毕。",
    ]
    # every line but its own two is a page's opening line, word for word: the same clip
    openings = {u.spoken for page in script.pages for u in page.utterances if u.part is Part.OPENING}
    own = [u.spoken for u in brief.utterances if u.spoken not in openings]
    assert own == ["今日要目，本期共两个版面。", "今日要目播报完毕。"]
    # chapters: the opening, then one per page; the closing stays in the last page's
    assert [a.title for a in brief.page.articles] == ["今日要目", "A01版 要闻", "A04版 聚焦"]
    assert [u.article for u in brief.utterances] == [0, 0, 1, 1, 1, 2, 2, 2]
    assert brief.page.code == "" and brief.page.slug == "brief"


def test_headlines_that_would_take_more_than_the_share_leave_the_pages_names_alone():
    long_titles = [f"第{n}条很长很长的标题说的是一件又一件发生在山城的事情" for n in range(6)]
    issue = _issue(
        _page("A01", "要闻", *long_titles, body=("短。",)),
        _page("A02", "综合", "一", body=("全市新开公交线路。" * 20,)),
    )
    script = to_script(issue, TextSettings())
    brief = to_brief(script, TextSettings())
    assert brief is not None
    assert not any("很长很长" in u.display for u in brief.utterances)
    assert "A01版，要闻。本版共六篇文章。" in [u.display for u in brief.utterances]
    issue_seconds = estimated_seconds(u for p in script.pages for u in p.utterances)
    assert estimated_seconds(brief.utterances) <= BRIEF_SHARE * issue_seconds


def test_no_briefing_for_one_page_or_when_even_the_names_would_be_too_long():
    one = to_script(_issue(_page("A01", "要闻", "民生实事")), TextSettings())
    assert to_brief(one, TextSettings()) is None
    tiny = to_script(
        _issue(_page("A01", "要闻", "一", body=("短。",)), _page("A02", "综合", "二", body=("短。",))),
        TextSettings(),
    )
    assert to_brief(tiny, TextSettings()) is None


def test_a_printed_page_must_have_a_code():
    with pytest.raises(ValueError, match="A04"):
        _issue(_page("", "要闻", "民生实事"))
