"""Publish one built issue: record what was built, then regenerate the paper's feed from all records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from enews_audio.model import Episode, Issue
from enews_audio.publish.feed import PublishSettings, write_feed
from enews_audio.publish.record import RECORD_NAME, make_record, write_record
from enews_audio.publish.slug import paper_slug

__all__ = ["PublishSettings", "paper_slug", "publish_issue"]


def publish_issue(
    paper_dir: Path,
    issue: Issue,
    episodes: Sequence[Episode],
    settings: PublishSettings,
    *,
    extra: Mapping[str, object] | None = None,
) -> Path:
    """Write ``<date>/build.json`` for the episodes already in ``paper_dir/<date>/``, then ``feed.xml``.

    The feed is rebuilt from every issue's record on disk, so publishing an issue again replaces its
    items and leaves the other issues' items as they were. ``extra`` (clip counts, failures, …) is stored
    in the record as is. Returns the feed's path.
    """
    issue_dir = paper_dir / issue.date.isoformat()
    built_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    record = make_record(issue_dir, issue, episodes, built_at=built_at, extra=extra)
    write_record(issue_dir / RECORD_NAME, record)
    return write_feed(paper_dir, settings)
