"""Render ``feed.xml``: the podcast RSS for every published issue of one paper, from its build records.

Written with ``xml.etree.ElementTree`` rather than feedgen: feedgen's podcast extension has no
``podcast:*`` (Podcasting 2.0) or ``psc:*`` (Podlove chapters) elements, which chapters and transcripts
need, and ElementTree lets any namespaced element be added where it belongs.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import math
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urljoin

from enews_audio.atomic import write_atomic
from enews_audio.errors import PublishError
from enews_audio.model import BRIEF_SLUG, SLOW_LABEL, Chapter, episode_title
from enews_audio.publish.record import PageRecord, Record, SlowRecord, chapter_titles, has_slow, read_records
from enews_audio.publish.sections import Section, remember, sections
from enews_audio.publish.settings import PublishSettings
from enews_audio.publish.transcript import timestamp

# Elements carry their prefix literally ("itunes:author") and the root declares every namespace, so all
# are declared even before anything uses them (ElementTree only declares namespaces in use).
NAMESPACES = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "psc": "http://podlove.org/simple-chapters",  # the only chapters gPodder (podcastparser) reads
    "atom": "http://www.w3.org/2005/Atom",
}
# ElementTree names a parsed namespace ns0, ns1… when it writes it back unless its prefix is registered, and
# the registry is process-wide: fill it once, here, with the prefixes this module writes (absolutize_feed).
for _prefix, _uri in NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)
FEED_NAME = "feed.xml"
COVER_NAMES = ("cover.jpg", "cover.png")  # artwork in the paper folder, linked when present
# Episode GUIDs are uuid5 in this namespace over "<paper-slug>/<date>/<page code>". Never change it:
# apps skip an episode whose GUID they have seen and show a changed GUID as a new episode.
GUID_NAMESPACE = uuid.UUID("6f3c0a52-3d8e-4b7a-9c61-2f0d5e8a4b17")
# Podcasting 2.0 fixes this namespace for podcast:guid (uuid5 over the feed URL without scheme).
_PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
_DESCRIPTION_LIMIT = 4000  # bytes, Apple's limit for an episode description
_ISSUE_TIME = dt.time(6, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
SLOW_FEED_NAME = "feed-slow.xml"  # the slow edition as a feed of its own, for apps without alternateEnclosure
FEED_NAMES = (FEED_NAME, SLOW_FEED_NAME)  # the feeds every paper may have; the sections' are feed-*.xml


def is_feed(name: str) -> bool:
    """Whether a paper folder's file ``name`` is one of its feeds (the paper's, the slow one, a section's)."""
    return name in FEED_NAMES or (name.startswith("feed-") and name.endswith(".xml"))


_ABSOLUTE_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:|^//")
_LINK_TEXT_TAGS = {"link", "url"}  # RSS elements whose text is an address


def write_feed(paper_dir: Path, settings: PublishSettings) -> Path:
    """Regenerate ``paper_dir/feed.xml`` from every ``*/build.json``; on failure the old feed stays.

    When a kept issue has a slow edition, ``feed-slow.xml`` beside it is regenerated too; when none has one
    any more, an existing ``feed-slow.xml`` is left with no items (its subscribers keep a valid feed, with no
    links to files a rebuild without the slow edition removes).
    """
    records = read_records(paper_dir)[: settings.keep]
    sizes = {}
    for record in records:
        folder = paper_dir / record.date.isoformat()
        for page in record.listed:
            for audio in (page, page.slow) if page.slow else (page,):
                rel = f"{record.date.isoformat()}/{audio.file}"
                try:  # the file on disk, not the record: an episode may have been re-encoded since
                    sizes[rel] = (paper_dir / rel).stat().st_size
                except OSError as exc:
                    raise PublishError(f"episode {paper_dir / rel} is gone: {exc.strerror or exc}") from exc
                for side in (audio.chapters_file, audio.transcript_file):
                    if side and not (folder / side).is_file():
                        raise PublishError(f"{folder / side} is gone")
    cover = next((name for name in COVER_NAMES if (paper_dir / name).is_file()), None)
    path = paper_dir / FEED_NAME
    main = render_feed(records, settings, sizes, cover=cover)
    if has_slow(records) or (paper_dir / SLOW_FEED_NAME).is_file():
        write_atomic(
            paper_dir / SLOW_FEED_NAME, render_feed(records, settings, sizes, cover=cover, slow=True)
        )
    found = sections(paper_dir, records, settings.sections)
    for section in found:
        write_atomic(
            paper_dir / section.file, render_feed(records, settings, sizes, cover=cover, section=section)
        )
    remember(paper_dir, found)
    write_atomic(path, main)
    return path


