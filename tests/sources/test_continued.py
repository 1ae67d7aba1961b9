from enews_audio.model import Article, Page
from enews_audio.sources.continued import join_continued


def story(title: str, *paragraphs: str) -> Article:
    return Article(title=title, paragraphs=paragraphs)


def test_joins_by_title_across_lettered_pages_and_chinese_numerals():
    pages = [
        Page("A01", "要闻", (story("河道清淤完工", "第一段。（下转A3版）"), story("另一篇", "正文。"))),
        Page("A02", "城事", (story("菜价平稳", "正文。"),)),
        Page(
            "A03",
            "综合",
            (
                story("别的续篇", "（上接第一版）不是它的下文。"),
                story("河道清淤完工", "（上接第一版）第二段。", "第三段。"),
            ),
        ),
    ]
    joined = join_continued(pages)
    assert joined[0].articles[0].paragraphs == ("第一段。", "第二段。", "第三段。")
    assert [a.title for a in joined[2].articles] == ["别的续篇"]
    assert joined[2].articles[0].paragraphs == ("不是它的下文。",)  # an orphan keeps its text, not the marker


def test_a_single_continuation_joins_even_with_another_title():
    pages = [
        Page("01", "要闻", (story("春播开始", "播种机下田。（下转第十二版）"),)),
        Page("12", "农业", (story("春播", "下转的后半篇。上接第1版"),)),
    ]
    joined = join_continued(pages)
    assert joined[0].articles[0].paragraphs == ("播种机下田。", "下转的后半篇。")
    assert joined[1].articles == ()


def test_unknown_page_numbers_join_nothing():
    pages = [Page("01", "要闻", (story("标题", "文字。（下转第一二版）"),))]
    assert join_continued(pages)[0].articles[0].paragraphs == ("文字。",)
