import datetime as dt
import gzip
import hashlib
import html
import itertools
import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import lameenc
import pytest

from a11y import axe_chromium
from enews_audio.model import Article, Chapter, Cue, Issue, Page
from enews_audio.publish.record import PageRecord, Record, SlowRecord
from enews_audio.publish.search import bigram_shard, bigrams
from enews_audio.publish.site import write_site
from enews_audio.publish.transcript import webvtt
from enews_audio.serve import running

PAPER = "山城晚报"
DAY1 = dt.date(2025, 12, 30)
DAY2 = dt.date(2025, 12, 31)
# Invented headlines; one carries markup and quotes, which must come out as text.
TITLES = {
    "A01": ("江岸灯火点亮跨年夜", "社区食堂开到<b>家门口</b>"),
    "A02": ("老街茶馆迎来“新茶客” & 老朋友",),
}


def paragraphs(code: str, article: int, count: int = 2) -> tuple[str, ...]:
    return tuple(f"{code}版第{article}篇第{n}段，江风吹过新修的步道。" for n in range(1, count + 1))


def make_issue(date: dt.date, codes=("A01", "A02")) -> Issue:
    """Articles as printed: the first of each page has every part an article can have."""
    pages = []
    for code in codes:
        articles = []
        for number, title in enumerate(TITLES[code], 1):
            full = number == 1
            articles.append(
                Article(
                    title,
                    paragraphs(code, number),
                    kicker=f"{code}版引题" if full else "",
                    subtitle=f"{code}版副题" if full else "",
                    byline=f"记者 {code}陈晓" if full else "",
                    captions=(f"{code}版图片说明文字",) if full else (),
                )
            )
        pages.append(Page(code, "要闻", tuple(articles)))
    return Issue(PAPER, date, tuple(pages))


def make_record(issue: Issue, *, slow: bool = False, daisy: str = "", transcripts: bool = True) -> Record:
    """The record of ``issue``: an opening chapter of 8 s, then 7.5 s per article."""
    pages = []
    for page in issue.pages:
        titles = tuple(a.title for a in page.articles)
        marks = [(0.0, f"{page.code}版 要闻"), *((8.0 + 7.5 * i, t) for i, t in enumerate(titles))]
        duration = marks[-1][0] + 8.0
        ends = [start for start, _ in marks[1:]] + [duration]
        chapters = tuple(Chapter(s, e, t) for (s, t), e in zip(marks, ends, strict=True))
        file = f"{page.slug}.mp3"
        slower = (
            SlowRecord(f"{page.slug}.slow.mp3", duration * 1.2, 1200, "1" * 64, chapters) if slow else None
        )
        vtt = f"{page.slug}.vtt" if transcripts else ""
        pages.append(
            PageRecord(
                page.code,
                "要闻",
                file,
                duration,
                1000,
                "0" * 64,
                chapters,
                titles,
                transcript_file=vtt,
                slow=slower,
            )
        )
    built = dt.datetime(2025, 12, 31, 1, 0, tzinfo=dt.UTC)
    return Record(PAPER, issue.date, built, tuple(pages), daisy=daisy)


def silent_mp3(seconds: float) -> bytes:
    encoder = lameenc.Encoder()
    encoder.set_channels(1)
    encoder.set_in_sample_rate(24000)
    encoder.set_bit_rate(32)
    return encoder.encode(bytes(int(24000 * seconds) * 2)) + encoder.flush()


def build_site(paper_dir: Path, *, audio: bytes = b"\xff\xfb\x00", **record_options) -> list[Record]:
    """Two issues published one after the other, as a build does it: each writes its page and the index."""
    records = []
    for date in (DAY1, DAY2):
        issue = make_issue(date)
        record = make_record(issue, **record_options)
        issue_dir = paper_dir / date.isoformat()
        issue_dir.mkdir(parents=True, exist_ok=True)
        for page in record.pages:
            (issue_dir / page.file).write_bytes(audio)
        records.append(record)
        (paper_dir / "feed.xml").write_text("<rss/>", encoding="utf-8")
        write_site(paper_dir, records, record, issue)
    return records


class Outline(HTMLParser):
    """What a reader of the page meets, in order: (tag, attributes, text) for elements of interest."""

    KEEP = frozenset({"html", "h1", "h2", "h3", "p", "a", "audio", "main", "nav", "li", "table", "script"})

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[list] = []
        self._open: list[list] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag in self.KEEP:
            item = [tag, dict(attrs), ""]
            self.items.append(item)
            self._open.append(item)

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        for item in self._open:
            item[2] += data

    def all(self, tag: str) -> list[list]:
        return [item for item in self.items if item[0] == tag]