def render_feed(
    records: Sequence[Record],
    settings: PublishSettings,
    sizes: Mapping[str, int],
    *,
    cover: str | None = None,
    slow: bool = False,
    section: Section | None = None,
) -> bytes:
    """The feed for the newest ``settings.keep`` records.

    ``sizes`` maps "<date>/<file>" to bytes on disk; ``cover`` is the artwork's name in the paper folder.
    With ``slow`` it is the slow edition's feed: an item per page that has one, with its own GUID and the
    same pubDate as the page's item in the main feed. With ``section`` it is that section's feed: the items
    of its pages alone (without the slow edition's), under a title of its own; maybe none.
    """
    if not records:
        raise ValueError("a feed needs at least one issue")
    kept = sorted(records, key=lambda r: r.date, reverse=True)[: settings.keep]
    paper = kept[0].paper
    base = _base(settings.base_url)

    def url(rel: str) -> str:
        return urljoin(base, rel) if base else rel

    title = settings.title or f"{paper}·有声版"
    if slow:
        title += f"（{SLOW_LABEL}）"
    if section is not None:
        title = f"{paper}·{section.name}"
    author = settings.author or paper
    rss = ET.Element("rss", {"version": "2.0", **{f"xmlns:{p}": uri for p, uri in NAMESPACES.items()}})
    channel = ET.SubElement(rss, "channel")
    _add(channel, "title", title)
    _add(channel, "link", base or ".")
    description = settings.description or f"{paper}逐版朗读：每个版面一集，每篇文章一个章节。"
    if slow:
        description += "这是放慢语速、停顿更长的慢速版。"
    if section is not None:
        description = f"{paper}「{section.name}」版面的朗读，每期一集，每篇文章一个章节。"
    _add(channel, "description", description)
    _add(channel, "language", settings.language)
    _add(channel, "lastBuildDate", email.utils.format_datetime(max(r.built_at for r in kept)))
    _add(channel, "generator", "enews-audio")
    if cover:
        image = ET.SubElement(channel, "image")
        _add(image, "url", url(cover))
        _add(image, "title", title)
        _add(image, "link", base or ".")
        ET.SubElement(channel, "itunes:image", href=url(cover))
    _add(channel, "itunes:author", author)
    owner = ET.SubElement(channel, "itunes:owner")
    _add(owner, "itunes:name", author)
    if settings.owner_email:
        _add(owner, "itunes:email", settings.owner_email)
    _add_category(channel, settings.category)
    _add(channel, "itunes:explicit", "false")
    _add(channel, "itunes:type", "episodic")
    locked = {"owner": settings.owner_email} if settings.owner_email else {}
    _add(channel, "podcast:locked", "yes" if settings.locked else "no", **locked)
    if base.startswith(("http://", "https://")):
        address = feed_url(settings.base_url, slow=slow, name=section.file if section else None)
        ET.SubElement(channel, "atom:link", href=address, rel="self", type="application/rss+xml")
        _add(channel, "podcast:guid", str(podcast_guid(address)))
    for record in kept:
        folder = record.date.isoformat()
        # the briefing first: its pubDate a minute after the front page's puts it on top in every app
        brief = ((-1, record.brief),) if record.brief and not slow and section is None else ()
        for index, page in (*brief, *enumerate(record.pages)):
            audio = page.slow if slow else page
            if audio is None or (section is not None and not section.has(page.name)):
                continue
            rel = f"{folder}/{audio.file}"
            item = _add_item(channel, record, page, audio, index, url(rel), sizes[rel])
            if page.slow and not slow and section is None:
                _add_alternate(item, page.slow, url(f"{folder}/{page.slow.file}"), sizes, folder, settings)
            if audio.chapters_file:
                ET.SubElement(
                    item,
                    "podcast:chapters",
                    url=url(f"{folder}/{audio.chapters_file}"),
                    type="application/json+chapters",
                )
            if audio.transcript_file:
                ET.SubElement(
                    item,
                    "podcast:transcript",
                    url=url(f"{folder}/{audio.transcript_file}"),
                    type="text/vtt",
                    language=settings.language,
                )
            _add_psc(item, audio.chapters)

    ET.indent(rss)
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True) + b"\n"


