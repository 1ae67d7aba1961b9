"""Benchmark the offline voice: configurations side by side, cost by utterance length, memory per worker.

    python benchmarks/offline_engine.py [--rounds 2] [--voice zf_xiaobei]

Run by hand on a quiet machine (check `uptime`: a load above ~1 makes the timings worthless); about
12 minutes on 2 cores with 2 rounds. Every configuration speaks the same news sentences through the real
engine (phonemes, inference, trimming, MP3: all a voice worker does per clip) in fresh processes, after a
warm-up call; configurations run in turn within each round, so a change in the machine's load touches
them all alike. RTF = wall seconds ÷ seconds of audio made (aggregate over the processes). "same bytes"
compares every clip with those of one process on 2 threads (the engine's old setting).
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

SENTENCES = [
    "今年以来，我市新建口袋公园四十二个，市民出门五分钟就能走进绿地，周末带孩子散步的人明显多了。",
    "昨天上午，城东街道在社区广场举办了一场旧物交换集市，居民们带来闲置的图书、玩具和小家电。",
    "七十三岁的王阿姨用一台收音机换到了两本菜谱，她笑着说，东西没浪费，还认识了新邻居。",
    "记者从市交通运输局了解到，三条新开通的公交线路将覆盖城北多个新建小区，早晚高峰加密班次。",
    "据气象部门预报，本周后期将有一次明显降温过程，最低气温可降至零下五摄氏度，请市民注意防寒保暖。",
    "市图书馆少儿分馆改造完成后，阅览座位增加到三百个，每周还将举办两场亲子阅读活动。",
    "农技人员深入田间地头，指导农户做好春耕备耕工作，全市已储备化肥三点二万吨，种子供应充足。",
]
# What a page says between its stories: announcements, headlines, bylines (all < 30 characters).
SHORT = [
    "第一篇，共两篇。",
    "山城晚报，二〇二六年三月二日，星期一。",
    "记者 周洁。",
    "春耕备耕 有序推进。",
    "第二篇，共两篇。",
    "图片说明：市民在口袋公园散步。",
    "本版导读。",
]
LONG_CALL = "".join(SENTENCES[:3])  # a call of 485 tokens: near the longest the model takes (510)


@dataclass(frozen=True)
class Config:
    name: str
    processes: int
    threads: int
    options: dict[str, Any] = field(default_factory=dict)  # onnxruntime SessionOptions attributes
    config_entries: dict[str, str] = field(default_factory=dict)  # session config entries
    joined: bool = False  # the sentences joined into one text (model calls of up to 510 tokens)
    texts: tuple[str, ...] = tuple(SENTENCES)


CONFIGS = [
    Config("1 process × 2 threads (the old in-process engine)", 1, 2),
    Config("1 process × 1 thread", 1, 1),
    Config("2 processes × 1 thread (the pool's default here)", 2, 1),
    Config("2 × 1, graph optimisation basic", 2, 1, {"graph_optimization_level": "ORT_ENABLE_BASIC"}),
    Config("2 × 1, graph optimisation extended", 2, 1, {"graph_optimization_level": "ORT_ENABLE_EXTENDED"}),
    Config("2 × 1, memory arena off", 2, 1, {"enable_cpu_mem_arena": False}),
    Config("2 × 1, denormals as zero", 2, 1, config_entries={"session.set_denormal_as_zero": "1"}),
    Config("2 × 1, parallel execution mode", 2, 1, {"execution_mode": "ORT_PARALLEL"}),
    Config("1 × 2, no thread spinning", 1, 2, config_entries={"session.intra_op.allow_spinning": "0"}),
    Config("2 × 1, sentences joined into calls ≤ 510 tokens", 2, 1, joined=True),
    Config("2 × 1, short utterances (< 30 characters)", 2, 1, texts=tuple(SHORT)),
]


def _session(threads: int, options: dict[str, Any], entries: dict[str, str]) -> Any:
    import onnxruntime as ort

    from enews_audio.speech.offline import _read_model

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    for key, value in options.items():
        if isinstance(value, str) and value.startswith("ORT_"):
            enum = ort.GraphOptimizationLevel if "ENABLE" in value else ort.ExecutionMode
            value = getattr(enum, value)
        setattr(opts, key, value)
    for key, value in entries.items():
        opts.add_session_config_entry(key, value)
    return ort.InferenceSession(_read_model(), sess_options=opts, providers=["CPUExecutionProvider"])


def _speaker(config: Config, voice: str, start: Any, results: Any) -> None:
    """One process of a configuration: warm up, wait for the others, speak every text, report."""
    import asyncio

    from enews_audio.speech.engine import Voice
    from enews_audio.speech.offline import OfflineEngine

    engine = OfflineEngine(Voice(voice), threads=config.threads)
    engine._session = _session(config.threads, config.options, config.config_entries)  # the one under test
    asyncio.run(engine.synthesize("你好。"))  # model, dictionaries and arena warm
    texts = ["".join(config.texts)] if config.joined else list(config.texts)
    start.wait()
    began = time.perf_counter()
    clips = [asyncio.run(engine.synthesize(text)) for text in texts]
    took = time.perf_counter() - began
    digests = [hashlib.sha256(c.audio).hexdigest() for c in clips]
    results.put((took, sum(c.duration for c in clips), digests, peak_rss()))


def run_config(config: Config, voice: str) -> tuple[float, float, list[str], float]:
    """Aggregate RTF, audio seconds per process, one process's clip digests, and its peak RSS in GB."""
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(config.processes + 1), ctx.Queue()
    procs = [
        ctx.Process(target=_speaker, args=(config, voice, start, results)) for _ in range(config.processes)
    ]
    for p in procs:
        p.start()
    start.wait()
    began = time.perf_counter()
    done = [results.get() for _ in procs]
    wall = time.perf_counter() - began
    for p in procs:
        p.join()
    audio = sum(d[1] for d in done)
    return wall / audio, done[0][1], done[0][2], max(d[3] for d in done)


