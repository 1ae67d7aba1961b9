"""One build: read an issue, write its script, speak it, assemble a page episode each, publish the feed."""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from enews_audio import audio, publish, sources, speech, text
from enews_audio.config import load_config
from enews_audio.errors import PublishError, UsageError
from enews_audio.model import Clip, Episode, Issue, PageScript, Progress, Script
from enews_audio.options import BuildOptions
from enews_audio.speech.select import DEFAULT_VOICES

OnProgress = Callable[[Progress], None]
LEXICON_ENGINES = ("edge", "offline")  # the engines a lexicon is written for
OPENING = "版面导读"  # where a failed sentence sits when it is the page's own line, not an article's


@dataclass(frozen=True, slots=True)
class ReadSettings:
    """How to read an issue and write what is said: all that ``script`` and ``lint`` need."""

    date: dt.date | None = None  # which issue of an e-paper site
    fetch: sources.FetchSettings | None = None
    profiles: Path | None = None  # e-paper profiles TOML
    text: text.TextSettings = field(default_factory=text.TextSettings)


@dataclass(frozen=True, slots=True)
class BuildSettings:
    out_dir: Path
    read: ReadSettings = field(default_factory=ReadSettings)
    audio: audio.AudioSettings = field(default_factory=audio.AudioSettings)
    publish: publish.PublishSettings = field(default_factory=publish.PublishSettings)
    cache_dir: Path | None = None  # default: <out_dir>/.cache/clips
    concurrency: int | None = None
    attempts: int = 4
    allow_gaps: bool = False  # publish a page with a spoken notice where a sentence could not be made
    jobs: int | None = None  # offline voice workers; default: one per usable core, as memory allows

    @property
    def speech(self) -> speech.SpeechSettings:
        cache = self.cache_dir or self.out_dir / ".cache" / "clips"
        return speech.SpeechSettings(
            cache, concurrency=self.concurrency, attempts=self.attempts, jobs=self.jobs
        )


def prepare(
    options: BuildOptions, on_choice: Callable[[str], None] | None = None
) -> tuple[speech.Engine, BuildSettings]:
    """The engine and settings ``options`` ask for: what ``enews-audio build`` runs, for any caller.

    The paper's config and the preset are read first (a mistake there fails before the edge service is
    probed); the voice is chosen before its lexicon is loaded, so a lexicon's entries for that voice apply
    (the offline voice's pinyin too). ``on_choice`` is told which engine "auto" picked and why. ``build``
    closes the engine when it is done.
    """
    config = load_config(options.config)
    preset = speech.load_preset(options.preset) if options.preset else None
    lexicons = functools.cache(lambda engine, voice: text.load_lexicon(engine, voice, options.lexicon))
    engine = speech.select_engine(
        options.engine, options.voice, rate=options.rate, pitch=options.pitch, volume=options.volume,
        preset=preset, proxy=options.proxy, pinyin=lambda voice: lexicons("offline", voice).pinyin,
        on_choice=on_choice,
    )  # fmt: skip
    lexicon = lexicons(engine.name, engine.voice.name)
    settings = BuildSettings(
        out_dir=options.out,
        read=_reading(options, lexicon, preset.pauses if preset else None),
        publish=config.publish_settings(base_url=options.base_url, keep=options.keep),
        cache_dir=options.cache,
        concurrency=options.concurrency,
        attempts=options.attempts,
        allow_gaps=options.allow_gaps,
        jobs=options.jobs,
    )
    return engine, settings


def proofing(options: BuildOptions) -> ReadSettings:
    """What ``script`` and ``lint`` read with: the lexicon of the options' engine (edge or offline; default
    edge) and voice (default: the engine's own), without choosing or starting an engine."""
    engine = options.engine or "edge"
    if engine not in LEXICON_ENGINES:
        raise UsageError(f"--engine: no lexicon for {engine!r} (choose from {', '.join(LEXICON_ENGINES)})")
    voice = options.voice or DEFAULT_VOICES[engine]
    return _reading(options, text.load_lexicon(engine, voice, options.lexicon))


def _reading(options: BuildOptions, lexicon: text.Lexicon, pauses: text.Pauses | None = None) -> ReadSettings:
    text_settings = text.TextSettings(lexicon=lexicon, script=options.script)
    if pauses is not None:  # a preset's
        text_settings = replace(text_settings, pauses=pauses)
    return ReadSettings(
        date=options.date,
        fetch=sources.FetchSettings(cache_dir=options.page_cache, delay=options.fetch_delay),
        profiles=options.profiles,
        text=text_settings,
    )


