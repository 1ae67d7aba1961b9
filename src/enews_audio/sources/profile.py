"""Describe an e-paper's layout (URL patterns and CSS selectors) so a new paper needs a profile, not code."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import soupsieve

from enews_audio.errors import SourceError
from enews_audio.tomlfile import read_toml


@dataclass(frozen=True, slots=True)
class Profile:
    """Where an issue's pages and articles are, and which elements hold each part of an article.

    URL patterns are shell globs over the URL's path; selectors are CSS (soupsieve). A selector may
    match several elements: their texts are joined (title, byline) or each kept (captions, body); an
    empty selector matches nothing.
    """

    name: str
    page_url: str  # a page (版面) of an issue, e.g. */node_*.htm
    article_url: str  # an article, e.g. */content_*.htm
    match: tuple[str, ...] = ()  # globs over the whole URL that select this profile (user profiles)
    paper: str = ""  # the paper's name; default: the page's <title>
    page_links: str = "#pageLink"
    article_links: str = "ul li a[href], #titleList a[href], #ozoom a[href]"
    article_map: str = "map area[href]"
    kicker: str = "h3"
    title: str = "h1"
    subtitle: str = "h2"
    byline: str = ".author"
    body: str = "founder-content, #ozoom"
    captions: str = "table:has(img) td:not(:has(img))"

    def is_page(self, url: str) -> bool:
        return fnmatchcase(urlsplit(url).path, self.page_url)

    def is_article(self, url: str) -> bool:
        return fnmatchcase(urlsplit(url).path, self.article_url)

    def matches(self, url: str) -> bool:
        return any(fnmatchcase(url, pattern) for pattern in self.match)


# The three layouts the Founder (方正) system publishes; pc/layout first, its pages also look like node_*.
LAYOUTS = (
    Profile(
        name="pc-layout",
        page_url="*/pc/layout/*/node_*.html",
        article_url="*/pc/content/*/content_*.html",
        byline="p.sec",
        body="#ozoom",
    ),
    Profile(
        name="classic",
        page_url="*/node_*.htm*",
        article_url="*/content_*.htm*",
        byline=".author, founder-author",
    ),
    Profile(
        name="nbs",
        page_url="*/nbs.D*.htm",
        article_url="*/nw.D*.htm",
        byline="h4",
        body="#ozoom",
    ),
)
_BY_NAME = {p.name: p for p in LAYOUTS}
_SELECTORS = ("page_links", "article_links", "article_map", "kicker", "title", "subtitle", "byline")
_SELECTORS += ("body", "captions")
_TEXTS = ("name", "like", "paper", "page_url", "article_url", *_SELECTORS)


def layout_of(url: str) -> Profile | None:
    """The built-in layout whose page pattern the URL fits."""
    return next((p for p in LAYOUTS if p.is_page(url)), None)


def load_profiles(path: Path) -> tuple[Profile, ...]:
    """Read ``[[profile]]`` tables from a TOML file; each starts from a built-in layout (``like``)."""
    data = read_toml(path, SourceError, "e-paper profiles")
    tables = data.get("profile", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise SourceError(f"{path.name}: write each paper as a [[profile]] table")
    return tuple(_profile(table, f"{path.name}: profile[{i}]") for i, table in enumerate(tables))


def _profile(table: dict[str, Any], where: str) -> Profile:
    unknown = sorted(set(table) - {*_TEXTS, "match"})
    if unknown:
        raise SourceError(f'{where}: unknown key "{unknown[0]}" (known: match, {", ".join(_TEXTS)})')
    for key in _TEXTS:
        if key in table and not isinstance(table[key], str):
            raise SourceError(f'{where}: "{key}" must be a string')
    name = table.get("name", "").strip()
    if not name:
        raise SourceError(f'{where}: missing "name"')
    match = table.get("match", [])
    match = [match] if isinstance(match, str) else match
    if not match or not all(isinstance(m, str) and m for m in match):
        raise SourceError(
            f'{where}: "match" must be a URL pattern or a list of them, like "https://epaper.example.com/*"'
        )
    like = table.get("like", "classic")
    if like not in _BY_NAME:
        raise SourceError(f'{where}: like = "{like}" is not one of {", ".join(_BY_NAME)}')
    for key in _SELECTORS:
        if table.get(key, "").strip():  # an empty selector matches nothing
            _check_selector(table[key], f'{where}: "{key}"')
    changes = {k: table[k].strip() for k in _TEXTS if k in table and k != "like"}
    return dataclasses.replace(_BY_NAME[like], match=tuple(match), **changes)


def _check_selector(selector: str, where: str) -> None:
    try:
        soupsieve.compile(selector)
    except soupsieve.SelectorSyntaxError as exc:
        raise SourceError(f"{where}: {selector!r} is not a CSS selector ({exc.args[0]})") from exc
