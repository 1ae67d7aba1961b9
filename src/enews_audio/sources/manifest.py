"""Read an issue.toml: an issue assembled by hand, in the same shape as the model."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import typing
import unicodedata
from pathlib import Path
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from enews_audio.errors import SourceError
from enews_audio.model import Article, Issue, Page
from enews_audio.sources.reader_export import read_text
from enews_audio.tomlfile import Invalid, Schema, convert, read_toml, shown

_PAGE_CODE = re.compile(r"(?:第\s*)?([A-Za-zＡ-Ｚａ-ｚ]{0,2}[0-9０-９]{1,3})\s*版?")  # full-width: A０４
Text = Annotated[str, Meta(pattern=r"\S", description="a string that is not blank")]


class _ArticleChecks(Schema):
    """What a ``[[pages.articles]]`` table must hold beyond its types."""

    def __post_init__(self) -> None:
        given = msgspec.structs.asdict(self)  # the fields are the subclass's, made below
        if not given["title"].strip():
            raise Invalid("title", f"must be a string that is not blank, not {shown(given['title'])}")
        if not given["paragraphs"] or not all(p.strip() for p in given["paragraphs"]):
            raise Invalid("paragraphs", "must hold at least one paragraph and no empty ones")


def _fields_of(
    model: type, *, leave: tuple[str, ...]
) -> list[tuple[str, object] | tuple[str, object, object]]:
    """A dataclass's fields, for ``msgspec.defstruct``: the table has the model's keys and types."""
    hints = typing.get_type_hints(model)
    return [
        (f.name, hints[f.name]) if f.default is dataclasses.MISSING else (f.name, hints[f.name], f.default)
        for f in dataclasses.fields(model)
        if f.name not in leave
    ]


# A [[pages.articles]] table: an Article's keys, but not where it came from, which the loader tells.
_Article = msgspec.defstruct("_Article", _fields_of(Article, leave=("origin",)), bases=(_ArticleChecks,))


class _Page(Schema):
    code: Annotated[str, Meta(examples=["A01"])]
    name: str = ""
    articles: tuple[_Article, ...] = ()  # type: ignore[valid-type]

    def __post_init__(self) -> None:
        if not _PAGE_CODE.fullmatch(self.code.strip()):
            raise Invalid("code", f"{shown(self.code)} is not a page code like A04 or 04")
        if not self.articles:
            raise Invalid("articles", "missing (add a [[pages.articles]] table)")


class _Issue(Schema):
    paper: Text
    date: Annotated[dt.date, Meta(examples=[dt.date(2026, 1, 2)])]
    pages: tuple[_Page, ...] = ()

    def __post_init__(self) -> None:
        if not self.pages:
            raise Invalid("pages", 'missing (add a [[pages]] table with code = "A01")')
        seen: dict[str, int] = {}
        for i, page in enumerate(self.pages):
            code = _code(page)
            if code in seen:
                raise Invalid(("pages", i, "code"), f"page code {code} repeats pages[{seen[code]}]")
            seen[code] = i


def load_manifest(path: Path) -> Issue:
    name = path.name
    data, text = read_toml(path, SourceError, "issue", where=name, read=read_text)
    if isinstance(data.get("date"), dt.datetime):  # a date with a time of day: the day is what counts
        data["date"] = data["date"].date()
    issue = convert(data, _Issue, SourceError, where=name, text=text)
    pages = (
        Page(
            code=_code(page),
            name=page.name.strip(),
            articles=tuple(
                _article(a, f"{name}: pages[{i}].articles[{j}]") for j, a in enumerate(page.articles)
            ),
        )
        for i, page in enumerate(issue.pages)
    )
    return Issue(
        paper=issue.paper.strip(), date=issue.date, pages=tuple(sorted(pages, key=lambda p: p.sort_key))
    )


def _code(page: _Page) -> str:
    found = _PAGE_CODE.fullmatch(page.code.strip())
    assert found is not None  # checked when read
    return unicodedata.normalize("NFKC", found[1]).upper()  # full-width letters and digits to ASCII


def _article(article: Any, origin: str) -> Article:
    return Article(
        title=article.title.strip(),
        paragraphs=tuple(p.strip() for p in article.paragraphs),
        kicker=article.kicker.strip(),
        subtitle=article.subtitle.strip(),
        byline=article.byline.strip(),
        captions=tuple(c.strip() for c in article.captions if c.strip()),
        origin=origin,
    )
