"""``POST /<paper-slug>/reports`` (``enews-audio serve --reports``): a listener's 读错了 report.

The body is JSON, ``{"issue": "2025-12-31", "page": "a01", "cue": 7, "note": "…"}``: the sentence is cue 7 of
that page's transcript, counted from 1. The answer is 201 and one line appended to
``OUT/.reports/<paper-slug>.jsonl`` (publish/reports.py) with the time, the article and the sentence as
printed and as spoken, or a refusal: 415 for anything but JSON, 413 past ``BODY_MAX`` bytes, 400 for a
report that names no published sentence or a note past 200 characters or holding markup or control
characters, 429 past ``PER_MINUTE`` requests a minute from one address. The note is stored as data and
never put into a page; errors never echo it.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import unicodedata
from collections import deque
from pathlib import Path
from typing import Any

from aiohttp import web

from enews_audio.errors import PublishError
from enews_audio.publish.display import read_cues
from enews_audio.publish.record import RECORD_NAME, chapter_titles, read_record
from enews_audio.publish.reports import NOTE_MAX, SLUG, append_report
from enews_audio.publish.spoken import read_spoken, spoken_name

BODY_MAX = 2048  # bytes: a report with a full note is under 1 KB
PER_MINUTE = 10  # requests from one address; a listener reports a few misreadings an issue
_ISSUE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PAGE = re.compile(r"^[a-z]{0,2}[0-9]{1,3}$")
_KEYS = {"issue", "page", "cue", "note"}
_REFUSED_IN_NOTE = frozenset("<>")  # markup has no place in a note about a word
_OUT = web.AppKey("reports_out", Path)
_LIMIT = web.AppKey("reports_limit", "Limiter")
_WRITING = threading.Lock()  # the newline check and the append of one report, in this process


class Limiter:
    """At most ``per_minute`` events per address in any 60 s; addresses seen long ago are forgotten."""

    def __init__(self, per_minute: int = PER_MINUTE, clock: Any = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}

    def allow(self, address: str) -> bool:
        now = self._clock()
        if len(self._seen) > 10_000:  # a sweep now and then keeps memory flat under many addresses
            self._seen = {a: q for a, q in self._seen.items() if q and now - q[-1] < 60}
        times = self._seen.setdefault(address, deque())
        while times and now - times[0] >= 60:
            times.popleft()
        if len(times) >= self.per_minute:
            return False
        times.append(now)
        return True


def add_report_routes(app: web.Application, root: Path) -> None:
    """Take reports for ``root``: the output folder (``/<slug>/reports``) or one paper's (``/reports``)."""
    app[_OUT] = root
    app[_LIMIT] = Limiter()
    app.router.add_post("/reports", _post)
    app.router.add_post("/{slug}/reports", _post)


async def _post(request: web.Request) -> web.Response:
    if not request.app[_LIMIT].allow(request.remote or ""):
        raise web.HTTPTooManyRequests(text=f"at most {PER_MINUTE} reports a minute")
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="send the report as application/json")
    if (request.content_length or 0) > BODY_MAX:
        raise web.HTTPRequestEntityTooLarge(BODY_MAX, request.content_length or 0)
    body = b""
    while chunk := await request.content.read(BODY_MAX + 1 - len(body)):
        body += chunk
        if len(body) > BODY_MAX:
            raise web.HTTPRequestEntityTooLarge(BODY_MAX, len(body))
    report = _checked(body)
    root: Path = request.app[_OUT]
    slug = request.match_info.get("slug")
    out, paper_dir = (root, root / slug) if slug else (root.parent, root)
    if not SLUG.match(paper_dir.name) or not await asyncio.to_thread((paper_dir / "feed.xml").is_file):
        raise web.HTTPNotFound(text="no such paper")
    paper, facts = await asyncio.to_thread(_facts, paper_dir, report)
    await asyncio.to_thread(_append, out, paper_dir.name, paper, facts)
    return web.json_response({"received": True}, status=201)


def _checked(body: bytes) -> dict[str, Any]:
    """The report's fields, or 400 saying which is wrong (never quoting the note)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise web.HTTPBadRequest(text="the body is not JSON") from None
    if not isinstance(data, dict) or not {"issue", "page", "cue"} <= data.keys() <= _KEYS:
        raise web.HTTPBadRequest(text="a report has issue, page, cue and an optional note")
    issue, page, cue, note = data["issue"], data["page"], data["cue"], data.get("note", "")
    if not isinstance(issue, str) or not _ISSUE.match(issue):
        raise web.HTTPBadRequest(text="issue must be a date, YYYY-MM-DD")
    if not isinstance(page, str) or not _PAGE.match(page):
        raise web.HTTPBadRequest(text="page must be a page's file name, like a01")
    if isinstance(cue, bool) or not isinstance(cue, int) or not 1 <= cue <= 100_000:
        raise web.HTTPBadRequest(text="cue must be a whole number from 1")
    if not isinstance(note, str) or len(note) > NOTE_MAX:
        raise web.HTTPBadRequest(text=f"note must be text of at most {NOTE_MAX} characters")
    if any(c in _REFUSED_IN_NOTE or unicodedata.category(c) in {"Cc", "Cf", "Cs", "Zl", "Zp"} for c in note):
        raise web.HTTPBadRequest(text="note must be plain text, without markup or control characters")
    return {"issue": issue, "page": page, "cue": cue, "note": note.strip()}


def _facts(paper_dir: Path, report: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The paper's name, and the report with the article and the sentence as printed and spoken; 400 when
    the issue, page or cue is not published."""
    issue_dir = paper_dir / report["issue"]
    try:
        record = read_record(issue_dir / RECORD_NAME) if (issue_dir / RECORD_NAME).is_file() else None
    except PublishError:
        record = None
    if record is None:
        raise web.HTTPBadRequest(text="no such issue")
    page = next((p for p in record.pages if Path(p.file).stem == report["page"]), None)
    if page is None or not page.transcript_file:
        raise web.HTTPBadRequest(text="no such page in this issue")
    cues = read_cues(issue_dir / page.transcript_file)
    if report["cue"] > len(cues):
        raise web.HTTPBadRequest(text="no such sentence on this page")
    shown = cues[report["cue"] - 1]
    said = read_spoken(issue_dir / spoken_name(page.file))
    sentence = said[report["cue"] - 1] if said and len(said) == len(cues) else None
    titles = chapter_titles(page.chapters, page.articles)
    article = next(
        (
            t
            for c, t in reversed(list(zip(page.chapters, titles, strict=True)))
            if c.start <= shown.start + 0.05
        ),
        "",
    )
    facts = {
        **report,
        "article": article,
        "printed": sentence.printed if sentence else shown.text,
        "spoken": sentence.spoken if sentence else "",
    }
    return record.paper, facts


def _append(out: Path, slug: str, paper: str, facts: dict[str, Any]) -> None:
    with _WRITING:
        append_report(out, slug, paper, facts)
