"""Read a Founder (方正) e-paper issue, on the web or saved, page by page and article by article."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from enews_audio.chars import CJK_PUNCTUATION, FULLWIDTH_FORMS, HAN
from enews_audio.errors import SourceError
from enews_audio.model import Article, Issue, Page
from enews_audio.sources.continued import join_continued
from enews_audio.sources.fetch import Fetched, PageNotFoundError, Site
from enews_audio.sources.furniture import is_credit
from enews_audio.sources.profile import LAYOUTS, Profile, layout_of

ENTRY_NAMES = ("paperindex.htm", "paperindex.html", "index.htm", "index.html")
_HOPS = 5  # meta-refresh redirects followed from an entry page

# Over URLs and extracted text only, never over HTML.
_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})(-?)(\d{2})/(\d{2})(?=/)")
_PAGE_TITLE = re.compile(r"(?:第\s*)?([A-Za-zＡ-Ｚａ-ｚ]{0,2})\s*([0-9０-９]{1,3})\s*版?\s*[:：]?\s*(.*)")
_DATE_LINE = re.compile(r"《([^》]+)》\s*[（(]\s*\d{4}\s*年.*?版\s*[）)]")
# A line break in the source between two Chinese characters is no space at all; other spacing is one space.
_WRAPPED = "\x1f"
_WRAP = re.compile(r"[^\S\n\r]*[\n\r]\s*")
_SPACES = re.compile(r"[^\S\n\x1f]+")
_CJK = f"[{CJK_PUNCTUATION}{HAN}{FULLWIDTH_FORMS}]"
_CJK_GAP = re.compile(rf"(?<={_CJK}) *{_WRAPPED}[ {_WRAPPED}]*(?={_CJK})")
_PAPER_SUFFIX = re.compile(r"(?:数字报刊?|电子报|电子版|数字版|平台)+$")
_BLOCKS = {"p", "div", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "founder-content"}


@dataclasses.dataclass(frozen=True, slots=True)
class _Link:
    url: str
    text: str


def load_epaper(
    start: str, site: Site, *, date: dt.date | None = None, profiles: tuple[Profile, ...] = ()
) -> Issue:
    """The issue behind ``start`` (an entry page or one of its pages), for ``date`` when given."""
    profile, first = _first_page(start, site, profiles, date)
    issue_date = _date_in(first.url) or date
    if issue_date is None:
        raise SourceError(f"{first.url}: no date in the page's address; give the issue's date")
    soup = _parse(first)
    links = _page_links(soup, profile, first.url, site)
    if not links:
        raise SourceError(f"{first.url}: malformed page: no page list ({profile.page_links})")
    pages, seen = [], set()
    for code, name, link in links:
        if "广告" in name:
            continue  # advert pages have nothing to read
        page_soup = soup if link.url == first.url else _parse(site.get(link.url, cache=_dated(link.url)))
        articles = []
        for item in _article_links(page_soup, profile, link.url, site):
            if item.url in seen or is_credit(item.text):
                continue
            seen.add(item.url)
            article = _article(_parse(site.get(item.url, cache=_dated(item.url))), profile, item)
            if article:
                articles.append(article)
        pages.append(Page(code=code, name=name, articles=tuple(articles)))
    pages = [page for page in join_continued(pages) if page.articles]
    if not pages:
        raise SourceError(f"{first.url}: no articles in the issue of {issue_date}")
    paper = profile.paper or _paper_name(soup, first.url)
    return Issue(paper=paper, date=issue_date, pages=tuple(pages))


def start_in_folder(folder: Path, date: dt.date | None, profiles: tuple[Profile, ...] = ()) -> str:
    """The file URL to start a saved e-paper from: its entry page, else a page of the (latest) issue."""
    for name in ENTRY_NAMES:
        if (folder / name).is_file():
            return (folder / name).resolve().as_uri()
    candidates = [p.resolve().as_uri() for p in sorted(folder.rglob("*.htm*")) if p.is_file()]
    pages = [u for u in candidates if any(p.is_page(u) for p in (*profiles, *LAYOUTS)) and _date_in(u)]
    if date:
        pages = [u for u in pages if _date_in(u) == date]
    if not pages:
        on = f" of {date}" if date else ""
        raise SourceError(f"{folder}: no e-paper pages{on} (no {ENTRY_NAMES[0]} and no node_/nbs. pages)")
    latest = max(_date_in(u) for u in pages)
    return next(u for u in pages if _date_in(u) == latest)


# The issue's first page


def _first_page(
    start: str, site: Site, profiles: tuple[Profile, ...], date: dt.date | None
) -> tuple[Profile, Fetched]:
    url = _strip_query(start)
    for _ in range(_HOPS):
        profile = _profile_for(url, profiles)
        if profile and profile.is_page(url):
            return profile, _dated_page(url, site, date)
        fetched = site.get(url, cache=False)  # an entry page points at a new issue every day
        profile = _profile_for(fetched.url, profiles)
        if profile and profile.is_page(fetched.url):
            url = fetched.url
            if date is None or _date_in(url) == date:
                return profile, fetched
            continue
        target = _refresh_target(_parse(fetched), fetched.url)
        if target is None:
            raise SourceError(
                f"{fetched.url}: not a page of a known e-paper layout (node_N.htm, pc/layout/…, nbs.….htm)"
                " and no redirect to one; describe the paper in a profile"
            )
        if reason := site.refusal(target):
            raise SourceError(f"{fetched.url}: refreshes to {target}, {reason}; not followed")
        url = target
    raise SourceError(f"{start}: more than {_HOPS} redirects without reaching an e-paper page")


def _dated_page(url: str, site: Site, date: dt.date | None) -> Fetched:
    """Fetch the page, moved to ``date``; a missing page means the issue is not out or never was."""
    if date is not None and _date_in(url) != date:
        if _date_in(url) is None:
            raise SourceError(f"{url}: no date in the address to change; give the address of that day's page")
        url = _with_date(url, date)
    try:
        return site.get(url, cache=_dated(url))
    except PageNotFoundError as exc:
        wanted, where = _date_in(url), urlsplit(url).netloc or "the saved folder"
        if wanted and wanted >= dt.date.today():
            raise SourceError(
                f"the issue of {wanted} is not published yet at {where} (try again later)"
            ) from exc
        if date is not None:
            raise SourceError(f"no issue dated {date} at {where} ({url} not found)") from exc
        raise


def _profile_for(url: str, profiles: tuple[Profile, ...]) -> Profile | None:
    chosen = next((p for p in profiles if p.matches(url)), None)
    return chosen or layout_of(url)


def _refresh_target(soup: BeautifulSoup, url: str) -> str | None:
    for meta in soup.find_all("meta", attrs={"http-equiv": True, "content": True}):
        if str(meta["http-equiv"]).strip().lower() != "refresh":
            continue
        _, _, target = str(meta["content"]).partition(";")
        key, _, value = target.strip().partition("=")
        if key.strip().lower() == "url" and value.strip(" '\""):
            return _strip_query(urljoin(url, value.strip(" '\"")))
    return None


def _date_in(url: str) -> dt.date | None:
    found = _URL_DATE.findall(urlsplit(url).path)
    if not found:
        return None
    year, _, month, day = found[-1]
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _dated(url: str) -> bool:
    """Only a dated page is worth caching: an undated one may change."""
    return _date_in(url) is not None


def _with_date(url: str, date: dt.date) -> str:
    parts = urlsplit(url)
    last = list(_URL_DATE.finditer(parts.path))[-1]
    dash = last[2]
    new = f"{date.year:04d}{dash}{date.month:02d}/{date.day:02d}"
    return urlunsplit(parts._replace(path=parts.path[: last.start()] + new + parts.path[last.end() :]))


def _strip_query(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(query="", fragment=""))


# Pages


def _parse(fetched: Fetched) -> BeautifulSoup:
    return BeautifulSoup(fetched.text, "lxml")


def _page_links(soup: BeautifulSoup, profile: Profile, url: str, site: Site) -> list[tuple[str, str, _Link]]:
    """The issue's pages as code, name and link, in the order of the page list; links to addresses the
    paper's pages may not come from (``site.refusal``: another host, outside a saved copy) are left out."""
    links: dict[str, _Link] = {}
    for a in soup.select(profile.page_links):
        href = a.get("href")
        target = _strip_query(urljoin(url, str(href))) if href else ""
        text = _headline(a)
        if target and text and target not in links and profile.is_page(target) and not site.refusal(target):
            links[target] = _Link(target, text)
    unique: dict[str, tuple[str, str, _Link]] = {}
    for link in links.values():  # "下一版" and the like are links to pages too, but not the list
        title = _page_title(link.text)
        if title and title[0] not in unique:
            unique[title[0]] = (*title, link)
    return list(unique.values())