def outline(path: Path) -> Outline:
    return Outline(path.read_text(encoding="utf-8"))


def test_issue_page_has_one_heading_level_per_issue_page_and_article(tmp_path):
    records = build_site(tmp_path)
    page = outline(tmp_path / DAY2.isoformat() / "index.html")
    assert page.all("html")[0][1]["lang"] == "zh-CN"
    [h1] = page.all("h1")
    assert PAPER in h1[2] and "2025年12月31日" in h1[2] and "星期三" in h1[2]
    record = records[1]
    pages = [f"{p.code}版 {p.name}" for p in record.pages]
    assert [h[2] for h in page.all("h2")] == ["收听本期", "本期版面", *pages]
    expected_h3 = [title for p in record.pages for title in ("本版导读", *p.articles)]
    assert [h[2] for h in page.all("h3")] == expected_h3
    levels = [int(item[0][1]) for item in page.items if item[0] in {"h1", "h2", "h3"}]
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
    assert not page.all("table")


def test_markup_in_titles_and_transcripts_is_text_not_html(tmp_path):
    build_site(tmp_path)
    path = tmp_path / DAY2.isoformat() / "index.html"
    raw = path.read_text(encoding="utf-8")
    assert "<b>家门口</b>" not in raw and "&lt;b&gt;家门口&lt;/b&gt;" in raw
    headings = [h[2] for h in outline(path).all("h3")]
    assert "社区食堂开到<b>家门口</b>" in headings and "老街茶馆迎来“新茶客” & 老朋友" in headings


def test_every_page_has_a_native_player_and_chapter_links_that_seek_it(tmp_path):
    records = build_site(tmp_path)
    page = outline(tmp_path / DAY2.isoformat() / "index.html")
    players = {a[1]["id"]: a[1] for a in page.all("audio")}
    assert [p["src"] for p in players.values()] == [p.file for p in records[1].pages]
    assert all("controls" in p and p["preload"] == "none" for p in players.values())
    seeks = [a[1] for a in page.all("a") if "data-start" in a[1]]
    for page_record in records[1].pages:
        mine = [s for s in seeks if s["href"].startswith(page_record.file + "#t=")]
        starts = sorted({float(s["data-start"]) for s in mine})
        assert starts == pytest.approx([c.start for c in page_record.chapters])
        for link in mine:
            assert players[link["data-player"]]["src"] == page_record.file
            assert float(link["href"].split("#t=")[1]) == pytest.approx(float(link["data-start"]), abs=0.05)


def sections(page: Outline) -> dict[str, list[tuple[str, dict, str]]]:
    """What follows each h3 up to the next, keyed by "<h2>/<h3>": (tag, attributes, text) of p, li and a."""
    found: dict[str, list] = {}
    h2, current = "", None
    for tag, attrs, text in page.items:
        if tag == "h2":
            h2, current = text, None
        elif tag == "h3":
            current = found.setdefault(f"{h2}/{text}", [])
        elif tag in {"p", "li", "a"} and current is not None:
            current.append((tag, attrs, text))
    return found


def test_articles_keep_their_printed_structure(tmp_path):
    build_site(tmp_path)
    page = outline(tmp_path / DAY2.isoformat() / "index.html")
    by_heading = sections(page)
    for printed in make_issue(DAY2).pages:
        h2 = f"{printed.code}版 要闻"
        for number, article in enumerate(printed.articles, 1):
            texts = [text for tag, _attrs, text in by_heading[f"{h2}/{article.title}"] if tag == "p"]
            # each paragraph is a <p> of its own, whole, in order, under its own headline
            body = [t for t in texts if "江风" in t]
            assert body == list(paragraphs(printed.code, number))
            classes = {attrs.get("class"): text for tag, attrs, text in by_heading[f"{h2}/{article.title}"]}
            if article.byline:
                assert classes["byline"] == article.byline
                assert classes["caption"] == f"图片说明：{article.captions[0]}"
                assert texts.index(article.byline) < texts.index(body[0]) < texts.index(classes["caption"])
            else:
                assert "byline" not in classes and "caption" not in classes


