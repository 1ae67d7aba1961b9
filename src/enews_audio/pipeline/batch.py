"""Many papers in one run: a batch file's ``[[paper]]`` tables, each built as ``build`` would build it.

    [defaults]                       # any build option, for every paper
    engine = "offline"
    preset = "news"
    [[paper]]
    source = "exports/shancheng"     # anything `build` takes, relative to this file
    config = "shancheng.toml"        # any build option, over [defaults]
    [[paper]]
    source = "https://epaper.example.cn/paperindex.htm"

The whole file is checked before anything is built, every problem one line naming the entry. Then each
paper is built into the same output folder; one that fails (an unreachable site, a bad export, sentences
that could not be spoken) never stops the others. Papers with the same voice share one engine (and its warm
workers), made once by the run's ``speech.Speaker``. A rerun redoes only what is missing: clips come from the clip store and
unchanged pages from the episode memo, as for ``build``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from enews_audio import speech
from enews_audio.errors import ClipStoreError, EnewsError, UsageError
from enews_audio.model import Progress
from enews_audio.pipeline.config import load_config
from enews_audio.pipeline.options import BuildOptions, build_options
from enews_audio.pipeline.paper import BuildReport, build
from enews_audio.pipeline.settings import Probes, prepare
from enews_audio.pipeline.speaking import OnProgress
from enews_audio.speech.select import option_problems
from enews_audio.speech.store import open_store
from enews_audio.tomlfile import Key, message, read_toml

if TYPE_CHECKING:  # distributed is imported only with --cluster
    from enews_audio.speech.dask import DaskExecutor

# Set once for the whole batch, on the command line, never per paper.
BATCH_ONLY = {"out": "-o/--out", "cache": "--clip-store"}
# Papers built at a time on a cluster: the next paper's texts reach the workers while one paper ends.
AT_ONCE = 3


class BatchFileError(UsageError):
    """Everything wrong with a batch file: ``lines``, each made one line as any error's message is; the CLI
    prints each as an ``error:`` line."""

    def __init__(self, problems: list[str]) -> None:
        self.lines = tuple(str(UsageError(problem)) for problem in problems)
        super().__init__(f"{len(problems)} problem(s) in the batch file")


@dataclass(frozen=True, slots=True)
class Entry:
    """One ``[[paper]]`` table, over ``[defaults]``, as the options of its build."""

    index: int
    options: BuildOptions
    written: str  # the source as the file gives it, to name the entry

    @property
    def name(self) -> str:
        return f"paper[{self.index}] {self.written}"


@dataclass(frozen=True, slots=True)
class Batch:
    path: Path
    entries: tuple[Entry, ...]


def check_store(clip_store: str) -> None:
    """Fail now, before any paper is built, on a clip store that is not a folder or S3, or can't be reached."""
    try:
        open_store(clip_store).read_many(["00/probe.clip"])
    except ClipStoreError as exc:
        raise UsageError(f"--clip-store: {exc}") from None


def cluster(address: str, out: Path, clip_store: str | None) -> tuple[DaskExecutor, str]:
    """The Dask executor for the scheduler at ``address``, and the clip store its workers write to: the
    one given, else ``OUT/.cache/clips`` as an absolute path (which workers on other machines reach only
    if they mount it by that name)."""
    from enews_audio.speech.dask import DaskExecutor

    store = clip_store or str((out / ".cache" / "clips").resolve())
    return DaskExecutor.connect(address), store


def load_batch(path: Path, out: Path) -> Batch:
    """The batch file at ``path`` with every paper's output in ``out``; ``BatchFileError`` lists each problem.

    Checked here, before anything is built: unknown tables and keys, values of the wrong type or range,
    unknown engines, presets and config files that do not load, the same source and date twice. What only
    a build can find (a source that has not arrived, an unreachable site, a bad export) fails that paper
    alone, later: a cron run is not lost to one paper's missing export.
    """
    data, text = read_toml(path, UsageError, "batch file")
    where, problems = str(path), []

    def problem(keys: tuple[Key, ...], what: str) -> None:
        problems.append(message(where, keys, what, text))

    for key in sorted(set(data) - {"defaults", "paper"}):
        problem((key,), "unknown key (known: defaults, paper)")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        problem(("defaults",), "must be a table: [defaults]")
        defaults = {}
    papers = data.get("paper", [])
    if not isinstance(papers, list) or not all(isinstance(p, dict) for p in papers):
        problem(("paper",), "must be [[paper]] tables")
        papers = []
    elif not papers:
        problem((), "no [[paper]] tables: nothing to build")

    defaults = _own(defaults, ("defaults",), problem)
    if "source" in defaults:
        problem(("defaults", "source"), "each [[paper]] gives its own source")
        defaults = {k: v for k, v in defaults.items() if k != "source"}
    try:
        common = build_options(
            {"source": ".", **defaults}, where=where, text=text, base=path.parent, at=("defaults",)
        )
    except UsageError as exc:
        problems.append(str(exc))
        defaults = {}  # told once here, not again for every paper
    else:
        for key, what in _check(common):
            problem(("defaults", key), what)
            defaults = {}

    entries: list[Entry] = []
    seen: dict[tuple[str, Any], int] = {}
    for index, table in enumerate(papers):
        at: tuple[Key, ...] = ("paper", index)
        values = {**defaults, **_own(table, at, problem)}
        try:
            options = build_options(values, where=where, text=text, base=path.parent, at=at)
        except UsageError as exc:
            problems.append(str(exc))
            continue
        options = msgspec.structs.replace(options, source=_located(options.source, path.parent), out=out)
        wrong = _check(options)
        for key, what in wrong:
            problem((*at, key), what)
        same = seen.setdefault((options.source, options.date), index)
        if same != index:
            problem((*at, "source"), f"paper[{same}] already builds {options.source} of this date")
        if not wrong:
            entries.append(Entry(index, options, str(table.get("source", options.source))))
    if problems:
        raise BatchFileError(problems)
    return Batch(path, tuple(entries))


