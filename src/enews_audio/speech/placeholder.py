"""What a listener hears where a sentence could not be spoken: a short spoken notice, or two soft beeps.

Silence alone would let a gap pass unnoticed; blind listeners should know that something is missing.
"""

from __future__ import annotations

import dataclasses
from functools import cache

import lameenc
import numpy as np

from enews_audio.model import Clip
from enews_audio.speech.engine import Engine
from enews_audio.speech.mp3 import mp3_seconds
from enews_audio.speech.runner import run_sync
from enews_audio.speech.schedule import SpeechSettings, run

PLACEHOLDER_TEXT = "本段语音暂缺。"
PLACEHOLDER_ATTEMPTS = 2  # the engine has just failed; don't wait long for it to speak the notice

_RATE = 24_000
_BEEP_HZ = 660.0  # low enough for ageing ears
_SHAPE = ((0.1, False), (0.2, True), (0.15, False), (0.2, True), (0.35, False))  # (seconds, beeping)
_FADE = 0.01


def placeholder_clip(engine: Engine, settings: SpeechSettings) -> Clip:
    """The engine speaking ``PLACEHOLDER_TEXT`` (cached like any clip), or ``tone_clip()`` if it can't."""
    quick = dataclasses.replace(settings, attempts=min(settings.attempts, PLACEHOLDER_ATTEMPTS))
    result = run_sync(run([PLACEHOLDER_TEXT], engine, quick))
    return result.clips.get(PLACEHOLDER_TEXT) or tone_clip()


@cache
def tone_clip() -> Clip:
    """About a second: two soft beeps, as 24 kHz mono 48 kbit/s MP3 like the edge service's."""
    parts = []
    for seconds, beeping in _SHAPE:
        n = round(seconds * _RATE)
        if not beeping:
            parts.append(np.zeros(n))
            continue
        wave = 0.25 * np.sin(2 * np.pi * _BEEP_HZ * np.arange(n) / _RATE)
        ramp = np.minimum(1.0, np.minimum(np.arange(n), np.arange(n)[::-1]) / (_FADE * _RATE))
        parts.append(wave * ramp)  # faded in and out so the beeps don't click
    pcm = (np.concatenate(parts) * 32767).astype("<i2").tobytes()
    encoder = lameenc.Encoder()
    encoder.set_channels(1)
    encoder.set_in_sample_rate(_RATE)
    encoder.set_out_sample_rate(_RATE)
    encoder.set_bit_rate(48)
    encoder.set_quality(5)
    audio = bytes(encoder.encode(pcm) + encoder.flush())
    return Clip(audio, mp3_seconds(audio))
