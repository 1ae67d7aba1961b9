"""Benchmark whole offline builds with the default settings against the voice's own best throughput.

    python benchmarks/offline_build.py [--page-minutes 30] [--sample 0.25] [--no-page] [--no-scaling]

Run by hand on a quiet machine (`uptime` load below ~1); about 30 minutes on 2 cores. For the sample issue
(`examples/sample-issue`) and a generated page of about 30 minutes:

- the build: ``pipeline.prepare`` + ``pipeline.build`` as ``enews-audio build SOURCE --engine offline``
  runs them (a fresh output folder, so every clip is made; worker start and model loads included);
  end-to-end RTF = its wall time ÷ the published audio (the episodes, pauses included);
- the voice alone: warm worker processes (the build's shape) take the build's own texts, longest first,
  from one queue and only speak them: the best aggregate throughput on exactly that work (for the page, on a
  random share of its texts, ``--sample``). Ideal build time = that RTF × the seconds of clips made.
- scaling (sample issue): the voice alone with 1 process × 1 thread, 1 × 2 and 2 × 1, … up to the CPUs.

CLI start-up (imports) is timed apart: ``enews-audio --version``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from clock import Clock

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from enews_audio import speech
from enews_audio.pipeline import build, prepare, speaking
from enews_audio.pipeline import script as read_script
from enews_audio.pipeline.options import BuildOptions
from enews_audio.speech.cache import ClipCache, engine_key
from enews_audio.speech.machine import pool_shape
from support.issue_toml import issue_toml

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample-issue"
PLACES = ["城东街道", "江北新区", "老城区", "高新区", "滨江社区", "南山镇", "西城区", "新港街道"]
SUBJECTS = ["社区食堂", "公交线路", "口袋公园", "养老驿站", "农贸市场", "图书分馆", "便民诊所", "夜间集市"]
ACTIONS = ["正式启用", "完成改造", "延长开放时间", "新增服务项目", "迎来首批居民", "开始试运行"]
DETAILS = [
    "附近居民步行十分钟即可到达，不少老人一早就赶来体验",
    "工作人员表示，将根据居民意见继续调整服务内容",
    "项目总投资约三千万元，由市区两级财政共同承担",
    "周末客流比平日多出一倍，现场秩序井然",
    "相关部门将定期开展满意度调查，及时回应群众关切",
    "现场还设置了志愿者服务点，帮助老年人使用智能设备",
    "下一步将在全市推广这一做法，让更多居民受益",
    "据介绍，这是今年市政府确定的十件民生实事之一",
]


def write_page(folder: Path, minutes: float, rng: random.Random) -> Path:
    """An issue.toml of one page of about ``minutes`` of published audio (≈ 3.7 characters a second with the
    pauses, measured)."""
    articles = []
    chars = 0
    while chars / 3.7 < minutes * 60:
        title = f"{rng.choice(PLACES)}{rng.choice(SUBJECTS)}{rng.choice(ACTIONS)}"
        paragraphs = [
            "".join(
                f"{rng.choice(PLACES)}的{rng.choice(SUBJECTS)}{rng.choice(ACTIONS)}，{rng.choice(DETAILS)}。"
                for _ in range(rng.randint(2, 4))
            )
            for _ in range(rng.randint(3, 6))
        ]
        chars += len(title) + sum(map(len, paragraphs))
        byline = f"记者 {rng.choice('陈王李周吴')}晓"
        articles.append(
            {"title": f"{title}（{len(articles) + 1}）", "byline": byline, "paragraphs": paragraphs}
        )
    path = folder / "issue.toml"
    path.write_text(issue_toml("试验晚报", "2026-05-20", [("A01", "城事", articles)]), encoding="utf-8")
    return path


def issue_wide_longest_first(script: Any) -> list[str]:
    """The other order considered: every text of the issue, longest first (pages complete only at the end)."""
    return sorted((u.spoken for page in script.pages for u in page.utterances), key=len, reverse=True)


def timed_build(source: Path, out: Path, jobs: int | None = None, order: Any = None) -> dict[str, Any]:
    """``pipeline.prepare`` + ``pipeline.build`` in this process (imports already paid), with its phases;
    ``order`` replaces ``speaking.speaking_order`` for this build."""
    clock = Clock()
    began = time.perf_counter()
    settings = prepare(BuildOptions(source=str(source), out=out, engine="offline", jobs=jobs))
    if order is not None:
        speaking.speaking_order, default = order, speaking.speaking_order
    try:
        with speech.Speaker(jobs=jobs) as speaker:
            report = build(source, settings, speaker, clock)
    finally:
        if order is not None:
            speaking.speaking_order = default
    wall = time.perf_counter() - began
    assert report.ok, report.failures
    texts = list(dict.fromkeys(speaking.speaking_order(read_script(source, settings.read))))
    store = ClipCache(settings.speech.cache_dir)
    engine = settings.voice.build(1)  # the same identity and readings as the build's, for the clips' keys
    clips = sum(store.get(engine_key(engine, t)).duration for t in texts)  # type: ignore[union-attr]
    m = clock.marks
    return {
        "wall": wall,
        "published": sum(e.duration for e in report.episodes),
        "clips": clips,
        "texts": texts,
        "workers": clock.workers,
        "phases": f"before speech {m['speech-start'] - began:.1f} s, after {began + wall - m['speech-end']:.1f} s",
    }


def cli_build(source: Path, out: Path, measured: dict[str, Any], *options: str) -> dict[str, Any]:
    """The same build as a user runs it: ``enews-audio build SOURCE --engine offline`` in a new process."""
    began = time.perf_counter()
    command = [
        sys.executable,
        "-m",
        "enews_audio",
        "build",
        str(source),
        "--engine",
        "offline",
        "-o",
        str(out),
    ]
    subprocess.run([*command, *options], check=True, capture_output=True)
    return {**measured, "wall": time.perf_counter() - began, "phases": "the CLI in a new process"}


def _voice_worker(threads: int, ready: Any, queue: Any, results: Any) -> None:
    import asyncio

    from enews_audio.speech.engine import Voice
    from enews_audio.speech.offline import OfflineEngine

    engine = OfflineEngine(Voice("zf_xiaobei"), threads=threads)
    asyncio.run(engine.synthesize("你好。"))  # warm: model, dictionaries, arena
    ready.wait()
    audio = 0.0
    while (text := queue.get()) is not None:
        audio += asyncio.run(engine.synthesize(text)).duration
    results.put(audio)


def voice_alone(texts: list[str], processes: int, threads: int) -> float:
    """Aggregate RTF of warm workers speaking ``texts`` (longest first, one shared queue)."""
    ctx = multiprocessing.get_context("spawn")
    ready, queue, results = ctx.Barrier(processes + 1), ctx.Queue(), ctx.Queue()
    for text in sorted(texts, key=len, reverse=True):
        queue.put(text)
    for _ in range(processes):
        queue.put(None)
    procs = [
        ctx.Process(target=_voice_worker, args=(threads, ready, queue, results)) for _ in range(processes)
    ]
    for p in procs:
        p.start()
    ready.wait()
    began = time.perf_counter()
    audio = sum(results.get() for _ in procs)
    wall = time.perf_counter() - began
    for p in procs:
        p.join()
    return wall / audio


def report_build(label: str, b: dict[str, Any], voice_rtf: float) -> None:
    ideal = voice_rtf * b["clips"]
    print(
        f"{label}: {len(b['texts'])} texts, {b['clips'] / 60:.1f} min of clips, {b['published'] / 60:.1f} min "
        f"published; {b['workers']}\n"
        f"  build {b['wall']:.1f} s: end-to-end RTF {b['wall'] / b['published']:.3f} "
        f"(per second of clips {b['wall'] / b['clips']:.3f}); {b['phases']}\n"
        f"  voice alone RTF {voice_rtf:.3f}: ideal {ideal:.1f} s; the build takes {b['wall'] / ideal:.3f}× ideal",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page-minutes", type=float, default=30.0)
    parser.add_argument(
        "--sample", type=float, default=0.25, help="share of the page's texts for the voice alone"
    )
    parser.add_argument("--no-page", action="store_true")
    parser.add_argument("--no-scaling", action="store_true")
    args = parser.parse_args()

    shape = pool_shape()
    print(f"{len(os.sched_getaffinity(0))} CPUs, default pool {shape}, load {os.getloadavg()}", flush=True)
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "enews_audio", "--version"], check=True, capture_output=True)
    print(f"CLI start-up (enews-audio --version): {time.perf_counter() - began:.2f} s", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        sample = timed_build(SAMPLE, Path(tmp) / "sample")
        command = cli_build(SAMPLE, Path(tmp) / "sample-cli", sample)
        rtf = voice_alone(sample["texts"], shape.workers, shape.threads)
        report_build("sample issue, in-process", sample, rtf)
        report_build("sample issue, enews-audio build", command, rtf)
        issue_wide = timed_build(SAMPLE, Path(tmp) / "sample-lpt", order=issue_wide_longest_first)
        report_build("sample issue, in-process, longest first across the issue", issue_wide, rtf)
        if not args.no_scaling:
            one = cli_build(SAMPLE, Path(tmp) / "sample-1", sample, "--jobs", "1")
            report_build(
                "sample issue, enews-audio build --jobs 1",
                {**one, "workers": f"offline voice: {pool_shape(1)}"},
                rtf,
            )
            cpus = len(os.sched_getaffinity(0))
            base = voice_alone(sample["texts"], 1, 1)
            print(f"scaling, the voice alone on the sample issue's texts (load {os.getloadavg()}):")
            print(f"  1 process × 1 thread: RTF {base:.3f}")
            for n in range(1, cpus + 1):
                for procs, threads in {(1, n), (n, 1)} - {(1, 1)}:
                    r = voice_alone(sample["texts"], procs, threads)
                    print(
                        f"  {procs} process{'es' if procs > 1 else ''} × {threads} thread{'s' if threads > 1 else ''}: "
                        f"RTF {r:.3f}, speed-up {base / r:.2f}, efficiency {base / r / n:.0%}",
                        flush=True,
                    )
        if not args.no_page:
            source = write_page(Path(tmp), args.page_minutes, random.Random(7))
            page = timed_build(source, Path(tmp) / "page")
            share = random.Random(1).sample(page["texts"], max(4, int(len(page["texts"]) * args.sample)))
            label = f"a page of {page['published'] / 60:.0f} minutes"
            report_build(label, page, voice_alone(share, shape.workers, shape.threads))
    print(f"load at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