def _page_title(text: str) -> tuple[str, str] | None:
    """``A04版：聚焦`` or ``第04版：聚焦`` as code and name."""
    found = _PAGE_TITLE.fullmatch(text.strip())
    return (unicodedata.normalize("NFKC", found[1] + found[2]).upper(), found[3].strip()) if found else None


def _article_links(soup: BeautifulSoup, profile: Profile, url: str, site: Site) -> list[_Link]:
    """The page's list of articles, then any that only its image map links to; queries dropped; those
    the paper's pages may not come from (``site.refusal``) left out.

    A page whose list markup the profile does not know gives every link to an article on it.
    """
    links: dict[str, _Link] = {}
    listed = bool(profile.article_links) and any(
        profile.is_article(urljoin(url, str(a.get("href", "")))) for a in soup.select(profile.article_links)
    )
    for selector in (profile.article_links if listed else "a[href]", profile.article_map):
        for a in soup.select(selector) if selector else ():
            href = a.get("href")
            target = _strip_query(urljoin(url, str(href))) if href else ""
            if target and profile.is_article(target) and target not in links and not site.refusal(target):
                links[target] = _Link(target, _headline(a) or str(a.get("alt") or a.get("title") or ""))
    return list(links.values())


def _paper_name(soup: BeautifulSoup, url: str) -> str:
    title = _headline(soup.title) if soup.title else ""
    for part in re.split(r"[-_|—–·:：\s]+", title):
        name = _PAPER_SUFFIX.sub("", part.strip())
        if name and "版" not in name:
            return name
    raise SourceError(f"{url}: cannot tell the paper's name from its <title>; set paper = in a profile")


