"""``enews-audio reports``: listeners' 读错了 reports, and accepting or dismissing one (pipeline/reports.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from enews_audio.errors import UsageError
from enews_audio.pipeline.options import default
from enews_audio.pipeline.reports import ReportView, accept, dismiss, open_reports

OUT = default("out")
_show = Console(soft_wrap=True)
_err = Console(stderr=True, soft_wrap=True)


def reports_command(
    out: Annotated[Path, typer.Argument(help="The output folder the server took reports into.")] = OUT,
    accept_entry: Annotated[
        tuple[int, str] | None,
        typer.Option(
            "--accept",
            metavar="ID ENTRY",
            help="Write ENTRY ('word=reading': tone3 pinyin or a same-sounding word) into the paper's "
            "lexicon ([paper] lexicon in the config) and close report ID.",
        ),
    ] = None,
    dismiss_id: Annotated[
        int | None, typer.Option("--dismiss", metavar="ID", help="Close report ID.")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(help="The paper's settings TOML [default: ./enews-audio.toml when present]."),
    ] = None,
) -> None:
    """List listeners' open 读错了 reports, newest first, with what the voice was given and a suggested fix."""
    if accept_entry is not None and dismiss_id is not None:
        raise UsageError("--accept and --dismiss: one at a time")
    if accept_entry is not None:
        number, entry = accept_entry
        lexicon = accept(out, number, entry, config)
        _show.print(
            f"#{number} accepted: {entry.strip()} written to {lexicon}", markup=False, highlight=False
        )
        return
    if dismiss_id is not None:
        dismiss(out, dismiss_id)
        _show.print(f"#{dismiss_id} dismissed", markup=False, highlight=False)
        return
    views, problems = open_reports(out, config)
    for problem in problems:
        _err.print(f"warning: {problem}", markup=False, highlight=False)
    for view in views:
        for line in _lines(view):
            _show.print(line, markup=False, highlight=False)
    _show.print(f"{len(views)} open report(s)", highlight=False)


def _lines(view: ReportView) -> list[str]:
    """A report as lines that each start with its ``#N``, so grep shows whole reports."""
    r = view.report
    tag = f"#{r.number}"
    received = r.time.astimezone().strftime("%Y-%m-%d %H:%M")
    lines = [
        f"{tag} {r.paper} {r.issue} {r.page.upper()}版 《{r.article}》 第{r.cue}句 (received {received})",
        f"{tag}   printed: {r.printed}",
        f"{tag}   spoken:  {view.spoken}" + ("" if r.spoken else " (the build kept no spoken form)"),
    ]
    if view.pinyin:
        lines.append(f"{tag}   pinyin:  {view.pinyin}")
    if r.note:
        lines.append(f"{tag}   note:    {r.note}")
    lines += [f"{tag}   lint:    {word} ({kind}): {detail}" for word, kind, detail in view.findings]
    if not view.findings:
        lines.append(f"{tag}   lint:    nothing found")
    if view.suggestion:
        lines.append(f"{tag}   suggest: enews-audio reports --accept {r.number} '{view.suggestion}'")
    return lines