def _own(table: Mapping[str, Any], at: tuple[Key, ...], problem: Callable[..., None]) -> dict[str, Any]:
    """``table`` without the keys set for the whole batch, each of which is a problem."""
    for key in table:
        if key in BATCH_ONLY:
            problem((*at, key), f"set for the whole batch, with {BATCH_ONLY[key]} on the command line")
    return {k: v for k, v in table.items() if k not in BATCH_ONLY}


def _located(source: str, base: Path) -> str:
    """A local source relative to the batch file's folder; a URL as it is."""
    if "://" in source:
        return source
    path = Path(source).expanduser()
    return str(path if path.is_absolute() else base / path)


def _check(options: BuildOptions) -> list[tuple[str, str]]:
    """What is wrong with one paper's options that a build would find only after others were built."""
    wrong = []  # a source that is missing or unreachable is not the file's mistake: it fails its paper alone
    levels = {key: getattr(options, key) for key in ("rate", "pitch", "volume")}
    wrong += option_problems(options.engine, **levels)
    for key, load in (("preset", speech.load_preset), ("config", load_config)):
        if getattr(options, key) is not None:
            try:
                load(getattr(options, key))
            except EnewsError as exc:
                wrong.append((key, str(exc)))
    return wrong


@dataclass(frozen=True, slots=True)
class PaperResult:
    """How one paper went: its build's report, or the error that stopped it (a bug's too, to show as it is)."""

    entry: Entry
    report: BuildReport | None = None
    error: Exception | None = None  # when there is no report

    @property
    def ok(self) -> bool:
        return self.report is not None and self.report.ok

    @property
    def minutes(self) -> float:
        """Minutes of audio published by this build."""
        return sum(e.duration for e in self.report.episodes) / 60 if self.report else 0.0


@dataclass(frozen=True, slots=True)
class BatchReport:
    papers: tuple[PaperResult, ...]

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.papers)


@dataclass(slots=True)
class _Tally:
    """Each paper's last progress per stage, summed over papers: the batch's clips and pages so far."""

    report: OnProgress
    seen: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def for_paper(self, index: int) -> OnProgress:
        def update(p: Progress) -> None:
            with self.lock:
                self.seen[p.stage, index] = (p.done, p.total)
                done = sum(d for (stage, _), (d, _) in self.seen.items() if stage == p.stage)
                total = sum(t for (stage, _), (_, t) in self.seen.items() if stage == p.stage)
                self.report(Progress(p.stage, done, total, p.detail))

        return update


def run(
    entries: Sequence[Entry],
    speaker: speech.Speaker,
    *,
    clip_store: str | None = None,
    on_progress: OnProgress | None = None,
    on_choice: Callable[[str], None] | None = None,
    at_once: int = 1,
) -> BatchReport:
    """Build every paper of ``entries`` with ``speaker``'s voices; failures are reported per paper, never
    raised. ``enews-audio build`` is a batch of one.

    ``clip_store`` is where clips are kept (a folder, or an ``s3://bucket/prefix`` URL; default each paper's
    ``OUT/.cache/clips``). Papers with the same voice share its engine and warm workers (the speaker keeps
    them). ``at_once`` papers are built at a time, so the workers of a cluster get the next paper's texts
    while one paper's last clips are made and its pages assembled; with one at a time the papers are built
    in the calling thread, where Ctrl-C reaches them. ``on_progress`` gets ``Progress("papers", …)`` as
    papers finish and the clips and pages of all papers so far, summed.
    """
    report = on_progress or (lambda _p: None)
    tally = _Tally(report)
    probes: Probes = {}
    choosing = threading.Lock()  # "auto" probes the edge service once for the run, not once per paper
    total, done, counting = len(entries), 0, threading.Lock()

    def one(entry: Entry) -> PaperResult:
        nonlocal done
        try:
            with choosing:
                settings = prepare(entry.options, on_choice, probes)
            if clip_store is not None:
                settings = replace(settings, cache_dir=clip_store)
            built = build(entry.options.source, settings, speaker, tally.for_paper(entry.index))
            result = PaperResult(entry, built)
        except Exception as exc:  # this paper fails (a bug with its traceback kept); the others still build
            result = PaperResult(entry, error=exc)
        with counting:
            done += 1
            report(Progress("papers", done, total, entry.written))
        return result

    report(Progress("papers", 0, total))
    if at_once == 1:
        return BatchReport(tuple(one(entry) for entry in entries))
    with ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="paper") as pool:
        return BatchReport(tuple(pool.map(one, entries)))