@dataclass(frozen=True, slots=True)
class Failure:
    """A sentence that could not be spoken, and where it sits in the paper."""

    page: str
    article: str  # headline, or OPENING for the page's own lines
    sentence: str
    reason: str


@dataclass(frozen=True, slots=True)
class BuildReport:
    issue: Issue
    issue_dir: Path
    engine: str
    episodes: tuple[Episode, ...]  # the pages published by this build
    made: int
    reused: int
    failures: tuple[Failure, ...]  # their pages were not published; the previous episodes stay
    gaps: tuple[Failure, ...] = ()  # with allow_gaps: published with a spoken notice in their place
    feed: Path | None = None  # None when nothing was published

    @property
    def ok(self) -> bool:
        return not self.failures


def load(source: Path | str, settings: ReadSettings) -> Issue:
    issue = sources.load_issue(source, date=settings.date, fetch=settings.fetch, profiles=settings.profiles)
    if settings.date and issue.date != settings.date:  # a folder or manifest holds one issue, of its own date
        raise UsageError(f"--date {settings.date}: {source} holds the issue of {issue.date}")
    return issue


def build(
    source: Path | str,
    engine: speech.Engine,
    settings: BuildSettings,
    on_progress: OnProgress | None = None,
    executor: speech.Executor | None = None,
) -> BuildReport:
    """Build the issue at ``source``; ``engine`` speaks on one event loop for the whole build and is closed
    (``aclose``) at its end, ready for another build. ``executor`` (say, voice workers kept warm for a
    batch of papers) stays open; without one the build uses ``speech.executor_for`` and closes it."""
    # One event loop for the engine's whole part in the build (speech.Session), opened first so voice
    # workers load the model while the issue is read, and closed at the end before the assembler: on an
    # error, speaking stops before the pages it would start are refused.
    session = speech.Session(engine, settings.speech, executor)
    try:
        issue = load(source, settings.read)
        script = text.to_script(issue, settings.read.text)
    except BaseException:
        session.close(abort=True)
        raise
    paper_dir = settings.out_dir / publish.paper_slug(issue.paper)
    issue_dir = paper_dir / issue.date.isoformat()

    cache = settings.out_dir / ".cache"
    with _Assembler(script, cache, issue_dir, settings.audio, on_progress) as assembler, session:
        # Pages are assembled as soon as their last clip is in, while later pages are still being spoken.
        result = session.synthesize(speaking_order(script), on_progress, assembler.settled)
        failures, gaps = _failures(script, result.failures), ()
        if failures and settings.allow_gaps:
            assembler.fill(session.placeholder())
            failures, gaps = (), failures
        episodes = assembler.finish()
        _put_in_place(episodes, assembler.staging, issue_dir)

    report = BuildReport(
        issue, issue_dir, engine.identity, episodes, result.made, result.reused, failures, gaps
    )
    if not episodes:
        return report  # the previous episodes and feed stay as they were; a rerun resumes from the cache
    extra = {
        "engine": engine.identity,
        "clips_made": result.made,
        "clips_reused": result.reused,
        "failures": [_describe(f) for f in failures],
        "gaps": [_describe(f) for f in gaps],
    }
    gap_titles: dict[str, list[str]] = {}
    for gap in gaps:
        titles = gap_titles.setdefault(gap.page, [])
        if gap.article not in titles:
            titles.append(gap.article)
    feed = publish.publish_issue(
        paper_dir,
        issue,
        episodes,
        settings.publish,
        extra=extra,
        gaps=gap_titles,
        keep_pages={f.page for f in failures},  # a page that failed keeps its last good episode in the feed
    )
    return replace(report, feed=feed)


def speaking_order(script: Script) -> list[str]:
    """The spoken texts in the order they are made: page by page, so each page is assembled while later ones
    are spoken, and the longest first within a page, so the last texts given out are short ones and no
    worker idles long while another finishes the issue (measured in BENCHMARKS.md, "voice workers")."""
    return [
        u.spoken
        for page in script.pages
        for u in sorted(page.utterances, key=lambda u: len(u.spoken), reverse=True)
    ]


