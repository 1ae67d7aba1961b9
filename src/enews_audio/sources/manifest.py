"""Read an issue.toml: an issue assembled by hand, in the same shape as the model."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

from enews_audio.errors import SourceError
from enews_audio.model import Article, Issue, Page
from enews_audio.sources.reader_export import read_text

_PAGE_CODE = re.compile(r"(?:第\s*)?([A-Za-zＡ-Ｚａ-ｚ]{0,2}[0-9０-９]{1,3})\s*版?")  # full-width: A０４
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_ISSUE_KEYS = {"paper", "date", "pages"}
_PAGE_KEYS = {"code", "name", "articles"}
_ARTICLE_KEYS = {"title", "paragraphs", "kicker", "subtitle", "byline", "captions"}


def load_manifest(path: Path) -> Issue:
    name = path.name
    try:
        data = tomllib.loads(read_text(path))
    except RecursionError:  # tomllib parses nested arrays and tables by recursion
        raise SourceError(f"{name}: invalid TOML: nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = _TOML_WHERE.search(message)
        at = f"{name}:{where[1]}:{where[2]}" if where else name
        raise SourceError(f"{at}: invalid TOML: {_TOML_WHERE.sub('', message)}") from exc
    return _issue(data, name)


def _issue(data: dict[str, Any], name: str) -> Issue:
    _check_keys(data, _ISSUE_KEYS, name)
    paper = _text(data, "paper", name, required=True)
    date = _date(data, name)
    pages = _list(data, "pages", name, of=dict)
    if not pages:
        raise SourceError(f'{name}: no pages (add a [[pages]] table with code = "A01")')
    parsed = [_page(page, f"{name}: pages[{i}]") for i, page in enumerate(pages)]
    seen: dict[str, int] = {}
    for i, page in enumerate(parsed):
        if page.code in seen:
            raise SourceError(f"{name}: pages[{i}]: page code {page.code} repeats pages[{seen[page.code]}]")
        seen[page.code] = i
    return Issue(paper=paper, date=date, pages=tuple(sorted(parsed, key=lambda page: page.sort_key)))


def _page(data: dict[str, Any], where: str) -> Page:
    _check_keys(data, _PAGE_KEYS, where)
    raw_code = _text(data, "code", where, required=True)
    code = _PAGE_CODE.fullmatch(raw_code)
    if not code:
        raise SourceError(f"{where}: code {raw_code!r} is not a page code like A04 or 04")
    articles = _list(data, "articles", where, of=dict)
    if not articles:
        raise SourceError(f"{where}: no articles (add a [[pages.articles]] table)")
    return Page(
        code=unicodedata.normalize("NFKC", code[1]).upper(),
        name=_text(data, "name", where),
        articles=tuple(_article(article, f"{where}.articles[{j}]") for j, article in enumerate(articles)),
    )


def _article(data: dict[str, Any], where: str) -> Article:
    _check_keys(data, _ARTICLE_KEYS, where)
    title = _text(data, "title", where, required=True)
    paragraphs = _list(data, "paragraphs", where, of=str, required=True)
    if not paragraphs or not all(p.strip() for p in paragraphs):
        raise SourceError(f'{where}: "paragraphs" must hold at least one paragraph and no empty ones')
    return Article(
        title=title,
        paragraphs=tuple(p.strip() for p in paragraphs),
        kicker=_text(data, "kicker", where),
        subtitle=_text(data, "subtitle", where),
        byline=_text(data, "byline", where),
        captions=tuple(c.strip() for c in _list(data, "captions", where, of=str) if c.strip()),
        origin=where,
    )


def _check_keys(data: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise SourceError(f'{where}: unknown key "{unknown[0]}" (known: {", ".join(sorted(allowed))})')


def _text(data: dict[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise SourceError(f'{where}: "{key}" must be a string, not {value!r}')
    if required and not value.strip():
        raise SourceError(f'{where}: missing "{key}"')
    return value.strip()


def _list(data: dict[str, Any], key: str, where: str, *, of: type, required: bool = False) -> list[Any]:
    if key not in data:
        if required:
            raise SourceError(f'{where}: missing "{key}"')
        return []
    value = data[key]
    if not isinstance(value, list) or not all(isinstance(item, of) for item in value):
        kind = "tables" if of is dict else "strings"
        raise SourceError(f'{where}: "{key}" must be a list of {kind}')
    return value


def _date(data: dict[str, Any], name: str) -> dt.date:
    value = data.get("date")
    if value is None:
        raise SourceError(f'{name}: missing "date" (like date = 2026-01-02)')
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise SourceError(f'{name}: "date" {value!r} is not a date like 2026-01-02')
