"""Speak one edition's script and assemble its pages: each page in a worker thread as soon as its clips are in.

``paper.build`` runs it for the issue, then for its slow edition (``a01.slow.mp3``): clips are cached by the
speech stage, episodes reused by the audio stage when nothing that shapes them changed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from enews_audio import audio, speech
from enews_audio.errors import AudioError, PublishError
from enews_audio.model import SLOW_LABEL, Clip, Episode, Progress, Script

OnProgress = Callable[[Progress], None]
OPENING = "版面导读"  # where a failed sentence sits when it is the page's own line, not an article's
SLOW_SUFFIX = ".slow"  # a01.slow.mp3: the slow edition's episode beside the page's
SLOW, BRIEF = "slow", "brief"  # the editions spoken after the issue (speak_pages' ``edition``)


@dataclass(frozen=True, slots=True)
class Failure:
    """A sentence that could not be spoken, and where it sits in the paper."""

    page: str
    article: str  # headline, or OPENING for the page's own lines
    sentence: str
    reason: str


@dataclass(frozen=True, slots=True)
class Spoken:
    """An edition's pages as this build left them: episodes in place, and what could not be said."""

    episodes: tuple[Episode, ...]
    made: int  # clips
    reused: int
    failures: tuple[Failure, ...]  # their pages were not assembled
    gaps: tuple[Failure, ...]  # with allow_gaps: assembled with a spoken notice in their place


def speak_pages(
    script: Script,
    speaker: speech.Speaker,
    voice: speech.EngineSpec,
    settings: speech.SpeechSettings,
    audio_settings: audio.AudioSettings,
    *,
    cache: Path,
    staging: Path,
    issue_dir: Path,
    allow_gaps: bool,
    withdraw: Callable[[Collection[str]], None],
    on_progress: OnProgress | None = None,
    edition: str = "",
    publish: Callable[[tuple[Episode, ...]], None] | None = None,
) -> Spoken:
    """Speak ``script`` in ``voice`` (a session of ``speaker``'s) and put its pages' episodes in ``issue_dir``.

    The texts are made in ``speaking_order``. Before a published episode is replaced, ``withdraw(page
    codes)`` takes those pages out of the feed. With ``publish``, each page is put in place as soon as it and
    every page before it are assembled, and ``publish(those pages' episodes)`` is called: listeners get the
    first pages while the later ones are spoken. Progress of an ``edition`` ("slow", "brief") is told as
    "slow speech", "slow audio"…; the slow edition's episodes are ``a01.slow.mp3``.
    """
    texts = speaking_order(script)
    report = on_progress
    if edition and on_progress is not None:

        def report(progress: Progress) -> None:
            on_progress(replace(progress, stage=f"{edition} {progress.stage}"))

    suffix = SLOW_SUFFIX if edition == SLOW else ""
    # One event loop for the engine's whole part in the build (speech.Session), closed with it at the end,
    # before the assembler: on an error, speaking stops before the pages it would start are refused.
    with (
        Assembler(
            script, cache, staging, issue_dir, audio_settings, report, suffix, withdraw, publish
        ) as assembler,
        speaker.session(voice, settings) as session,
    ):
        # Pages are assembled as soon as their last clip is in, while later pages are still being spoken.
        result = session.synthesize(texts, assembler.speaking(report), assembler.settled)
        failures, gaps = failures_in(script, result.failures), ()
        if failures and allow_gaps:
            assembler.fill(session.placeholder())
            failures, gaps = (), failures
        episodes = assembler.finish()
        assembler.put_in_place(episodes)  # those not yet: after a page that failed, or filled with a notice
    return Spoken(episodes, result.made, result.reused, failures, gaps)


def speaking_order(script: Script) -> list[str]:
    """The spoken texts in the order they are made: page by page, so each page is assembled while later ones
    are spoken, and the longest first within a page, so the last texts given out are short ones and no
    worker idles long while another finishes the issue (measured in BENCHMARKS.md, "Voice workers")."""
    return [
        u.spoken
        for page in script.pages
        for u in sorted(page.utterances, key=lambda u: len(u.spoken), reverse=True)
    ]


