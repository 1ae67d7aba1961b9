import datetime as dt
from pathlib import Path

import pytest

from enews_audio.errors import SourceError
from enews_audio.sources.reader_export import BYLINE_MAX, infer_date, parse_export, read_export

DATA = Path(__file__).parent.parent / "data" / "sources"
ASCII = (DATA / "export-ascii.txt").read_text(encoding="utf-8")


def parse(text: str):
    return parse_export(text, "x.txt")


def with_body(*paragraphs: str) -> str:
    """The ASCII fixture's header followed by these paragraphs."""
    header = ASCII.split("\n\n  ", 1)[0]
    return header + "".join(f"\n\n  {p}" for p in paragraphs) + "\n"


def test_ascii_export_is_parsed():
    export = read_export(DATA / "export-ascii.txt")
    assert (export.paper, export.date) == ("海湾日报", dt.date(2025, 12, 31))
    assert (export.page_code, export.page_name) == ("A03", "经济")
    article = export.article
    assert article.title == "港区新航线开通 首班货轮今晨启航"  # the printed line break, as one space
    assert article.byline == "记者 林涛 实习生 许可"
    assert article.origin == "export-ascii.txt"
    assert len(article.paragraphs) == 2
    assert article.paragraphs[0].startswith("12月31日上午,海湾港区")  # ASCII commas are kept for text/
    assert "(冷链)" in article.paragraphs[0]
    assert not any("责任编辑" in p for p in article.paragraphs)


def test_fullwidth_export_is_parsed():
    export = read_export(DATA / "export-fullwidth.txt")
    assert export.paper == "海湾日报"
    assert export.date == dt.date(2024, 2, 29)
    assert (export.page_code, export.page_name) == ("04", "文体")
    article = export.article
    assert article.byline == ""  # the short first paragraph is a sentence
    assert len(article.paragraphs) == 2
    assert article.paragraphs[0].startswith("2月29日")  # U+3000 indentation stripped
    assert article.paragraphs[1].endswith("结实。”")  # trailing spaces stripped


@pytest.mark.parametrize(
    ("exported", "month", "day", "expected"),
    [
        (dt.date(2026, 1, 3), 12, 31, dt.date(2025, 12, 31)),  # across the year boundary
        (dt.date(2026, 1, 3), 1, 3, dt.date(2026, 1, 3)),  # the export day itself
        (dt.date(2026, 1, 3), 1, 4, dt.date(2025, 1, 4)),  # one day later means last year
        (dt.date(2024, 3, 1), 2, 29, dt.date(2024, 2, 29)),
        (dt.date(2026, 1, 3), 2, 29, dt.date(2024, 2, 29)),  # nearest earlier leap year
        (dt.date(2024, 2, 28), 2, 29, dt.date(2020, 2, 29)),
        (dt.date(2026, 1, 3), 2, 30, None),
        (dt.date(2026, 1, 3), 13, 1, None),
    ],
)
def test_infer_date(exported, month, day, expected):
    assert infer_date(exported, month, day) == expected


def test_leap_day_across_years_in_a_file():
    export = parse(ASCII.replace("日期:12-31", "日期:02-29"))
    assert export.date == dt.date(2024, 2, 29)


def test_full_date_in_day_line_is_taken_as_is():
    assert parse(ASCII.replace("日期:12-31", "日期:2025-06-21")).date == dt.date(2025, 6, 21)


@pytest.mark.parametrize(
    ("first", "is_byline"),
    [
        ("本报记者 周敏", True),
        ("记" * BYLINE_MAX, True),
        ("记" * (BYLINE_MAX + 1), False),
        ("天气转晴。", False),
        ("真的吗？", False),
        ("记者 李明 通讯员 王芳 (实习)", True),
    ],
)
def test_byline_detection(first, is_byline):
    article = parse(with_body(first, "正文第一段。")).article
    assert article.byline == (first if is_byline else "")
    assert article.paragraphs == (("正文第一段。",) if is_byline else (first, "正文第一段。"))


def test_editor_credit_is_dropped_only_at_the_end():
    article = parse(with_body("正文。", "责任编辑:张三", "后记。", "本版责编：李四", "（责编:王五）")).article
    assert article.paragraphs == ("正文。", "责任编辑:张三", "后记。")


