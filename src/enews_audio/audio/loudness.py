"""Loudness (ITU-R BS.1770-4, mono) and true peak, measured block by block so memory stays flat.

pyloudnorm measures whole arrays (a 60-minute page as float64 would be ~700 MB), so the meter here keeps only
the K-weighted energy of each 100 ms step: a gating block is four consecutive steps (400 ms, 75 % overlap).
Its filters are the ones pyloudnorm uses (RBJ-cookbook shelf and high-pass designed for the actual rate),
which keeps the two within a few hundredths of an LU (tests compare them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import miniaudio
import numpy as np

from enews_audio.errors import AudioError

_ABSOLUTE_GATE = -70.0  # LUFS
_RELATIVE_GATE = -10.0  # LU below the absolute-gated loudness
_OVERSAMPLING = 4
# 4x interpolator: Hamming-windowed sinc cut at the original Nyquist (scipy's firwin, written out so
# importing this module does not load scipy.signal, ~0.6 s of every CLI start). 49 taps put the centre on a
# multiple of 4 and its tap is 1, so phase 0 passes the samples through unchanged (true peak >= sample peak).
_TAPS = np.sinc((np.arange(12 * _OVERSAMPLING + 1) - 6 * _OVERSAMPLING) / _OVERSAMPLING) * np.hamming(
    12 * _OVERSAMPLING + 1
)
_SPAN = 13  # input samples one output sample of any phase depends on
# Column p holds phase p's taps, reversed and padded to _SPAN, for a sliding-window matrix product.
_PHASES = np.stack(
    [
        np.pad(_TAPS[p::_OVERSAMPLING], (0, _SPAN - len(_TAPS[p::_OVERSAMPLING])))[::-1]
        for p in range(_OVERSAMPLING)
    ],
    axis=1,
).astype(np.float32)
# No interpolated value can exceed the window's sample peak times this (the largest phase's L1 norm): blocks
# whose samples stay below ceiling / _WORST_OVERSHOOT need no oversampling at all.
_WORST_OVERSHOOT = float(np.abs(_PHASES).sum(axis=0).max())
_BLOCK = 4096


@dataclass(frozen=True, slots=True)
class Levels:
    loudness: float  # LUFS integrated; -inf for silence
    true_peak: float  # dBTP; -inf for silence


def k_weighting(rate: int) -> np.ndarray:
    """BS.1770's two-stage K filter (head shelf + RLB high-pass) as second-order sections for ``rate``."""
    shelf_gain, shelf_q, shelf_fc = 4.0, 1 / math.sqrt(2), 1500.0
    a = 10 ** (shelf_gain / 40)
    w0 = 2 * math.pi * shelf_fc / rate
    alpha = math.sin(w0) / (2 * shelf_q)
    cos, root = math.cos(w0), 2 * math.sqrt(a) * alpha
    shelf = [
        a * ((a + 1) + (a - 1) * cos + root),
        -2 * a * ((a - 1) + (a + 1) * cos),
        a * ((a + 1) + (a - 1) * cos - root),
        (a + 1) - (a - 1) * cos + root,
        2 * ((a - 1) - (a + 1) * cos),
        (a + 1) - (a - 1) * cos - root,
    ]
    w0 = 2 * math.pi * 38.0 / rate
    alpha = math.sin(w0) / (2 * 0.5)
    cos = math.cos(w0)
    highpass = [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2, 1 + alpha, -2 * cos, 1 - alpha]
    return np.array([[c / section[3] for c in section] for section in (shelf, highpass)])


class LoudnessMeter:
    """Integrated loudness of a mono stream fed in pieces of any length (in order, gaps included)."""

    def __init__(self, rate: int) -> None:
        if rate % 10:
            raise ValueError(f"rate {rate} Hz has no whole number of samples per 100 ms")
        self._step = rate // 10
        self._sos = k_weighting(rate)
        self._state = np.zeros((len(self._sos), 2))  # the filters start at rest
        self._steps: list[np.ndarray] = []  # energy of each whole 100 ms step
        self._carry = 0.0  # energy of the incomplete step at the end
        self._carried = 0  # and its sample count

    def feed(self, samples: np.ndarray) -> None:
        if not len(samples):
            return
        from scipy.signal import sosfilt  # imported on first use: see _TAPS

        weighted, self._state = sosfilt(self._sos, samples, zi=self._state)
        power = np.square(weighted, dtype=np.float64)
        need = self._step - self._carried
        if len(power) < need:
            self._carry += float(power.sum())
            self._carried += len(power)
            return
        self._steps.append(np.array([self._carry + power[:need].sum()]))
        rest = power[need:]
        whole = len(rest) // self._step * self._step
        self._steps.append(rest[:whole].reshape(-1, self._step).sum(axis=1))
        self._carry = float(rest[whole:].sum())
        self._carried = len(rest) - whole

    def silence(self, count: int) -> None:
        """Feed ``count`` zero samples (pauses), a second at a time."""
        while count > 0:
            chunk = min(count, self._step * 10)
            self.feed(np.zeros(chunk, dtype=np.float32))
            count -= chunk

    def integrated(self) -> float:
        """Gated loudness in LUFS; -inf when nothing rises above the absolute gate (silence)."""
        steps = np.concatenate(self._steps) if self._steps else np.zeros(0)
        if len(steps) < 4:
            return -math.inf
        blocks = (steps[:-3] + steps[1:-2] + steps[2:-1] + steps[3:]) / (4 * self._step)
        with np.errstate(divide="ignore"):
            loudness = -0.691 + 10 * np.log10(blocks)
        gated = blocks[loudness > _ABSOLUTE_GATE]
        if not len(gated):
            return -math.inf
        relative = -0.691 + 10 * math.log10(gated.mean()) + _RELATIVE_GATE
        kept = blocks[(loudness > _ABSOLUTE_GATE) & (loudness > relative)]
        return -0.691 + 10 * math.log10(kept.mean())


