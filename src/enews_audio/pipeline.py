"""One build: read an issue, write its script, speak it, assemble a page episode each, publish the feed."""

from __future__ import annotations

import datetime as dt
import functools
import shutil
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from pathlib import Path

from enews_audio import audio, editions, publish, sources, speech, text
from enews_audio.atomic import remove_leftovers
from enews_audio.config import load_config
from enews_audio.errors import UsageError
from enews_audio.lock import paper_lock
from enews_audio.model import Edition, Episode, Issue, Progress, Script
from enews_audio.options import BuildOptions
from enews_audio.speaking import OPENING, Failure, OnProgress, Spoken, speak_pages
from enews_audio.speech.select import DEFAULT_VOICES

__all__ = ["OPENING", "BuildReport", "BuildSettings", "Failure", "ReadSettings", "build", "prepare"]
LEXICON_ENGINES = ("edge", "offline")  # the engines a lexicon is written for


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
    cache_dir: Path | str | None = None  # clip store: folder or s3:// URL; default OUT/.cache/clips
    concurrency: int | None = None
    attempts: int = 4
    allow_gaps: bool = False  # publish a page with a spoken notice where a sentence could not be made
    jobs: int | None = None  # offline voice workers; default: one per usable core, as memory allows
    slow: editions.SlowEdition | None = None  # given when, and only when, publish.editions has it

    def __post_init__(self) -> None:
        if (Edition.SLOW in self.publish.editions) != (self.slow is not None):
            raise ValueError("the slow edition needs both: Edition.SLOW in publish.editions, and slow")

    @property
    def speech(self) -> speech.SpeechSettings:
        cache = self.cache_dir or self.out_dir / ".cache" / "clips"
        return speech.SpeechSettings(
            cache, concurrency=self.concurrency, attempts=self.attempts, jobs=self.jobs
        )


