"""What the commands print of the library's reports: a build's summary, a batch's table, what failed."""

from __future__ import annotations

import traceback

from rich.console import Console
from rich.table import Column, Table

from enews_audio.errors import EnewsError
from enews_audio.pipeline import BatchReport, BuildReport, Failure, PaperResult

SUMMARY_HEADERS = ("paper", "pages", "minutes", "clips made", "reused", "result")


def print_build(report: BuildReport, out: Console, err: Console) -> None:
    """A build's summary on ``out``; gaps and what failed on ``err``."""
    issue = report.issue
    out.print(
        f"{issue.paper} {issue.date}: {len(issue.pages)} pages, engine {report.engine}", highlight=False
    )
    failed = len({f.sentence for f in report.failures})
    out.print(f"clips: {report.made} made, {report.reused} reused, {failed} failed", highlight=False)
    if report.slow or report.slow_failures:
        out.print(
            f"slow edition clips: {report.slow_made} made, {report.slow_reused} reused", highlight=False
        )
    if report.episodes:
        table = Table("page", "file", "articles", "duration")
        for ep in report.episodes:
            minutes, seconds = divmod(round(ep.duration), 60)
            table.add_row(
                f"{ep.page.code} {ep.page.name}",
                ep.path,
                str(len(ep.page.articles)),
                f"{minutes}:{seconds:02}",
            )
        out.print(table)
        out.print(f"episodes in {report.issue_dir}", highlight=False)
        if report.brief:
            minutes, seconds = divmod(round(report.brief.duration), 60)
            out.print(
                f"{report.brief.page.name}: {report.brief.path} ({minutes}:{seconds:02})", highlight=False
            )
        if report.slow:
            out.print(f"slow edition: {', '.join(e.path for e in report.slow)}", highlight=False)
        out.print(f"feed: {report.feed}", highlight=False)
    for warning in report.warnings:
        err.print(f"warning: {warning}", markup=False, highlight=False)
    for gap in report.gaps:
        err.print(f"gap: {sentence_line(gap)}", markup=False, highlight=False)
    if slow := sorted({f.page for f in report.slow_failures}):
        err.print(
            f"error: page(s) {', '.join(slow)} have no slow edition: sentences failed (rerun to resume)"
        )
    if report.failures:
        pages = sorted({f.page for f in report.failures})
        err.print(
            f"error: {len(report.failures)} sentence(s) could not be spoken; page(s) {', '.join(pages)} not "
            "published (their previous episodes stay; rerun to resume, or use --allow-gaps):",
            highlight=False,
        )
        for f in report.failures:
            err.print(f"  {sentence_line(f)}", markup=False, highlight=False)


def print_batch(report: BatchReport, out: Console, err: Console) -> None:
    """A row per paper, then an ``error:`` line for each that failed."""
    built = sum(p.ok for p in report.papers)
    out.print(f"{len(report.papers)} paper(s): {built} built, {len(report.papers) - built} failed")
    table = Table(*(Column(h, overflow="fold") for h in SUMMARY_HEADERS))
    for row in summary_rows(report):
        table.add_row(*row)
    out.print(table)
    for line in failure_lines(report):
        err.print(line, markup=False, highlight=False)


def summary_rows(report: BatchReport) -> list[tuple[str, ...]]:
    """A row per paper under ``SUMMARY_HEADERS``: pages published of all, minutes of audio, clips, result."""
    rows = []
    for paper in report.papers:
        built = paper.report
        if built is None:
            rows.append((paper.entry.name, "", "", "", "", "failed: not built"))
            continue
        result = "published" if paper.ok else f"failed: {len(built.failures)} sentence(s)"
        issue = built.issue
        pages = f"{len(built.episodes)}/{len(issue.pages)}"
        minutes = f"{paper.minutes:.1f}"
        rows.append(
            (f"{issue.paper} {issue.date}", pages, minutes, str(built.made), str(built.reused), result)
        )
    return rows


def failure_lines(report: BatchReport) -> list[str]:
    """What failed, an ``error:`` line per paper naming its entry (then its sentences, or a bug's traceback)."""
    lines = []
    for paper in report.papers:
        if paper.error is not None:
            lines.append(f"error: {paper.entry.name}: {reason(paper)}")
            if not _expected(paper.error):
                lines.append("".join(traceback.format_exception(paper.error)).rstrip())
        elif paper.report is not None and (failures := paper.report.failures):
            pages = ", ".join(sorted({f.page for f in failures}))
            lines.append(
                f"error: {paper.entry.name}: {len(failures)} sentence(s) could not be spoken; "
                f"page(s) {pages} not published (rerun to resume)"
            )
            lines += [f"  {sentence_line(f)}" for f in failures]
    return lines


def reason(paper: PaperResult) -> str:
    """Why a paper was not built, in one line: our error's message, or what a bug raised."""
    error = paper.error
    if error is None:
        return ""
    if _expected(error):
        return " ".join(str(error).split())
    return f"internal error: {type(error).__name__}: {error}"


def sentence_line(f: Failure) -> str:
    """A sentence that could not be spoken, where it sits and why."""
    return f"{f.page} 《{f.article}》 “{f.sentence[:30]}”: {f.reason}"


def _expected(error: BaseException) -> bool:
    return isinstance(error, EnewsError)
