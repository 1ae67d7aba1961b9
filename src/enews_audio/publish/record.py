"""Read and write ``<date>/build.json``: what one build of an issue produced, the feed's only input."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from enews_audio.atomic import write_atomic
from enews_audio.errors import PublishError
from enews_audio.model import Chapter, Episode, Issue

RECORD_NAME = "build.json"
_FORMAT = 1
_RESERVED = frozenset({"format", "paper", "date", "built_at", "pages", "editions", "brief"})
OPENING_TITLE = "本版导读"  # a page's opening chapter, as listed for listeners (feed, web edition, USB)


@dataclass(frozen=True, slots=True)
class SlowRecord:
    """A page's slow edition: the same page spoken again, slower, in its own file with its own chapters."""

    file: str  # e.g. ``a01.slow.mp3``
    duration: float
    size: int
    sha256: str
    chapters: tuple[Chapter, ...]
    chapters_file: str = ""
    transcript_file: str = ""


@dataclass(frozen=True, slots=True)
class PageRecord:
    """One published page: its episode file and what the feed says about it."""

    code: str
    name: str
    file: str  # relative to the issue folder, e.g. ``a01.mp3``
    duration: float
    size: int
    sha256: str
    chapters: tuple[Chapter, ...]
    articles: tuple[str, ...]
    chapters_file: str = ""  # Podcasting 2.0 chapters JSON beside the episode; "" when there is none
    transcript_file: str = ""  # WebVTT transcript beside the episode; "" when there is none
    gaps: tuple[str, ...] = ()  # headlines of articles published with a spoken notice for missing audio
    slow: SlowRecord | None = None  # the slow edition of this page, when one was made

    @property
    def parts(self) -> tuple[Chapter, ...]:
        """Its chapters, or the whole episode as one (built with chapters off): what DAISY and USB cut it by."""
        return self.chapters or (Chapter(0.0, self.duration, self.name),)


@dataclass(frozen=True, slots=True)
class Record:
    paper: str
    date: dt.date
    built_at: dt.datetime  # aware; becomes the feed's lastBuildDate, so the feed depends on records only
    pages: tuple[PageRecord, ...]
    extra: Mapping[str, Any] = field(default_factory=dict)
    daisy: str = ""  # the DAISY talking book's zip, relative to the issue folder; "" when none was made
    usb: str = ""  # the folder of one MP3 per article, relative to the issue folder; "" when none was made
    brief: PageRecord | None = None  # the briefing (今日要目): code "", a chapter per page ("articles")

    @property
    def listed(self) -> tuple[PageRecord, ...]:
        """What a book or a folder holds, in order: the briefing first, then the pages."""
        return (self.brief, *self.pages) if self.brief else self.pages


def make_record(
    issue_dir: Path,
    issue: Issue,
    episodes: Sequence[Episode],
    *,
    built_at: dt.datetime,
    extra: Mapping[str, object] | None = None,
    gaps: Mapping[str, Sequence[str]] | None = None,
    previous: Sequence[PageRecord] = (),
    slow: Sequence[Episode] = (),
    brief: Episode | PageRecord | None = None,
) -> Record:
    """Describe the episodes as they are on disk now (size and hash of each file), in printed page order.

    ``gaps`` maps a page code to the headlines that have a spoken notice in place of missing audio;
    ``previous`` are pages of an earlier build kept as they were (pages this build could not make);
    ``slow`` are slow-edition episodes of pages in ``episodes``; ``brief`` is the briefing's episode, or the
    record of one published before.
    """
    extra = dict(extra or {})
    if clash := _RESERVED & extra.keys():
        raise ValueError(f"extra must not set {sorted(clash)}")
    order = {page.code: index for index, page in enumerate(issue.pages)}
    codes = [episode.page.code for episode in episodes]
    if len(set(codes)) != len(codes):
        raise ValueError(f"more than one episode per page in {codes}")
    if strays := [code for code in codes if code not in order]:
        raise ValueError(f"episodes for pages not in the issue: {strays}")
    if strays := sorted({e.page.code for e in slow} - set(codes)):
        raise ValueError(f"slow episodes for pages without an episode: {strays}")
    gaps = gaps or {}
    slower = {e.page.code: SlowRecord(**_audio_of(issue_dir, e)) for e in slow}
    made = [
        _page_of(issue_dir, e, gaps=tuple(gaps.get(e.page.code, ())), slow=slower.get(e.page.code))
        for e in episodes
    ]
    kept = [p for p in previous if p.code in order and p.code not in codes]
    pages = tuple(sorted([*made, *kept], key=lambda p: order[p.code]))
    if isinstance(brief, Episode):
        brief = _page_of(issue_dir, brief)
    return Record(issue.paper, issue.date, built_at, pages, extra, brief=brief)


