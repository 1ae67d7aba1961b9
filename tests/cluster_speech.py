"""Speech handlers for FakeEngines that travel to Dask workers: importable there by name (tests/ is on the
workers' sys.path, as on the test process's), so they pickle by reference."""

from __future__ import annotations

import os
import time

from enews_audio.model import Clip, Timing
from enews_audio.speech.fake import silent_clip

SECONDS = 0.15  # per text: slow enough to kill a worker mid-build


def slow_and_signed(text: str) -> Clip:
    """Silence after a pause, with the process that made it written into its timing: who spoke what."""
    time.sleep(SECONDS)
    clip = silent_clip(text)
    return Clip(clip.audio, clip.duration, (Timing(0.0, clip.duration, f"pid {os.getpid()}"),))


def signature(clip: Clip) -> int:
    """The process that made ``clip`` with ``slow_and_signed``."""
    return int(clip.timings[0].text.split()[1])