class Assembler:
    """Schedules pages: each is assembled (or reused, see ``audio.assemble_or_reuse``) in a worker thread
    once every clip it needs has settled.

    A page with a failed clip waits: ``fill`` gives it a placeholder, otherwise it is never assembled.
    New episodes go to a folder in ``staging`` (on the output's file system, so they can be renamed into
    place), removed on exit whatever happens; the episode memo is in ``cache``. With ``publish``, pages are
    put in place in page order as they are assembled (``withdraw`` first for one replacing a published
    episode), and ``publish`` is told each time the pages in place grow.
    """

    def __init__(
        self,
        script: Script,
        cache: Path,
        staging: Path,
        issue_dir: Path,
        settings: audio.AudioSettings,
        on_progress: OnProgress | None,
        suffix: str = "",
        withdraw: Callable[[Collection[str]], None] | None = None,
        publish: Callable[[tuple[Episode, ...]], None] | None = None,
    ) -> None:
        self._script = script
        self._withdraw = withdraw or (lambda _codes: None)
        self._publish = publish
        self._assembled: dict[int, Episode] = {}
        self._in_place = 0  # pages 0 .. _in_place-1 are in place (and published, with ``publish``)
        self._suffix = suffix  # ".slow" for the slow edition's a01.slow.mp3
        self._staging_root = staging
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
        self._preloading = False

    def __enter__(self) -> Assembler:
        try:
            self._staging_root.mkdir(parents=True, exist_ok=True)
            self.staging = Path(
                tempfile.mkdtemp(prefix=f"{self._script.issue.date}-", dir=self._staging_root)
            )
        except OSError as exc:
            raise AudioError(f"cannot make a staging folder in {self._staging_root}: {exc.strerror}") from exc
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assemble")
        self._report(Progress("audio", 0, len(self._script.pages)))
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.staging, ignore_errors=True)

    def speaking(self, report: OnProgress | None) -> OnProgress:
        """``report``, told the speech stage's progress. Once clips are to be made (not all reused), the
        assembling thread imports what assembling loads on first use (``audio.preload``) while they are made,
        instead of after the first page's last clip."""

        def told(progress: Progress) -> None:
            if progress.stage == "speech" and progress.total and not self._preloading:
                self._preloading = True
                self._pool.submit(audio.preload)
            if report is not None:
                report(progress)

        return told

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
        self._jobs[index] = self._pool.submit(self._assemble, index, clips)

    def _assemble(self, index: int, clips: list[Clip]) -> Episode:
        page_script = self._script.pages[index]
        issue, page = self._script.issue, page_script.page
        name = f"{page.slug}{self._suffix}.mp3"
        episode = audio.assemble_or_reuse(
            page_script, clips, self._settings, paper=issue.paper, date=issue.date,
            published=self._issue_dir / name, staged=self.staging / name, memo=self._memo,
            edition=SLOW_LABEL if self._suffix else "",
        )  # fmt: skip
        with self._lock:
            self._done += 1
            self._report(Progress("audio", self._done, len(self._script.pages), page.code))
            self._assembled[index] = episode
        if self._publish is not None:  # in this one assembling thread: pages go out in page order
            ready = []
            while self._in_place + len(ready) in self._assembled:
                ready.append(self._assembled[self._in_place + len(ready)])
            if ready:
                self.put_in_place(ready)
                self._in_place += len(ready)
                self._publish(tuple(self._assembled[i] for i in range(self._in_place)))
        return episode

    def put_in_place(self, episodes: Sequence[Episode]) -> None:
        """Rename the episodes this build made into the issue's folder (a reused one is there already), each
        published one withdrawn from the feed first."""
        made = [e for e in episodes if (self.staging / e.path).exists()]
        self._withdraw({e.page.code for e in made if (self._issue_dir / e.path).exists()})
        try:
            for episode in made:
                self._issue_dir.mkdir(parents=True, exist_ok=True)
                os.replace(self.staging / episode.path, self._issue_dir / episode.path)
        except OSError as exc:
            raise PublishError(
                f"cannot put {exc.filename2 or exc.filename} in place: {exc.strerror or exc}"
            ) from exc


def failures_in(script: Script, failed: Mapping[str, str]) -> tuple[Failure, ...]:
    out = []
    for page_script in script.pages:
        page = page_script.page
        for u in page_script.utterances:
            if u.spoken in failed:
                article = OPENING if u.article is None else page.articles[u.article].title
                out.append(Failure(page.code, article, u.display, failed[u.spoken]))
    return tuple(out)
