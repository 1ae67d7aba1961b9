"""Clips on disk, keyed by what made them, so a rerun synthesises only what changed."""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

from enews_audio.atomic import write_atomic
from enews_audio.errors import SpeechError
from enews_audio.model import Clip, Timing
from enews_audio.sealed import seal, unseal


def clip_key(identity: str, text: str) -> str:
    """Engine, version, voice settings and spoken text decide the audio; nothing else does."""
    return hashlib.sha256(f"{identity}\n{text}".encode()).hexdigest()


class ClipCache:
    """One sealed file per clip (``sealed.py``): a JSON line (duration, timings, hash), then the MP3 bytes.

    Every entry is checked against its hash when read (0.05 ms for a 5-second clip, see BENCHMARKS.md): a
    clip cut short would otherwise be used as it is and publish a short episode. A damaged entry is removed
    and made again; a file that can't be read or written (a full disk, a folder without permission) is a
    ``SpeechError`` naming it.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.clip"

    def get(self, key: str) -> Clip | None:
        """The cached clip, or None when there is none or it is damaged (then it is removed: make it again)."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SpeechError(f"clip cache: cannot read {path}: {exc.strerror or exc}") from exc
        try:
            meta, audio = unseal(data)
            timings = tuple(Timing(*t) for t in meta["timings"])
            return Clip(audio=audio, duration=float(meta["duration"]), timings=timings)
        except (ValueError, KeyError, TypeError):
            with contextlib.suppress(OSError):
                path.unlink()
            return None

    def put(self, key: str, clip: Clip) -> None:
        meta = {"duration": clip.duration, "timings": [[t.start, t.duration, t.text] for t in clip.timings]}
        path = self._path(key)
        try:
            write_atomic(path, seal(meta, clip.audio))
        except OSError as exc:
            raise SpeechError(f"clip cache: cannot write {path}: {exc.strerror or exc}") from exc
