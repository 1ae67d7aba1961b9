"""The `enews-audio` command: parse arguments, show progress, print the report. No logic of its own."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Column, Table

from enews_audio import __version__, pipeline, speech, text
from enews_audio.cli.progress import ProgressBar
from enews_audio.cli.report import print_batch, print_build
from enews_audio.cli.reports import reports_command
from enews_audio.cli.usage import OneLineErrors, day
from enews_audio.errors import EnewsError
from enews_audio.model import Edition, Progress
from enews_audio.pipeline import batch
from enews_audio.pipeline.options import BuildOptions, build_options, default
from enews_audio.publish.settings import KEEP

app = typer.Typer(
    help="Turn a Chinese newspaper issue into per-page podcast episodes with chapters and an RSS feed.",
    no_args_is_help=True,
    add_completion=False,
    # Plain click-style help: box-drawing panels are read aloud by screen readers and garble cron mail;
    # usage errors are our one line (cli/usage.py).
    rich_markup_mode=None,
    cls=OneLineErrors,
)
err = Console(stderr=True, soft_wrap=True)  # an error is one line, however long
show = Console(soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])
# The defaults the options show, as BuildOptions declares them.
OUT, FETCH_DELAY, ATTEMPTS = default("out"), default("fetch_delay"), default("attempts")


def reported(command: F) -> F:
    """Render every EnewsError as one line and its exit code; anything else is a bug and keeps its traceback."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except EnewsError as exc:
            for line in getattr(exc, "lines", None) or [str(exc)]:  # a batch file's problems: one line each
                err.print(f"error: {line}", markup=False, highlight=False)
            raise typer.Exit(exc.exit_code) from None

    return run  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        show.print(f"enews-audio {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Turn a Chinese newspaper issue into per-page podcast episodes with chapters and an RSS feed."""


# Options shared by the commands that read an issue.
Source = Annotated[
    str,
    typer.Argument(
        help="Reader-app text exports (a folder or one .txt), an issue.toml, or an e-paper: its URL, "
        "a saved copy's folder or one of its pages."
    ),
]
IssueDate = Annotated[
    dt.date | None,
    typer.Option(
        "--date",
        parser=day,
        metavar="YYYY-MM-DD",
        help="The e-paper's issue of this day [default: the latest].",
    ),
]
FetchDelay = Annotated[float, typer.Option(min=0, help="Seconds between two requests to an e-paper site.")]
PageCache = Annotated[
    Path | None, typer.Option(help="Folder for fetched e-paper pages [default: ~/.cache/enews-audio/pages].")
]
Profiles = Annotated[
    Path | None, typer.Option(help="TOML file of [[profile]] tables describing other e-papers.")
]
Lexicons = Annotated[
    list[Path] | None,
    typer.Option(
        "--lexicon", help="Extra lexicon TOML (substitutions, pinyin); repeatable; later files win."
    ),
]
ScriptFile = Annotated[
    Path | None, typer.Option("--script", help="Your script.toml over voices/script.toml.")
]


def _options(command: str, given: dict[str, Any], *, leave: tuple[str, ...] = ()) -> BuildOptions:
    """A command's parameters (named as BuildOptions' keys) as BuildOptions, checked like a batch file's."""
    values = {k: v for k, v in given.items() if k not in leave}
    values |= {"lexicon": values["lexicon"] or []}
    return build_options(values, where=f"enews-audio {command}")


@app.command("build")
@reported
def build_command(
    source: Source,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where episodes and the feed go.")] = OUT,
    preset: Annotated[str | None, typer.Option(help="news, slow, fast, or a preset .toml file.")] = None,
    engine: Annotated[
        str | None,
        typer.Option(
            help="auto (edge when the service answers, else offline), edge, offline or fake "
            "[default: the preset's, else auto]."
        ),
    ] = None,
    voice: Annotated[
        str | None, typer.Option(help="Voice name, e.g. zh-CN-XiaoxiaoNeural or zf_xiaobei.")
    ] = None,
    rate: Annotated[int | None, typer.Option(help="Speaking rate in percent, e.g. -10 for slower.")] = None,
    pitch: Annotated[int | None, typer.Option(help="Pitch in Hz (edge voices).")] = None,
    volume: Annotated[int | None, typer.Option(help="Volume in percent (edge voices).")] = None,
    proxy: Annotated[str | None, typer.Option(help="Proxy for edge-tts, e.g. http://127.0.0.1:8080.")] = None,
    config: Annotated[
        Path | None, typer.Option(help="Paper settings TOML [default: ./enews-audio.toml when present].")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="Public URL of the output's paper folder, for the feed's links.")
    ] = None,
    keep: Annotated[
        int | None, typer.Option(min=1, help=f"How many issues the feed keeps [default: {KEEP}].")
    ] = None,
    allow_gaps: Annotated[
        bool, typer.Option("--allow-gaps", help="Publish with a spoken notice where a sentence failed.")
    ] = False,
    editions: Annotated[
        list[Edition] | None,
        typer.Option(
            "--edition",
            help="Also make daisy (a DAISY 2.02 book), usb (an MP3 per article) or slow (the issue spoken "
            "slower); repeatable [default: the config's editions].",
        ),
    ] = None,
    lexicon: Lexicons = None,
    script: ScriptFile = None,
    date: IssueDate = None,
    fetch_delay: FetchDelay = FETCH_DELAY,
    page_cache: PageCache = None,
    profiles: Profiles = None,
    cache: Annotated[
        Path | None, typer.Option("--cache", help="Clip cache folder [default: OUT/.cache/clips].")
    ] = None,
    concurrency: Annotated[
        int | None, typer.Option(min=1, help="Requests at once [default: the engine's].")
    ] = None,
    attempts: Annotated[
        int, typer.Option(min=1, help="Tries per sentence when the engine fails transiently.")
    ] = ATTEMPTS,
    jobs: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Offline voice worker processes [default: one per core this process may use, "
            "as memory allows].",
        ),
    ] = None,
) -> None:
    """Build SOURCE into one MP3 per page, transcripts, chapters, the feed and a web edition (pipeline.build)."""
    options = _options("build", locals())
    with speech.Speaker(jobs=options.jobs) as speaker:  # a batch of one paper
        with ProgressBar(err) as bar:

            def on_progress(p: Progress) -> None:
                if p.stage != "papers":  # one paper: its own bars say it all
                    bar(p)

            (paper,) = pipeline.run(
                [pipeline.Entry(0, options, source)], speaker, on_progress=on_progress, on_choice=_tell
            ).papers
        if paper.error is not None:
            raise paper.error  # inside the speaker: its workers are stopped at once
    assert paper.report is not None
    print_build(paper.report, show, err)
    if not paper.report.ok:
        raise typer.Exit(3)


