"""How long a one-sentence issue takes offline, end to end from the shell: what starting the voice costs.

    python benchmarks/startup.py [--runs 5] [--jobs N] [--engine offline] [--against OTHER_CHECKOUT]

Run by hand (a minute or two on 2 cores). Each run is ``enews-audio build <issue> --engine offline`` started
as a shell would, timed until that command exits:

- cold: a fresh output folder, so an empty clip cache: every clip is made and the voice workers start from
  nothing (as the first build of a day does);
- warm: another fresh output folder whose ``--cache`` is the clip cache the cold run filled, so every clip is
  reused and only the page is assembled and published (a rebuild's cost; the workers, started early, are
  stopped unused);
- fake: the same issue with ``--engine fake`` into a fresh folder: the command's cost without a voice.

With ``--against`` each kind is also run on another checkout of the project (its ``src`` first on
PYTHONPATH, same interpreter and packages), labelled "before": the code before a change, measured beside it.
The runs alternate, so a change in the machine's load falls on every kind alike. Printed per run: wall
seconds, CPU seconds of every process the command started (voice workers and their fork server included:
this process becomes their subreaper and waits for each) and the load average when the run began; then the
median and the minimum of each kind. The machine's other work shows in the load: quote it with the numbers.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.issue_toml import issue_toml

ARTICLE = {"title": "十件民生实事全部兑现", "paragraphs": ["今年确定的十件民生实事已全部完成。"]}
PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h


def command() -> list[str]:
    """The installed ``enews-audio`` script beside this interpreter, as a shell runs it."""
    script = Path(sys.executable).parent / "enews-audio"
    return [str(script)] if script.exists() else [sys.executable, "-m", "enews_audio"]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reap() -> None:
    """Wait for every descendant left behind (the fork server outlives the command by a moment)."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def timed(args: list[str], log: Path, src: Path | None) -> tuple[float, float, float]:
    """(wall seconds until the command exits, CPU seconds of it and all it started, 1-minute load).

    Its output goes to a file, not a pipe: a pipe's reader would also wait for multiprocessing's resource
    tracker, which outlives the command by a moment; a shell waits for the command alone."""
    load = os.getloadavg()[0]
    cpu = children_cpu()
    with log.open("w") as out:
        began = time.perf_counter()
        env = os.environ | {"PYTHONPATH": str(src)} if src else None
        code = subprocess.run(args, stdout=out, stderr=subprocess.STDOUT, env=env).returncode
        wall = time.perf_counter() - began
    reap()
    if code != 0:
        sys.exit(f"{' '.join(args)} failed ({code}):\n{log.read_text()[-2000:]}")
    return wall, children_cpu() - cpu, load


def clips(out: Path) -> Path:
    """The clip cache the cold run into ``out`` filled."""
    return out / "cold" / ".cache" / "clips"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=None, help="voice workers (default: one per usable core)")
    parser.add_argument("--engine", default="offline")
    parser.add_argument("--against", type=Path, help="another checkout, run beside this one as 'before'")
    args = parser.parse_args()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("note: not a subreaper here: CPU leaves out the voice workers", file=sys.stderr)
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    trees: dict[str, Path | None] = {"": None} | ({"before ": args.against / "src"} if args.against else {})
    results: dict[str, list[tuple[float, float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="startup-") as tmp:
        issue = Path(tmp) / "issue.toml"
        issue.write_text(issue_toml("山城晚报", "2026-12-31", [("A01", "要闻", [ARTICLE])]), encoding="utf-8")
        build = [*command(), "build", str(issue), "--engine"]
        for run in range(args.runs):
            for label, src in trees.items():
                out = Path(tmp) / f"run{run}{label.strip()}"
                kinds = {
                    "cold": [*build, args.engine, *jobs, "-o", str(out / "cold")],
                    "warm": [*build, args.engine, *jobs, "-o", str(out / "warm"), "--cache", str(clips(out))],
                    "fake": [*build, "fake", "-o", str(out / "fake")],
                }
                for kind, argv in kinds.items():
                    wall, cpu, load = timed(argv, out.with_suffix(f".{kind}.log"), src)
                    results.setdefault(f"{label}{kind}", []).append((wall, cpu, load))
                    print(
                        f"run {run + 1} {label}{kind}: {wall:5.2f} s wall, {cpu:5.2f} s CPU, load {load:.2f}",
                        flush=True,
                    )
    print(f"one-sentence issue, {args.engine}, {args.runs} runs each:")
    for kind, rows in results.items():
        walls, cpus, loads = zip(*rows, strict=True)
        print(
            f"  {kind}: wall median {statistics.median(walls):.2f} s, min {min(walls):.2f} s; "
            f"CPU median {statistics.median(cpus):.2f} s; load {min(loads):.2f}-{max(loads):.2f}"
        )


if __name__ == "__main__":
    main()
