"""The CLI's progress: a rich bar per stage with ETA on stderr, silent when stderr is not a terminal (cron)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from enews_audio.model import Progress as StageProgress


class ProgressBar:
    """A rich bar per stage with ETA; silent when stderr is not a terminal (cron)."""

    LABELS: ClassVar[dict[str, str]] = {
        "papers": "papers",
        "speech": "synthesising clips",
        "audio": "assembling pages",
    }

    def __init__(self, console: Console) -> None:
        self._console = console
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self._tasks: dict[str, Any] = {}
        # Not started at all off a terminal: rich would print the finished bar, an empty line before any error.
        self._live = console.is_terminal

    def __enter__(self) -> Callable[[StageProgress], None]:
        if self._live:
            self._bar.start()
        return self._update

    def __exit__(self, *exc: object) -> None:
        if self._live:
            self._bar.stop()

    def _update(self, p: StageProgress) -> None:
        if p.stage == "wait":  # another build of the paper is running: said once, also under cron
            self._console.print(p.detail, markup=False, highlight=False)
            return
        if not self._live:
            return
        label = self.LABELS.get(p.stage, p.stage)
        if p.stage not in self._tasks:
            self._tasks[p.stage] = self._bar.add_task(label, total=p.total)
        if p.done == 0 and p.detail:  # a stage's first report says who works on it
            label = f"{label} ({p.detail})"
            self._bar.update(self._tasks[p.stage], description=label)
        self._bar.update(self._tasks[p.stage], completed=p.done, total=p.total)