@app.command("batch")
@reported
def batch_command(
    papers: Annotated[Path, typer.Argument(help="A TOML file of [[paper]] tables (and [defaults]).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where every paper's folder goes.")] = OUT,
    cluster: Annotated[
        str | None,
        typer.Option(help="Speak on the Dask cluster whose scheduler is here, e.g. tcp://10.0.0.5:8786."),
    ] = None,
    clip_store: Annotated[
        str | None,
        typer.Option(
            help="Clips: a folder (shared by the workers) or s3://bucket/prefix [default: OUT/.cache/clips]."
        ),
    ] = None,
    jobs: Annotated[
        int | None, typer.Option(min=1, help="Offline voice processes here [default: one per usable core].")
    ] = None,
) -> None:
    """Build every paper of PAPERS (each as `build` would) into OUT; one that fails never stops the others.

    The whole file is checked first (each problem one line, exit 2); the exit code is 1 when any paper
    failed. A rerun redoes only what is missing.
    """
    loaded = batch.load_batch(papers, out)
    if clip_store is not None:
        batch.check_store(clip_store)
    executor, clip_store = batch.cluster(cluster, out, clip_store) if cluster else (None, clip_store)
    if executor is not None:
        err.print(
            f"speaking on the cluster at {cluster}: {len(executor.workers())} workers now", highlight=False
        )
    try:
        with speech.Speaker(jobs=jobs, executor=executor) as speaker, ProgressBar(err) as on_progress:
            report = pipeline.run(
                loaded.entries, speaker, clip_store=clip_store, on_progress=on_progress, on_choice=_tell,
                at_once=batch.AT_ONCE if executor else 1,
            )  # fmt: skip
    finally:
        if executor is not None:
            executor.close()
    print_batch(report, show, err)
    if not report.ok:
        raise typer.Exit(1)


