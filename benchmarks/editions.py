"""Benchmark what the editions add to a build: DAISY book, USB folder and slow edition, beside a plain build.

    python benchmarks/editions.py [--pages 8] [--articles 6] [--first-byte 0.3] [--speed 20] [--concurrency 3]

Two fresh builds of one issue through the edge engine against the loopback fake service (as edge_fake.py):
without editions, then with ``daisy``, ``usb`` and ``slow``. The slow edition's own synthesis (its speech
stage, from the pipeline's progress reports; slow pages are assembled while later ones are still spoken) is
taken out; what remains over the plain build is what the editions add. Then the DAISY and USB writers are
timed alone on the built issue, and an unchanged rebuild with every edition.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from edge_fake import arguments, fake_issue, timed_build

from enews_audio.model import Edition
from enews_audio.pipeline import BuildSettings, script
from enews_audio.pipeline.slow import slow_edition
from enews_audio.publish import PublishSettings
from enews_audio.publish.daisy import write_daisy
from enews_audio.publish.record import read_record
from enews_audio.publish.usb import write_usb
from enews_audio.speech.edge import EdgeEngine
from enews_audio.speech.engine import Voice
from enews_audio.text import TextSettings
from support.builds import settings as build_settings


def timed(source: Path, engine: EdgeEngine, settings: BuildSettings):
    wall, clock, report = timed_build(source, engine, settings)
    assert report.ok, (report.failures, report.slow_failures)
    return wall, clock.marks, report


def main() -> None:
    args = arguments(__doc__, pages=8, articles=6)
    with fake_issue(args) as (tmp, source, fake):
        engine = EdgeEngine(Voice("zh-CN-XiaoxiaoNeural"), url=fake.url)

        slow = slow_edition(TextSettings(), engine.spec)  # the spec keeps the fake's address

        def settings(out: str, editions: frozenset[Edition]) -> BuildSettings:
            publish = PublishSettings(editions=editions)
            slowly = slow if Edition.SLOW in editions else None
            return build_settings(tmp / out, concurrency=args.concurrency, publish=publish, slow=slowly)

        script(source, settings("plain", frozenset()).read)  # jieba and wetext load once, before either build
        plain, _, report = timed(source, engine, settings("plain", frozenset()))
        minutes = sum(e.duration for e in report.episodes) / 60
        print(
            f"issue: {args.pages} pages x {args.articles} articles, {report.made} clips, {minutes:.1f} min; "
            f"fake edge {args.first_byte:g} s to first byte, {args.speed:g}x realtime, concurrency {args.concurrency}"
        )
        print(f"plain build: {plain:.2f} s")

        every, marks, report = timed(source, engine, settings("all", frozenset(Edition)))
        slow_speech = marks["slow speech-end"] - marks["slow speech-start"]
        added = every - slow_speech - plain
        slow_minutes = sum(e.duration for e in report.slow) / 60
        print(
            f"build with daisy, usb, slow: {every:.2f} s, of which the slow edition's speech stage {slow_speech:.2f} s "
            f"({slow_minutes:.1f} min of slow episodes, {slow_minutes / minutes:.2f}x the normal length)"
        )
        print(
            f"editions add, apart from the slow synthesis: {added:.2f} s = {100 * added / plain:+.1f} % of the plain build"
        )

        issue_dir = report.issue_dir
        record = read_record(issue_dir / "build.json")
        cues = {e.path: e.cues for e in report.episodes}
        began = time.monotonic()
        write_daisy(issue_dir, record, cues, publisher="试验晚报", narrator="合成语音")
        daisy = time.monotonic() - began
        began = time.monotonic()
        write_usb(issue_dir, record, artist="试验晚报")
        usb = time.monotonic() - began
        size = sum(p.stat().st_size for p in (issue_dir / "usb").rglob("*.mp3")) / 1e6
        print(f"alone: DAISY folder and zip {daisy:.2f} s, USB folder {usb:.2f} s ({size:.1f} MB)")

        asked = len(fake.requests)
        again, _, report = timed(source, engine, settings("all", frozenset(Edition)))
        assert len(fake.requests) == asked
        print(f"unchanged rebuild with every edition: {again:.2f} s, 0 requests")


if __name__ == "__main__":
    main()
