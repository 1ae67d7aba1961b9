"""Benchmark the offline Kokoro engine: model load time, real-time factor, peak memory.

    python benchmarks/offline_engine.py [--voice zf_xiaobei] [--threads 2]

Run by hand (it takes about a minute on 2 cores). The paragraph is spoken a sentence at a time, as the
pipeline does; the real-time factor is synthesis time divided by the audio's length.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import resource
import time

from enews_audio.speech.engine import Voice
from enews_audio.speech.offline import OfflineEngine

SENTENCE = "今年以来，我市新建口袋公园四十二个，市民出门五分钟就能走进绿地，周末带孩子散步的人明显多了，不少老人也来晨练。"
PARAGRAPH = (
    "本报讯，昨天上午，城东街道在社区广场举办了一场旧物交换集市。"
    "居民们带来闲置的图书、玩具和小家电，按照约定的积分相互交换。"
    "七十三岁的王阿姨用一台收音机换到了两本菜谱，她笑着说，东西没浪费，还认识了新邻居。"
    "街道负责人介绍，集市今后每月举办一次，还将增加义务维修和旧衣回收服务。"
)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def speak(engine: OfflineEngine, sentences: list[str]) -> tuple[float, float]:
    start = time.perf_counter()
    audio = 0.0
    for sentence in sentences:
        audio += (await engine.synthesize(sentence)).duration
    return time.perf_counter() - start, audio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", default="zf_xiaobei")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    start = time.perf_counter()
    engine = OfflineEngine(Voice(args.voice), threads=args.threads)
    asyncio.run(speak(engine, ["你好。"]))  # loads the model and the pinyin dictionaries
    print(f"first call (model read + hash + session + dictionaries): {time.perf_counter() - start:.2f} s")
    print(f"peak RSS after load: {peak_rss_mb():.0f} MB")

    for label, sentences in [
        (f"sentence ({len(SENTENCE)} chars)", [SENTENCE]),
        (f"paragraph ({len(PARAGRAPH)} chars)", re.findall(r"[^。]+。", PARAGRAPH)),
    ]:
        took, audio = asyncio.run(speak(engine, sentences))
        print(f"{label}: {audio:.1f} s of audio in {took:.1f} s, RTF {took / audio:.2f}")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
