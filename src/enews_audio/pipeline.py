"""One build: read an issue, write its script, speak it, assemble a page episode each, publish the feed."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from enews_audio import audio, publish, sources, speech, text
from enews_audio.model import Episode, Issue, Progress, Script, episode_title


@dataclass(frozen=True, slots=True)
class BuildSettings:
    out_dir: Path
    text: text.TextSettings = field(default_factory=text.TextSettings)
    audio: audio.AudioSettings = field(default_factory=audio.AudioSettings)
    publish: publish.PublishSettings = field(default_factory=publish.PublishSettings)
    cache_dir: Path | None = None  # default: <out_dir>/.cache/clips
    concurrency: int | None = None
    attempts: int = 4

    @property
    def speech(self) -> speech.SpeechSettings:
        cache = self.cache_dir or self.out_dir / ".cache" / "clips"
        return speech.SpeechSettings(cache, concurrency=self.concurrency, attempts=self.attempts)


@dataclass(frozen=True, slots=True)
class Failure:
    """A sentence that could not be spoken, and where it sits in the paper."""

    page: str
    article: str  # headline, or "opening" for the page's own lines
    sentence: str
    reason: str


@dataclass(frozen=True, slots=True)
class BuildReport:
    issue: Issue
    issue_dir: Path
    engine: str
    episodes: tuple[Episode, ...]
    made: int
    reused: int
    failures: tuple[Failure, ...]
    feed: Path | None  # None when nothing was published

    @property
    def ok(self) -> bool:
        return not self.failures


def build(
    source: Path,
    engine: speech.Engine,
    settings: BuildSettings,
    on_progress: Callable[[Progress], None] | None = None,
) -> BuildReport:
    issue = sources.load_issue(source)
    script = text.to_script(issue, settings.text)
    spoken = [u.spoken for page in script.pages for u in page.utterances]
    result = speech.synthesize(spoken, engine, settings.speech, on_progress)

    paper_dir = settings.out_dir / publish.paper_slug(issue.paper)
    issue_dir = paper_dir / issue.date.isoformat()
    failures = _failures(script, result.failures)
    report = BuildReport(issue, issue_dir, engine.identity, (), result.made, result.reused, failures, None)
    if failures:
        return report  # the previous episodes and feed stay as they were; a rerun resumes from the cache

    episodes = _assemble(script, result.clips, paper_dir, issue_dir, settings, on_progress)
    extra = {"engine": engine.identity, "clips_made": result.made, "clips_reused": result.reused}
    feed = publish.publish_issue(paper_dir, issue, episodes, settings.publish, extra=extra)
    return BuildReport(issue, issue_dir, engine.identity, episodes, result.made, result.reused, (), feed)


def _assemble(
    script: Script,
    clips: dict,
    paper_dir: Path,
    issue_dir: Path,
    settings: BuildSettings,
    on_progress: Callable[[Progress], None] | None,
) -> tuple[Episode, ...]:
    """Every page into a staging folder first, then into place: a failure leaves the last good episodes."""
    issue = script.issue
    paper_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{issue.date}-", dir=paper_dir))
    report = on_progress or (lambda _p: None)
    try:
        episodes = []
        for done, page_script in enumerate(script.pages):
            report(Progress("audio", done, len(script.pages), page_script.page.code))
            page = page_script.page
            episodes.append(
                audio.assemble(
                    page_script,
                    [clips[u.spoken] for u in page_script.utterances],
                    staging / f"{page.slug}.mp3",
                    settings.audio,
                    title=episode_title(issue.paper, issue.date, page.code, page.name),
                    album=issue.paper,
                    artist=issue.paper,
                    date=issue.date,
                )
            )
        report(Progress("audio", len(script.pages), len(script.pages)))
        issue_dir.mkdir(parents=True, exist_ok=True)
        for episode in episodes:
            os.replace(staging / episode.path, issue_dir / episode.path)
        return tuple(episodes)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _failures(script: Script, failed: dict[str, str]) -> tuple[Failure, ...]:
    out = []
    for page_script in script.pages:
        page = page_script.page
        for u in page_script.utterances:
            if u.spoken in failed:
                article = "opening" if u.article is None else page.articles[u.article].title
                out.append(Failure(page.code, article, u.display, failed[u.spoken]))
    return tuple(out)
