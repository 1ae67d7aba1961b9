"""What a listener hears where a sentence could not be spoken: a short spoken notice, or two soft beeps.

Silence alone would let a gap pass unnoticed; blind listeners should know that something is missing.
"""

from __future__ import annotations

import dataclasses
from functools import cache

import numpy as np

from enews_audio.model import Clip
from enews_audio.speech.engine import Engine
from enews_audio.speech.executor import Executor, SpeechSettings
from enews_audio.speech.mp3 import SAMPLE_RATE, encode_mp3, mp3_seconds
from enews_audio.speech.schedule import run

PLACEHOLDER_TEXT = "本段语音暂缺。"
PLACEHOLDER_ATTEMPTS = 2  # the engine has just failed; don't wait long for it to speak the notice

_BEEP_HZ = 660.0  # low enough for ageing ears
_SHAPE = ((0.1, False), (0.2, True), (0.15, False), (0.2, True), (0.35, False))  # (seconds, beeping)
_FADE = 0.01


async def placeholder_clip(engine: Engine, settings: SpeechSettings, executor: Executor) -> Clip:
    """The engine speaking ``PLACEHOLDER_TEXT`` (cached like any clip, made by ``executor`` like the
    build's other texts), or ``tone_clip()`` if it can't."""
    quick = dataclasses.replace(settings, attempts=min(settings.attempts, PLACEHOLDER_ATTEMPTS))
    result = await run([PLACEHOLDER_TEXT], engine, quick, executor)
    return result.clips.get(PLACEHOLDER_TEXT) or tone_clip()


@cache
def tone_clip() -> Clip:
    """About a second: two soft beeps, as 24 kHz mono 48 kbit/s MP3 like the edge service's."""
    parts = []
    for seconds, beeping in _SHAPE:
        n = round(seconds * SAMPLE_RATE)
        if not beeping:
            parts.append(np.zeros(n))
            continue
        wave = 0.25 * np.sin(2 * np.pi * _BEEP_HZ * np.arange(n) / SAMPLE_RATE)
        ramp = np.minimum(1.0, np.minimum(np.arange(n), np.arange(n)[::-1]) / (_FADE * SAMPLE_RATE))
        parts.append(wave * ramp)  # faded in and out so the beeps don't click
    pcm = (np.concatenate(parts) * 32767).astype("<i2").tobytes()
    audio = encode_mp3(pcm, bitrate=48, quality=5)
    return Clip(audio, mp3_seconds(audio))