@pytest.mark.parametrize(
    ("line", "code", "name"),
    [
        ("版面:A04版:聚焦\xa0\xa0 上一篇 \xa0下一篇", "A04", "聚焦"),
        ("版面：第04版：要闻", "04", "要闻"),
        ("版面:04版:要闻    下一篇", "04", "要闻"),
        ("版面:b12版:副刊\xa0上一篇", "B12", "副刊"),
        ("版面:A01版", "A01", ""),
    ],
)
def test_page_line(line, code, name):
    text = ASCII.replace(ASCII.split("\n")[9], line)
    export = parse(text)
    assert (export.page_code, export.page_name) == (code, name)


def test_crlf_bom_and_trailing_whitespace_read_the_same(tmp_path):
    messy = "\ufeff" + "\r\n".join(line + " \t" if line else line for line in ASCII.split("\n"))
    path = tmp_path / "export-ascii.txt"
    path.write_bytes(messy.encode("utf-8"))
    assert read_export(path) == read_export(DATA / "export-ascii.txt")


def test_headline_on_two_lines_is_joined_with_one_space():
    text = ASCII.replace("港区新航线开通 首班货轮今晨启航", "港区新航线开通\n  首班货轮今晨启航\u3000")
    assert parse(text).article.title == "港区新航线开通 首班货轮今晨启航"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("当前报纸名称:海湾日报\n", "", "x.txt: no 当前报纸名称 line (the paper's name)"),
        ("当前报纸名称:海湾日报", "当前报纸名称:", "x.txt:4: 当前报纸名称 has no paper name"),
        ("2026-01-03\n", "", "x.txt: no export date (a YYYY-MM-DD line after the app name)"),
        ("2026-01-03", "2026-02-30", "x.txt:2: export date 2026-02-30 is not a calendar date"),
        ("日期:12-31\n", "", "x.txt: no 日期 line (like 日期:12-31)"),
        ("日期:12-31", "日期:12月31日", "x.txt:8: 日期 '12月31日' is not MM-DD"),
        ("日期:12-31", "日期:04-31", "x.txt:8: 日期 04-31 is not a calendar date"),
        (
            "港区新航线开通 首班货轮今晨启航",
            "",
            "x.txt: no headline between the 当前报纸名称 line and the 日期 line",
        ),
        ("版面:A03版:经济", "A03版:经济", "x.txt: no 版面 line (like 版面:A04版:聚焦)"),
        ("版面:A03版:经济", "版面:经济", "x.txt:10: 版面 '经济' has no page code like A04版 or 第04版"),
    ],
)
def test_bad_header(old, new, message):
    assert old in ASCII
    with pytest.raises(SourceError) as caught:
        parse(ASCII.replace(old, new, 1))
    assert str(caught.value) == message


def test_no_paragraphs():
    with pytest.raises(SourceError, match=r"^x\.txt: no paragraphs after the 版面 line$"):
        parse(with_body("本版责编:赵宁"))


def test_only_a_byline():
    with pytest.raises(SourceError) as caught:
        parse(with_body("记者 林涛"))
    assert str(caught.value) == "x.txt: no paragraphs after the byline '记者 林涛'"


def test_gbk_file_is_named_with_a_hint(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes(ASCII.encode("gb18030"))
    with pytest.raises(SourceError) as caught:
        read_export(path)
    assert str(caught.value) == (
        "gbk.txt:1: not UTF-8 text: byte 0xb5 is not UTF-8; looks like GBK/GB18030 — save it as UTF-8"
    )


def test_other_non_utf8_file_gets_no_gbk_hint(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("电子报阅读机\n2026-01-03\n".encode() + b"caf\xe9")
    with pytest.raises(SourceError) as caught:
        read_export(path)
    assert str(caught.value) == "latin.txt:3: not UTF-8 text: byte 0xe9 is not UTF-8"


def test_utf16_file_is_named(tmp_path):
    path = tmp_path / "wide.txt"
    path.write_bytes(ASCII.encode("utf-16"))
    with pytest.raises(SourceError, match=r"^wide\.txt: not UTF-8 but UTF-16 — save it as UTF-8$"):
        read_export(path)
