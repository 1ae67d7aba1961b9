"""Benchmark audio.assemble on a synthetic page: wall time as × realtime, and peak memory.

    python benchmarks/assemble.py [--minutes 30] [--clips 400]

Clips are made first (tones with a little noise at uneven levels, some with plosive-like bursts, encoded to
24 kHz mono MP3 like an engine's), then the page is assembled once: loudness measurement, gain, limiting,
encoding and verification of the file included. Peak RSS is read before and after assembling, so the growth
is assembly's own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import resource
import tempfile
import time
from pathlib import Path

import lameenc
import numpy as np

from enews_audio.audio import AudioSettings, assemble, read_chapters
from enews_audio.audio.loudness import measure_file
from enews_audio.model import Article, Clip, Page, PageScript, Part, Utterance

RATE = 24000
PAUSE = 0.4


def make_clip(seconds: float, rng: np.random.Generator) -> Clip:
    n = round(seconds * RATE)
    t = np.arange(n) / RATE
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)  # syllable-like loudness changes
    level = rng.uniform(0.1, 0.4)  # clips of one page differ by up to 12 dB
    wave = envelope * level * np.sin(2 * np.pi * rng.uniform(120, 300) * t) + 0.02 * rng.standard_normal(n)
    if rng.random() < 0.3:  # plosive-like bursts that one gain alone would push past the ceiling
        wave += 0.9 * np.sin(2 * np.pi * 1500 * t) * ((t % 0.7) < 0.003)
    encoder = lameenc.Encoder()
    encoder.set_channels(1)
    encoder.set_in_sample_rate(RATE)
    encoder.set_bit_rate(48)
    encoder.set_quality(7)
    pcm = (np.clip(wave, -1, 1) * 32767).astype("<i2")
    return Clip(bytes(encoder.encode(pcm.tobytes()) + encoder.flush()), seconds)


def make_page(minutes: float, count: int) -> tuple[PageScript, list[Clip]]:
    """``count`` clips whose lengths vary around the mean that fills ``minutes``; an article every 25 lines."""
    rng = np.random.default_rng(2025)
    mean = minutes * 60 / count - PAUSE
    lengths = rng.uniform(0.4 * mean, 1.6 * mean, count)
    lengths *= (minutes * 60 - PAUSE * count) / lengths.sum()
    articles = tuple(Article(f"第{i + 1}篇 测试新闻", ("正文。",)) for i in range(count // 25 + 1))
    page = Page("A04", "聚焦", articles)
    utterances = [Utterance("A04版，聚焦。", "A04版，聚焦。", Part.OPENING, None, PAUSE)]
    for i in range(1, count):
        part = Part.HEADER if (i - 1) % 25 == 0 else Part.BODY
        utterances.append(Utterance(f"第{i}句。", f"第{i}句。", part, (i - 1) // 25, PAUSE))
    clips = [make_clip(float(s), rng) for s in lengths]
    return PageScript(page, tuple(utterances)), clips


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--clips", type=int, default=400)
    args = parser.parse_args()

    began = time.perf_counter()
    script, clips = make_page(args.minutes, args.clips)
    made = time.perf_counter() - began
    input_mb = sum(len(c.audio) for c in clips) / 1e6
    before = peak_rss_mb()

    module = importlib.import_module("enews_audio.audio.assemble")
    encode, encodes = module._encode, []

    def counted(*args, **kwargs):
        encodes.append(kwargs)
        return encode(*args, **kwargs)

    module._encode = counted
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "a04.mp3"
        began = time.perf_counter()
        episode = assemble(
            script,
            clips,
            out,
            AudioSettings(),
            title="A04 聚焦",
            album="基准日报",
            artist="基准",
            date=dt.date(2025, 6, 21),
        )
        wall = time.perf_counter() - began
        after = peak_rss_mb()
        stored = read_chapters(out)
        levels = measure_file(out, RATE)

    print(f"page: {len(clips)} clips, {episode.duration / 60:.1f} min, {len(episode.chapters)} chapters")
    print(f"clips made in {made:.1f} s ({input_mb:.1f} MB of MP3 held in memory as input)")
    print(f"assemble: {wall:.2f} s wall = {episode.duration / wall:.0f}x realtime ({len(encodes)} encode(s))")
    print(f"levels: {levels.loudness:.2f} LUFS integrated, true peak {levels.true_peak:.2f} dBTP")
    print(f"output: {episode.size / 1e6:.1f} MB, {len(stored)} chapters read back")
    print(f"peak RSS: {before:.0f} MB before assembling, {after:.0f} MB after (+{after - before:.0f} MB)")


if __name__ == "__main__":
    main()
