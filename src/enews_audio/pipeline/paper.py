"""One paper's build: read its issue, write its script, speak it, assemble a page episode each, publish."""

from __future__ import annotations

import shutil
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path

from enews_audio import publish, sources, speech, text
from enews_audio.atomic import remove_leftovers
from enews_audio.errors import UsageError
from enews_audio.model import BRIEF_TITLE, Episode, Issue, Progress, Script
from enews_audio.pipeline.lock import paper_lock
from enews_audio.pipeline.settings import BuildSettings, ReadSettings
from enews_audio.pipeline.slow import slow_script
from enews_audio.pipeline.speaking import BRIEF, SLOW, Failure, OnProgress, Spoken, speak_pages


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
    brief: Episode | None = None  # the issue's briefing (今日要目), when this build published one
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
    settings: BuildSettings,
    speaker: speech.Speaker,
    on_progress: OnProgress | None = None,
) -> BuildReport:
    """Build the issue at ``source`` with the voice ``settings`` names, spoken by ``speaker`` (which stays
    open for the caller's next build). The editions ``settings.publish`` names are made too: the slow one
    after the normal one is in place. The voice is warmed first, so voice workers load the model while the
    issue is read.

    From the moment the paper is known (after loading) to the end, the build holds the paper's lock
    (``lock.py``): a second build of the same paper reports ``Progress("wait", 0, 1, why)`` once and waits.
    Holding it, the build first clears what a killed build of the paper left: temporary files and staging.
    """
    speaker.warm(settings.voice, settings.jobs)
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
            return _build(issue, settings, speaker, staging, on_progress)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _build(
    issue: Issue,
    settings: BuildSettings,
    speaker: speech.Speaker,
    staging: Path,
    on_progress: OnProgress | None,
) -> BuildReport:
    paper_dir = settings.out_dir / publish.paper_slug(issue.paper)
    issue_dir = paper_dir / issue.date.isoformat()

    engine = speaker.engine(settings.voice)
    narrator = f"合成语音 {engine.voice.name}"

    def speak(script: Script, voice: speech.EngineSpec, edition: str = "") -> Spoken:
        def withdraw(codes: Collection[str]) -> None:
            publish.withdraw_pages(paper_dir, issue.date, codes, settings.publish)

        return speak_pages(
            script, speaker, voice, settings.speech, settings.audio, cache=settings.out_dir / ".cache",
            staging=staging, issue_dir=issue_dir, allow_gaps=settings.allow_gaps, withdraw=withdraw,
            on_progress=on_progress, edition=edition, publish=None if edition else out_now,
        )  # fmt: skip

    def out_now(episodes: tuple[Episode, ...], brief: Episode | None = None) -> None:
        """Out as soon as they are in place: the pages after them keep what they had."""
        done = {e.page.code for e in episodes}
        publish.publish_issue(
            paper_dir, issue, episodes, settings.publish, brief=brief, narrator=narrator,
            extra={"engine": engine.identity}, partial=True, keep_pages={p.code for p in issue.pages} - done,
        )  # fmt: skip

    whole = text.to_script(issue, settings.read.text)
    spoken = speak(whole, settings.voice)
    brief, brief_made, warnings = None, 0, []  # the briefing's own clips: its others are the pages'
    brief_script = text.to_brief(whole, settings.read.text) if spoken.episodes else None
    if brief_script is not None:
        # after the pages, when its words (their openings) are in the clip store: only two lines are new
        briefly = speak(Script(issue, (brief_script,)), settings.voice, BRIEF)
        brief, brief_made = (briefly.episodes[0] if briefly.episodes else None), briefly.made
        if briefly.failures:
            warnings.append(f"no {BRIEF_TITLE} this time: {briefly.failures[0].reason} (rerun to resume)")
        elif settings.slow is not None:
            out_now(spoken.episodes, brief)  # out before the slow edition is spoken
    slowly = None
    if settings.slow is not None and spoken.episodes:
        # only the pages made now: a page kept from before keeps its slow edition too
        pages = {e.page.code for e in spoken.episodes}
        slowly = speak(slow_script(issue, settings.slow, pages), settings.slow.voice, SLOW)
    failures, gaps, episodes = spoken.failures, spoken.gaps, spoken.episodes
    made = spoken.made + brief_made
    report = BuildReport(issue, issue_dir, engine.identity, episodes, made, spoken.reused, failures, gaps)
    if not episodes:
        return report  # the previous episodes and feed stay as they were; a rerun resumes from the cache
    extra = {
        "engine": engine.identity,
        "clips_made": made,
        "clips_reused": spoken.reused,
        "failures": [_describe(f) for f in failures],
        "gaps": [_describe(f) for f in gaps],
    }
    if slowly is not None:
        extra |= {
            "slow_engine": speaker.engine(settings.slow.voice).identity,
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
        brief=brief,
        narrator=narrator,
        extra=extra,
        gaps=gap_titles,
        keep_pages={f.page for f in failures},  # a page that failed keeps its last good episode in the feed
    )
    slow = {}
    if slowly:
        slow = {"slow": slowly.episodes, "slow_failures": slowly.failures}
        slow |= {"slow_made": slowly.made, "slow_reused": slowly.reused}
    if warning := publish.relative_links_warning(settings.publish):
        warnings.append(warning)
    return replace(report, feed=feed, brief=brief, warnings=tuple(warnings), **slow)


def _describe(f: Failure) -> dict[str, str]:
    return {"page": f.page, "article": f.article, "sentence": f.sentence, "reason": f.reason}


def script(source: Path | str, settings: ReadSettings) -> Script:
    """What would be spoken, for proof-reading before a build."""
    return text.to_script(load(source, settings), settings.text)


def lint(source: Path | str, settings: ReadSettings, engine: str = "offline") -> list[text.Finding]:
    """Words ``engine``'s voice may misread, with their place, so an editor can add lexicon entries."""
    return text.lint(load(source, settings), settings.text, engine)
