"""Clips in the clip store, keyed by what made them, so a rerun synthesises only what changed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from enews_audio.model import Clip, Timing
from enews_audio.speech.store import Store, open_store


def clip_key(identity: str, text: str) -> str:
    """Engine, version, voice settings and spoken text decide the audio; nothing else does."""
    return hashlib.sha256(f"{identity}\n{text}".encode()).hexdigest()


class ClipCache:
    """One file per clip: a JSON line (duration, timings), a newline, then the MP3 bytes.

    A clip store that can't be read or written (a full disk, a folder without permission, S3 out of reach)
    is a ``ClipStoreError`` (a ``SpeechError``) naming the file; a damaged entry is as good as a missing one.
    ``ClipCache(where)``: a folder or an ``s3://bucket/prefix`` URL (``store.py``), or an open ``Store``.
    """

    def __init__(self, where: Path | str | Store) -> None:
        self.store = open_store(where) if isinstance(where, Path | str) else where

    @staticmethod
    def _name(key: str) -> str:
        return f"{key[:2]}/{key}.clip"

    def get(self, key: str) -> Clip | None:
        data = self.store.read(self._name(key))
        return None if data is None else self._decode(key, data)

    def get_many(self, keys: Iterable[str]) -> dict[str, Clip]:
        """The clips the store has among ``keys`` (from S3, fetched together)."""
        names = {self._name(key): key for key in keys}
        found = {
            names[name]: self._decode(names[name], data) for name, data in self.store.read_many(names).items()
        }
        return {key: clip for key, clip in found.items() if clip is not None}

    def _decode(self, key: str, data: bytes) -> Clip | None:
        try:
            header, audio = data.split(b"\n", 1)
            meta = json.loads(header)
            timings = tuple(Timing(*t) for t in meta["timings"])
            return Clip(audio=audio, duration=float(meta["duration"]), timings=timings)
        except (ValueError, KeyError, TypeError):
            self.store.remove(self._name(key))
            return None  # a damaged entry is as good as a missing one: synthesise it again

    def put(self, key: str, clip: Clip) -> None:
        meta = {"duration": clip.duration, "timings": [[t.start, t.duration, t.text] for t in clip.timings]}
        header = json.dumps(meta, ensure_ascii=False).encode()
        self.store.write(self._name(key), header + b"\n" + clip.audio)
