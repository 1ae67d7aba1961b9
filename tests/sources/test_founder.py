import datetime as dt
from pathlib import Path

import pytest

from enews_audio.errors import SourceError
from enews_audio.model import Issue
from enews_audio.sources import load_issue
from enews_audio.sources.fetch import FetchSettings
from enews_audio.sources.profile import load_profiles
from support.epaper_server import EPAPER, serving

DAY = dt.date(2025, 6, 21)
CLASSIC = "classic/html/2025-06/21"

# (layout folder, entry page, paper, pages: (code, name, articles: (title, byline, paragraph count)))
LAYOUTS = {
    "classic": (
        "paperindex.htm",
        "晨光日报",
        (
            (
                "A01",
                "要闻",
                (
                    ("城南片区 二十个小区完成改造", "本报记者 方晴", 5),  # joined with its A03 part
                    ("夜间公交线路增至八条", "本报通讯员 许文", 3),
                    ("夏至时节荷花开", "", 1),  # picture only: its caption is the body
                    ("晨练人群增多 公园延长开放时间", "本报记者 蓝天", 2),  # only on the image map
                ),
            ),
            (
                "A02",
                "经济",
                (("茶园采摘进入尾声", "本报记者 王堃", 2), ("小微企业贷款利率下调", "本报记者 孔亮", 3)),
            ),
            ("A03", "综合", (("社区图书角开进菜市场", "见习记者 叶青", 3),)),
        ),
    ),
    "pclayout": (
        "index.html",
        "江川日报",
        (
            (
                "01",
                "要闻",
                (
                    ("江川大桥 主体合龙", "本报记者 韩松", 4),
                    ("夏粮收购有序展开", "本报记者 姚远 通讯员 齐明", 2),
                    ("端午假期文旅消费升温", "", 1),
                ),
            ),
            ("02", "评论", (("让“小窗口”办成“大民生”", "江 文", 3),)),
        ),
    ),
    "nbs": (
        "index.htm",
        "北岭日报",
        (
            ("01", "要闻", (("山区公路改造完成后沿线乡村迎来第一批自驾游客人", "本报记者 郑岚", 2),)),
            ("02", "国际", (("多国气象部门预测今夏偏热", "本报驻外记者 梁辰", 3),)),
        ),
    ),
}


def summary(issue: Issue) -> tuple:
    pages = tuple(
        (p.code, p.name, tuple((a.title, a.byline, len(a.paragraphs)) for a in p.articles))
        for p in issue.pages
    )
    return issue.paper, issue.date, pages


def fetch(tmp_path: Path, **changes) -> FetchSettings:
    return FetchSettings(**{"cache_dir": tmp_path / "pages", "delay": 0, "backoff": 0, **changes})


@pytest.fixture
def server():
    with serving() as running:
        yield running


def article(issue: Issue, title: str):
    return next(a for p in issue.pages for a in p.articles if a.title == title)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layout_from_url_and_from_saved_folder(server, tmp_path, layout):
    entry, paper, pages = LAYOUTS[layout]
    from_url = load_issue(server.url(f"{layout}/{entry}"), fetch=fetch(tmp_path))
    assert summary(from_url) == (paper, DAY, pages)
    assert summary(load_issue(EPAPER / layout)) == summary(from_url)
    assert summary(load_issue(EPAPER / layout, date=DAY)) == summary(from_url)
    assert not any("?" in path for path in server.requests)  # ?div=0 map links were stripped
    articles = [path for path in server.requests if "content" in path or "/nw." in path]
    assert len(articles) == len(set(articles))  # list and map links deduplicated


def test_a_page_node_url_gives_the_whole_issue(server, tmp_path):
    issue = load_issue(server.url(f"{CLASSIC}/node_5.htm"), fetch=fetch(tmp_path), date=DAY)
    assert summary(issue) == ("晨光日报", DAY, LAYOUTS["classic"][2])


def test_a_url_that_went_through_path_still_works(server, tmp_path):
    issue = load_issue(Path(server.url("nbs/index.htm")), fetch=fetch(tmp_path))
    assert [p.code for p in issue.pages] == ["01", "02"]


def test_headline_parts_kicker_subtitle_and_metadata_fallback():
    issue = load_issue(EPAPER / "classic")
    first = article(issue, "城南片区 二十个小区完成改造")
    assert (first.kicker, first.subtitle) == ("老旧小区改造提速", "加装电梯四十部 新增车位六百个")
    second = article(issue, "夜间公交线路增至八条")  # kicker and subtitle only in the enpproperty comment
    assert (second.kicker, second.subtitle) == ("方便夜归市民", "末班车延至凌晨一点")
    assert second.paragraphs[0] == "从下周一起，本市夜间公交线路由五条增至八条。"  # <br>-separated body
    bridge = article(load_issue(EPAPER / "pclayout"), "江川大桥 主体合龙")
    assert (bridge.kicker, bridge.subtitle) == ("历时三年建设", "预计明年五一前通车")


