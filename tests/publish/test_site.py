import datetime as dt
import itertools
from html.parser import HTMLParser
from pathlib import Path

import lameenc
import pytest

from a11y import axe_chromium
from enews_audio.model import Chapter, Cue
from enews_audio.publish.record import PageRecord, Record
from enews_audio.publish.site import parse_vtt, write_site
from enews_audio.serve import running

PAPER = "山城晚报"
DAY1 = dt.date(2025, 12, 30)
DAY2 = dt.date(2025, 12, 31)
# Invented headlines; one carries markup and quotes, which must come out as text.
TITLES = {
    "A01": ("江岸灯火点亮跨年夜", "社区食堂开到<b>家门口</b>"),
    "A02": ("老街茶馆迎来“新茶客” & 老朋友",),
}


def vtt_time(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"00:{int(minutes):02}:{rest:06.3f}"


def sentences(page: str, chapter: int, count: int) -> list[str]:
    return [f"{page}版第{chapter}段第{n}句，江风吹过新修的步道。" for n in range(1, count + 1)]


def make_record(date: dt.date, codes=("A01", "A02")) -> tuple[Record, dict[str, list[Cue]]]:
    """A record plus the cues its pages' VTT files will hold: three sentences per chapter, 2.5 s apart."""
    pages, cues = [], {}
    for code in codes:
        titles = TITLES[code]
        marks = [(0.0, f"{code}版 要闻"), *((8.0 + 7.5 * i, t) for i, t in enumerate(titles))]
        duration = marks[-1][0] + 8.0
        ends = [start for start, _ in marks[1:]] + [duration]
        chapters = tuple(Chapter(s, e, t) for (s, t), e in zip(marks, ends, strict=True))
        page_cues = []
        for number, chapter in enumerate(chapters):
            for k, text in enumerate(sentences(code, number, 3)):
                start = chapter.start + 0.2 + 2.5 * k
                page_cues.append(Cue(start, min(start + 2.2, chapter.end), text))
        file = f"{code.lower()}.mp3"
        pages.append(PageRecord(code, "要闻", file, duration, 1000, "0" * 64, chapters, titles))
        cues[file] = page_cues
    built = dt.datetime(2025, 12, 31, 1, 0, tzinfo=dt.UTC)
    return Record(PAPER, date, built, tuple(pages)), cues


def write_vtt(path: Path, cues: list[Cue]) -> None:
    blocks = ["WEBVTT", "NOTE 测试用的文字稿"]
    blocks += [f"{i}\n{vtt_time(c.start)} --> {vtt_time(c.end)}\n{c.text}" for i, c in enumerate(cues, 1)]
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")


def silent_mp3(seconds: float) -> bytes:
    encoder = lameenc.Encoder()
    encoder.set_channels(1)
    encoder.set_in_sample_rate(24000)
    encoder.set_bit_rate(32)
    return encoder.encode(bytes(int(24000 * seconds) * 2)) + encoder.flush()


def build_site(paper_dir: Path, *, vtt: bool = True, audio: bytes = b"\xff\xfb\x00") -> list[Record]:
    records = []
    for date in (DAY1, DAY2):
        record, cues = make_record(date)
        issue_dir = paper_dir / date.isoformat()
        issue_dir.mkdir(parents=True, exist_ok=True)
        for page in record.pages:
            (issue_dir / page.file).write_bytes(audio)
            if vtt:
                write_vtt(issue_dir / page.file.replace(".mp3", ".vtt"), cues[page.file])
        records.append(record)
    (paper_dir / "feed.xml").write_text("<rss/>", encoding="utf-8")
    write_site(paper_dir, records)
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
    assert [h[2] for h in page.all("h2")] == [f"{p.code}版 {p.name}" for p in record.pages]
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


def test_each_sentence_of_the_transcript_sits_under_its_own_article(tmp_path):
    records = build_site(tmp_path)
    page = outline(tmp_path / DAY2.isoformat() / "index.html")
    sections: list[tuple[str, str]] = []  # (h2 + h3 heading, text that follows it)
    h2 = ""
    for tag, _attrs, text in page.items:
        if tag == "h2":
            h2 = text
        elif tag == "h3":
            sections.append((f"{h2}/{text}", ""))
        elif tag == "p" and sections:
            sections[-1] = (sections[-1][0], sections[-1][1] + text)
    text_by_heading = dict(sections)
    for page_record in records[1].pages:
        h2 = f"{page_record.code}版 {page_record.name}"
        for number, heading in enumerate(("本版导读", *page_record.articles)):
            body = text_by_heading[f"{h2}/{heading}"]
            for sentence in sentences(page_record.code, number, 3):
                assert sentence in body
            assert sentences(page_record.code, number + 1, 1)[0] not in body


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


def test_without_a_transcript_the_page_says_so_and_links_no_vtt(tmp_path):
    build_site(tmp_path, vtt=False)
    page = outline(tmp_path / DAY2.isoformat() / "index.html")
    assert not [a for a in page.all("a") if a[1]["href"].endswith(".vtt")]
    assert sum("暂无文字稿" in p[2] for p in page.all("p")) == 5  # one per chapter


def test_a_damaged_transcript_does_not_stop_the_site(tmp_path):
    record, _ = make_record(DAY2)
    issue_dir = tmp_path / DAY2.isoformat()
    issue_dir.mkdir()
    (issue_dir / "a01.vtt").write_bytes(b"\xff\xfe not utf-8 \x80")
    (issue_dir / "a02.vtt").write_text("WEBVTT\n\nnonsense --> more\ntext\n", encoding="utf-8")
    paths = write_site(tmp_path, [record])
    assert paths == [tmp_path / "index.html", issue_dir / "index.html"]
    assert "暂无文字稿" in (issue_dir / "index.html").read_text(encoding="utf-8")


def test_files_are_written_whole_and_readable(tmp_path):
    build_site(tmp_path)
    pages = sorted(tmp_path.rglob("*.html"))
    assert len(pages) == 3
    assert not list(tmp_path.rglob("*.tmp"))
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in pages)


def test_parse_vtt_reads_cues_and_drops_tags_entities_and_notes():
    text = (
        "\ufeffWEBVTT - 文字稿\r\n\r\nNOTE 注释里的 00:00:01.000 --> 00:00:02.000 不算\r\n\r\n"
        "1\r\n00:00:01.500 --> 00:00:04.250 align:start\r\n<v 播音员>第一句，</v>\r\n<c.big>接着说</c>&amp;完。\r\n\r\n"
        "01:02:03.004 --> 01:02:05.000\nHello\nworld\n\n"
        "00:00:09.000 --> 00:00:08.000\n倒着的时间\n\n"
        "garbage --> 00:00:10.000\n坏时间\n"
    )
    cues = parse_vtt(text)
    assert [c.text for c in cues] == ["第一句，接着说&完。", "Hello world"]
    assert cues[0].start == pytest.approx(1.5) and cues[0].end == pytest.approx(4.25)
    assert cues[1].start == pytest.approx(3723.004)


def test_write_site_needs_an_issue(tmp_path):
    with pytest.raises(ValueError):
        write_site(tmp_path, [])


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
    build_site(root / "shanchengwanbao", audio=silent_mp3(40.0))
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
    record, _ = make_record(DAY2)
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
