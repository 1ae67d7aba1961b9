"""Read and write ``<date>/build.json``: what one build of an issue produced, the feed's only input."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from enews_audio.atomic import write_atomic
from enews_audio.errors import PublishError
from enews_audio.model import Chapter, Episode, Issue

RECORD_NAME = "build.json"
_FORMAT = 1
_RESERVED = frozenset({"format", "paper", "date", "built_at", "pages"})


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


@dataclass(frozen=True, slots=True)
class Record:
    paper: str
    date: dt.date
    built_at: dt.datetime  # aware; becomes the feed's lastBuildDate, so the feed depends on records only
    pages: tuple[PageRecord, ...]
    extra: Mapping[str, Any] = field(default_factory=dict)


def make_record(
    issue_dir: Path,
    issue: Issue,
    episodes: Sequence[Episode],
    *,
    built_at: dt.datetime,
    extra: Mapping[str, object] | None = None,
) -> Record:
    """Describe the episodes as they are on disk now (size and hash of each file), in printed page order."""
    extra = dict(extra or {})
    if clash := _RESERVED & extra.keys():
        raise ValueError(f"extra must not set {sorted(clash)}")
    order = {page.code: index for index, page in enumerate(issue.pages)}
    codes = [episode.page.code for episode in episodes]
    if len(set(codes)) != len(codes):
        raise ValueError(f"more than one episode per page in {codes}")
    if strays := [code for code in codes if code not in order]:
        raise ValueError(f"episodes for pages not in the issue: {strays}")
    pages = tuple(
        _page_record(issue_dir, episode) for episode in sorted(episodes, key=lambda e: order[e.page.code])
    )
    return Record(issue.paper, issue.date, built_at, pages, extra)


def write_record(path: Path, record: Record) -> None:
    data = {
        "format": _FORMAT,
        "paper": record.paper,
        "date": record.date.isoformat(),
        "built_at": record.built_at.isoformat(timespec="seconds"),
        "pages": [
            {
                "code": page.code,
                "name": page.name,
                "file": page.file,
                "duration": round(page.duration, 3),
                "size": page.size,
                "sha256": page.sha256,
                "chapters": [[round(c.start, 3), round(c.end, 3), c.title] for c in page.chapters],
                "articles": list(page.articles),
            }
            for page in record.pages
        ],
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


def _page_record(issue_dir: Path, episode: Episode) -> PageRecord:
    path = issue_dir / episode.path
    try:
        digest, size = _hash_file(path)
    except OSError as exc:
        raise PublishError(f"can't read episode {path}: {exc.strerror or exc}") from exc
    return PageRecord(
        code=episode.page.code,
        name=episode.page.name,
        file=episode.path,
        duration=episode.duration,
        size=size,
        sha256=digest,
        chapters=episode.chapters,
        articles=tuple(article.title for article in episode.page.articles),
    )


def _hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


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
    return Record(
        paper=_text(data, "paper"),
        date=dt.date.fromisoformat(_text(data, "date")),
        built_at=built_at,
        pages=tuple(_parse_page(page) for page in pages),
        extra={key: value for key, value in data.items() if key not in _RESERVED},
    )


def _parse_page(data: Any) -> PageRecord:
    if not isinstance(data, dict):
        raise TypeError("a page is not a JSON object")
    file = _text(data, "file")
    if Path(file).name != file or file in {".", ".."}:
        raise ValueError(f"episode file {file!r} is not a plain file name")
    size = data["size"]
    duration = data["duration"]
    if not isinstance(size, int) or not isinstance(duration, int | float):
        raise TypeError(f"page {data.get('code')!r} has a non-numeric size or duration")
    return PageRecord(
        code=_text(data, "code"),
        name=_text(data, "name"),
        file=file,
        duration=float(duration),
        size=size,
        sha256=_text(data, "sha256"),
        chapters=tuple(Chapter(float(start), float(end), str(text)) for start, end, text in data["chapters"]),
        articles=tuple(str(title) for title in data["articles"]),
    )


def _text(data: dict[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise TypeError(f"{key} is not a string")
    return value