def test_source_line_breaks_inside_a_paragraph_vanish_and_spaces_stay():
    first = article(load_issue(EPAPER / "classic"), "城南片区 二十个小区完成改造")
    assert first.paragraphs[0].startswith("本报讯 记者从市住建部门获悉")
    assert "完成改造，比原定工期" in first.paragraphs[0]


def test_continued_article_is_joined_once_where_it_starts():
    issue = load_issue(EPAPER / "classic")
    first = article(issue, "城南片区 二十个小区完成改造")
    assert first.paragraphs[2] == "据介绍，明年还将启动北片十五个小区的改造，具体名单将在下月公示。"
    assert first.paragraphs[3].startswith("改造期间，各小区设立了居民议事会")
    titles = [a.title for p in issue.pages for a in p.articles]
    assert titles.count(first.title) == 1
    everything = [t for p in issue.pages for a in p.articles for t in a.paragraphs]
    assert not [t for t in everything if "下转" in t or "上接" in t]


def test_captions_stay_apart_and_picture_only_items_read_their_caption():
    issue = load_issue(EPAPER / "classic")
    first = article(issue, "城南片区 二十个小区完成改造")
    assert first.captions == ("改造后的青石巷小区。 本报记者 方晴 摄",)
    assert not [p for p in first.paragraphs if "青石巷" in p]
    picture = article(issue, "夏至时节荷花开")
    assert picture.paragraphs[0].startswith("六月二十日，西湖公园的荷花竞相开放")
    assert picture.captions == ()
    grain = article(load_issue(EPAPER / "pclayout"), "夏粮收购有序展开")
    assert grain.captions == ("农户在收购网点排队交售新麦。 本报记者 姚远 摄",)


def test_gbk_page_declared_only_in_meta(server, tmp_path):
    issue = load_issue(server.url("classic/paperindex.htm"), fetch=fetch(tmp_path))
    tea = article(issue, "茶园采摘进入尾声")
    assert "“𠮷祥茶社”" in tea.paragraphs[1]
    assert issue.pages[1].name == "经济"  # the page list of the GBK page node decoded too


def test_editor_credits_trailing_credits_and_adverts_are_skipped(server, tmp_path):
    issue = load_issue(server.url("classic/paperindex.htm"), fetch=fetch(tmp_path))
    assert server.count("content_105.htm") == 0  # the list says 本版责编: not even fetched
    assert server.count("node_6.htm") == server.count("content_401.htm") == 0  # 广告
    assert (
        article(issue, "社区图书角开进菜市场").paragraphs[-1]
        == "图书角由街道和区图书馆共建，每月更换一批新书。"
    )
    nbs = load_issue(server.url("nbs/index.htm"), fetch=fetch(tmp_path))
    assert server.count("nw.D110000renmrb_20250621_2-01.htm") == 1  # title from a script: read, then skipped
    assert all("责编" not in a.title for p in nbs.pages for a in p.articles)


def test_byline_drops_the_date_line():
    issue = load_issue(EPAPER / "pclayout")
    assert all("《" not in a.byline for p in issue.pages for a in p.articles)


def test_rerun_reads_dated_pages_from_the_cache(server, tmp_path):
    load_issue(server.url("pclayout/index.html"), fetch=fetch(tmp_path))
    before = len(server.requests)
    again = load_issue(server.url("pclayout/index.html"), fetch=fetch(tmp_path))
    assert server.requests[before:] == ["/pclayout/index.html"]  # the entry page changes daily
    assert [p.code for p in again.pages] == ["01", "02"]


def test_issue_not_published_yet(server, tmp_path):
    with pytest.raises(SourceError) as caught:
        load_issue(server.url("classic/paperindex.htm"), fetch=fetch(tmp_path), date=dt.date(2099, 1, 2))
    assert str(caught.value).startswith("the issue of 2099-01-02 is not published yet at 127.0.0.1:")


@pytest.mark.parametrize("where", ["url", "folder"])
def test_no_issue_on_that_date(server, tmp_path, where):
    source = server.url("pclayout/index.html") if where == "url" else EPAPER / "pclayout"
    with pytest.raises(SourceError, match=r"^no issue dated 2025-06-20 at "):
        load_issue(source, fetch=fetch(tmp_path), date=dt.date(2025, 6, 20))


