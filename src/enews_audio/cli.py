"""The `enews-audio` command: parse arguments, show progress, print the report. No logic of its own."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from enews_audio import __version__, speech
from enews_audio.audio import AudioSettings
from enews_audio.errors import EnewsError
from enews_audio.model import Progress as StageProgress
from enews_audio.pipeline import BuildReport, BuildSettings, build
from enews_audio.publish import PublishSettings

app = typer.Typer(
    help="Turn a Chinese newspaper issue into per-page podcast episodes with chapters and an RSS feed.",
    no_args_is_help=True,
    add_completion=False,
)
err = Console(stderr=True, soft_wrap=True)  # an error is one line, however long
out = Console(soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


def reported(command: F) -> F:
    """Render every EnewsError as one line and its exit code; anything else is a bug and keeps its traceback."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except EnewsError as exc:
            err.print(f"error: {exc}", markup=False, highlight=False)
            raise typer.Exit(exc.exit_code) from None

    return run  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        out.print(f"enews-audio {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Turn a Chinese newspaper issue into per-page podcast episodes with chapters and an RSS feed."""


@app.command("build")
@reported
def build_command(
    source: Annotated[
        Path,
        typer.Argument(help="A folder of reader-app text exports, one such .txt file, or an issue.toml."),
    ],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Where episodes and the feed go.")] = Path(
        "output"
    ),
    engine: Annotated[
        str, typer.Option(help="auto (edge when the service answers, else offline), edge, offline or fake.")
    ] = "auto",
    voice: Annotated[
        str | None, typer.Option(help="Voice name, e.g. zh-CN-XiaoxiaoNeural or zf_xiaobei.")
    ] = None,
    rate: Annotated[int, typer.Option(help="Speaking rate in percent, e.g. -10 for slower.")] = 0,
    base_url: Annotated[
        str,
        typer.Option(help="Public URL of the output's paper folder, used for enclosure links in the feed."),
    ] = "",
    keep: Annotated[int, typer.Option(help="How many issues the feed keeps.")] = 30,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache", help="Clip cache folder [default: OUT/.cache/clips].")
    ] = None,
    concurrency: Annotated[
        int | None, typer.Option(help="Requests at once [default: the engine's own].")
    ] = None,
    attempts: Annotated[
        int, typer.Option(min=1, help="Tries per sentence when the engine fails transiently.")
    ] = 4,
) -> None:
    """Build SOURCE into one MP3 per page, a build.json and the paper's feed.xml (calls pipeline.build)."""
    settings = BuildSettings(
        out_dir=out_dir,
        audio=AudioSettings(),
        publish=PublishSettings(base_url=base_url, keep=keep),
        cache_dir=cache_dir,
        concurrency=concurrency,
        attempts=attempts,
    )
    chosen = speech.select_engine(engine, voice, rate=rate, on_choice=lambda m: err.print(m, highlight=False))
    try:
        with _progress_bar() as on_progress:
            report = build(source, chosen, settings, on_progress)
    finally:
        speech.close_engine(chosen)
    _print_report(report)
    if not report.ok:
        raise typer.Exit(3)


class _progress_bar:
    """A rich bar per stage with ETA; silent when stderr is not a terminal (cron)."""

    def __init__(self) -> None:
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        )
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> Callable[[StageProgress], None]:
        self._bar.start()
        return self._update

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()

    def _update(self, p: StageProgress) -> None:
        labels = {"speech": "synthesising clips", "audio": "assembling pages"}
        if p.stage not in self._tasks:
            self._tasks[p.stage] = self._bar.add_task(labels.get(p.stage, p.stage), total=p.total)
        self._bar.update(self._tasks[p.stage], completed=p.done, total=p.total)


def _print_report(report: BuildReport) -> None:
    issue = report.issue
    out.print(
        f"{issue.paper} {issue.date}: {len(issue.pages)} pages, engine {report.engine}", highlight=False
    )
    out.print(
        f"clips: {report.made} made, {report.reused} reused, {len(report.failures)} failed", highlight=False
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
        out.print(f"feed: {report.feed}", highlight=False)
    if report.failures:
        err.print(
            f"error: {len(report.failures)} sentence(s) could not be spoken; nothing was published "
            "(previous episodes and feed are unchanged; rerun to resume):",
            highlight=False,
        )
        for f in report.failures:
            err.print(
                f"  {f.page} 《{f.article}》 “{f.sentence[:30]}”: {f.reason}", markup=False, highlight=False
            )


def main() -> None:
    app()
