"""Listeners' reports of misreadings: ``OUT/.reports/<paper-slug>.jsonl``, and which of them are done.

Hidden (a dot folder, never served). The server appends; the operator's ``enews-audio reports`` reads and
closes them. A report is one JSON line, appended with one ``write`` on a file opened ``O_APPEND``, so
concurrent appends never interleave and a killed writer leaves at most its own last line cut short: that
line is skipped, and said, when read, and the next append starts on a line of its own. Whether a report is
done is kept apart, in ``<paper-slug>.done.json`` (written whole under a lock, atomic.py), so closing one
never rewrites the file the server appends to.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock

from enews_audio.atomic import write_atomic
from enews_audio.errors import printable

REPORTS_DIR = ".reports"
NOTE_MAX = 200  # characters of a listener's note
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")  # what paper_slug makes; nothing else names a reports file
_FIELDS = ("time", "issue", "page", "cue", "article", "printed", "spoken", "note")


@dataclass(frozen=True, slots=True)
class Report:
    """One listener's report, as stored, with its number among all of ``OUT``'s (``#N``, oldest first, so a
    number never changes as reports arrive) and how it was closed ("" while open)."""

    number: int
    key: str  # unique, stored with it: what the done file names
    slug: str
    paper: str
    time: dt.datetime
    issue: str
    page: str
    cue: int
    article: str
    printed: str  # the sentence as printed
    spoken: str  # as the voice was given it ("" when the build did not keep it)
    note: str
    done: str = ""  # "accepted: 天台=tian1 tai1" or "dismissed"


def reports_file(out: Path, slug: str) -> Path:
    if not SLUG.match(slug):
        raise ValueError(f"{slug!r} is not a paper's folder name")
    return out / REPORTS_DIR / f"{slug}.jsonl"


def append_report(out: Path, slug: str, paper: str, facts: Mapping[str, Any]) -> str:
    """Append one report (``facts``: the ``_FIELDS`` but ``time``) to the paper's file; returns its key.

    One ``os.write`` of one line on an ``O_APPEND`` descriptor, then fsync. If the file ends without a
    newline (a writer killed mid-line, a full disk), the line starts with one, so only that torn line is lost.
    """
    key = uuid.uuid4().hex[:12]
    now = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    data = {"key": key, "paper": paper, "time": now, **{k: facts[k] for k in _FIELDS if k != "time"}}
    line = (json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8")
    path = reports_file(out, slug)
    path.parent.mkdir(exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)  # reports are not for the web
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            line = b"\n" + line
        if os.write(fd, line) != len(line):  # a regular file takes it whole or fails (ENOSPC)
            raise OSError(f"short write to {path}")
        os.fsync(fd)
    finally:
        os.close(fd)
    return key


def read_reports(out: Path) -> tuple[list[Report], list[str]]:
    """Every report under ``out``, numbered oldest first, and a line per stored line that was skipped."""
    found: list[tuple[dt.datetime, str, int, dict[str, Any]]] = []
    problems: list[str] = []
    folder = out / REPORTS_DIR
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        slug = path.stem
        data = path.read_bytes()
        lines = data.split(b"\n")
        for number, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            torn = number == len(lines)  # the last piece has no newline after it
            try:
                item = json.loads(raw)
                when = dt.datetime.fromisoformat(item["time"])
                if torn or not isinstance(item, dict):
                    raise ValueError("no end of line")
                found.append((when, slug, number, item))
            except (ValueError, KeyError, TypeError):
                why = (
                    "cut short (its write was interrupted)"
                    if torn
                    else "not a whole report (a write cut short?)"
                )
                problems.append(f"{path}:{number}: {why}; skipped")
    found.sort(key=lambda f: (f[0], f[1], f[2]))
    done = {slug: _done(folder, slug) for slug in {f[1] for f in found}}
    reports = []
    for number, (when, slug, _line, item) in enumerate(found, 1):
        try:
            reports.append(_report(number, slug, when, item, done[slug]))
        except (KeyError, TypeError, ValueError):
            problems.append(f"{folder / (slug + '.jsonl')}: report {number}: missing or odd fields; skipped")
    return reports, problems


def close_report(out: Path, report: Report, how: str) -> None:
    """Mark ``report`` done (``how``: "accepted: …" or "dismissed"): its paper's done file rewritten whole,
    under a lock, so two operators closing reports at once both count."""
    folder = out / REPORTS_DIR
    with FileLock(folder / ".done.lock"):
        done = _done(folder, report.slug)
        done[report.key] = {"how": how, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        write_atomic(
            folder / f"{report.slug}.done.json", json.dumps(done, ensure_ascii=False, indent=1) + "\n"
        )


def _done(folder: Path, slug: str) -> dict[str, Any]:
    try:
        data = json.loads((folder / f"{slug}.done.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _report(number: int, slug: str, when: dt.datetime, item: dict[str, Any], done: dict[str, Any]) -> Report:
    key = str(item["key"])
    closed = done.get(key)
    return Report(
        number=number,
        key=key,
        slug=slug,
        paper=printable(str(item["paper"])),
        time=when,
        issue=str(item["issue"]),
        page=str(item["page"]),
        cue=int(item["cue"]),
        article=printable(str(item["article"])),
        printed=printable(str(item["printed"])),
        spoken=printable(str(item["spoken"])),
        note=printable(str(item["note"])),
        done=str(closed.get("how", "done")) if isinstance(closed, dict) else "",
    )
