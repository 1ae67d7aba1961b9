"""Remember assembled episodes, so rebuilding an unchanged page reuses its file instead of re-encoding it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from enews_audio.atomic import write_atomic
from enews_audio.audio.assemble import AudioSettings, assemble
from enews_audio.errors import AudioError
from enews_audio.model import Chapter, Clip, Cue, Episode, Page, PageScript, episode_title
from enews_audio.sealed import seal, unseal

_VERSION = 2  # bump when assembly changes what it writes for the same inputs (2: memo entries are sealed)


def assemble_or_reuse(
    script: PageScript,
    clips: Sequence[Clip],
    settings: AudioSettings,
    *,
    paper: str,
    date: dt.date,
    published: Path,
    staged: Path,
    memo: Path,
    edition: str = "",
) -> Episode:
    """The page's episode: the file at ``published`` if it was made from these very inputs, else a new one
    assembled at ``staged`` (for the caller to move into place once the issue is done) and remembered in
    the ``memo`` folder, so the next build of the same page reuses it. ``edition`` (慢速) is added to the title
    of an edition's episode."""
    page = script.page
    title = episode_title(paper, date, page.code, page.name, edition)
    memory = EpisodeMemo(memo)
    key = fingerprint(script, clips, settings, (title, paper, date))
    episode = memory.get(key, published, page)
    if episode is None:
        episode = assemble(script, clips, staged, settings, title=title, album=paper, artist=paper, date=date)
        memory.put(key, episode, staged)
    return episode


def fingerprint(script: PageScript, clips: Sequence[Clip], settings: object, tags: Sequence[object]) -> str:
    """Everything that decides an episode's bytes: the script, each clip's audio, the settings and the tags."""
    digest = hashlib.sha256(f"{_VERSION}|{settings!r}|{tags!r}|{script!r}".encode())
    for clip in clips:
        digest.update(hashlib.sha256(clip.audio).digest())
    return digest.hexdigest()


class EpisodeMemo:
    """One sealed JSON entry per fingerprint: the episode's timing and the hash of the file that was published.

    Both halves are checked before reuse: the entry against its own hash (a damaged entry would publish
    wrong chapters and transcript times) and the published file against the hash the entry holds.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def get(self, key: str, published: Path, page: Page) -> Episode | None:
        """The episode at ``published`` if it is the one made from ``key``'s inputs, byte for byte."""
        try:
            _, body = unseal((self.root / f"{key}.json").read_bytes())
            data = json.loads(body)
            if data["sha256"] != _sha256(published):
                return None
            return Episode(
                page=page,
                path=published.name,
                duration=float(data["duration"]),
                size=published.stat().st_size,
                chapters=tuple(Chapter(*c) for c in data["chapters"]),
                cues=tuple(Cue(*c) for c in data["cues"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing or damaged: assemble again

    def put(self, key: str, episode: Episode, file: Path) -> None:
        data = {
            "sha256": _sha256(file),
            "duration": episode.duration,
            "chapters": [[c.start, c.end, c.title] for c in episode.chapters],
            "cues": [[c.start, c.end, c.text, c.spoken] for c in episode.cues],
        }
        path = self.root / f"{key}.json"
        try:
            write_atomic(path, seal({}, json.dumps(data, ensure_ascii=False).encode()))
        except OSError as exc:
            raise AudioError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