def _put_in_place(episodes: tuple[Episode, ...], staging: Path, issue_dir: Path) -> None:
    """Rename the episodes made by this build into the issue's folder; reused ones are there already."""
    try:
        for episode in episodes:
            if (staging / episode.path).exists():
                issue_dir.mkdir(parents=True, exist_ok=True)
                os.replace(staging / episode.path, issue_dir / episode.path)
    except OSError as exc:
        raise PublishError(
            f"cannot put {exc.filename2 or exc.filename} in place: {exc.strerror or exc}"
        ) from exc


class _Assembler:
    """Schedules pages: each is assembled (or reused, see ``audio.assemble_or_reuse``) in a worker thread
    once every clip it needs has settled.

    A page with a failed clip waits: ``fill`` gives it a placeholder, otherwise it is never assembled.
    New episodes go to a staging folder under ``cache`` (on the output's file system, so they can be
    renamed into place), removed on exit whatever happens.
    """

    def __init__(
        self,
        script: Script,
        cache: Path,
        issue_dir: Path,
        settings: audio.AudioSettings,
        on_progress: OnProgress | None,
    ) -> None:
        self._script = script
        self._staging_root = cache / "staging"
        self._memo = cache / "episodes"
        self._issue_dir = issue_dir
        self._settings = settings
        self._report = on_progress or (lambda _p: None)
        self._pending = [{u.spoken for u in page.utterances} for page in script.pages]
        self._failed: list[set[str]] = [set() for _ in script.pages]
        self._clips: dict[str, Clip] = {}
        self._jobs: dict[int, Future[Episode]] = {}
        self._lock = threading.Lock()
        self._done = 0

    def __enter__(self) -> _Assembler:
        self._staging_root.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f"{self._script.issue.date}-", dir=self._staging_root))
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assemble")
        self._report(Progress("audio", 0, len(self._script.pages)))
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.staging, ignore_errors=True)

    def settled(self, spoken: str, clip: Clip | None) -> None:
        with self._lock:
            if clip is not None:
                self._clips[spoken] = clip
            for index, pending in enumerate(self._pending):
                if spoken in pending:
                    pending.discard(spoken)
                    if clip is None:
                        self._failed[index].add(spoken)
                    elif not pending and not self._failed[index]:
                        self._submit(index)

    def fill(self, placeholder: Clip) -> None:
        """Put ``placeholder`` where clips failed, and assemble the pages that were waiting for them."""
        with self._lock:
            for index, failed in enumerate(self._failed):
                if failed and not self._pending[index]:
                    self._clips.update(dict.fromkeys(failed, placeholder))
                    failed.clear()
                    self._submit(index)

    def finish(self) -> tuple[Episode, ...]:
        return tuple(self._jobs[i].result() for i in sorted(self._jobs))

    def _submit(self, index: int) -> None:
        page_script = self._script.pages[index]
        clips = [self._clips[u.spoken] for u in page_script.utterances]
        self._jobs[index] = self._pool.submit(self._assemble, page_script, clips)

    def _assemble(self, page_script: PageScript, clips: list[Clip]) -> Episode:
        issue, page = self._script.issue, page_script.page
        episode = audio.assemble_or_reuse(
            page_script, clips, self._settings, paper=issue.paper, date=issue.date,
            published=self._issue_dir / f"{page.slug}.mp3", staged=self.staging / f"{page.slug}.mp3",
            memo=self._memo,
        )  # fmt: skip
        with self._lock:
            self._done += 1
            self._report(Progress("audio", self._done, len(self._script.pages), page.code))
        return episode


def _failures(script: Script, failed: Mapping[str, str]) -> tuple[Failure, ...]:
    out = []
    for page_script in script.pages:
        page = page_script.page
        for u in page_script.utterances:
            if u.spoken in failed:
                article = OPENING if u.article is None else page.articles[u.article].title
                out.append(Failure(page.code, article, u.display, failed[u.spoken]))
    return tuple(out)


def _describe(f: Failure) -> dict[str, str]:
    return {"page": f.page, "article": f.article, "sentence": f.sentence, "reason": f.reason}


def script(source: Path | str, settings: ReadSettings) -> Script:
    """What would be spoken, for proof-reading before a build."""
    return text.to_script(load(source, settings), settings.text)


def lint(source: Path | str, settings: ReadSettings) -> list[text.Finding]:
    """Words a voice may misread, with their place, so an editor can add lexicon entries."""
    return text.lint(load(source, settings), settings.text)
