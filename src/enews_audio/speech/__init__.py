"""Speech stage: spoken texts become MP3 clips through one engine, cached and scheduled.

Its public face is what ``pipeline`` and ``cli`` use: choose an engine and where it speaks (an
``Executor``: ``executor_for``), open a ``Session`` on them for a build, list voices and presets. Tests and
dry runs reach the rest (``speech.fake.FakeEngine``, …) by module.
"""

from __future__ import annotations

from enews_audio.speech.engine import Engine
from enews_audio.speech.executor import Executor, SpeechSettings
from enews_audio.speech.presets import load_preset, preset_names
from enews_audio.speech.select import executor_for, list_voices, select_engine
from enews_audio.speech.session import Session

__all__ = [
    "Engine",
    "Executor",
    "Session",
    "SpeechSettings",
    "executor_for",
    "list_voices",
    "load_preset",
    "preset_names",
    "select_engine",
]
