import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from enews_audio.errors import SourceError
from enews_audio.model import Part
from enews_audio.sources import load_issue
from enews_audio.text import TextSettings, to_script

DATA = Path(__file__).parent.parent / "data" / "sources"
SAMPLE = Path(__file__).parent.parent.parent / "examples" / "sample-issue"


def copy_folder(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "issue"
    folder.mkdir()
    for name in names:
        shutil.copy(DATA / "folder-issue" / name, folder / name)
    return folder


def error(source: Path) -> str:
    with pytest.raises(SourceError) as caught:
        load_issue(source)
    return str(caught.value)


def test_folder_orders_pages_by_code_and_articles_by_natural_name():
    issue = load_issue(DATA / "folder-issue")
    assert (issue.paper, issue.date) == ("海湾日报", dt.date(2025, 12, 31))
    assert [p.code for p in issue.pages] == ["A01", "A02", "B01"]
    assert [a.origin for a in issue.pages[0].articles] == ["a01-1.txt", "a01-2.txt", "a01-10.txt"]
    assert issue.pages[0].name == "要闻"  # a01-10.txt says 要闻综合: the first file wins
    assert issue.pages[2].articles[0].title == "城西公园扩建完工"


def test_numeric_page_codes_sort_by_number(tmp_path):
    text = (DATA / "export-ascii.txt").read_text(encoding="utf-8")
    for name, code in (("a", "10"), ("b", "02"), ("c", "9")):  # file order is not page order
        (tmp_path / f"{name}.txt").write_text(text.replace("A03版", f"第{code}版"), encoding="utf-8")
    assert [p.code for p in load_issue(tmp_path).pages] == ["02", "9", "10"]


def test_single_export_is_an_issue_of_one_page():
    issue = load_issue(DATA / "export-fullwidth.txt")
    assert issue.date == dt.date(2024, 2, 29)
    assert [(p.code, len(p.articles)) for p in issue.pages] == [("04", 1)]


def test_manifest_file_and_folder():
    by_file = load_issue(DATA / "manifest" / "issue.toml")
    assert by_file == load_issue(DATA / "manifest")
    assert [p.code for p in by_file.pages] == ["A01", "A02"]


def test_manifest_wins_over_exports_in_its_folder(tmp_path):
    folder = copy_folder(tmp_path, "a01-1.txt")
    shutil.copy(DATA / "manifest" / "issue.toml", folder / "issue.toml")
    assert load_issue(folder).date == dt.date(2026, 1, 2)


def test_other_files_are_ignored(tmp_path):
    folder = copy_folder(tmp_path, "a01-1.txt")
    (folder / "notes.md").write_text("not an export", encoding="utf-8")
    (folder / ".a01-1.txt.swp").write_bytes(b"\x00\xff")
    assert len(load_issue(folder).pages) == 1


def test_missing_path(tmp_path):
    missing = tmp_path / "nowhere"
    assert error(missing) == f"no issue at {missing}: no such file or folder"


def test_empty_folder(tmp_path):
    (tmp_path / "readme.md").write_text("x", encoding="utf-8")
    assert error(tmp_path) == f"no issue in {tmp_path}: no .txt reader exports and no issue.toml"


def test_unknown_file_kind(tmp_path):
    path = tmp_path / "issue.pdf"
    path.write_bytes(b"%PDF")
    assert error(path) == f"{path}: not a reader export (.txt), an issue.toml or a folder of them"


def test_folder_with_two_papers_names_both_files(tmp_path):
    folder = copy_folder(tmp_path, "a01-1.txt")
    text = (DATA / "folder-issue" / "a02-1.txt").read_text(encoding="utf-8")
    (folder / "a02-1.txt").write_text(text.replace("海湾日报", "山城晚报"), encoding="utf-8")
    assert error(folder) == (
        "a02-1.txt: paper 山城晚报 differs from 海湾日报 in a01-1.txt (a folder holds one issue)"
    )


def test_folder_with_two_dates_names_both_files(tmp_path):
    folder = copy_folder(tmp_path, "a01-1.txt")
    text = (DATA / "folder-issue" / "b01-1.txt").read_text(encoding="utf-8")
    (folder / "b01-1.txt").write_text(text.replace("日期:12-31", "日期:12-30"), encoding="utf-8")
    assert (
        error(folder)
        == "b01-1.txt: date 2025-12-30 differs from 2025-12-31 in a01-1.txt (a folder holds one issue)"
    )


def test_bad_file_in_folder_is_named(tmp_path):
    folder = copy_folder(tmp_path, "a01-1.txt", "a01-2.txt")
    text = (folder / "a01-2.txt").read_text(encoding="utf-8")
    (folder / "a01-2.txt").write_text(text.replace("日期:12-31", "日期:12-32"), encoding="utf-8")
    assert error(folder) == "a01-2.txt:8: 日期 12-32 is not a calendar date"


def test_sample_issue():
    issue = load_issue(SAMPLE)
    assert issue.paper == "山城晚报"
    assert issue.date == dt.date(2025, 12, 31)
    assert [(p.code, p.name, len(p.articles)) for p in issue.pages] == [
        ("A01", "要闻", 2),
        ("A04", "聚焦", 2),
    ]
    articles = [a for p in issue.pages for a in p.articles]
    assert sum(" " in a.title for a in articles) == 1  # one two-line headline
    assert sum(not a.byline for a in articles) == 1
    body = "".join(p for a in articles for p in a.paragraphs)
    for hard_case in ("128.6亿元", "59.1%", "2万人", ",", ":", "("):
        assert hard_case in body
    assert "责编" not in body
    assert sorted(p.name for p in SAMPLE.iterdir()) == ["a01-1.txt", "a01-2.txt", "a04-1.txt", "a04-2.txt"]


def test_sample_issue_is_short_enough_for_a_cpu_voice():
    issue = load_issue(SAMPLE)
    spoken = "".join(a.title + a.byline + "".join(a.paragraphs) for p in issue.pages for a in p.articles)
    assert len(re.findall(r"[\u4e00-\u9fff]", spoken)) <= 900
    paragraphs = [text for page in issue.pages for a in page.articles for text in a.paragraphs]
    assert all(1 <= len(re.findall(r"[。！？]", text)) <= 3 for text in paragraphs)


FURNISHED = """
paper = "山城晚报"
date = 2025-12-31
[[pages]]
code = "A04"
[[pages.articles]]
title = "绿道连成网"
paragraphs = ["（上接A01版）", "全市新增绿道12公里（下转A05版）。", "字号：", "（责任编辑：王五）", "校对 赵六"]
captions = ["新建的绿道（转下页）", "本版编辑：李四"]
[[pages.articles]]
title = "只剩续篇标记"
paragraphs = ["上接A01版"]
"""


def test_credits_navigation_and_continuation_marks_are_dropped_once_by_the_sources(tmp_path):
    """A hand-made manifest can carry them as well as an export or an e-paper: no later stage guesses."""
    (tmp_path / "issue.toml").write_text(FURNISHED, encoding="utf-8")
    issue = load_issue(tmp_path / "issue.toml")
    story, marks_only = issue.pages[0].articles
    assert story.paragraphs == ("全市新增绿道12公里。",) and story.captions == ("新建的绿道",)
    assert marks_only.paragraphs == ()  # still announced by its title
    page = to_script(issue, TextSettings()).pages[0]
    assert [u.display for u in page.utterances if u.part is Part.BODY] == ["全市新增绿道12公里。"]
    assert "第二篇，只剩续篇标记。" in [u.display for u in page.utterances]


def test_an_export_loses_a_credit_in_the_middle_too(tmp_path):
    text = (DATA / "export-ascii.txt").read_text(encoding="utf-8")
    (tmp_path / "a.txt").write_text(
        text.replace("  责任编辑:孙明", "  本版责编：李四\n\n  后记。\n\n  责任编辑:孙明"), encoding="utf-8"
    )
    (article,) = load_issue(tmp_path / "a.txt").pages[0].articles
    assert article.paragraphs[-1] == "后记。"
    assert not any("责编" in p or "责任编辑" in p for p in article.paragraphs)
