"""Clips in the clip store, keyed by what made them, so a rerun synthesises only what changed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from enews_audio.model import Clip, Timing
from enews_audio.sealed import seal, unseal
from enews_audio.speech.engine import Engine
from enews_audio.speech.store import Store, open_store


def clip_key(identity: str, text: str, readings: str = "") -> str:
    """Engine, version, voice settings, spoken text and the readings that apply to it (``Engine.readings``)
    decide the audio; nothing else does."""
    said = f"{identity}\n{text}" + (f"\n{readings}" if readings else "")  # without readings: keys as before
    return hashlib.sha256(said.encode()).hexdigest()


def engine_key(engine: Engine, text: str) -> str:
    """The key of ``text`` as ``engine`` speaks it."""
    return clip_key(engine.identity, text, engine.readings(text))


class ClipCache:
    """One sealed file per clip (``sealed.py``): a JSON line (duration, timings, hash), then the MP3 bytes.

    ``ClipCache(where)``: a folder or an ``s3://bucket/prefix`` URL (``store.py``), or an open ``Store``.
    Every entry is checked against its hash when read, from either kind of store (0.05 ms for a 5-second
    clip, see BENCHMARKS.md): a clip cut short would otherwise be used as it is and publish a short episode.
    A damaged entry is removed and made again; a store that can't be read or written (a full disk, a folder
    without permission, S3 out of reach) is a ``ClipStoreError`` (a ``SpeechError``) naming it.
    """

    def __init__(self, where: Path | str | Store) -> None:
        self.store = open_store(where) if isinstance(where, Path | str) else where

    @staticmethod
    def _name(key: str) -> str:
        return f"{key[:2]}/{key}.clip"

    def get(self, key: str) -> Clip | None:
        """The cached clip, or None when there is none or it is damaged (then it is removed: make it again)."""
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
            meta, audio = unseal(data)
            timings = tuple(Timing(*t) for t in meta["timings"])
            return Clip(audio=audio, duration=float(meta["duration"]), timings=timings)
        except (ValueError, KeyError, TypeError):
            self.store.remove(self._name(key))
            return None

    def put(self, key: str, clip: Clip) -> None:
        meta = {"duration": clip.duration, "timings": [[t.start, t.duration, t.text] for t in clip.timings]}
        self.store.write(self._name(key), seal(meta, clip.audio))