def test_kicker_and_subtitle_frame_the_headline_in_one_group(tmp_path):
    build_site(tmp_path)
    raw = (tmp_path / DAY2.isoformat() / "index.html").read_text(encoding="utf-8")
    group = raw[raw.index("<hgroup>") : raw.index("</hgroup>")]
    kicker, title, subtitle = (group.index(text) for text in ("A01版引题", "江岸灯火点亮跨年夜", "A01版副题"))
    assert kicker < title < subtitle
    assert raw.count("<hgroup>") == 2  # only articles that have a kicker or subtitle


def test_each_article_sits_in_its_own_article_element_labelled_by_its_headline(tmp_path):
    build_site(tmp_path)
    raw = (tmp_path / DAY2.isoformat() / "index.html").read_text(encoding="utf-8")
    page = outline(tmp_path / DAY2.isoformat() / "index.html")
    ids = {h[2]: h[1]["id"] for h in page.all("h3")}
    for printed in make_issue(DAY2).pages:
        for article in printed.articles:
            assert f'<article aria-labelledby="{ids[article.title]}" data-start=' in raw


def test_the_opening_lists_the_articles_and_links_their_text(tmp_path):
    build_site(tmp_path)
    page = outline(tmp_path / DAY2.isoformat() / "index.html")
    ids = {h[2]: h[1]["id"] for h in page.all("h3")}
    rundown = [(attrs, text) for tag, attrs, text in sections(page)["A01版 要闻/本版导读"] if tag == "li"]
    assert [text for _, text in rundown] == list(TITLES["A01"])
    links = [a[1]["href"] for a in page.all("a") if a[2] in TITLES["A01"] and "data-start" not in a[1]]
    assert links == [f"#{ids[t]}" for t in TITLES["A01"]]


def test_every_article_has_a_link_to_where_it_is_heard(tmp_path):
    records = build_site(tmp_path)
    page = outline(tmp_path / DAY2.isoformat() / "index.html")
    by_heading = sections(page)
    for page_record in records[1].pages:
        titles = ("本版导读", *page_record.articles)
        for chapter, title in zip(page_record.chapters, titles, strict=True):
            seeks = [a for tag, a, _ in by_heading[f"{page_record.code}版 要闻/{title}"] if "data-start" in a]
            assert [float(a["data-start"]) for a in seeks] == [pytest.approx(chapter.start)]
            assert seeks[0]["href"] == f"{page_record.file}#t={chapter.start:.1f}"


def test_index_lists_issues_newest_first_and_links_the_feed(tmp_path):
    build_site(tmp_path)
    index = outline(tmp_path / "index.html")
    assert index.all("html")[0][1]["lang"] == "zh-CN"
    hrefs = [a[1]["href"] for a in index.all("a")]
    issue_links = [h for h in hrefs if h.endswith("/index.html")]
    assert issue_links == [f"{DAY2.isoformat()}/index.html", f"{DAY1.isoformat()}/index.html"]
    assert "feed.xml" in hrefs
    for link in issue_links:
        assert (tmp_path / link).is_file()


def test_skip_link_comes_first_and_targets_main(tmp_path):
    build_site(tmp_path)
    for path in (tmp_path / "index.html", tmp_path / DAY1.isoformat() / "index.html"):
        page = outline(path)
        first_link = page.all("a")[0]
        assert first_link[1]["href"] == "#main"
        assert [m[1]["id"] for m in page.all("main")] == ["main"]
        assert not [i for i in page.items if int(i[1].get("tabindex", "0")) > 0]


def test_without_a_transcript_file_no_vtt_is_linked_and_the_text_is_still_there(tmp_path):
    build_site(tmp_path, transcripts=False)
    page = outline(tmp_path / DAY2.isoformat() / "index.html")
    assert not [a for a in page.all("a") if a[1]["href"].endswith(".vtt")]
    assert paragraphs("A02", 1)[0] in [p[2] for p in page.all("p")]


def test_with_a_transcript_file_it_is_linked(tmp_path):
    build_site(tmp_path)
    page = outline(tmp_path / DAY2.isoformat() / "index.html")
    assert [a[1]["href"] for a in page.all("a") if a[1]["href"].endswith(".vtt")] == ["a01.vtt", "a02.vtt"]


