"""The reports file (``OUT/.reports/<slug>.jsonl``) under faults: a write cut short, a writer killed with
SIGKILL mid-stream, writers and closers at once. Real processes, real files, nothing mocked."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest

from enews_audio.publish.reports import append_report, close_report, read_reports, reports_file

SLUG = "shanchengwanbao"


def facts(n: int, note: str = "") -> dict:
    return {
        "issue": "2025-12-31",
        "page": "a01",
        "cue": n,
        "article": "跨年夜江滨路分时段交通管制",
        "printed": f"第{n}句，江滨路实行交通管制。",
        "spoken": f"第{n}句，江滨路实行交通管制。",
        "note": note,
    }


def test_a_write_cut_short_is_skipped_and_said_and_the_next_report_starts_a_line_of_its_own(
    tmp_path, full_disk
):
    for n in (1, 2):
        append_report(tmp_path, SLUG, "山城晚报", facts(n))
    path = reports_file(tmp_path, SLUG)
    whole = path.stat().st_size
    with full_disk(whole + 40), pytest.raises(OSError):  # the disk fills 40 bytes into the third line
        append_report(tmp_path, SLUG, "山城晚报", facts(3))
    assert path.stat().st_size == whole + 40  # a torn line really is there
    reports, problems = read_reports(tmp_path)
    assert [r.cue for r in reports] == [1, 2]
    assert problems == [f"{path}:3: cut short (its write was interrupted); skipped"]

    append_report(tmp_path, SLUG, "山城晚报", facts(4))
    reports, problems = read_reports(tmp_path)
    assert [r.cue for r in reports] == [1, 2, 4]  # the torn line took nothing with it
    assert len(problems) == 1 and problems[0].startswith(f"{path}:3: not a whole report")


def _append_forever(out: str) -> None:
    n = 0
    while True:
        n += 1
        append_report(Path(out), SLUG, "山城晚报", facts(n, note="读" * (n % 200)))


def test_a_writer_killed_mid_stream_leaves_whole_lines_and_the_next_append_is_read(tmp_path):
    context = multiprocessing.get_context("fork")
    for attempt in range(3):  # each kill lands wherever the writer is: before, in or after a write
        out = tmp_path / str(attempt)
        out.mkdir()
        writer = context.Process(target=_append_forever, args=(str(out),))
        writer.start()
        path = reports_file(out, SLUG)
        deadline = time.monotonic() + 30
        while (not path.is_file() or path.read_bytes().count(b"\n") < 50) and time.monotonic() < deadline:
            assert writer.is_alive()
            time.sleep(0.01)
        os.kill(writer.pid, signal.SIGKILL)
        writer.join()
        assert writer.exitcode == -signal.SIGKILL
        reports, problems = read_reports(out)
        assert len(reports) >= 50 and [r.cue for r in reports] == list(range(1, len(reports) + 1))
        assert all(
            r.printed == f"第{r.cue}句，江滨路实行交通管制。" and len(r.note) == r.cue % 200 for r in reports
        )
        assert len(problems) <= 1 and all("cut short" in p for p in problems)  # at most the last line
        append_report(out, SLUG, "山城晚报", facts(9999))
        after, _ = read_reports(out)
        assert after[-1].cue == 9999 and len(after) == len(reports) + 1


def _append_many(out: str, first: int) -> None:
    for n in range(first, first + 100):
        append_report(Path(out), SLUG, "山城晚报", facts(n, note="错" * 200))


def _close_some(out: str, numbers: list[int]) -> None:
    reports, _ = read_reports(Path(out))
    for report in reports:
        if report.number in numbers:
            close_report(Path(out), report, "dismissed")


def test_appends_and_closes_at_once_lose_nothing(tmp_path):
    """Four writers of 100 reports of about 1 KB each while two operators close 20 reports each."""
    for n in range(1, 41):
        append_report(tmp_path, SLUG, "山城晚报", facts(10_000 + n))
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_append_many, args=(str(tmp_path), k * 1000)) for k in range(1, 5)]
    workers += [
        context.Process(target=_close_some, args=(str(tmp_path), list(range(start, 41, 2))))
        for start in (1, 2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
        assert worker.exitcode == 0
    reports, problems = read_reports(tmp_path)
    assert problems == []
    assert len(reports) == 440 and len({r.key for r in reports}) == 440
    assert sorted(r.cue for r in reports if r.cue < 10_000) == sorted(
        n for k in range(1, 5) for n in range(k * 1000, k * 1000 + 100)
    )
    assert all(r.note == "错" * 200 for r in reports if r.cue < 10_000)
    assert [r.number for r in reports if r.done] == list(range(1, 41))  # both operators' closes kept
