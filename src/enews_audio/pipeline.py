"""One build: read an issue, write its script, speak it, assemble a page episode each, publish the feed."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from enews_audio import audio, publish, sources, speech, text
from enews_audio.errors import UsageError
from enews_audio.model import Clip, Edition, Episode, Issue, PageScript, Progress, Script, episode_title

OnProgress = Callable[[Progress], None]
OPENING = "版面导读"  # where a failed sentence sits when it is the page's own line, not an article's
SLOW_SUFFIX = ".slow"  # a01.slow.mp3: the slow edition's episode beside the page's


@dataclass(frozen=True, slots=True)
class BuildSettings:
    out_dir: Path
    text: text.TextSettings = field(default_factory=text.TextSettings)
    audio: audio.AudioSettings = field(default_factory=audio.AudioSettings)
    publish: publish.PublishSettings = field(default_factory=publish.PublishSettings)
    cache_dir: Path | None = None  # default: <out_dir>/.cache/clips
    concurrency: int | None = None
    attempts: int = 4
    allow_gaps: bool = False  # publish a page with a spoken notice where a sentence could not be made
    date: dt.date | None = None  # which issue of an e-paper site
    fetch: sources.FetchSettings | None = None
    profiles: Path | None = None  # e-paper profiles TOML

    @property
    def speech(self) -> speech.SpeechSettings:
        cache = self.cache_dir or self.out_dir / ".cache" / "clips"
        return speech.SpeechSettings(cache, concurrency=self.concurrency, attempts=self.attempts)


@dataclass(frozen=True, slots=True)
class SlowEdition:
    """How the slow edition is spoken: the same voice at a slower rate, and longer pauses."""

    engine: speech.Engine
    text: text.TextSettings


def slow_edition(
    text_settings: text.TextSettings,
    engine: speech.Engine,
    *,
    proxy: str | None = None,
    pinyin: Mapping[str, str] | None = None,
) -> SlowEdition:
    """The slow edition of a build spoken by ``engine`` with ``text_settings``: the slow preset's rate and pauses.

    The voice itself speaks slower (the same engine and voice at another rate; ``proxy`` and ``pinyin`` as
    the build's engine has them): a time-stretch of the normal audio would make synthetic speech harder to
    follow. It is never faster than the slow preset and always that much slower than the normal edition,
    so a build made with ``--preset slow`` still gets a slower one; pauses are the longer of the two.
    """
    preset = speech.load_preset("slow")
    voice = engine.voice
    rate = max(-50, min(preset.rate, voice.rate + preset.rate))
    slower = speech.select_engine(
        engine.name, voice.name, rate=rate, pitch=voice.pitch, volume=voice.volume, proxy=proxy, pinyin=pinyin
    )
    pauses = preset.pauses
    return SlowEdition(
        slower,
        replace(
            text_settings,
            sentence_pause=max(text_settings.sentence_pause, pauses.sentence),
            paragraph_pause=max(text_settings.paragraph_pause, pauses.paragraph),
            heading_pause=max(text_settings.heading_pause, pauses.heading),
            article_pause=max(text_settings.article_pause, pauses.article),
        ),
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
    slow: tuple[Episode, ...] = ()  # the slow edition's episodes published by this build
    slow_failures: tuple[Failure, ...] = ()  # their pages have no slow edition this time

    @property
    def ok(self) -> bool:
        return not self.failures and not self.slow_failures


def load(source: Path | str, settings: BuildSettings) -> Issue:
    issue = sources.load_issue(source, date=settings.date, fetch=settings.fetch, profiles=settings.profiles)
    if settings.date and issue.date != settings.date:  # a folder or manifest holds one issue, of its own date
        raise UsageError(f"--date {settings.date}: {source} holds the issue of {issue.date}")
    return issue


def build(
    source: Path | str,
    engine: speech.Engine,
    settings: BuildSettings,
    on_progress: OnProgress | None = None,
    *,
    slow: SlowEdition | None = None,
) -> BuildReport:
    """Read, speak, assemble and publish an issue; with ``slow``, its slow edition too (after the normal one).

    The editions in ``settings.publish.editions`` are made; the slow one needs ``slow``.
    """
    if (Edition.SLOW in settings.publish.editions) != (slow is not None):
        raise ValueError("the slow edition is made when, and only when, editions has slow and slow is given")
    issue = load(source, settings)
    script = text.to_script(issue, settings.text)
    paper_dir = settings.out_dir / publish.paper_slug(issue.paper)
    issue_dir = paper_dir / issue.date.isoformat()
    spoken = _edition(script, engine, settings, issue_dir, on_progress)
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
    slow_episodes: tuple[Episode, ...] = ()
    slow_failures: tuple[Failure, ...] = ()
    if slow is not None:
        made = {episode.page.code for episode in episodes}  # a page kept from before keeps its slow edition
        slow_script = text.to_script(issue, slow.text)
        slow_script = replace(slow_script, pages=tuple(p for p in slow_script.pages if p.page.code in made))
        slowly = _edition(slow_script, slow.engine, settings, issue_dir, on_progress, slow=True)
        slow_episodes = slowly.episodes
        slow_failures = slowly.failures
        extra |= {
            "slow_engine": slow.engine.identity,
            "slow_clips_made": slowly.made,
            "slow_clips_reused": slowly.reused,
            "slow_failures": [_describe(f) for f in slow_failures],
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
        slow=slow_episodes,
        narrator=f"合成语音 {engine.voice.name}",
        extra=extra,
        gaps=gap_titles,
        keep_pages={f.page for f in failures},  # a page that failed keeps its last good episode in the feed
    )
    return replace(report, feed=feed, slow=slow_episodes, slow_failures=slow_failures)


@dataclass(frozen=True, slots=True)
class _Spoken:
    episodes: tuple[Episode, ...]  # in place in the issue folder
    made: int
    reused: int
    failures: tuple[Failure, ...]
    gaps: tuple[Failure, ...]


def _edition(
    script: Script,
    engine: speech.Engine,
    settings: BuildSettings,
    issue_dir: Path,
    on_progress: OnProgress | None,
    *,
    slow: bool = False,
) -> _Spoken:
    """Speak ``script`` and assemble its pages into ``issue_dir`` (the slow edition as ``a01.slow.mp3``)."""
    spoken = [u.spoken for page in script.pages for u in page.utterances]
    cache = settings.out_dir / ".cache"
    memo = audio.EpisodeMemo(cache / "episodes")
    report = on_progress
    if slow and on_progress is not None:

        def report(progress: Progress) -> None:  # bars of its own: "slow speech", "slow audio"
            on_progress(replace(progress, stage=f"slow {progress.stage}"))

    suffix = SLOW_SUFFIX if slow else ""
    with _Assembler(script, cache / "staging", issue_dir, memo, settings.audio, report, suffix) as assembler:
        # Pages are assembled as soon as their last clip is in, while later pages are still being spoken.
        result = speech.synthesize(spoken, engine, settings.speech, report, assembler.settled)
        failures, gaps = _failures(script, result.failures), ()
        if failures and settings.allow_gaps:
            assembler.fill(speech.placeholder_clip(engine, settings.speech))
            failures, gaps = (), failures
        episodes = assembler.finish()
        if episodes:
            issue_dir.mkdir(parents=True, exist_ok=True)
            for episode in episodes:
                if (assembler.staging / episode.path).exists():  # else reused: already in place
                    os.replace(assembler.staging / episode.path, issue_dir / episode.path)
    return _Spoken(episodes, result.made, result.reused, failures, gaps)


class _Assembler:
    """Assembles each page in a worker thread once every clip it needs has settled.

    A page with a failed clip waits: ``fill`` gives it a placeholder, otherwise it is never assembled.
    Episodes go to a staging folder (on the output's file system, so they can be renamed into place),
    removed on exit whatever happens; a page whose published episode was made from the same inputs is
    reused as it is.
    """

    def __init__(
        self,
        script: Script,
        staging_root: Path,
        issue_dir: Path,
        memo: audio.EpisodeMemo,
        settings: audio.AudioSettings,
        on_progress: OnProgress | None,
        suffix: str = "",
    ) -> None:
        self._script = script
        self._suffix = suffix  # ".slow" for the slow edition's a01.slow.mp3
        self._staging_root = staging_root
        self._issue_dir = issue_dir
        self._memo = memo
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
        title = episode_title(issue.paper, issue.date, page.code, page.name)
        if self._suffix:
            title += "（慢速）"
        key = audio.fingerprint(page_script, clips, self._settings, (title, issue.paper, issue.date))
        name = f"{page.slug}{self._suffix}.mp3"
        episode = self._memo.get(key, self._issue_dir / name, page)
        if episode is None:
            staged = self.staging / name
            episode = audio.assemble(
                page_script, clips, staged, self._settings, title=title, album=issue.paper, artist=issue.paper,
                date=issue.date,
            )  # fmt: skip
            self._memo.put(key, episode, staged)
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


def script(source: Path | str, settings: BuildSettings) -> Script:
    """What would be spoken, for proof-reading before a build."""
    return text.to_script(load(source, settings), settings.text)


def lint(source: Path | str, settings: BuildSettings) -> list[text.Finding]:
    """Words a voice may misread, with their place, so an editor can add lexicon entries."""
    return text.lint(load(source, settings), settings.text)
