"""Speech handlers for FakeEngines that travel to worker processes (the voice pool's, Dask's): importable
there by name (tests/ is on the workers' sys.path, as on the test process's), so they pickle by reference."""

from __future__ import annotations

import asyncio
import os
import time

from enews_audio.errors import EngineUnavailableError
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


# What a worker process did, written into each clip's timing (cached with it, so the caller can read it).
MADE = 0  # clips this process made


def marked(text: str) -> Clip:
    """Silence saying which process made it and how many clips that process had made by then."""
    global MADE
    MADE += 1
    clip = silent_clip(text)
    return Clip(clip.audio, clip.duration, (Timing(0.0, clip.duration, f"{os.getpid()} {MADE}"),))


def down_on_bad(text: str) -> Clip:
    """The service fails every time on a text with 坏 in it."""
    if "坏" in text:
        raise EngineUnavailableError("edge-tts: service answered 503")
    return marked(text)


SLOWLY = 0.2  # seconds per text of ``slowly``


async def slowly(text: str) -> Clip:
    """A fifth of a second per text, waiting as an engine waits on a service: long enough to stop a call
    while later texts wait."""
    await asyncio.sleep(SLOWLY)
    return marked(text)
