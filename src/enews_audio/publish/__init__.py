"""Publish one built issue: side files per episode, a record of the build, then the paper's feed."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from enews_audio.atomic import write_atomic
from enews_audio.errors import PublishError
from enews_audio.model import BRIEF_SLUG, Edition, Episode, Issue
from enews_audio.publish.cover import write_cover
from enews_audio.publish.daisy import DAISY_FOLDER, DAISY_ZIP, write_daisy
from enews_audio.publish.feed import FEED_NAME, FEED_NAMES, absolutize_feed, is_feed, write_feed
from enews_audio.publish.record import (
    RECORD_NAME,
    PageRecord,
    Record,
    SlowRecord,
    chapters_name,
    make_record,
    read_record,
    read_records,
    transcript_name,
    write_record,
)
from enews_audio.publish.settings import PublishSettings, relative_links_warning
from enews_audio.publish.site import write_index, write_site
from enews_audio.publish.slug import paper_slug
from enews_audio.publish.spoken import spoken_json, spoken_name
from enews_audio.publish.transcript import chapters_json, webvtt
from enews_audio.publish.usb import USB_FOLDER, write_usb

__all__ = [
    "FEED_NAME",
    "FEED_NAMES",
    "PublishSettings",
    "absolutize_feed",
    "is_feed",
    "paper_slug",
    "publish_issue",
    "relative_links_warning",
    "withdraw_pages",
]


def publish_issue(
    paper_dir: Path,
    issue: Issue,
    episodes: Sequence[Episode],
    settings: PublishSettings,
    *,
    slow: Sequence[Episode] = (),
    brief: Episode | None = None,
    narrator: str = "",
    extra: Mapping[str, object] | None = None,
    gaps: Mapping[str, Sequence[str]] | None = None,
    keep_pages: Collection[str] = (),
    partial: bool = False,
) -> Path:
    """Publish the episodes already in ``paper_dir/<date>/``; returns the feed's path.

    Beside each episode go ``<page>.chapters.json`` (Podcasting 2.0) and ``<page>.vtt`` (its transcript),
    then ``build.json``, the cover, the web edition and last ``feed.xml``, each written atomically in that
    order, so the feed never links a file that is not there yet. The feed is rebuilt from every issue's
    record on disk: publishing an issue again replaces its items and leaves the other issues' as they were. ``extra`` (clip counts,
    failures, …) is stored in the record as is. ``gaps`` (page code -> headlines) are told in the episode
    description; pages in ``keep_pages`` that this build did not make keep their previous episode and item.
    ``slow`` are the slow edition's episodes (``a01.slow.mp3``, already in place), side files and all;
    the DAISY book and the USB folder are made when ``settings.editions`` asks for them, before the record
    that names them (``narrator``, the voice, goes into the DAISY book); the slow feed beside the feed.
    The cover is drawn, or the user's. A file that can't be written or read (a full disk) is a
    ``PublishError`` naming it.

    ``brief`` is the issue's briefing (``brief.mp3``, in place), the first item of the feed, the book and
    the USB folder; without one, the issue has none.

    ``partial``: the first pages of an issue still being built (the others keep their previous episodes,
    ``keep_pages``, and the briefing its previous one): the feed and web edition get them now, the
    whole-issue editions (DAISY, USB) wait for the last call, and files of editions dropped are removed
    then too.
    """
    with _publish_errors(paper_dir):
        issue_dir = paper_dir / issue.date.isoformat()
        made = (*episodes, brief) if brief else tuple(episodes)  # what the whole-issue editions hold
        for episode in (*made, *slow):
            if episode.chapters:
                write_atomic(issue_dir / chapters_name(episode.path), chapters_json(episode.chapters))
            if episode.cues:
                write_atomic(issue_dir / transcript_name(episode.path), webvtt(episode.cues))
        for episode in episodes:  # what the voice was given per cue, for listeners' reports (spoken.py)
            if episode.cues:
                write_atomic(issue_dir / spoken_name(episode.path), spoken_json(episode.cues))
        built_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
        before = _edition_files(issue_dir)
        slower = Edition.SLOW in settings.editions
        previous, before_brief = _previous(issue_dir, keep_pages, slow=slower, brief=partial and not brief)
        record = make_record(
            issue_dir,
            issue,
            episodes,
            built_at=built_at,
            extra=extra,
            gaps=gaps,
            previous=previous,
            slow=slow,
            brief=brief or before_brief,
        )
        if not partial:
            record = _write_editions(issue_dir, record, made, settings, narrator)
        write_record(issue_dir / RECORD_NAME, record)
        write_cover(paper_dir, issue.paper, supplied=settings.artwork)  # before the feed, which links it
        # The feed last: what podcast apps read changes only once everything else is in place, so a build that
        # fails (a full disk) leaves the feed as it was.
        records = read_records(paper_dir)[: settings.keep]
        write_site(
            paper_dir, records, record, issue, base_url=settings.base_url, sections=settings.sections,
            search=not partial,  # the issue's pages are searched for once the issue is whole
            report_email=settings.owner_email,  # where a listener's 读错了 goes when no server takes it
        )  # fmt: skip
        feed = write_feed(paper_dir, settings)
        if not partial:  # editions the issue no longer has (a rebuild without --edition daisy), unlinked
            _remove(issue_dir, before - _named(record))
        return feed


def withdraw_pages(paper_dir: Path, date: dt.date, codes: Collection[str], settings: PublishSettings) -> None:
    """Take pages out of the feed and web edition before their episode files are replaced in place.

    A rebuild renames new episodes over the ones the feed names, then rewrites the feed: killed in between,
    the feed would state the old files' lengths for the new files. Withdrawn first, a kill leaves the pages
    out of the feed until the next build puts them back, and every file the feed names stays as it says.
    """
    path = paper_dir / date.isoformat() / RECORD_NAME
    if not codes or not path.is_file():
        return
    record = read_record(path)
    kept = tuple(page for page in record.pages if page.code not in codes)
    brief = None if record.brief and record.brief.code in codes else record.brief  # the briefing's is ""
    if len(kept) == len(record.pages) and brief is record.brief:
        return
    with _publish_errors(paper_dir):
        # maybe no pages left: the issue is listed, without pages
        write_record(path, replace(record, pages=kept, brief=brief))
        # the build rewrites the issue's page
        records = read_records(paper_dir)[: settings.keep]
        write_index(paper_dir, records, base_url=settings.base_url, sections=settings.sections)
        write_feed(paper_dir, settings)


@contextlib.contextmanager
def _publish_errors(paper_dir: Path) -> Iterator[None]:
    """A file that can't be written or read (a full disk) is a ``PublishError`` naming it."""
    try:
        yield
    except OSError as exc:
        raise PublishError(f"cannot publish {exc.filename or paper_dir}: {exc.strerror or exc}") from exc


