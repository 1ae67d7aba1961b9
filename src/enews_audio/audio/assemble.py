"""Stream a page's clips into one tagged, loudness-normalised MP3 episode, one clip in memory at a time."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import lameenc
import miniaudio
import numpy as np

from enews_audio.atomic import replacing
from enews_audio.audio.chapters import plan_chapters, write_tags
from enews_audio.audio.loudness import Levels, LoudnessMeter, limit, linear, measure_file
from enews_audio.errors import AudioError
from enews_audio.model import Clip, Cue, Episode, PageScript

# LAME puts 1105 samples (576 + 529) before the audio and lameenc writes no gapless header telling players
# to skip them, so every player hears everything this much later than it was laid out: chapter and cue
# times are shifted by it to match what listeners hear (checked against miniaudio and ffmpeg decoding).
ENCODER_DELAY = 1105
_CODEC_MARGIN = 0.5  # dB the limiter stays under the ceiling: MP3 coding adds a little overshoot
# dB MP3 coding at 64 kbit/s takes off the loudness (measured 0.42 LU on Kokoro speech, 0.3 on noise): the
# first encode aims this much higher, so it usually passes verification without a second encode.
_CODEC_LOSS = 0.4
_MAX_GAIN = 24.0  # dB: a near-silent page is not blown up into hiss
_TOLERANCE = 0.5  # LU off target that passes without another encode
_ENCODES = 3  # at most: measure, encode, verify, and correct twice
_PREROLL = 0.1  # s: a chapter starts this long before the first sound of its article
_ONSET = 10 ** (-30 / 20)  # the first sample within 30 dB of a clip's peak is where its speech starts


@dataclass(frozen=True, slots=True)
class AudioSettings:
    """How an episode is encoded and how loud it is."""

    sample_rate: int = 24000  # speech; both engines deliver 24 kHz
    # 64 kbit/s CBR mono is clean for 24 kHz speech at ~29 MB an hour. CBR, because lameenc writes no
    # Xing/LAME header: with VBR players would misjudge duration and seek positions; with CBR bytes ∝ time.
    bitrate: int = 64
    lead_in: float = 0.3  # silence at the very start
    # Integrated loudness (BS.1770, of the mono signal; a stereo player hears it as about -16 LUFS), or
    # None to keep the engine's levels.
    loudness: float | None = -19.0
    true_peak: float = -1.0  # dBTP ceiling, verified on the encoded file

    def __post_init__(self) -> None:
        if self.sample_rate not in (16000, 22050, 24000, 32000, 44100, 48000):
            raise ValueError(f"sample rate {self.sample_rate} Hz is not an MP3 rate we encode")
        if not 8 <= self.bitrate <= 320:
            raise ValueError(f"bitrate {self.bitrate} kbit/s is outside 8..320")
        if self.lead_in < 0:
            raise ValueError("lead-in must not be negative")
        if self.loudness is not None and not -40 <= self.loudness <= -5:
            raise ValueError(f"loudness {self.loudness} LUFS is outside -40..-5")
        if not -12 <= self.true_peak <= 0:
            raise ValueError(f"true peak ceiling {self.true_peak} dBTP is outside -12..0")


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where each clip lies on the encoder's timeline (samples), measured in the first pass."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    onsets: tuple[int, ...]  # first sound within each clip, from its start
    total: int
    loudness: float  # LUFS of the page as laid out, before any gain


def assemble(
    script: PageScript,
    clips: Sequence[Clip],
    out_path: Path,
    settings: AudioSettings,
    *,
    title: str,
    album: str,
    artist: str,
    date: dt.date,
) -> Episode:
    """Write ``out_path`` (replacing it only on success) and describe it as an Episode.

    Two passes over the clips, each decoding one clip at a time: the first lays them out and measures the
    page's loudness, the second applies one gain, limits peaks and encodes; the encoded file is then
    decoded again to verify loudness and true peak, and re-encoded with corrections if they missed.
    Chapter, cue and duration times are as heard: shifted by the encoder delay (``ENCODER_DELAY``).
    """
    if len(clips) != len(script.utterances):
        raise ValueError(
            f"{len(clips)} clips for {len(script.utterances)} utterances of page {script.page.code}"
        )
    if not clips:
        raise ValueError(f"page {script.page.code} has nothing to speak")
    rate = settings.sample_rate
    layout = _measure(script, clips, settings)
    with _replacing(out_path) as tmp:
        _write(script, clips, tmp, settings, layout.loudness)
        duration = (layout.total + ENCODER_DELAY) / rate
        heard = [
            (start + max(0, onset - round(_PREROLL * rate)) + ENCODER_DELAY) / rate
            for start, onset in zip(layout.starts, layout.onsets, strict=True)
        ]
        chapters = plan_chapters(script, heard, duration)
        write_tags(tmp, chapters, title=title, album=album, artist=artist, date=date)
        size = tmp.stat().st_size
    cues = tuple(
        Cue((start + ENCODER_DELAY) / rate, (end + ENCODER_DELAY) / rate, u.display, u.spoken)
        for u, start, end in zip(script.utterances, layout.starts, layout.ends, strict=True)
    )
    return Episode(script.page, out_path.name, duration, size, chapters, cues)


@contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """atomic.replacing, with file-system failures told as an AudioError."""
    try:
        with replacing(path) as tmp:
            yield tmp
    except OSError as exc:
        raise AudioError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _pieces(script: PageScript, clips: Sequence[Clip], rate: int) -> Iterator[tuple[np.ndarray, int]]:
    """Each clip decoded (float32 mono at ``rate``) with the number of silent samples that follow it."""
    for number, (utterance, clip) in enumerate(zip(script.utterances, clips, strict=True), start=1):
        pcm = _decode(clip, rate, where=f"utterance {number} of page {script.page.code}")
        yield pcm, round(utterance.pause * rate)


def _measure(script: PageScript, clips: Sequence[Clip], settings: AudioSettings) -> _Layout:
    """First pass: lay the clips out after the lead-in and measure the page's loudness."""
    rate = settings.sample_rate
    meter = LoudnessMeter(rate) if settings.loudness is not None else None
    total = round(settings.lead_in * rate)
    if meter:
        meter.silence(total)
    starts: list[int] = []
    ends: list[int] = []
    onsets: list[int] = []
    for pcm, gap in _pieces(script, clips, rate):
        magnitude = np.abs(pcm)
        loud = magnitude >= _ONSET * float(magnitude.max())
        onsets.append(int(np.argmax(loud)) if loud.any() else 0)
        starts.append(total)
        total += len(pcm)
        ends.append(total)
        total += gap
        if meter:
            meter.feed(pcm)
            meter.silence(gap)
    loudness = meter.integrated() if meter else -math.inf
    return _Layout(tuple(starts), tuple(ends), tuple(onsets), total, loudness)


