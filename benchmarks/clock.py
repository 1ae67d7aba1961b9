"""Stage times from the pipeline's progress reports, for the benchmarks that time whole builds."""

from __future__ import annotations

import time

from enews_audio.model import Progress


class Clock:
    """When each stage first reported and when it finished (``time.perf_counter``), and the voice workers
    the speech stage said it runs on."""

    def __init__(self) -> None:
        self.marks: dict[str, float] = {}
        self.workers = ""

    def __call__(self, p: Progress) -> None:
        now = time.perf_counter()
        self.marks.setdefault(f"{p.stage}-start", now)
        if p.stage == "speech" and p.done == 0 and p.detail:
            self.workers = p.detail
        if p.done == p.total:
            self.marks[f"{p.stage}-end"] = now
