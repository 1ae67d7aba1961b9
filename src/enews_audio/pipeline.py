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
from enews_audio.model import Clip, Episode, Issue, PageScript, Progress, Script, episode_title

OnProgress = Callable[[Progress], None]
OPENING = "版面导读"  # where a failed sentence sits when it is the page's own line, not an article's


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
) -> BuildReport:
    issue = load(source, settings)
    script = text.to_script(issue, settings.text)
    paper_dir = settings.out_dir / publish.paper_slug(issue.paper)
    issue_dir = paper_dir / issue.date.isoformat()
    spoken = [u.spoken for page in script.pages for u in page.utterances]

    cache = settings.out_dir / ".cache"
    memo = audio.EpisodeMemo(cache / "episodes")
    with _Assembler(script, cache / "staging", issue_dir, memo, settings.audio, on_progress) as assembler:
        # Pages are assembled as soon as their last clip is in, while later pages are still being spoken.
        result = speech.synthesize(spoken, engine, settings.speech, on_progress, assembler.settled)
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
    ) -> None:
        self._script = script
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
        key = audio.fingerprint(page_script, clips, self._settings, (title, issue.paper, issue.date))
        episode = self._memo.get(key, self._issue_dir / f"{page.slug}.mp3", page)
        if episode is None:
            staged = self.staging / f"{page.slug}.mp3"
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


def lint(source: Path | str, settings: BuildSettings, engine: str = "offline") -> list[text.Finding]:
    """Words ``engine``'s voice may misread, with their place, so an editor can add lexicon entries."""
    return text.lint(load(source, settings), settings.text, engine)
