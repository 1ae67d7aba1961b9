import datetime as dt
from pathlib import Path

import pytest

from enews_audio.errors import SourceError
from enews_audio.sources.manifest import load_manifest
from support.issue_toml import issue_toml

MANIFEST = Path(__file__).parent.parent / "data" / "sources" / "manifest" / "issue.toml"
MINIMAL = issue_toml()  # 海湾日报 of 2026-01-02: page A01 要闻 with one article


def load(tmp_path: Path, text: str):
    path = tmp_path / "issue.toml"
    path.write_text(text, encoding="utf-8")
    return load_manifest(path)


def message(tmp_path: Path, text: str) -> str:
    with pytest.raises(SourceError) as caught:
        load(tmp_path, text)
    return str(caught.value)


def test_manifest_is_loaded_with_pages_in_code_order():
    issue = load_manifest(MANIFEST)
    assert (issue.paper, issue.date) == ("海湾日报", dt.date(2026, 1, 2))
    assert [(p.code, p.name) for p in issue.pages] == [("A01", "要闻"), ("A02", "民生")]
    lead, second = issue.pages[0].articles
    assert (lead.kicker, lead.title, lead.subtitle) == (
        "新年第一会",
        "全市项目建设动员大会召开",
        "一季度计划开工项目156个",
    )
    assert lead.byline == "记者 吴磊"
    assert lead.paragraphs == (
        "1月2日,全市重大项目建设动员大会召开。",
        "会议要求,一季度开工项目156个,总投资超过300亿元。",
    )
    assert lead.captions == ("图为会议现场。记者 吴磊 摄",)
    assert lead.origin == "issue.toml: pages[1].articles[0]"
    assert second.origin == "issue.toml: pages[1].articles[1]"
    assert second.kicker == second.byline == ""
    assert issue.pages[1].articles[0].origin == "issue.toml: pages[0].articles[0]"


@pytest.mark.parametrize(
    ("date_line", "expected"),
    [
        ("date = 2026-01-02", dt.date(2026, 1, 2)),
        ('date = "2025-12-31"', dt.date(2025, 12, 31)),
        ("date = 2024-02-29T08:00:00", dt.date(2024, 2, 29)),
    ],
)
def test_date_forms(tmp_path, date_line, expected):
    assert load(tmp_path, MINIMAL.replace("date = 2026-01-02", date_line)).date == expected


def test_page_code_forms_are_normalised(tmp_path):
    issue = load(tmp_path, MINIMAL.replace('code = "A01"', 'code = "第04版"'))
    assert issue.pages[0].code == "04"


def test_invalid_toml_names_line_and_column(tmp_path):
    text = MINIMAL.replace('name = "要闻"', "name = 要闻")
    assert message(tmp_path, text) == "issue.toml:5:8: not valid TOML: Invalid value"


def test_not_utf8(tmp_path):
    path = tmp_path / "issue.toml"
    path.write_bytes(MINIMAL.encode("gb18030"))
    with pytest.raises(SourceError, match=r"^issue\.toml:1: not UTF-8 text: .*looks like GBK/GB18030"):
        load_manifest(path)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('paper = "海湾日报"\n', "", "issue.toml: paper: missing"),
        ('paper = "海湾日报"', "paper = 3", "issue.toml:1: paper: must be a string that is not blank, not 3"),
        ("date = 2026-01-02\n", "", "issue.toml: date: missing (like date = 2026-01-02)"),
        (
            "date = 2026-01-02",
            'date = "2026-02-30"',
            'issue.toml:2: date: must be a date like 2026-01-02, not "2026-02-30"',
        ),
        (
            "date = 2026-01-02",
            'date = "明天"',
            'issue.toml:2: date: must be a date like 2026-01-02, not "明天"',
        ),
        ('title = "标题"\n', "", "issue.toml:6: pages[0].articles[0].title: missing"),
        (
            'title = "标题"',
            'title = "  "',
            'issue.toml:7: pages[0].articles[0].title: must be a string that is not blank, not "  "',
        ),
        ('paragraphs = ["第一段。"]\n', "", "issue.toml:6: pages[0].articles[0].paragraphs: missing"),
        (
            'paragraphs = ["第一段。"]',
            "paragraphs = []",
            "issue.toml:8: pages[0].articles[0].paragraphs: must hold at least one paragraph "
            "and no empty ones",
        ),
        (
            'paragraphs = ["第一段。"]',
            'paragraphs = "第一段。"',
            'issue.toml:8: pages[0].articles[0].paragraphs: must be a list of strings, not "第一段。"',
        ),
        (
            'paragraphs = ["第一段。"]',
            'paragraph = ["第一段。"]',
            "issue.toml:8: pages[0].articles[0].paragraph: unknown key "
            "(known: byline, captions, kicker, paragraphs, subtitle, title)",
        ),
        ('code = "A01"\n', "", 'issue.toml:3: pages[0].code: missing (like code = "A01")'),
        (
            'code = "A01"',
            'code = "头版"',
            'issue.toml:4: pages[0].code: "头版" is not a page code like A04 or 04',
        ),
        (
            '[[pages.articles]]\ntitle = "标题"\nparagraphs = ["第一段。"]\n',
            "",
            "issue.toml:3: pages[0].articles: missing (add a [[pages.articles]] table)",
        ),
    ],
)
def test_bad_manifest(tmp_path, old, new, expected):
    assert old in MINIMAL
    assert message(tmp_path, MINIMAL.replace(old, new)) == expected


def test_no_pages(tmp_path):
    text = 'paper = "海湾日报"\ndate = 2026-01-02\n'
    assert message(tmp_path, text) == 'issue.toml: pages: missing (add a [[pages]] table with code = "A01")'


def test_repeated_page_code(tmp_path):
    page = MINIMAL.split("[[pages]]")[1]
    assert message(tmp_path, MINIMAL + "[[pages]]" + page) == (
        "issue.toml:10: pages[1].code: page code A01 repeats pages[0]"
    )
