"""Kill a build with SIGKILL at chosen points and check what it leaves: ``python crash_runner.py CONFIG``.

CONFIG (JSON): ``source`` (an issue: here an e-paper on the test's loopback server), ``work`` (a folder),
``per_kind`` (kill points per kind of operation). Writes ``work/report.json``.

How a point is reached without a hook in the product: each build runs in a child forked from this process
(imports and warm-up paid once, here) with a Python audit hook (``sys.addaudithook``) that sees every file opened for
writing, rename, removal, folder made or removed, and connection opened. The child SIGKILLs itself at the
n-th operation of one kind (fetch, page cache, lock, clip cache, assembly, episode memo, episode, side
file, build record, cover, feed, web edition, folder), before that operation happens, after telling the parent
through a pipe where it stopped. A first child only records the operations, so each kind's count is known;
every write of the feed between two pages (published one by one, as each is in place) is a kill point too.

Every killed build starts from the same state: a published issue built with another voice, so the killed
build replaces episodes the feed names. After each kill the feed must be whole (``whole.problems``); then a
rerun must complete, publish the same episodes a build without a kill publishes, and leave no temporary
files.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import threading
import time
import traceback
from pathlib import Path

from enews_audio.pipeline import BuildSettings, ReadSettings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for support

from enews_audio.publish import PublishSettings
from enews_audio.sources import FetchSettings
from enews_audio.speech.fake import FakeEngine, silent_clip
from support import whole
from support.builds import build
from support.builds import settings as build_settings

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def settings(out: Path, pages: Path) -> BuildSettings:
    fetch = FetchSettings(cache_dir=pages, delay=0, backoff=0, timeout=10)
    return build_settings(
        out_dir=out, read=ReadSettings(fetch=fetch), publish=PublishSettings(base_url=whole.BASE)
    )


def old_voice() -> FakeEngine:
    """Short clips (the length of a few characters), so that many builds fit in a few seconds."""
    return FakeEngine(lambda _text: silent_clip("旧声音"), identity="fake/old")


def new_voice() -> FakeEngine:
    return FakeEngine(lambda _text: silent_clip("新"), identity="fake/new")


def kind_of(event: str, args: tuple, work: Path) -> str | None:
    """Which kind of operation this audit event is, or None when it is not one a kill point may sit on."""
    if event == "socket.connect":
        return "fetch"
    if event == "open":
        path, mode, flags = args
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            mode is None and isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        if not writing and "staging" not in str(path):  # reading a staged episode: assembly's check
            return None
    elif event == "os.rename":
        path = args[1]
    elif event in {"os.remove", "os.rmdir", "os.mkdir", "shutil.rmtree"}:
        path = args[0]
    else:
        return None
    if not isinstance(path, str | os.PathLike):
        return None
    path = Path(os.fsdecode(path))
    if not path.is_relative_to(work):
        return None
    parts, name = path.relative_to(work).parts, path.name
    if name.endswith(".tmp"):  # atomic.replacing's ".feed.xml.k2j4x.tmp" is about feed.xml
        name = name[1:].rsplit(".", 2)[0]
    if "pages" in parts:
        return "page cache"
    for folder, kind in (("clips", "clip cache"), ("staging", "assembly"), ("episodes", "episode memo")):
        if folder in parts:
            return kind
    if "locks" in parts:
        return "lock"
    if name.endswith(".mp3"):
        return "episode"
    if name.endswith((".chapters.json", ".vtt")):
        return "side file"
    for exact, kind in (("build.json", "build record"), ("feed.xml", "feed")):
        if name == exact:
            return kind
    if name.startswith("cover."):
        return "cover"
    if name.endswith(".html"):
        return "web edition"
    return "folder"


def run_child(config: dict, out: Path, engine: FakeEngine, stop: tuple[str, int] | None, record: Path | None):
    """Build in a forked child; returns (how it ended, where it stopped or None)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: build, and die at the chosen point
        os.close(read_end)
        work = Path(config["work"]).resolve()
        seen: dict[str, int] = {}
        log: list[list] = []

        def hook(event: str, args: tuple) -> None:
            kind = kind_of(event, args, work)
            if kind is None:
                return
            seen[kind] = seen.get(kind, 0) + 1
            if record is not None:
                log.append(
                    [
                        kind,
                        event,
                        os.fsdecode(args[0]) if isinstance(args[0], str | bytes | os.PathLike) else "",
                    ]
                )
            if stop is not None and (kind, seen[kind]) == stop:
                os.write(write_end, f"{kind} #{seen[kind]}: {event} {args[:2]!r}".encode()[:4000])
                os.kill(os.getpid(), signal.SIGKILL)

        sys.addaudithook(hook)
        try:
            build(config["source"], engine, settings(out, out / "pages"))
            if record is not None:
                record.write_text(json.dumps(log))
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        where = pipe.read().decode() or None
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}", where
    return f"exit {os.WEXITSTATUS(status)}", where