def absolutize_feed(data: bytes, base: str) -> bytes:
    """Every relative ``url``/``href``/``uri`` attribute and ``<link>``/``<url>`` text of a feed joined to ``base``.

    A feed built without a base URL links its episodes relative to itself, which podcast apps don't
    follow; ``serve`` hands out such a feed with its links pointing where the listener reached it. A feed
    with nothing relative (or that does not parse) comes back as the same bytes.
    """
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return data  # not ours to repair: served as it is
    changed = False
    for element in root.iter():
        for name in ("url", "href", "uri"):  # uri: the slow edition's podcast:source
            value = element.get(name)
            if value is not None and not _ABSOLUTE_URL.match(value):
                element.set(name, urljoin(base, value))
                changed = True
        if element.tag in _LINK_TEXT_TAGS and element.text and not _ABSOLUTE_URL.match(element.text.strip()):
            element.text = urljoin(base, element.text.strip())
            changed = True
    if not changed:
        return data
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def episode_guid(paper: str, date: dt.date, code: str, *, slow: bool = False) -> uuid.UUID:
    """Same paper, date and page -> same GUID, on every rebuild and on every machine.

    Keyed by the paper's printed name, not its slug, so a pinyin dictionary update can't change a GUID.
    The slow edition's episode of a page has a GUID of its own.
    """
    return uuid.uuid5(GUID_NAMESPACE, f"{paper}/{date.isoformat()}/{code}" + ("/slow" if slow else ""))


def feed_url(base_url: str, *, slow: bool = False, name: str | None = None) -> str:
    """A feed's address (the paper's, its slow edition's, or the feed file ``name``): in full under
    ``base_url``, else its name (relative to the paper folder)."""
    name = name or (SLOW_FEED_NAME if slow else FEED_NAME)
    return urljoin(_base(base_url), name) if base_url else name


def podcast_guid(feed_url: str) -> uuid.UUID:
    return uuid.uuid5(_PODCAST_GUID_NAMESPACE, feed_url.split("://", 1)[-1].rstrip("/"))


def page_pubdate(date: dt.date, index: int) -> dt.datetime:
    """06:00 Beijing time on the issue's date, minus one minute per page before this one (the briefing, -1:
    06:01).

    Apps order episodes by pubDate, newest on top, and leave ties in no defined order; counting back
    from the front page makes A01 the newest of its issue, so the issue reads top-down in page order.
    """
    return dt.datetime.combine(date, _ISSUE_TIME) - dt.timedelta(minutes=index)


def chapter_list(chapters: Sequence[Chapter], titles: Sequence[str], limit: int = _DESCRIPTION_LIMIT) -> str:
    """Chapters as "00:12 headline" lines, cut at a whole line to stay within ``limit`` UTF-8 bytes.

    Apple Podcasts and many Chinese apps make chapters of timestamps in a description when they ignore
    the file's own; a start is rounded down, so a listener who taps it never misses the first words.
    """
    lines = [f"{clock(chapter.start)} {title}" for chapter, title in zip(chapters, titles, strict=True)]
    for count in range(len(lines), 0, -1):
        more = f"\n……另有{len(lines) - count}个章节" if count < len(lines) else ""
        text = "\n".join(lines[:count]) + more
        if len(text.encode("utf-8")) <= limit:
            return text
    return ""


