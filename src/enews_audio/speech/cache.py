"""Clips on disk, keyed by what made them, so a rerun synthesises only what changed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from enews_audio.atomic import write_atomic
from enews_audio.errors import SpeechError
from enews_audio.model import Clip, Timing


def clip_key(identity: str, text: str) -> str:
    """Engine, version, voice settings and spoken text decide the audio; nothing else does."""
    return hashlib.sha256(f"{identity}\n{text}".encode()).hexdigest()


class ClipCache:
    """One file per clip: a JSON line (duration, timings), a newline, then the MP3 bytes.

    A file that can't be read or written (a full disk, a folder without permission) is a ``SpeechError``
    naming it; a damaged one is as good as a missing one.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.clip"

    def get(self, key: str) -> Clip | None:
        path = self._path(key)
        try:
            data = path.read_bytes()
            header, audio = data.split(b"\n", 1)
            meta = json.loads(header)
            timings = tuple(Timing(*t) for t in meta["timings"])
            return Clip(audio=audio, duration=float(meta["duration"]), timings=timings)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SpeechError(f"clip cache: cannot read {path}: {exc.strerror or exc}") from exc
        except (ValueError, KeyError, TypeError):
            return None  # a damaged entry is as good as a missing one: synthesise it again

    def put(self, key: str, clip: Clip) -> None:
        meta = {"duration": clip.duration, "timings": [[t.start, t.duration, t.text] for t in clip.timings]}
        header = json.dumps(meta, ensure_ascii=False).encode()
        path = self._path(key)
        try:
            write_atomic(path, header + b"\n" + clip.audio)
        except OSError as exc:
            raise SpeechError(f"clip cache: cannot write {path}: {exc.strerror or exc}") from exc