@pytest.mark.parametrize(
    ("fault_path", "fault", "settings", "message"),
    [
        (f"{CLASSIC}/content_104.htm", "404", {}, r"content_104\.htm: not found \(HTTP 404\)$"),
        (
            f"{CLASSIC}/node_3.htm",
            "slow",
            {"timeout": 0.2, "attempts": 1},
            r"node_3\.htm: no answer within 0\.2 s$",
        ),
        (f"{CLASSIC}/content_302.htm", "big", {"max_bytes": 10_000}, r"larger than the 10000 bytes limit"),
        (f"{CLASSIC}/node_2.htm", "junk", {}, r"node_2\.htm: not UTF-8 or GB18030 text \(malformed page\)$"),
    ],
)
def test_failures_are_one_line_and_give_no_issue(server, tmp_path, fault_path, fault, settings, message):
    server.faults["/" + fault_path] = fault
    server.slow_seconds = 0.6
    with pytest.raises(SourceError, match=message) as caught:
        load_issue(server.url("classic/paperindex.htm"), fetch=fetch(tmp_path, **settings))
    assert "\n" not in str(caught.value)


def test_page_without_a_page_list_is_malformed(tmp_path):
    page = tmp_path / "html" / "2025-06" / "21" / "node_1.htm"
    page.parent.mkdir(parents=True)
    page.write_text("<html><body><p>维护中</p>", encoding="utf-8")
    with pytest.raises(SourceError, match=r"node_1\.htm: malformed page: no page list \(#pageLink\)$"):
        load_issue(tmp_path)


def test_unknown_site_asks_for_a_profile(server, tmp_path):
    with pytest.raises(SourceError, match="not a page of a known e-paper layout"):
        load_issue(server.url("custom/e/2025-06/21/p1.html"), fetch=fetch(tmp_path))


PROFILE = """
[[profile]]
name = "松溪周报"
match = ["http://127.0.0.1:*/custom/*", "file://*/custom/*"]
page_url = "*/e/*/p*.html"
article_url = "*/e/*/a*.html"
page_links = ".pages a"
article_links = ".stories a"
article_map = ""
kicker = ".lead-in"
title = ".headline"
subtitle = ".deck"
byline = ".reporter"
body = ".text"
captions = ".photo-caption"
"""


def test_a_profile_reads_a_paper_of_another_layout(server, tmp_path):
    (tmp_path / "papers.toml").write_text(PROFILE, encoding="utf-8")
    profiles = tmp_path / "papers.toml"
    issue = load_issue(server.url("custom/e/2025-06/21/p2.html"), fetch=fetch(tmp_path), profiles=profiles)
    expected = (
        "松溪周报",
        DAY,
        (
            ("1", "头版", (("松溪镇 建成第一座光伏电站", "通讯员 杜明", 2),)),
            ("2", "乡情", (("老街茶馆重新开张", "记者 柯蓝", 1),)),
        ),
    )
    assert summary(issue) == expected
    assert summary(load_issue(EPAPER / "custom", profiles=profiles)) == expected
    station = issue.pages[0].articles[0]
    assert (station.kicker, station.subtitle, station.captions) == (
        "乡村振兴",
        "年发电量可供两千户使用",
        ("电站俯瞰。 杜明 摄",),
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('title = ".headline"', 'title = "h1[["'),
            'papers.toml:11: profile[0].title: "h1[[" is not a CSS selector '
            "(Malformed attribute selector at position 2)",
        ),
        (
            ('kicker = ".lead-in"', 'kickr = ".lead-in"'),
            "papers.toml:10: profile[0].kickr: unknown key (known: article_links, article_map, article_url, "
            "body, byline, captions, kicker, like, match, name, page_links, page_url, paper, subtitle, title)",
        ),
        (('name = "松溪周报"', 'paper = "松溪周报"'), "papers.toml:2: profile[0].name: missing"),
        (
            ('article_map = ""', 'like = "tabloid"'),
            'papers.toml:9: profile[0].like: must be one of "pc-layout", "classic", "nbs", not "tabloid"',
        ),
    ],
)
def test_profile_mistakes_are_one_line(tmp_path, change, message):
    path = tmp_path / "papers.toml"
    path.write_text(PROFILE.replace(*change), encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load_profiles(path)
    assert str(caught.value) == message


def test_one_saved_page_file_and_lists_in_unknown_markup(tmp_path):
    day = tmp_path / "html" / "2025-06" / "21"
    day.mkdir(parents=True)
    (day / "node_7.htm").write_text(
        '<html><head><meta charset="utf-8"><title>晨光日报</title></head><body>'
        '<a id="pageLink" href="node_8.htm">下一版</a><a id="pageLink" href="node_7.htm">第01版：头版</a>'
        '<table><tr><td><a href="content_9.htm?div=0">新闻一则</a></td></tr></table></body></html>',
        encoding="utf-8",
    )
    (day / "content_9.htm").write_text(
        '<meta charset="utf-8"><h1>新闻一则</h1><founder-content><p>一句话的新闻。</p></founder-content>',
        encoding="utf-8",
    )
    issue = load_issue(day / "node_7.htm")
    assert summary(issue) == ("晨光日报", DAY, (("01", "头版", (("新闻一则", "", 1),)),))