def _write_editions(
    issue_dir: Path, record: Record, episodes: Sequence[Episode], settings: PublishSettings, narrator: str
) -> Record:
    """The DAISY book and the USB folder, from the pages in ``record`` (kept ones too), as asked for."""
    publisher = settings.author or record.paper
    if Edition.DAISY in settings.editions:
        cues = {episode.path: episode.cues for episode in episodes}
        daisy = write_daisy(issue_dir, record, cues, publisher=publisher, narrator=narrator)
        record = replace(record, daisy=daisy)
    if Edition.USB in settings.editions:
        record = replace(record, usb=write_usb(issue_dir, record, artist=publisher))
    return record


def _previous(
    issue_dir: Path, codes: Collection[str], *, slow: bool, brief: bool
) -> tuple[list[PageRecord], PageRecord | None]:
    """From the last build's record, read once: the pages ``codes`` to keep and, with ``brief``, its
    briefing, each where its episode file is still there; pages without their slow edition unless this
    build has one."""
    path = issue_dir / RECORD_NAME
    if not (codes or brief) or not path.is_file():
        return [], None
    record = read_record(path)
    kept = [p for p in record.pages if p.code in codes and (issue_dir / p.file).is_file()]
    briefing = record.brief if brief and record.brief and (issue_dir / record.brief.file).is_file() else None
    return (kept if slow else [replace(p, slow=None) for p in kept]), briefing


def _edition_files(issue_dir: Path) -> set[str]:
    """The DAISY book, the USB folder, the briefing and the slow edition's files the issue's last build
    published, and those by their names (``a01.slow.mp3``…): a killed build, or this one's first pages, may
    have left a record that does not name them."""
    briefing = (p.name for p in issue_dir.glob(f"{BRIEF_SLUG}.*"))
    names = {DAISY_FOLDER, DAISY_ZIP, USB_FOLDER, *briefing, *(p.name for p in issue_dir.glob("*.slow.*"))}
    try:
        record = read_record(issue_dir / RECORD_NAME) if (issue_dir / RECORD_NAME).is_file() else None
    except PublishError:  # broken: replaced by this build's
        record = None
    if record is not None:
        names |= {name for page in record.pages if page.slow for name in _audio_files(page.slow)}
    return names


def _named(record: Record) -> set[str]:
    """Every file and folder of the issue folder ``record`` names."""
    names = {record.daisy, record.usb} | ({DAISY_FOLDER} if record.daisy else set())
    for page in record.listed:
        names |= {*_audio_files(page), *(_audio_files(page.slow) if page.slow else ())}
    return names - {""}


def _audio_files(audio: PageRecord | SlowRecord) -> tuple[str, ...]:
    return tuple(name for name in (audio.file, audio.chapters_file, audio.transcript_file) if name)


def _remove(issue_dir: Path, names: Collection[str]) -> None:
    """Remove these files and folders of the issue folder. A folder is first renamed aside (swept by
    ``remove_leftovers`` if the removal is cut short), so no reader sees half of it."""
    for name in sorted(names):
        path = issue_dir / name
        if path.is_dir() and not path.is_symlink():
            aside = path.with_name(f".{name}.dropped.old")
            shutil.rmtree(aside, ignore_errors=True)  # left by a removal cut short
            os.replace(path, aside)
            shutil.rmtree(aside)
        else:
            path.unlink(missing_ok=True)
