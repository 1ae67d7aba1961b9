"""Join articles continued on another page (下转第四版 … 上接第一版) into one, where each starts."""

from __future__ import annotations

import dataclasses
import re

from enews_audio.chars import CHINESE_DIGITS
from enews_audio.model import Article, Page

_MARK_CODE = r"第?\s*([A-Za-z]{0,2})\s*(\d{1,3}|[一二三四五六七八九十]{1,3})\s*版"
# A mark naming the page it continues on or from: （下转第四版） (转A3版) 上接第1版.
_MARKER = re.compile(rf"[（(]\s*(下转|上接|转|接){_MARK_CODE}\s*[）)]|(下转|上接)\s*{_MARK_CODE}")
# Marks to drop though they name no page we could join: （转下页） （接上文） （下转A3）, or a line of its own.
_LOOSE_MARK = re.compile(r"[（(]\s*(?:上接|下转|接上|转下|紧接)第?[^）)]{1,6}版?\s*[）)]")
_MARK_LINE = re.compile(r"^[（(]?\s*(?:上接|下转|接上|转下|紧接)第?[A-Za-z]?\d{1,3}版?\s*[）)]?$")


@dataclasses.dataclass(frozen=True, slots=True)
class _Mark:
    onward: bool  # 下转: continues on page ``number``; else 上接: continues from it
    letters: str
    number: int


def join_continued(pages: list[Page]) -> list[Page]:
    """Append each continuation to the article it continues, on the page where it starts; drop markers."""
    articles = [list(page.articles) for page in pages]
    for i, page in enumerate(pages):
        for j, article in enumerate(articles[i]):
            onward = [m for m in _marks(article) if m.onward]
            for mark in onward[:1]:
                found = _continuation(pages, articles, article, page, mark)
                if found:
                    k, rest = found
                    articles[k].remove(rest)
                    article = _joined(article, rest)
            articles[i][j] = article
    return [
        dataclasses.replace(page, articles=tuple(_unmarked(a) for a in group))
        for page, group in zip(pages, articles, strict=True)
    ]


def _continuation(
    pages: list[Page], articles: list[list[Article]], start: Article, page: Page, mark: _Mark
) -> tuple[int, Article] | None:
    here = page.sort_key
    for k, target in enumerate(pages):
        letters, number = target.sort_key
        if target is page or number != mark.number or (mark.letters and letters != mark.letters):
            continue
        backward = [a for a in articles[k] if any(not m.onward and m.number == here[1] for m in _marks(a))]
        same = [a for a in backward if _bare(a.title) == _bare(start.title)]
        if same or len(backward) == 1:
            return k, (same or backward)[0]
    return None


def _joined(start: Article, rest: Article) -> Article:
    return dataclasses.replace(
        start,
        paragraphs=start.paragraphs + rest.paragraphs,
        captions=start.captions + tuple(c for c in rest.captions if c not in start.captions),
    )


def strip_marks(text: str) -> str:
    """``text`` without continuation marks; empty if it was nothing but one."""
    text = _LOOSE_MARK.sub("", _MARKER.sub("", text))
    return "" if _MARK_LINE.match(text.strip()) else text


def _unmarked(article: Article) -> Article:
    paragraphs = tuple(p for p in (strip_marks(p).strip() for p in article.paragraphs) if p)
    return dataclasses.replace(article, paragraphs=paragraphs or article.paragraphs)


def _marks(article: Article) -> list[_Mark]:
    marks = []
    for paragraph in article.paragraphs:
        for found in _MARKER.finditer(paragraph):
            word, letters, number = found.group(1, 2, 3) if found[1] else found.group(4, 5, 6)
            marks.append(_Mark(word in {"下转", "转"}, letters.upper(), _number(number)))
    return marks


def _number(text: str) -> int:
    """Page numbers in markers: 4, ４, 四, 十二."""
    if text.isdigit():
        return int(text)
    tens, ten, ones = text.rpartition("十")
    if len(tens) > 1 or len(ones) > 1 or (not ten and len(text) > 1):
        return 0  # not a number we know: no page has it, so nothing is joined
    if not ten:
        return CHINESE_DIGITS.index(text)
    return (CHINESE_DIGITS.index(tens) if tens else 1) * 10 + (CHINESE_DIGITS.index(ones) if ones else 0)


def _bare(title: str) -> str:
    return re.sub(r"\s", "", title)