# Articles


def _article(soup: BeautifulSoup, profile: Profile, link: _Link) -> Article | None:
    """The article on an article page; None for an editor's credit or a page with nothing to read."""
    for tag in soup(["script", "style", "noscript"]):
        tag.decompose()
    meta = _enpproperty(soup)
    captions = _take([soup], profile.captions)
    # Lifted out first: in broken markup an unclosed byline <div> can swallow the body.
    bodies = [soup, *_outermost(soup.select(profile.body) if profile.body else [])]
    for body in bodies[1:]:
        body.extract()
    kicker = " ".join(_take(bodies, profile.kicker)) or meta.get("introtitle", "")
    title = " ".join(_take(bodies, profile.title)) or meta.get("title", "") or link.text
    subtitle = " ".join(_take(bodies, profile.subtitle)) or meta.get("subtitle", "")
    byline = " ".join(_take(bodies, profile.byline)) or meta.get("author", "")
    byline = _DATE_LINE.sub("", byline).strip()
    paragraphs = [line for body in bodies[1:] for line in _lines(body)]
    while paragraphs and is_credit(paragraphs[-1]):
        paragraphs.pop()
    if paragraphs and byline and paragraphs[0] == byline:
        paragraphs.pop(0)
    if is_credit(title) or is_credit(link.text):
        return None
    if not paragraphs:  # a picture with its caption: the caption is what there is to read
        paragraphs, captions = captions, []
    if not paragraphs:
        return None
    if not title:
        raise SourceError(f"{link.url}: malformed article page: no headline ({profile.title})")
    return Article(
        title=title,
        paragraphs=tuple(paragraphs),
        kicker=kicker,
        subtitle=subtitle,
        byline=byline,
        captions=tuple(captions),
        origin=link.url,
    )


def _outermost(elements: list[Tag]) -> list[Tag]:
    """Drop elements nested in an earlier one (``#ozoom`` around ``founder-content``)."""
    kept: list[Tag] = []
    for element in elements:
        if not any(element in outer.descendants for outer in kept):
            kept.append(element)
    return kept


def _take(trees: list[Tag], selector: str) -> list[str]:
    """Texts of the elements the selector matches in the first tree that has any, removed from it
    so the body does not repeat them."""
    for tree in trees:
        texts = []
        for element in tree.select(selector) if selector else ():
            text = _headline(element)
            if text and text not in texts:
                texts.append(text)
            element.decompose()
        if texts:
            return texts
    return []


def _enpproperty(soup: BeautifulSoup) -> dict[str, str]:
    """Founder's metadata comment: <title>, <subtitle>, <introtitle>, <author>, <date> and more."""
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        text = str(comment).strip()
        if text.startswith("enpproperty"):
            fields = BeautifulSoup(text.removeprefix("enpproperty"), "lxml")
            return {
                t.name: _headline(t)
                for t in fields.find_all(True)
                if t.name not in {"html", "head", "body", "p"}
            }
    return {}


def _headline(element: Tag) -> str:
    """One line of text; a <br> (a printed line break) becomes one space, which the text stage pauses on."""
    return " ".join(_lines(element))


def _lines(element: Tag) -> list[str]:
    """The element's text cut at <br> and block elements, spaces tidied; empty lines dropped."""
    lines = []
    for line in "".join(_render(element)).split("\n"):
        line = _CJK_GAP.sub("", line).replace(_WRAPPED, " ")
        line = _SPACES.sub(" ", line).strip()
        if line:
            lines.append(line)
    return lines


def _render(element: Tag) -> list[str]:
    """Text pieces with "\n" where a line ends; source whitespace collapsed as a browser would."""
    if element.name == "br":
        return ["\n"]
    pieces = ["\n"] if element.name in _BLOCKS else []
    for child in element.children:
        if isinstance(child, Tag):
            if child.name not in {"script", "style", "noscript"}:
                pieces += _render(child)
        elif type(child) is NavigableString:  # not a comment, doctype or CDATA
            pieces.append(_WRAP.sub(_WRAPPED, _SPACES.sub(" ", str(child))))
    if element.name in _BLOCKS:
        pieces.append("\n")
    return pieces
