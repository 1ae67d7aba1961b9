"""Benchmark `batch`: the same papers built serially, locally and on a Dask LocalCluster, against the ideal.

    python benchmarks/batch.py [--papers 3] [--sentences 12] [--workers 2]

Run by hand on a quiet machine (``uptime`` near 0; 3 papers of about a minute of audio each take a few
minutes on 2 cores). Each way starts from an empty clip store, with the offline voice:

- serial: papers one after another, one voice worker process (``--jobs 1``);
- local: the same with the local executor's voice workers sized to the machine (``batch``'s default);
- cluster: ``batch --cluster`` on a LocalCluster of WORKERS single-thread worker processes (the client,
  scheduler and workers on this machine).

The ideal is the sum of the cluster's synthesis tasks' compute time divided by the workers; the ratio
(wall ÷ ideal, for the cluster and the local executor) says what scheduling, the tail and assembly cost. Also printed: the
client's own CPU against the workers' (assembly and publishing stay on the client), and minutes of audio per
worker-hour, the number that sizes a cluster.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from distributed import LocalCluster, get_task_stream

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from enews_audio import pipeline, speech
from enews_audio.cli.report import failure_lines
from enews_audio.pipeline import batch
from enews_audio.speech.dask import DaskExecutor
from support.issue_toml import issue_toml

SENTENCES = [
    "昨天上午，城东街道在社区广场举办了一场旧物交换集市。",
    "居民们带来闲置的图书、玩具和小家电，按照约定的积分相互交换。",
    "七十三岁的王阿姨用一台收音机换到了两本菜谱。",
    "她笑着说，东西没浪费，还认识了新邻居。",
    "街道负责人介绍，集市今后每月举办一次。",
    "今年以来，全市新建口袋公园四十二个，市民出门五分钟就能走进绿地。",
    "周末带孩子散步的人明显多了，不少老人也来晨练。",
    "市气象台预计，本周后半段将有一次明显降温过程。",
    "交通部门提醒，春运期间请市民错峰出行，提前规划路线。",
    "新修的江滨步道全长四公里，夜间有照明，沿途设有休息座椅。",
    "市图书馆周末开放时间延长到晚上九点，自习座位可在网上预约。",
    "农技人员深入田间地头，指导农户做好春耕备耕工作。",
]
CITIES = ["海湾", "江城", "山城", "云岭", "石桥", "青河"]


def write_papers(root: Path, papers: int, sentences: int) -> Path:
    """``papers`` issues of one page, ``sentences`` sentences each, no sentence shared between papers."""
    tables = []
    for n in range(papers):
        city = CITIES[n % len(CITIES)] + ("" if n < len(CITIES) else str(n))
        said = [f"{city}消息，{SENTENCES[i % len(SENTENCES)]}" for i in range(sentences)]
        half = len(said) // 2
        articles = (
            {"title": f"{city}社区新闻", "paragraphs": said[:half]},
            {"title": f"{city}城市服务", "paragraphs": said[half:]},
        )
        folder = root / f"paper{n}"
        folder.mkdir()
        (folder / "issue.toml").write_text(
            issue_toml(f"{city}日报", "2026-03-02", [("A01", "要闻", articles)]), encoding="utf-8"
        )
        tables.append(f'[[paper]]\nsource = "{folder.name}"\n')
    path = root / "papers.toml"
    path.write_text('[defaults]\nengine = "offline"\n' + "".join(tables), encoding="utf-8")
    return path


def cpu_seconds(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def workers_cpu(executor: DaskExecutor) -> float:
    usage = executor.client.run(lambda: resource.getrusage(resource.RUSAGE_SELF)[:2])
    return sum(user + system for user, system in usage.values())


def audio_minutes(report: batch.BatchReport) -> float:
    return sum(p.minutes for p in report.papers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=3)
    parser.add_argument("--sentences", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f} (timings are valid only near 0)")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        papers = write_papers(root, args.papers, args.sentences)

        walls = {}
        for way, jobs in (("serial", 1), ("local", None)):  # one voice worker; the machine's pool
            began = time.perf_counter()
            with speech.Speaker(jobs=jobs) as speaker:
                built = pipeline.run(batch.load_batch(papers, root / way).entries, speaker)
            walls[way] = time.perf_counter() - began
            assert built.ok, failure_lines(built)
        minutes = audio_minutes(built)
        print(
            f"{args.papers} papers, {minutes:.1f} min of audio, {sum(p.report.made for p in built.papers)} clips"
        )
        for way, took in walls.items():
            print(f"{way}: {took:.1f} s, RTF {took / (minutes * 60):.2f}")

        with LocalCluster(
            processes=True, n_workers=args.workers, threads_per_worker=1, host="127.0.0.1",
            dashboard_address=None,
        ) as cluster:  # fmt: skip
            executor, store = batch.cluster(cluster.scheduler_address, root / "cluster", None)  # as --cluster
            client_before, workers_before = (
                cpu_seconds(resource.getrusage(resource.RUSAGE_SELF)),
                workers_cpu(executor),
            )
            began = time.perf_counter()
            with (
                get_task_stream(client=executor.client) as stream,
                speech.Speaker(executor=executor) as speaker,
            ):
                remote = pipeline.run(
                    batch.load_batch(papers, root / "cluster").entries, speaker, clip_store=store,
                    at_once=batch.AT_ONCE,
                )  # fmt: skip
            wall = time.perf_counter() - began
            client_cpu = cpu_seconds(resource.getrusage(resource.RUSAGE_SELF)) - client_before
            worker_cpu = workers_cpu(executor) - workers_before
            executor.close()
        assert remote.ok, failure_lines(remote)
        synthesis = sum(
            part["stop"] - part["start"]
            for task in stream.data
            if task["key"].startswith("speak-")
            for part in task["startstops"]
            if part["action"] == "compute"
        )
        ideal = synthesis / args.workers
        print(
            f"cluster ({args.workers} workers x 1 thread): {wall:.1f} s; synthesis {synthesis:.1f} s of task "
            f"time, ideal {ideal:.1f} s, ratio {wall / ideal:.3f} ({(wall / ideal - 1) * 100:+.1f} %)"
        )
        print(f"local executor: ratio {walls['local'] / ideal:.3f} to the same ideal")
        serial = walls["serial"]
        print(f"speed-up over serial: local {serial / walls['local']:.2f}x, cluster {serial / wall:.2f}x")
        print(
            f"CPU: client {client_cpu:.1f} s, workers {worker_cpu:.1f} s ({client_cpu / worker_cpu:.1%} on the client)"
        )
        per_worker_hour = audio_minutes(remote) / (wall / 3600 * args.workers)
        print(f"minutes of audio per worker-hour: {per_worker_hour:.0f}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
