"""Speech stage: spoken texts become MP3 clips through one engine, cached and scheduled.

Its public face is what ``pipeline`` and ``cli`` use: choose an engine (``select_engine``), open a
``Speaker`` for a run, which owns the voices and where they speak (an ``Executor``) and opens a ``Session``
for each build; list voices and presets. Tests and
dry runs reach the rest (``speech.fake.FakeEngine``, …) by module.
"""

from __future__ import annotations

from enews_audio.speech.engine import Engine, EngineSpec
from enews_audio.speech.executor import Executor, SpeechSettings
from enews_audio.speech.presets import load_preset, preset_names
from enews_audio.speech.select import list_voices, select_engine
from enews_audio.speech.session import Session
from enews_audio.speech.speaker import Speaker

__all__ = [
    "Engine",
    "EngineSpec",
    "Executor",
    "Session",
    "Speaker",
    "SpeechSettings",
    "list_voices",
    "load_preset",
    "preset_names",
    "select_engine",
]