def choose(counts: dict[str, int], per_kind: int) -> list[tuple[str, int]]:
    """Up to ``per_kind`` occurrences of each kind, spread from its first to its last."""
    points = []
    for kind, count in sorted(counts.items()):
        if count <= per_kind or per_kind == 1:
            picks = range(1, min(count, per_kind) + 1)
        else:
            picks = sorted({1 + round(i * (count - 1) / (per_kind - 1)) for i in range(per_kind)})
        points += [(kind, n) for n in picks]
    return points


def between_pages(log: list[list[str]]) -> list[tuple[str, int]]:
    """The feed's writes before the last episode is renamed into place: each page is published once it and
    the pages before it are in place, so these are kill points between one page's publishing and the next."""
    last = max(i for i, (kind, event, _) in enumerate(log) if kind == "episode" and event == "os.rename")
    feeds = [i for i, (kind, _, _) in enumerate(log) if kind == "feed"]
    return [("feed", n) for n, i in enumerate(feeds, 1) if i < last]


def restore(base: Path, out: Path) -> None:
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(base, out, symlinks=True)


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text())
    work = Path(config["work"]).resolve()
    base, out, reference = work / "base", work / "out", work / "reference"
    # The published state every killed build starts from, built here: every child is forked from this
    # process with jieba, wetext, scipy and the fonts loaded. The build's threads have ended by now.
    build(config["source"], old_voice(), settings(base, base / "pages"))
    assert threading.active_count() == 1
    shutil.rmtree(base / "pages")  # the killed builds fetch again
    restore(base, reference)
    events = work / "events.json"
    assert run_child(config, reference, new_voice(), None, events)[0] == "exit 0"
    paper_dir = next(p for p in reference.iterdir() if not p.name.startswith(".") and p.name != "pages")
    want = whole.file_hashes(paper_dir)
    log = json.loads(events.read_text())
    counts: dict[str, int] = {}
    for kind, _event, _path in log:
        counts[kind] = counts.get(kind, 0) + 1
    between = between_pages(log)
    points = choose(counts, config["per_kind"])
    points += [point for point in between if point not in points]

    results = []
    for kind, n in points:
        began = time.monotonic()
        restore(base, out)
        ended, where = run_child(config, out, new_voice(), (kind, n), None)
        killed_at = time.monotonic() - began
        published = out / paper_dir.name
        after_kill = whole.problems(published)
        rerun, _ = run_child(config, out, new_voice(), None, None)
        results.append(
            {
                "point": f"{kind} #{n}",
                "ended": ended,
                "where": where,
                "after_kill": after_kill,
                "rerun": rerun,
                "after_rerun": whole.problems(published),
                "same_as_unkilled": whole.file_hashes(published) == want
                and whole.published_hashes(published) == want,
                "leftovers": whole.leftovers(out),
                "seconds": [round(killed_at, 2), round(time.monotonic() - began, 2)],
            }
        )
    report = {"counts": counts, "results": results, "between_pages": [f"{k} #{n}" for k, n in between]}
    (work / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