def _write(
    script: PageScript, clips: Sequence[Clip], path: Path, settings: AudioSettings, loudness: float
) -> Levels | None:
    """Encode with one gain to the target loudness, verify on the file, correct and re-encode if needed.

    Returns the levels verified on the file, or None when nothing was normalised (no target, or silence).
    """
    if settings.loudness is None or loudness == -math.inf:
        _encode(script, clips, path, settings, gain=1.0, ceiling=None)
        return None
    gain = min(settings.loudness - loudness + _CODEC_LOSS, _MAX_GAIN)
    ceiling = settings.true_peak - _CODEC_MARGIN
    for _ in range(_ENCODES):
        _encode(script, clips, path, settings, gain=linear(gain), ceiling=linear(ceiling))
        levels = measure_file(path, settings.sample_rate)
        over = levels.true_peak - settings.true_peak
        miss = settings.loudness - levels.loudness
        if over <= 0 and (abs(miss) <= _TOLERANCE or gain >= _MAX_GAIN):
            break
        if over > 0:
            ceiling -= over + 0.1
        if abs(miss) > _TOLERANCE:
            gain = min(gain + miss, _MAX_GAIN)
    return levels


def _encode(
    script: PageScript,
    clips: Sequence[Clip],
    path: Path,
    settings: AudioSettings,
    *,
    gain: float,
    ceiling: float | None,
) -> None:
    """Second pass: decode, scale, limit, pad and encode each clip in turn into ``path``."""
    rate = settings.sample_rate
    encoder = _encoder(settings)
    with path.open("wb") as out:
        out.write(encoder.encode(bytes(2 * round(settings.lead_in * rate))))
        for pcm, gap in _pieces(script, clips, rate):
            scaled = pcm * np.float32(gain) if gain != 1.0 else pcm
            if ceiling is not None:
                scaled = limit(scaled, ceiling, rate)
            samples = np.rint(np.clip(scaled, -1.0, 1.0) * 32767).astype("<i2")
            out.write(encoder.encode(samples.tobytes() + bytes(2 * gap)))
        out.write(encoder.flush())


def _encoder(settings: AudioSettings) -> lameenc.Encoder:
    encoder = lameenc.Encoder()
    encoder.set_channels(1)
    encoder.set_in_sample_rate(settings.sample_rate)
    encoder.set_out_sample_rate(settings.sample_rate)
    encoder.set_bit_rate(settings.bitrate)
    # 5 = LAME "good": measured 3x faster than 2 (highest) with no loss in SNR on synthetic speech at 64k.
    encoder.set_quality(5)
    return encoder


def _decode(clip: Clip, rate: int, *, where: str) -> np.ndarray:
    """One clip as mono float32 at ``rate``, whatever rate and channels it was made with."""
    try:
        sound = miniaudio.decode(
            clip.audio, output_format=miniaudio.SampleFormat.FLOAT32, nchannels=1, sample_rate=rate
        )
    except miniaudio.DecodeError as exc:
        raise AudioError(f"{where}: clip is not decodable MP3") from exc
    if not sound.num_frames:
        raise AudioError(f"{where}: clip holds no audio")
    return np.frombuffer(sound.samples, dtype=np.float32)