def peak_rss() -> float:
    """This process's peak resident memory (VmHWM) in GB."""
    with open(f"/proc/{os.getpid()}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e9
    return float("nan")


def _memory_probe(voice: str, text: str, results: Any) -> None:
    import asyncio

    from enews_audio.speech.engine import Voice
    from enews_audio.speech.offline import OfflineEngine
    from enews_audio.speech.phonemes import split_phonemes, to_phonemes

    began = time.perf_counter()
    engine = OfflineEngine(Voice(voice), threads=1)
    asyncio.run(engine.synthesize(text))
    took = time.perf_counter() - began
    results.put((max(len(c) for c in split_phonemes(to_phonemes(text).text)), peak_rss(), took))


def memory(voice: str, text: str) -> tuple[int, float, float]:
    """The longest call's tokens, peak RSS (GB) and seconds of a fresh worker's first call on ``text``."""
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    p = ctx.Process(target=_memory_probe, args=(voice, text, results))
    p.start()
    out = results.get()
    p.join()
    return out


def batch_dimension() -> str:
    """Whether one session call can take several utterances: the graph's input shapes, and a try."""
    import numpy as np

    session = _session(1, {}, {})
    shapes = ", ".join(f"{i.name} {i.shape}" for i in session.get_inputs())
    try:
        session.run(
            ["audio"],
            {
                "tokens": np.zeros((2, 8), dtype=np.int64),
                "style": np.zeros((2, 256), dtype=np.float32),
                "speed": np.ones(2, dtype=np.float32),
            },
        )
        verdict = "a batch of 2 runs"
    except Exception as exc:
        verdict = f"a batch of 2 fails ({type(exc).__name__})"
    return f"inputs {shapes}: {verdict}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", default="zf_xiaobei")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    import onnxruntime

    print(
        f"onnxruntime {onnxruntime.__version__}, {len(os.sched_getaffinity(0))} CPUs, load {os.getloadavg()}"
    )
    print(batch_dimension())
    rtfs: dict[str, list[float]] = {c.name: [] for c in CONFIGS}
    seen: dict[str, tuple[float, list[str], float]] = {}
    for r in range(args.rounds):
        for config in CONFIGS:
            rtf, audio, digests, rss = run_config(config, args.voice)
            rtfs[config.name].append(rtf)
            seen[config.name] = (audio, digests, rss)
            print(f"  round {r + 1}: {config.name}: RTF {rtf:.3f}", flush=True)
    reference = seen[CONFIGS[0].name][1]
    print(
        f"\nRTF per configuration (best / median of {args.rounds}; lower is faster), load {os.getloadavg()}:"
    )
    for config in CONFIGS:
        audio, digests, rss = seen[config.name]
        same = "—" if config.joined or config.texts != CONFIGS[0].texts else str(digests == reference)
        print(
            f"  {config.name:<52} {min(rtfs[config.name]):.3f} / {statistics.median(rtfs[config.name]):.3f}"
            f"   audio {audio:5.1f} s   same bytes {same:<5}  peak RSS {rss:.2f} GB"
        )
    for label, text in [("short call", SHORT[0]), ("sentence", SENTENCES[0]), ("longest call", LONG_CALL)]:
        tokens, rss, took = memory(args.voice, text)
        print(f"fresh worker, first call a {label} ({tokens} tokens): {took:.1f} s, peak RSS {rss:.2f} GB")


if __name__ == "__main__":
    main()
