"""Read one article exported as .txt by the e-paper reader app 电子报阅读机."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from enews_audio.chars import HAN
from enews_audio.errors import SourceError
from enews_audio.model import Article
from enews_audio.sources.furniture import is_credit

# Header lines: the export wrote ASCII colons, hand-edited files often have full-width ones.
_EXPORT_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_PAPER = re.compile(r"当前报纸名称\s*[:：]\s*(.*)")
_DAY = re.compile(r"日期\s*[:：]\s*(.*)")
_PAGE = re.compile(r"版面\s*[:：]\s*(.*)")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*-\s*(\d{1,2})")
# Page codes in ASCII or full-width letters and digits (A０４), nothing else that counts as a digit.
_PAGE_VALUE = re.compile(r"(?:第\s*)?([A-Za-zＡ-Ｚａ-ｚ]{0,2}\s*[0-9０-９]{1,3})\s*版\s*(?:[:：]\s*(.*))?")
_PAGER = re.compile(r"(?:\s*(?:上一篇|下一篇))+\s*$")  # the app's navigation links, not content
_SENTENCE_END = re.compile(r"[。！？；…!?;]")
_HAN = re.compile(f"[{HAN}]")

BYLINE_MAX = 30  # a longer first paragraph is prose, not "记者 某某"


@dataclass(frozen=True, slots=True)
class Export:
    """One exported file: its article and where it sits in which issue."""

    paper: str
    date: dt.date  # the article's (issue's) date, inferred from 日期:MM-DD and the export date
    page_code: str
    page_name: str
    article: Article


def read_export(path: Path) -> Export:
    return parse_export(read_text(path), path.name)


def read_text(path: Path) -> str:
    """Decode a source file as UTF-8, telling the user what to do when it is something else."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: cannot read it: {exc.strerror}") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(f"{path.name}: not UTF-8 but UTF-16 — save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        hint = f"byte 0x{data[exc.start]:02x} is not UTF-8"
        if _looks_like_gb18030(data):
            hint += "; looks like GBK/GB18030 — save it as UTF-8"
        raise SourceError(f"{path.name}:{line}: not UTF-8 text: {hint}") from exc


def _looks_like_gb18030(data: bytes) -> bool:
    try:
        return bool(_HAN.search(data.decode("gb18030")))
    except UnicodeDecodeError:
        return False


def parse_export(text: str, name: str) -> Export:
    """Parse an export's text; ``name`` (the file name) prefixes every error and becomes the origin."""
    lines = [line.rstrip() for line in re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))]
    page_at = _find(lines, _PAGE)
    head = lines[: page_at if page_at is not None else len(lines)]

    export_at = _find(head, _EXPORT_DATE)
    if export_at is None:
        raise SourceError(f"{name}: no export date (a YYYY-MM-DD line after the app name)")
    export_date = _to_date(head[export_at].strip(), f"{name}:{export_at + 1}: export date")
    paper_at = _find(head, _PAPER)
    if paper_at is None:
        raise SourceError(f"{name}: no 当前报纸名称 line (the paper's name)")
    paper = _PAPER.fullmatch(head[paper_at].strip())[1].strip()
    if not paper:
        raise SourceError(f"{name}:{paper_at + 1}: 当前报纸名称 has no paper name")
    day_at = _find(head, _DAY)
    if day_at is None:
        raise SourceError(f"{name}: no 日期 line (like 日期:12-31)")
    headline = _collapse(" ".join(head[paper_at + 1 : day_at]))
    if not headline:
        raise SourceError(f"{name}: no headline between the 当前报纸名称 line and the 日期 line")
    date = _article_date(_DAY.fullmatch(head[day_at].strip())[1], export_date, f"{name}:{day_at + 1}")
    if page_at is None:
        raise SourceError(f"{name}: no 版面 line (like 版面:A04版:聚焦)")
    code, page_name = _page(_PAGE.fullmatch(lines[page_at].strip())[1], f"{name}:{page_at + 1}")

    byline, paragraphs = _body(lines[page_at + 1 :], name)
    article = Article(title=headline, paragraphs=paragraphs, byline=byline, origin=name)
    return Export(paper=paper, date=date, page_code=code, page_name=page_name, article=article)


def infer_date(export_date: dt.date, month: int, day: int) -> dt.date | None:
    """The latest date with this month and day not after the export date (exports carry no year)."""
    for year in range(export_date.year, export_date.year - 9, -1):  # 8 years always hold a 29 Feb
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate <= export_date:
            return candidate
    return None


def _find(lines: list[str], pattern: re.Pattern[str]) -> int | None:
    return next((i for i, line in enumerate(lines) if pattern.fullmatch(line.strip())), None)


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _to_date(text: str, where: str) -> dt.date:
    year, month, day = map(int, _EXPORT_DATE.fullmatch(text).groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise SourceError(f"{where} {text} is not a calendar date") from None


def _article_date(value: str, export_date: dt.date, where: str) -> dt.date:
    value = value.strip()
    if _EXPORT_DATE.fullmatch(value):  # a hand-edited file may carry the full date
        return _to_date(value, f"{where}: 日期")
    match = _MONTH_DAY.fullmatch(value)
    if not match:
        raise SourceError(f"{where}: 日期 {value!r} is not MM-DD")
    date = infer_date(export_date, int(match[1]), int(match[2]))
    if date is None:
        raise SourceError(f"{where}: 日期 {value} is not a calendar date")
    return date


def _page(value: str, where: str) -> tuple[str, str]:
    value = _collapse(_PAGER.sub("", value))
    match = _PAGE_VALUE.fullmatch(value)
    if not match:
        raise SourceError(f"{where}: 版面 {value!r} has no page code like A04版 or 第04版")
    return unicodedata.normalize("NFKC", re.sub(r"\s", "", match[1])).upper(), _collapse(match[2] or "")


def _body(lines: list[str], name: str) -> tuple[str, tuple[str, ...]]:
    """Split the byline from the paragraphs and drop the editor's credit at the end (the rest of the page
    furniture goes in ``furniture.tidy``)."""
    paragraphs = [line.strip() for line in lines if line.strip()]
    while paragraphs and is_credit(paragraphs[-1]):
        paragraphs.pop()
    if not paragraphs:
        raise SourceError(f"{name}: no paragraphs after the 版面 line")
    first = paragraphs[0]
    if len(first) > BYLINE_MAX or _SENTENCE_END.search(first):
        return "", tuple(paragraphs)
    if len(paragraphs) == 1:
        raise SourceError(f"{name}: no paragraphs after the byline {first!r}")
    return first, tuple(paragraphs[1:])