@app.command("script")
@reported
def script_command(
    source: Source,
    spoken: Annotated[
        bool, typer.Option("--spoken", help="Also show what is said: numbers read out, lexicon applied.")
    ] = False,
    engine: Annotated[str, typer.Option(help="Whose lexicon to apply: edge or offline.")] = "edge",
    voice: Annotated[str | None, typer.Option(help="Voice whose lexicon entries apply.")] = None,
    lexicon: Lexicons = None,
    script: ScriptFile = None,
    date: IssueDate = None,
    fetch_delay: FetchDelay = FETCH_DELAY,
    page_cache: PageCache = None,
    profiles: Profiles = None,
) -> None:
    """Print, per page, the utterances that would be spoken, without synthesising (pipeline.script)."""
    settings = pipeline.proofing(_options("script", locals(), leave=("spoken",)))
    proof = text.format_script(pipeline.script(source, settings), spoken=spoken)
    show.print(proof, end="", markup=False, highlight=False)


@app.command("lint")
@reported
def lint_command(
    source: Source,
    engine: Annotated[str, typer.Option(help="Whose voice to check: edge or offline.")] = "offline",
    voice: Annotated[str | None, typer.Option(help="Voice whose lexicon entries apply.")] = None,
    lexicon: Lexicons = None,
    date: IssueDate = None,
    fetch_delay: FetchDelay = FETCH_DELAY,
    page_cache: PageCache = None,
    profiles: Profiles = None,
) -> None:
    """List words the engine's voice may misread (readings, names, Latin, leftover digits) with their place."""
    settings = pipeline.proofing(_options("lint", locals()))
    findings = pipeline.lint(source, settings, engine)
    show.print(text.format_findings(findings), end="", markup=False, highlight=False)
    show.print(f"{len(findings)} finding(s)", highlight=False)


@app.command("voices")
@reported
def voices_command(
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Fetch the live edge-tts list into your data folder.")
    ] = False,
    proxy: Annotated[str | None, typer.Option(help="Proxy for edge-tts, e.g. http://127.0.0.1:8080.")] = None,
) -> None:
    """List the voices: edge-tts (snapshot, or live with --refresh) and the embedded offline ones."""
    # Names are never wrapped or cut: they are copied into --voice, also from a narrow or piped terminal.
    table = Table("engine", Column("voice", no_wrap=True), "gender", Column("locale", no_wrap=True), "notes")
    for v in speech.list_voices(refresh, proxy=proxy):
        table.add_row(v.engine, v.name, v.gender, v.locale, v.notes)
    show.print(table)
    show.print(f"presets (--preset): {', '.join(speech.preset_names())}", highlight=False)


@app.command("serve")
@reported
def serve_command(
    root: Annotated[Path, typer.Argument(help="The output folder (or one paper's folder) to serve.")] = OUT,
    host: Annotated[
        str, typer.Option(help="Address to listen on; 0.0.0.0 lets phones on the same network subscribe.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on (0: any free port).")] = 8000,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Don't print a line per request.")] = False,
    reports: Annotated[
        bool,
        typer.Option("--reports", help="Take listeners' 读错了 reports into OUT/.reports/ (see `reports`)."),
    ] = False,
) -> None:
    """Serve the output to podcast apps and browsers until Ctrl-C (serve.serve).

    Feeds built without --base-url are served with links to the address they were fetched from.
    """
    from enews_audio import serve as server  # here: aiohttp is not worth loading for every other command

    def ready(url: str) -> None:
        show.print(f"serving {root} at {url} (Ctrl-C stops)", highlight=False)
        if host in {"0.0.0.0", "::"}:
            show.print(
                "from a phone, use this computer's network address in place of the host", highlight=False
            )
        for feed in server.feeds(root):
            show.print(f"  feed: {url}{feed}", highlight=False)
        if reports:
            show.print(
                "listeners' 读错了 reports are taken: see them with enews-audio reports", highlight=False
            )

    log = None if quiet else (lambda line: err.print(line, markup=False, highlight=False))
    server.serve(root, host, port, on_ready=ready, on_request=log, reports=reports)


app.command("reports")(reported(reports_command))


def _tell(message: str) -> None:
    """Which engine "auto" chose, and why."""
    err.print(message, highlight=False)


def main() -> None:
    app()