class TruePeakMeter:
    """Highest absolute value of a stream 4x oversampled (BS.1770-4 Annex 2), fed in pieces."""

    def __init__(self) -> None:
        self._history = np.zeros(_SPAN - 1, dtype=np.float32)
        self.peak = 0.0  # linear

    def feed(self, samples: np.ndarray) -> None:
        padded = np.concatenate([self._history, samples.astype(np.float32, copy=False)])
        self._history = padded[-(_SPAN - 1) :]
        for start in range(0, len(padded) - _SPAN + 1, _BLOCK):
            window = padded[start : start + _BLOCK + _SPAN - 1]
            if float(np.abs(window).max()) * _WORST_OVERSHOOT > self.peak:
                self.peak = max(self.peak, float(_oversampled(window).max()))

    def finish(self) -> float:
        """Flush the filter's tail and return the peak in dBTP."""
        self.feed(np.zeros(_SPAN - 1, dtype=np.float32))
        return decibels(self.peak)


def peak_envelope(samples: np.ndarray, above: float) -> np.ndarray:
    """Per sample, the largest of it and the three values interpolated after it, in absolute terms.

    Computed only in blocks where an interpolated value could exceed ``above`` (linear); elsewhere the
    plain sample magnitude stands in, which is all a limiter with that ceiling needs to know.
    """
    envelope = np.abs(samples).astype(np.float32)
    padded = np.concatenate(
        [np.zeros(_SPAN // 2, np.float32), samples.astype(np.float32), np.zeros(_SPAN // 2, np.float32)]
    )
    for start in range(0, len(samples), _BLOCK):
        window = padded[start : start + min(_BLOCK, len(samples) - start) + _SPAN - 1]
        if float(np.abs(window).max()) * _WORST_OVERSHOOT > above:
            envelope[start : start + len(window) - _SPAN + 1] = _oversampled(window)
    return envelope


def limit(samples: np.ndarray, ceiling: float, rate: int) -> np.ndarray:
    """``samples`` with their true peak held under ``ceiling`` (linear), by a smooth look-ahead gain.

    The gain is the needed reduction's running minimum over ±8 ms, then averaged over the same window: the
    average of minima that all include a sample can't exceed that sample's own need, so no peak escapes,
    and the gain ramps down over 8 ms before a peak and back up over 8 ms after it.
    """
    envelope = peak_envelope(samples, ceiling)
    if float(envelope.max(initial=0.0)) <= ceiling:
        return samples
    need = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-9)).astype(np.float32)
    width = 2 * round(0.008 * rate) + 1
    from scipy.ndimage import minimum_filter1d, uniform_filter1d  # imported on first use: see _TAPS

    gain = uniform_filter1d(minimum_filter1d(need, width, mode="nearest"), width, mode="nearest")
    return samples * np.minimum(gain, need)


def preload() -> None:
    """Import now what measuring and limiting import on first use (scipy.signal and scipy.ndimage, ~0.6 s of
    CPU): a build calls it while its clips are still being made, so its first page is not assembled that much
    later than its last clip (BENCHMARKS.md, "Start-up")."""
    import scipy.ndimage
    import scipy.signal  # noqa: F401


def measure_file(path: Path, rate: int) -> Levels:
    """Loudness and true peak of an encoded file, decoded a second at a time as mono at ``rate``."""
    loudness = LoudnessMeter(rate)
    peak = TruePeakMeter()
    try:
        for chunk in miniaudio.stream_file(
            str(path),
            output_format=miniaudio.SampleFormat.FLOAT32,
            nchannels=1,
            sample_rate=rate,
            frames_to_read=rate,
        ):
            samples = np.frombuffer(chunk, dtype=np.float32)
            loudness.feed(samples)
            peak.feed(samples)
    except miniaudio.MiniaudioError as exc:
        raise AudioError(f"cannot decode {path.name} to check its loudness: {exc}") from exc
    return Levels(loudness.integrated(), peak.finish())


def decibels(linear: float) -> float:
    return 20 * math.log10(linear) if linear > 0 else -math.inf


def linear(db: float) -> float:
    return 10 ** (db / 20)


def _oversampled(window: np.ndarray) -> np.ndarray:
    """For each full ``_SPAN`` window, the largest magnitude among its four interpolation phases."""
    rows = np.lib.stride_tricks.sliding_window_view(window, _SPAN)
    return np.abs(rows @ _PHASES).max(axis=1)