def test_slow_edition_and_daisy_book_are_offered(tmp_path):
    build_site(tmp_path, slow=True, daisy="daisy.zip")
    page = outline(tmp_path / DAY2.isoformat() / "index.html")
    hrefs = {a[1]["href"]: a for a in page.all("a")}
    assert "a01.slow.mp3" in hrefs and "a02.slow.mp3" in hrefs and "../feed-slow.xml" in hrefs
    assert hrefs["daisy.zip"][1]["download"] == "shanchengwanbao-2025-12-31.zip"
    assert "DAISY" in hrefs["daisy.zip"][2]
    index = outline(tmp_path / "index.html")
    assert "feed-slow.xml" in [a[1]["href"] for a in index.all("a")]


def test_without_editions_nothing_points_at_them(tmp_path):
    build_site(tmp_path)
    for path in (tmp_path / "index.html", tmp_path / DAY2.isoformat() / "index.html"):
        hrefs = [a[1]["href"] for a in outline(path).all("a")]
        assert not [h for h in hrefs if "slow" in h or "daisy" in h]


def test_files_are_written_whole_and_readable(tmp_path):
    build_site(tmp_path)
    pages = sorted(tmp_path.rglob("*.html"))
    assert len(pages) == 3
    assert not list(tmp_path.rglob("*.tmp"))
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in pages)


def test_write_site_needs_an_issue(tmp_path):
    issue = make_issue(DAY2)
    with pytest.raises(ValueError):
        write_site(tmp_path, [], make_record(issue), issue)


# --- in a real browser -------------------------------------------------------------------------------

skip_reason = axe_chromium.missing()
needs_browser = pytest.mark.skipif(skip_reason is not None, reason=skip_reason or "")


@pytest.fixture(scope="module")
def browser():
    chromium = axe_chromium.Chromium()
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    """The site of two issues with real (silent) MP3s, served on 127.0.0.1 by ``enews_audio.serve``."""
    root = tmp_path_factory.mktemp("site")
    build_site(root / "shanchengwanbao", audio=silent_mp3(40.0), slow=True, daisy="daisy.zip")
    with running(root, port=0) as url:
        yield url + "shanchengwanbao/"


@needs_browser
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("page", ["", f"{DAY2.isoformat()}/index.html"], ids=["index", "issue"])
def test_axe_finds_no_violations(browser, site_url, page, dark):
    violations = browser.violations(site_url + page, dark=dark)
    assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations]


@needs_browser
def test_axe_check_does_report_a_bad_page(browser, tmp_path):
    """The harness must not pass vacuously: a page without lang, alt text or a title has violations."""
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "index.html").write_text("<html><body><img src='x.png'><a href='#'></a></body></html>")
    with running(bad, port=0) as url:
        found = {v["id"] for v in browser.violations(url)}
    assert {"html-has-lang", "image-alt", "document-title"} <= found


@needs_browser
def test_enter_on_a_chapter_link_seeks_the_player_and_stays_on_the_page(browser, site_url):
    record = make_record(make_issue(DAY2))
    chapter = record.pages[0].chapters[2]
    url = site_url + f"{DAY2.isoformat()}/index.html"
    player = "document.getElementById('player-page-a01')"
    where = browser.press_enter(
        url,
        f'a[data-start="{chapter.start:.3f}"][data-player="player-page-a01"]',
        f"{player}.currentTime > 0 && [{player}.currentTime, location.href]",
    )
    assert where[0] == pytest.approx(chapter.start, abs=0.5)
    assert where[1] == url


# --- the listening app's static parts ----------------------------------------------------------------


def test_articles_show_their_transcripts_text_with_cue_numbers(tmp_path):
    """The transcript's repaired punctuation is shown, each cue a span numbered as in the .vtt; a paragraph
    the transcript does not say is shown as printed."""
    issue = make_issue(DAY2, codes=("A02",))
    printed = issue.pages[0].articles[0]
    ascii_text = "12月31日,市政府新闻办发布:今年的实事已完成。"
    article = replace(printed, paragraphs=(ascii_text, "不在文字稿里的一段。"))
    issue = replace(issue, pages=(replace(issue.pages[0], articles=(article,)),))
    record = make_record(issue)
    start = record.pages[0].chapters[1].start
    cues = [
        Cue(0.0, start, "开场白。"),
        Cue(start, start + 1, article.title),
        Cue(start + 1, start + 3, "12月31日，市政府新闻办发布："),
        Cue(start + 3, start + 5, "今年的实事已完成。"),
    ]
    issue_dir = tmp_path / DAY2.isoformat()
    issue_dir.mkdir()
    (issue_dir / "a02.vtt").write_text(webvtt(cues), encoding="utf-8")
    write_site(tmp_path, [record], record, issue)
    raw = (issue_dir / "index.html").read_text(encoding="utf-8")
    assert (
        f'<p><span data-c="3" data-t="{start + 1:.2f}">12月31日，市政府新闻办发布：</span>'
        f'<span data-c="4" data-t="{start + 3:.2f}">今年的实事已完成。</span></p>'
    ) in raw
    assert ascii_text not in raw and "<p>不在文字稿里的一段。</p>" in raw


