"""Describe an e-paper's layout (URL patterns and CSS selectors) so a new paper needs a profile, not code."""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

import msgspec
import soupsieve
from msgspec import Meta

from enews_audio.errors import SourceError
from enews_audio.tomlfile import Invalid, Schema, convert, message, read_toml, shown

Layout = Literal["pc-layout", "classic", "nbs"]  # the names of LAYOUTS below
_MATCH = 'a URL pattern or a list of them, like "https://epaper.example.com/*"'


class Profile(Schema):
    """Where an issue's pages and articles are, and which elements hold each part of an article.

    URL patterns are shell globs over the URL's path; selectors are CSS (soupsieve). A selector may
    match several elements: their texts are joined (title, byline) or each kept (captions, body); an
    empty selector matches nothing. A ``[[profile]]`` table of a profiles file has these keys; the
    ones it leaves out come from the built-in layout it is ``like``.
    """

    name: Annotated[str, Meta(pattern=r"\S", description="a string that is not blank")]
    page_url: str = ""  # a page (版面) of an issue, e.g. */node_*.htm
    article_url: str = ""  # an article, e.g. */content_*.htm
    # globs over the whole URL that select this profile (user profiles)
    match: Annotated[str | tuple[str, ...], Meta(description=_MATCH)] = ()
    like: Layout = "classic"  # the built-in layout a user profile starts from
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

    def __post_init__(self) -> None:
        if isinstance(self.match, str):  # one pattern written without a list
            msgspec.structs.force_setattr(self, "match", (self.match,))

    def is_page(self, url: str) -> bool:
        return fnmatchcase(urlsplit(url).path, self.page_url)

    def is_article(self, url: str) -> bool:
        return fnmatchcase(urlsplit(url).path, self.article_url)

    def matches(self, url: str) -> bool:
        return any(fnmatchcase(url, pattern) for pattern in self.match)

    def hosts(self) -> tuple[str, ...]:
        """The hosts its ``match`` patterns name (globs, ``*.example.cn``): the paper's pages, and redirects
        to them, may come from these as well as from the host of the URL the user gave."""
        named = []
        for pattern in self.match:
            try:
                host = urlsplit(pattern).hostname
            except ValueError:  # "[" in a glob reads as a broken IPv6 address: it names no host
                continue
            if host and host.strip("*?"):  # "*" alone would be any host
                named.append(host)
        return tuple(named)


# The three layouts the Founder (方正) system publishes; pc/layout first, its pages also look like node_*.
LAYOUTS = (
    Profile(
        name="pc-layout",
        like="pc-layout",
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
        like="nbs",
        page_url="*/nbs.D*.htm",
        article_url="*/nw.D*.htm",
        byline="h4",
        body="#ozoom",
    ),
)
_BY_NAME = {p.name: p for p in LAYOUTS}
_SELECTORS = ("page_links", "article_links", "article_map", "kicker", "title", "subtitle", "byline")
_SELECTORS += ("body", "captions")


class _File(Schema):
    profile: tuple[Profile, ...] = ()


def layout_of(url: str) -> Profile | None:
    """The built-in layout whose page pattern the URL fits."""
    return next((p for p in LAYOUTS if p.is_page(url)), None)


def load_profiles(path: Path) -> tuple[Profile, ...]:
    """Read ``[[profile]]`` tables from a TOML file; each starts from a built-in layout (``like``)."""
    data, text = read_toml(path, SourceError, "e-paper profiles", where=path.name)
    read = convert(data, _File, SourceError, where=path.name, text=text).profile
    out = []
    for i, (table, profile) in enumerate(zip(data.get("profile", ()), read, strict=True)):
        try:
            out.append(_layered(table, profile))
        except Invalid as exc:
            raise SourceError(message(path.name, ("profile", i, *exc.keys), exc.what, text)) from None
    return tuple(out)


def _layered(table: dict[str, object], profile: Profile) -> Profile:
    """The layout ``profile`` is like, with the keys its table gives."""
    if not profile.match or not all(p.strip() for p in profile.match):
        raise Invalid("match", f"must be {_MATCH}")
    for key in _SELECTORS:
        selector = getattr(profile, key).strip()
        if selector:  # an empty selector matches nothing
            try:
                soupsieve.compile(selector)
            except soupsieve.SelectorSyntaxError as exc:
                raise Invalid(
                    key, f"{shown(selector)} is not a CSS selector ({exc.args[0].splitlines()[0]})"
                ) from exc
    given = {k: getattr(profile, k) for k in table}
    given |= {k: v.strip() for k, v in given.items() if isinstance(v, str)}
    return msgspec.structs.replace(_BY_NAME[profile.like], **given)
