"""Measure how soon a stalled service is given up: what the tests assert as behaviour, timed here.

    python benchmarks/timeouts.py

Against the loopback fakes in tests/ (an edge service that stalls for an hour, an e-paper page that takes a
second): the edge engine's overall timeout in both stall places, the auto probe's, and the e-paper fetcher's
per-try timeout over two tries. Each line gives the limit and the time it took to give up.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from enews_audio.errors import EngineUnavailableError, SourceError
from enews_audio.sources.fetch import FetchSettings, HttpSite
from enews_audio.speech.edge import EdgeEngine
from enews_audio.speech.engine import Voice
from support.epaper_server import serving
from support.fake_edge import FakeEdge, Fault

VOICE = Voice("zh-CN-XiaoxiaoNeural")


def gives_up(what: str, limit: float, call, error: type[Exception]) -> None:  # type: ignore[no-untyped-def]
    """Time ``call``, which must fail with ``error`` because the service never answered in time."""
    began = time.monotonic()
    try:
        call()
    except error:
        took = time.monotonic() - began
    else:
        raise AssertionError(f"{what}: the stalled service answered")
    print(f"{what:<42} limit {limit:4.1f} s  gave up after {took:5.2f} s  ({took - limit:+.2f} s)")


def edge_stall(fault: Fault) -> None:
    with FakeEdge(faults=[fault]) as fake:
        engine = EdgeEngine(VOICE, url=fake.url, timeout=1.0, connect_timeout=1)
        speak = engine.synthesize("你好。")
        gives_up(f"edge synthesis, {fault}", 1.0, lambda: asyncio.run(speak), EngineUnavailableError)


def probe_stall() -> None:
    with FakeEdge(faults=[Fault.STALL_AFTER_CONNECT]) as fake:
        engine = EdgeEngine(VOICE, url=fake.url)

        def probe() -> None:
            if not asyncio.run(engine.probe(timeout=0.5)):
                raise EngineUnavailableError("the probe said no")

        gives_up("edge probe, stall-after-connect", 0.5, probe, EngineUnavailableError)


def fetch_slow() -> None:
    with tempfile.TemporaryDirectory() as tmp, serving(Path(tmp)) as server:
        (Path(tmp) / "b.htm").write_text("<p>慢</p>", encoding="utf-8")
        server.faults["/b.htm"] = "slow"
        site = HttpSite(
            FetchSettings(cache_dir=Path(tmp) / "cache", delay=0, backoff=0, timeout=0.2, attempts=2)
        )
        gives_up("e-paper page, 2 tries of 0.2 s", 0.4, lambda: site.get(server.url("b.htm")), SourceError)


def main() -> None:
    edge_stall(Fault.STALL_HANDSHAKE)
    edge_stall(Fault.STALL_AFTER_CONNECT)
    probe_stall()
    fetch_slow()


if __name__ == "__main__":
    main()
