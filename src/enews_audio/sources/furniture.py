"""What a page prints around its stories that no listener wants read: credits, navigation, continuation marks.

Every source drops it here (``tidy``, from ``load_issue``), so the later stages speak what an article holds
and never guess again. The readers use ``is_credit`` too, to tell a credit from a byline or an article.
"""

from __future__ import annotations

import dataclasses
import re

from enews_audio.model import Article, Issue
from enews_audio.sources.continued import strip_marks

# A paragraph that is an editor's credit (（责任编辑：王五）, 校对 赵六) or a reader app's or site's
# navigation (字号：, 上一篇, 返回目录): the word, then a colon, a space or nothing.
_CREDIT = re.compile(
    r"^[（(]?\s*(?:本版责任编辑|责任编辑|本版责编|本版编辑|责编|编辑|校对|美编|版式|组版|审核)\s*(?:[：:]|$|\s)"
)
_NAVIGATION = re.compile(r"^(?:字号|上一篇|下一篇|返回目录)\s*(?:[：:]|$|\s)")


def is_credit(line: str) -> bool:
    return bool(_CREDIT.match(line.strip()))


def tidy(issue: Issue) -> Issue:
    """The issue without credits, navigation and continuation marks, in its paragraphs and captions.

    An article left without paragraphs keeps its headings: its announcement and title are still read.
    """
    pages = tuple(
        dataclasses.replace(page, articles=tuple(_tidy(article) for article in page.articles))
        for page in issue.pages
    )
    return dataclasses.replace(issue, pages=pages)


def _tidy(article: Article) -> Article:
    return dataclasses.replace(
        article, paragraphs=_lines(article.paragraphs), captions=_lines(article.captions)
    )


def _lines(lines: tuple[str, ...]) -> tuple[str, ...]:
    kept = (
        strip_marks(line).strip()
        for line in lines
        if not (is_credit(line) or _NAVIGATION.match(line.strip()))
    )
    return tuple(line for line in kept if line)
