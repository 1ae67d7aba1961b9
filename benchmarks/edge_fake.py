"""Benchmark a whole build through the edge engine against the loopback fake service with realistic latency.

    python benchmarks/edge_fake.py [--pages 3] [--articles 5] [--first-byte 0.3] [--speed 20] [--concurrency 3]

The fake (tests/fake_edge.py) answers after ``--first-byte`` seconds and streams audio at ``--speed`` × realtime.
Ideal wall time = the fake's total time spent answering ÷ concurrency: what the requests alone must take.
Reported: the speech stage's and the whole build's wall time against it, then an unchanged rebuild.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import edge_tts.drm

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from clock import Clock

from enews_audio.pipeline import BuildSettings
from enews_audio.speech.edge import EdgeEngine
from enews_audio.speech.engine import Voice
from support.builds import build
from support.builds import settings as build_settings
from support.fake_edge import FakeEdge

PLACES = ["城东", "江北", "老城区", "高新区", "滨江", "南山", "西城", "新港"]
SUBJECTS = ["社区食堂", "公交线路", "口袋公园", "养老驿站", "菜市场", "图书分馆", "便民诊所", "夜间集市"]
ACTIONS = ["正式启用", "完成改造", "延长开放时间", "新增服务项目", "迎来首批居民", "开始试运行"]
DETAILS = [
    "附近居民步行十分钟即可到达",
    "工作人员表示将根据居民意见继续调整",
    "不少老年人一早就赶来体验",
    "项目总投资约三千万元",
    "周末客流比平日多出一倍",
    "相关部门将定期开展满意度调查",
    "现场还设置了志愿者服务点",
    "下一步将在全市推广这一做法",
]
PAGE_NAMES = ["要闻", "城事", "民生", "文体", "乡村", "经济"]


def sentence(rng: random.Random) -> str:
    return f"{rng.choice(PLACES)}的{rng.choice(SUBJECTS)}{rng.choice(ACTIONS)}，{rng.choice(DETAILS)}。"


def write_issue(folder: Path, pages: int, articles: int, rng: random.Random) -> Path:
    lines = ['paper = "试验晚报"', "date = 2026-05-20"]
    for p in range(pages):
        lines += ["", "[[pages]]", f'code = "A{p + 1:02d}"', f'name = "{PAGE_NAMES[p % len(PAGE_NAMES)]}"']
        for a in range(articles):
            title = f"{rng.choice(PLACES)}{rng.choice(SUBJECTS)}{rng.choice(ACTIONS)}（{p + 1}-{a + 1}）"
            paragraphs = ["".join(sentence(rng) for _ in range(3)) for _ in range(4)]
            lines += ["", "[[pages.articles]]", f"title = {json.dumps(title, ensure_ascii=False)}"]
            lines.append(f"paragraphs = {json.dumps(paragraphs, ensure_ascii=False)}")
    path = folder / "issue.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def timed_build(source: Path, engine: EdgeEngine, settings: BuildSettings) -> tuple[float, Clock, object]:
    clock = Clock()
    began = time.perf_counter()
    report = build(source, engine, settings, clock)
    clock.marks["began"] = began
    return time.perf_counter() - began, clock, report


def arguments(doc: str, *, pages: int, articles: int) -> argparse.Namespace:
    """The issue's size and the fake service's timing, from the command line."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--pages", type=int, default=pages)
    parser.add_argument("--articles", type=int, default=articles)
    parser.add_argument("--first-byte", type=float, default=0.3)
    parser.add_argument("--speed", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


@contextmanager
def fake_issue(args: argparse.Namespace) -> Iterator[tuple[Path, Path, FakeEdge]]:
    """A temporary folder, the issue written into it, and the fake service answering as ``args`` say."""
    edge_tts.drm.DRM.clock_skew_seconds = 0.0
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeEdge(first_byte=args.first_byte, speed=args.speed, chars_per_second=4.5) as fake,
    ):
        yield Path(tmp), write_issue(Path(tmp), args.pages, args.articles, random.Random(args.seed)), fake


def main() -> None:
    args = arguments(__doc__, pages=3, articles=5)
    with fake_issue(args) as (tmp, source, fake):
        settings = build_settings(out_dir=tmp / "out", concurrency=args.concurrency)
        engine = EdgeEngine(Voice("zh-CN-XiaoxiaoNeural"), url=fake.url)

        wall, clock, report = timed_build(source, engine, settings)
        assert report.ok, report.failures
        answering = sum(a.ended - a.began for a in fake.answers)
        ideal = answering / args.concurrency
        audio = sum(a.heard for a in fake.answers)
        m = clock.marks
        speech = m["speech-end"] - m["speech-start"]
        print(
            f"issue: {args.pages} pages x {args.articles} articles, {len(fake.requests)} requests, "
            f"{audio / 60:.1f} min of speech, episodes {sum(e.duration for e in report.episodes) / 60:.1f} min"
        )
        print(
            f"fake: {args.first_byte:g} s to first byte, {args.speed:g}x realtime; "
            f"total answering time {answering:.1f} s; concurrency {args.concurrency}; ideal {ideal:.2f} s"
        )
        print(f"speech stage: {speech:.2f} s = {100 * (speech / ideal - 1):+.1f} % over ideal")
        print(
            f"whole build:  {wall:.2f} s = {100 * (wall / ideal - 1):+.1f} % over ideal "
            f"(before speech {m['speech-start'] - m['began']:.2f} s, "
            f"after speech {wall - (m['speech-end'] - m['began']):.2f} s)"
        )

        asked = len(fake.requests)
        again, clock, report = timed_build(source, engine, settings)
        assert report.ok and report.made == 0 and len(fake.requests) == asked
        m = clock.marks
        print(
            f"unchanged rebuild: {again:.2f} s, 0 requests, {report.reused} clips reused "
            f"(speech stage {m['speech-end'] - m['speech-start']:.2f} s, "
            f"assembly+publish {again - (m['speech-end'] - m['began']):.2f} s)"
        )


if __name__ == "__main__":
    main()