def search(paper_dir: Path, words: str) -> list[list[str]]:
    """The lookup web/search.js does, on the files written: (URL, headline, where) of each article found."""
    meta = json.loads((paper_dir / "search" / "meta.json").read_text(encoding="utf-8"))
    found = None
    for gram in bigrams(words):
        table = json.loads((paper_dir / "search" / f"{bigram_shard(gram, meta['shards'])}.json").read_text())
        numbers = set(itertools.accumulate(table.get(gram, [])))
        found = numbers if found is None else found & numbers
    docs = json.loads((paper_dir / "search" / "d0.json").read_text(encoding="utf-8"))
    return [docs[n] for n in sorted(found or ())]


def test_the_search_index_finds_any_two_characters_of_an_article_newest_issue_first(tmp_path):
    build_site(tmp_path)
    found = search(tmp_path, "步道")  # a word of every article's body
    assert [doc[0].split("/")[0] for doc in found] == [DAY2.isoformat()] * 3 + [DAY1.isoformat()] * 3
    assert found[0] == [
        f"{DAY2.isoformat()}/index.html#page-a01-1",
        TITLES["A01"][0],
        "2025年12月31日 星期三 · A01版 要闻",
    ]
    assert [doc[1] for doc in search(tmp_path, "新茶")] == [TITLES["A02"][0]] * 2  # inside a headline's word
    assert [doc[1] for doc in search(tmp_path, "A02版图片")] == [TITLES["A02"][0]] * 2  # a caption, Latin too
    assert search(tmp_path, "收听") == []  # the page's own links are not the articles' text
    for url, _title, _where in found:
        page, anchor = url.split("#")
        assert f'id="{anchor}"' in (tmp_path / page).read_text(encoding="utf-8")


def test_share_card_and_title(tmp_path):
    issue = make_issue(DAY2)
    record = make_record(issue)
    (tmp_path / "cover.jpg").write_bytes(b"jpeg")
    write_site(tmp_path, [record], record, issue, base_url="https://example.org/audio")
    page = (tmp_path / DAY2.isoformat() / "index.html").read_text(encoding="utf-8")
    assert "<title>山城晚报 2025年12月31日 星期三·有声版</title>" in page
    assert '<meta property="og:title" content="山城晚报 2025年12月31日 星期三">' in page
    assert '<meta property="og:image" content="https://example.org/audio/cover.jpg">' in page
    assert '<meta property="og:url" content="https://example.org/audio/2025-12-31/">' in page
    assert re.search(r'<meta property="og:description" content="2个版面，共[^"]*江岸灯火点亮跨年夜', page)


def test_pages_name_the_players_files_which_are_there_with_gzipped_twins(tmp_path):
    build_site(tmp_path)
    for path in (tmp_path / "index.html", tmp_path / DAY2.isoformat() / "index.html"):
        raw = path.read_text(encoding="utf-8")
        assert gzip.decompress(path.with_name("index.html.gz").read_bytes()).decode("utf-8") == raw
        for url in re.findall(r'(?:src|href)="([^"]*app/[^"]+)"', raw):
            name, version = url.split("?v=")
            data = (path.parent / name).read_bytes()
            assert hashlib.sha256(data).hexdigest()[:10] == version
            assert gzip.decompress((path.parent / f"{name}.gz").read_bytes()) == data
    assert (tmp_path / "sw.js").is_file()
    raw = (tmp_path / DAY2.isoformat() / "index.html").read_text(encoding="utf-8")
    stored = json.loads(html.unescape(re.search(r'data-files="([^"]+)"', raw).group(1)))
    assert {"index.html", "a01.mp3", "a02.mp3", "a01.vtt", "a02.vtt"} <= set(stored)
    assert all(name.startswith("../app/") for name in stored if "player" in name)