def clock(seconds: float) -> str:
    """``MM:SS``, or ``HH:MM:SS`` from an hour on: the form apps read as a chapter mark."""
    hours, rest = divmod(max(0, math.floor(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02}:{minutes:02}:{secs:02}" if hours else f"{minutes:02}:{secs:02}"


def _add_item(
    channel: ET.Element,
    record: Record,
    page: PageRecord,
    audio: PageRecord | SlowRecord,
    index: int,
    url: str,
    size: int,
) -> ET.Element:
    slow = audio is not page
    item = ET.SubElement(channel, "item")
    title = episode_title(record.paper, record.date, page.code, page.name)
    edition = SLOW_LABEL if slow else ""
    _add(item, "title", episode_title(record.paper, record.date, page.code, page.name, edition))
    summary = chapter_list(audio.chapters, chapter_titles(audio.chapters, page.articles)) or title
    if page.gaps and not slow:  # gaps are the page's; its slow edition is spoken on its own
        summary += f"\n（本集部分语音暂缺：{'、'.join(page.gaps)}）"
    _add(item, "description", summary)
    _add(item, "content:encoded", _html_list(summary))
    ET.SubElement(item, "enclosure", url=url, length=str(size), type="audio/mpeg")
    guid = episode_guid(record.paper, record.date, page.code or BRIEF_SLUG, slow=slow)
    _add(item, "guid", str(guid), isPermaLink="false")
    _add(item, "pubDate", email.utils.format_datetime(page_pubdate(record.date, index)))
    _add(item, "itunes:duration", str(round(audio.duration)))
    _add(item, "itunes:episodeType", "full")
    return item


def _add_alternate(
    item: ET.Element,
    slow: SlowRecord,
    url: str,
    sizes: Mapping[str, int],
    folder: str,
    settings: PublishSettings,
) -> None:
    """The slow edition as a Podcasting 2.0 alternate enclosure of the page's item."""
    size = sizes[f"{folder}/{slow.file}"]
    alternate = ET.SubElement(
        item,
        "podcast:alternateEnclosure",
        type="audio/mpeg",
        length=str(size),
        bitrate=str(round(size * 8 / slow.duration)),  # bits per second, on average
        lang=settings.language,
        title=SLOW_LABEL,
    )
    ET.SubElement(alternate, "podcast:source", uri=url)


def _add_psc(item: ET.Element, chapters: Sequence[Chapter]) -> None:
    """Podlove Simple Chapters: the same chapters as the MP3's ID3 frames and the JSON file."""
    if not chapters:
        return
    element = ET.SubElement(item, "psc:chapters", version="1.2")
    for chapter in chapters:
        ET.SubElement(element, "psc:chapter", start=timestamp(chapter.start), title=chapter.title)


def _add_category(channel: ET.Element, category: str) -> None:
    """``News`` or ``News/Daily News``: Apple nests a subcategory inside its category."""
    parent = channel
    for name in (part.strip() for part in category.split("/")):
        parent = ET.SubElement(parent, "itunes:category", text=name)


def _html_list(summary: str) -> str:
    """The chapter list as paragraphs: apps that render HTML would otherwise run the lines together."""
    return "".join(f"<p>{html.escape(line)}</p>" for line in summary.splitlines())


def _base(base_url: str) -> str:
    """A base that ``urljoin`` extends instead of replacing its last segment ("…/audio" -> "…/audio/")."""
    return base_url if not base_url or base_url.endswith("/") else base_url + "/"


def _add(parent: ET.Element, tag: str, text: str, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrib)
    element.text = text
    return element