def _page_of(issue_dir: Path, e: Episode, **more: Any) -> PageRecord:
    articles = tuple(article.title for article in e.page.articles)
    return PageRecord(
        code=e.page.code, name=e.page.name, **_audio_of(issue_dir, e), articles=articles, **more
    )


def chapter_titles(chapters: Sequence[Chapter], articles: Sequence[str]) -> tuple[str, ...]:
    """What listeners call each chapter: the opening (titled like the page) is 本版导读, then headlines."""
    return tuple(
        OPENING_TITLE if number == 0 and chapter.title not in articles else chapter.title
        for number, chapter in enumerate(chapters)
    )


def has_slow(records: Sequence[Record]) -> bool:
    """Whether a kept issue has a slow edition: then feed-slow.xml is written, and the web pages name it."""
    return any(page.slow for record in records for page in record.pages)


def chapters_name(episode_file: str) -> str:
    """``a04.mp3`` -> ``a04.chapters.json``: where an episode's chapters JSON sits beside it."""
    return f"{Path(episode_file).stem}.chapters.json"


def transcript_name(episode_file: str) -> str:
    """``a04.mp3`` -> ``a04.vtt``."""
    return f"{Path(episode_file).stem}.vtt"


def write_record(path: Path, record: Record) -> None:
    data = {
        "format": _FORMAT,
        "paper": record.paper,
        "date": record.date.isoformat(),
        "built_at": record.built_at.isoformat(timespec="seconds"),
        "pages": [_page_data(page) for page in record.pages],
        **({"brief": _page_data(record.brief)} if record.brief else {}),
        **({"editions": editions} if (editions := _editions_data(record)) else {}),
        **record.extra,
    }
    write_atomic(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def read_record(path: Path) -> Record:
    """Parse one build.json; anything missing or malformed is a one-line ``PublishError`` naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _parse(data)
    except OSError as exc:
        raise PublishError(f"can't read build record {path}: {exc.strerror or exc}") from exc
    except (ValueError, TypeError, KeyError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        reason = f"missing {exc}" if isinstance(exc, KeyError) else str(exc).splitlines()[0]
        raise PublishError(f"broken build record {path}: {reason}") from exc


def read_records(paper_dir: Path) -> list[Record]:
    """Every issue's record under ``paper_dir``, newest first; a record must sit in its own date's folder."""
    records = []
    for path in sorted(paper_dir.glob(f"*/{RECORD_NAME}")):
        record = read_record(path)
        if record.date.isoformat() != path.parent.name:
            raise PublishError(f"build record {path} is for {record.date}, not {path.parent.name}")
        records.append(record)
    return sorted(records, key=lambda r: r.date, reverse=True)


def _page_data(page: PageRecord) -> dict[str, Any]:
    return {
        "code": page.code,
        "name": page.name,
        **_audio_data(page),
        "articles": list(page.articles),
        **({"gaps": list(page.gaps)} if page.gaps else {}),
        **({"slow": _audio_data(page.slow)} if page.slow else {}),
    }


def _editions_data(record: Record) -> dict[str, str]:
    return {key: value for key, value in (("daisy", record.daisy), ("usb", record.usb)) if value}


def _audio_data(audio: PageRecord | SlowRecord) -> dict[str, Any]:
    """An episode file as build.json stores it, for a page and its slow edition alike."""
    return {
        "file": audio.file,
        "duration": round(audio.duration, 3),
        "size": audio.size,
        "sha256": audio.sha256,
        "chapters": [[round(c.start, 3), round(c.end, 3), c.title] for c in audio.chapters],
        **({"chapters_file": audio.chapters_file} if audio.chapters_file else {}),
        **({"transcript_file": audio.transcript_file} if audio.transcript_file else {}),
    }


def _audio_of(issue_dir: Path, episode: Episode) -> dict[str, Any]:
    """The fields a page and a slow edition share, from the episode and its file as it is on disk now."""
    digest, size = _file_facts(issue_dir / episode.path)
    return {
        "file": episode.path,
        "duration": episode.duration,
        "size": size,
        "sha256": digest,
        "chapters": episode.chapters,
        "chapters_file": chapters_name(episode.path) if episode.chapters else "",
        "transcript_file": transcript_name(episode.path) if episode.cues else "",
    }


def _file_facts(path: Path) -> tuple[str, int]:
    """SHA-256 and size of an episode file, read once."""
    try:
        with path.open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest(), os.fstat(f.fileno()).st_size
    except OSError as exc:
        raise PublishError(f"can't read episode {path}: {exc.strerror or exc}") from exc


def _parse(data: Any) -> Record:
    if not isinstance(data, dict):
        raise TypeError("not a JSON object")
    if data.get("format") != _FORMAT:
        raise ValueError(f"unknown format {data.get('format')!r}")
    built_at = dt.datetime.fromisoformat(_text(data, "built_at"))
    if built_at.tzinfo is None:
        raise ValueError("built_at has no time zone")
    pages = data["pages"]
    if not isinstance(pages, list):
        raise TypeError("pages is not a list")
    editions = data.get("editions", {})
    if not isinstance(editions, dict):
        raise TypeError("editions is not a JSON object")
    return Record(
        paper=_text(data, "paper"),
        date=dt.date.fromisoformat(_text(data, "date")),
        built_at=built_at,
        pages=tuple(_parse_page(page) for page in pages),
        extra={key: value for key, value in data.items() if key not in _RESERVED},
        daisy=_file_name(editions, "daisy") if "daisy" in editions else "",
        usb=_file_name(editions, "usb") if "usb" in editions else "",
        brief=_parse_page(data["brief"]) if "brief" in data else None,
    )


def _parse_page(data: Any) -> PageRecord:
    if not isinstance(data, dict):
        raise TypeError("a page is not a JSON object")
    slow = data.get("slow")
    if slow is not None and not isinstance(slow, dict):
        raise TypeError(f"page {data.get('code')!r}: slow is not a JSON object")
    return PageRecord(
        code=_text(data, "code"),
        name=_text(data, "name"),
        **_audio_fields(data),
        articles=tuple(str(title) for title in data["articles"]),
        gaps=tuple(str(title) for title in data.get("gaps", ())),
        slow=SlowRecord(**_audio_fields(slow)) if slow is not None else None,
    )


def _audio_fields(data: dict[str, Any]) -> dict[str, Any]:
    """What a page's episode and its slow edition both record: file, length, hash, chapters, side files."""
    size = data["size"]
    duration = data["duration"]
    if not isinstance(size, int) or not isinstance(duration, int | float):
        raise TypeError(f"{data.get('file')!r} has a non-numeric size or duration")
    return {
        "file": _file_name(data, "file"),
        "duration": float(duration),
        "size": size,
        "sha256": _text(data, "sha256"),
        "chapters": tuple(
            Chapter(float(start), float(end), str(text)) for start, end, text in data["chapters"]
        ),
        # Optional: records written before transcripts existed have neither.
        "chapters_file": _file_name(data, "chapters_file") if "chapters_file" in data else "",
        "transcript_file": _file_name(data, "transcript_file") if "transcript_file" in data else "",
    }


def _file_name(data: dict[str, Any], key: str) -> str:
    """A file of the issue folder: a plain name, never a path that could point elsewhere."""
    name = _text(data, key)
    if Path(name).name != name or name in {".", ".."}:
        raise ValueError(f"{key} {name!r} is not a plain file name")
    return name


def _text(data: dict[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise TypeError(f"{key} is not a string")
    return value