def prepare(
    options: BuildOptions,
    on_choice: Callable[[str], None] | None = None,
    engine: speech.Engine | None = None,
) -> tuple[speech.Engine, BuildSettings]:
    """The engine and settings ``options`` ask for: what ``enews-audio build`` runs, for any caller.

    The paper's config and the preset are read first (a mistake there fails before the edge service is
    probed); the voice is chosen before its lexicon is loaded, so a lexicon's entries for that voice apply
    (the offline voice's pinyin too). ``on_choice`` is told which engine "auto" picked and why. ``build``
    closes the engine when it is done. ``engine``, one made before from the same engine options (``batch``
    shares one between papers), is used instead of choosing a new one.
    """
    config = load_config(options.config)
    preset = speech.load_preset(options.preset) if options.preset else None
    lexicons = functools.cache(lambda engine, voice: text.load_lexicon(engine, voice, options.lexicon))
    engine = engine or speech.select_engine(
        options.engine, options.voice, rate=options.rate, pitch=options.pitch, volume=options.volume,
        preset=preset, proxy=options.proxy, pinyin=lambda voice: lexicons("offline", voice).pinyin,
        on_choice=on_choice,
    )  # fmt: skip
    lexicon = lexicons(engine.name, engine.voice.name)
    publishing = config.publish_settings(
        base_url=options.base_url, keep=options.keep, editions=options.editions
    )
    read = _reading(options, lexicon, preset.pauses if preset else None)
    slow = None
    if Edition.SLOW in publishing.editions:
        pinyin = lexicon.pinyin if engine.name == "offline" else None
        slow = editions.slow_edition(read.text, engine, proxy=options.proxy, pinyin=pinyin)
    settings = BuildSettings(
        out_dir=options.out,
        read=read,
        publish=publishing,
        cache_dir=options.cache,
        concurrency=options.concurrency,
        attempts=options.attempts,
        allow_gaps=options.allow_gaps,
        jobs=options.jobs,
        slow=slow,
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
    slow: tuple[Episode, ...] = ()  # the slow edition's episodes published by this build
    slow_failures: tuple[Failure, ...] = ()  # their pages have no slow edition this time
    slow_made: int = 0  # the slow edition's clips, counted apart from the issue's (made, reused)
    slow_reused: int = 0
    warnings: tuple[str, ...] = ()  # one line each, for the user: published, but not as it should be

    @property
    def ok(self) -> bool:
        return not self.failures and not self.slow_failures


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
    (``aclose``) at its end, ready for another build. The editions ``settings.publish`` names are made too:
    the slow one after the normal one is in place, by ``settings.slow``'s engine (closed the same way).

    Both are spoken by ``executor`` (say, voice workers kept warm for a batch of papers), which stays open;
    without one the build makes the one ``speech.executor_for`` picks and closes it at the end. Either way it
    is warmed first, so voice workers load the model while the issue is read.

    From the moment the paper is known (after loading) to the end, the build holds the paper's lock
    (``lock.py``): a second build of the same paper reports ``Progress("wait", 0, 1, why)`` once and waits.
    Holding it, the build first clears what a killed build of the paper left: temporary files and staging.
    """
    if executor is None:
        own = speech.executor_for(engine, settings.jobs)
        try:
            report = build(source, engine, settings, on_progress, own)
        except BaseException:
            own.close(abort=True)  # stop the workers now, mid-clip: nothing more of theirs is wanted
            raise
        own.close()
        return report
    executor.warm(engine)
    issue = load(source, settings.read)
    slug = publish.paper_slug(issue.paper)
    paper_dir = settings.out_dir / slug

    def waiting() -> None:
        if on_progress:
            why = f"another build of {issue.paper} is writing {paper_dir}; waiting for it to finish"
            on_progress(Progress("wait", 0, 1, why))

    staging = settings.out_dir / ".cache" / "staging" / slug  # per paper: only its lock's holder clears it
    with paper_lock(settings.out_dir, slug, waiting):
        remove_leftovers(paper_dir)
        shutil.rmtree(staging, ignore_errors=True)
        try:
            return _build(issue, engine, settings, staging, on_progress, executor)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _build(
    issue: Issue,
    engine: speech.Engine,
    settings: BuildSettings,
    staging: Path,
    on_progress: OnProgress | None,
    executor: speech.Executor,
) -> BuildReport:
    paper_dir = settings.out_dir / publish.paper_slug(issue.paper)
    issue_dir = paper_dir / issue.date.isoformat()

    def speak(script: Script, engine: speech.Engine, slow: bool = False) -> Spoken:
        def withdraw(codes: Collection[str]) -> None:
            publish.withdraw_pages(paper_dir, issue.date, codes, settings.publish)

        return speak_pages(
            script, engine, settings.speech, settings.audio, cache=settings.out_dir / ".cache",
            staging=staging, issue_dir=issue_dir, allow_gaps=settings.allow_gaps, withdraw=withdraw,
            on_progress=on_progress, slow=slow, executor=executor,
        )  # fmt: skip

    unused = settings.slow.engine if settings.slow else None  # the slow engine, until a session has it
    slowly = None
    try:
        spoken = speak(text.to_script(issue, settings.read.text), engine)
        if settings.slow is not None and spoken.episodes:
            unused = None  # its session closes it, whatever happens
            # only the pages made now: a page kept from before keeps its slow edition too
            slowly = speak(editions.slow_script(issue, settings.slow, {e.page.code for e in spoken.episodes}),
                           settings.slow.engine, slow=True)  # fmt: skip
    finally:
        if unused is not None:  # never spoken (nothing published, or an error): closed as a session would
            speech.Session(unused, settings.speech, executor).close()
    failures, gaps, episodes = spoken.failures, spoken.gaps, spoken.episodes
    report = BuildReport(
        issue, issue_dir, engine.identity, episodes, spoken.made, spoken.reused, failures, gaps
    )
    if not episodes:
        return report  # the previous episodes and feed stay as they were; a rerun resumes from the cache
    extra = {
        "engine": engine.identity,
        "clips_made": spoken.made,
        "clips_reused": spoken.reused,
        "failures": [_describe(f) for f in failures],
        "gaps": [_describe(f) for f in gaps],
    }
    if slowly is not None:
        extra |= {
            "slow_engine": settings.slow.engine.identity,
            "slow_clips_made": slowly.made,
            "slow_clips_reused": slowly.reused,
            "slow_failures": [_describe(f) for f in slowly.failures],
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
        slow=slowly.episodes if slowly else (),
        narrator=f"合成语音 {engine.voice.name}",
        extra=extra,
        gaps=gap_titles,
        keep_pages={f.page for f in failures},  # a page that failed keeps its last good episode in the feed
    )
    slow = {}
    if slowly:
        slow = {"slow": slowly.episodes, "slow_failures": slowly.failures}
        slow |= {"slow_made": slowly.made, "slow_reused": slowly.reused}
    warning = publish.relative_links_warning(settings.publish)
    return replace(report, feed=feed, warnings=(warning,) if warning else (), **slow)


def _describe(f: Failure) -> dict[str, str]:
    return {"page": f.page, "article": f.article, "sentence": f.sentence, "reason": f.reason}


def script(source: Path | str, settings: ReadSettings) -> Script:
    """What would be spoken, for proof-reading before a build."""
    return text.to_script(load(source, settings), settings.text)


def lint(source: Path | str, settings: ReadSettings, engine: str = "offline") -> list[text.Finding]:
    """Words ``engine``'s voice may misread, with their place, so an editor can add lexicon entries."""
    return text.lint(load(source, settings), settings.text, engine)
