"""Benchmark what checking a cache entry before use costs, so the checks can stay on.

    python benchmarks/cache_check.py [--clips 400] [--seconds 5] [--minutes 30]

Clip cache: ``--clips`` entries of ``--seconds`` of 96 kbit/s MP3 (the offline voice's rate; edge clips are
half the size) read back with the hash check (``ClipCache.get``) and without it (read and split only), from a
warm page cache, which is the dearest case for the check. Episode memo: hashing a ``--minutes`` episode at
64 kbit/s, which the memo does for every reused page (it did before this check too). E-paper page cache:
a 60 kB page read back, checked.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from enews_audio.atomic import write_atomic
from enews_audio.audio.reuse import _sha256
from enews_audio.model import Clip
from enews_audio.sealed import seal
from enews_audio.sources.fetch import _read_cached
from enews_audio.speech.cache import ClipCache, clip_key

ROUNDS = 5


def best(fn) -> float:
    """The fastest of a few rounds: the cost of the work, not of whatever else the machine was doing."""
    times = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clips", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--minutes", type=float, default=30.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cache = ClipCache(root / "clips")
        size = round(args.seconds * 96_000 / 8)
        keys = [clip_key("bench/1", f"sentence {i}") for i in range(args.clips)]
        for key in keys:
            cache.put(key, Clip(os.urandom(size), args.seconds))

        def checked() -> None:
            for key in keys:
                assert cache.get(key) is not None

        def unchecked() -> None:
            for key in keys:
                json.loads(cache.store.read(cache._name(key)).partition(b"\n")[0])

        with_check, without = best(checked), best(unchecked)
        per_clip = (with_check - without) / args.clips * 1e3
        print(f"clip cache: {args.clips} clips of {size / 1000:.0f} kB: checked {with_check * 1e3:.1f} ms, "
              f"unchecked {without * 1e3:.1f} ms: the check costs {per_clip:.3f} ms a clip "
              f"({(with_check - without) * 1e3:.1f} ms a page)")  # fmt: skip

        episode = root / "episode.mp3"
        episode.write_bytes(os.urandom(round(args.minutes * 60 * 64_000 / 8)))
        hashed = best(lambda: _sha256(episode))
        print(f"episode memo: hashing a {args.minutes:g}-minute episode ({episode.stat().st_size / 1e6:.1f} MB) "
              f"takes {hashed * 1e3:.1f} ms")  # fmt: skip

        page = root / "page"
        write_atomic(page, seal({"url": "u", "charset": None, "asked": "u"}, os.urandom(60_000)))
        read = best(lambda: [_read_cached(page, "u") for _ in range(100)]) / 100
        print(f"e-paper page cache: a 60 kB page read and checked in {read * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
