"""The streaming BS.1770 meter, the 4x true-peak meter and the look-ahead limiter, against independent maths."""

from __future__ import annotations

import math

import lameenc
import miniaudio
import numpy as np
import pyloudnorm
import pytest
from scipy.signal import resample_poly

from enews_audio.audio.loudness import (
    LoudnessMeter,
    TruePeakMeter,
    decibels,
    limit,
    linear,
    measure_file,
    peak_envelope,
)

RATE = 24000


def speechlike(seconds: float, seed: int = 1, level: float = 0.2) -> np.ndarray:
    """Tones with a syllable-rate envelope, noise and pauses: loudness gating has something to skip."""
    rng = np.random.default_rng(seed)
    n = round(seconds * RATE)
    t = np.arange(n) / RATE
    envelope = np.clip(np.sin(2 * np.pi * 2.5 * t), 0, None)
    wave = envelope * (np.sin(2 * np.pi * 220 * t) + 0.4 * np.sin(2 * np.pi * 1900 * t))
    wave += 0.05 * rng.standard_normal(n)
    wave[n // 3 : n // 2] = 0  # a pause the gate must leave out
    return (level * wave).astype(np.float32)


def fed_in_pieces(meter, samples: np.ndarray, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    position = 0
    while position < len(samples):
        size = int(rng.integers(1, 20000))
        meter.feed(samples[position : position + size])
        position += size


def oversampled_peak_db(samples: np.ndarray) -> float:
    """True peak the textbook way: 4x polyphase resampling of the whole signal (scipy's own filter)."""
    padded = np.concatenate([np.zeros(64), samples.astype(np.float64), np.zeros(64)])
    return decibels(float(np.abs(resample_poly(padded, 4, 1)).max()))


@pytest.mark.parametrize("level", [0.02, 0.2, 0.7])
def test_streamed_loudness_equals_pyloudnorm_on_the_whole_array(level):
    samples = speechlike(12.0, level=level)
    meter = LoudnessMeter(RATE)
    fed_in_pieces(meter, samples)
    reference = pyloudnorm.Meter(RATE).integrated_loudness(samples.astype(np.float64))
    assert meter.integrated() == pytest.approx(reference, abs=0.05)


def test_a_sine_reads_as_bs1770_calibrates_it():
    # BS.1770: a 997 Hz sine at 0 dBFS reads -3.01 LKFS; at half amplitude 6.02 dB less.
    t = np.arange(10 * RATE) / RATE
    meter = LoudnessMeter(RATE)
    meter.feed((0.5 * np.sin(2 * np.pi * 997 * t)).astype(np.float32))
    assert meter.integrated() == pytest.approx(-3.01 - 6.02, abs=0.1)


def test_silence_and_near_silence_have_no_loudness():
    meter = LoudnessMeter(RATE)
    meter.silence(5 * RATE)
    meter.feed(np.full(RATE, 1e-5, dtype=np.float32))  # about -100 LUFS: below the absolute gate
    assert meter.integrated() == -math.inf
    assert LoudnessMeter(RATE).integrated() == -math.inf


def test_pauses_count_in_time_but_are_gated_out():
    samples = speechlike(6.0)
    plain = LoudnessMeter(RATE)
    plain.feed(samples)
    padded = LoudnessMeter(RATE)
    padded.feed(samples)
    padded.silence(20 * RATE)  # long silence: more blocks, all below the gates
    # Only the few blocks straddling the end differ: the silent ones fall under the gates.
    assert padded.integrated() == pytest.approx(plain.integrated(), abs=0.1)


def test_true_peak_finds_the_peak_between_samples():
    # A quarter-rate sine sampled 45 degrees off its crests: every sample is 3 dB under the real peak.
    t = np.arange(RATE) / RATE
    samples = (0.5 * np.sin(2 * np.pi * RATE / 4 * t + np.pi / 4)).astype(np.float32)
    meter = TruePeakMeter()
    fed_in_pieces(meter, samples)
    true_peak = meter.finish()
    assert true_peak == pytest.approx(decibels(0.5), abs=0.2)
    assert true_peak > decibels(float(np.abs(samples).max())) + 1.0
    assert true_peak == pytest.approx(oversampled_peak_db(samples), abs=0.2)


def test_true_peak_of_speechlike_audio_matches_scipy_resampling():
    samples = speechlike(5.0, level=0.6)
    meter = TruePeakMeter()
    fed_in_pieces(meter, samples)
    assert meter.finish() == pytest.approx(oversampled_peak_db(samples), abs=0.1)
    assert TruePeakMeter().finish() == -math.inf


def test_envelope_is_at_least_the_samples_and_reaches_the_true_peak():
    samples = speechlike(2.0, level=0.8)
    envelope = peak_envelope(samples, above=0.0)
    assert np.all(envelope >= np.abs(samples) - 1e-7)
    assert decibels(float(envelope.max())) == pytest.approx(oversampled_peak_db(samples), abs=0.1)


@pytest.mark.parametrize("overdrive_db", [3.0, 12.0])
def test_limiter_holds_the_true_peak_and_leaves_quiet_parts_alone(overdrive_db):
    samples = speechlike(4.0, level=0.5) * np.float32(linear(overdrive_db))
    ceiling = linear(-2.0)
    limited = limit(samples, ceiling, RATE)
    assert oversampled_peak_db(samples) > -2.0 + overdrive_db - 3
    # scipy's longer interpolator may see a few hundredths of a dB more than the 12-tap one of BS.1770.
    assert oversampled_peak_db(limited) <= -2.0 + 0.1
    quiet = np.abs(samples) < 0.05 * ceiling  # far below the ceiling, and…
    quiet &= np.convolve(np.abs(samples) > ceiling / 3, np.ones(2001), "same") == 0  # …far from any peak
    assert quiet.sum() > RATE // 2
    np.testing.assert_allclose(limited[quiet], samples[quiet], atol=1e-6)


def test_limiter_returns_audio_under_the_ceiling_unchanged():
    samples = speechlike(2.0, level=0.1)
    assert limit(samples, linear(-1.0), RATE) is samples


def test_measure_file_reads_an_encoded_mp3(tmp_path):
    samples = speechlike(8.0, level=0.3)
    encoder = lameenc.Encoder()
    encoder.set_channels(1)
    encoder.set_in_sample_rate(RATE)
    encoder.set_out_sample_rate(RATE)
    encoder.set_bit_rate(64)
    pcm = np.rint(samples * 32767).astype("<i2").tobytes()
    path = tmp_path / "x.mp3"
    path.write_bytes(bytes(encoder.encode(pcm) + encoder.flush()))
    levels = measure_file(path, RATE)
    sound = miniaudio.decode(
        path.read_bytes(), output_format=miniaudio.SampleFormat.FLOAT32, nchannels=1, sample_rate=RATE
    )
    decoded = np.frombuffer(sound.samples, dtype=np.float32)
    reference = pyloudnorm.Meter(RATE).integrated_loudness(decoded.astype(np.float64))
    assert levels.loudness == pytest.approx(reference, abs=0.05)
    assert levels.true_peak == pytest.approx(oversampled_peak_db(decoded), abs=0.1)


def test_rates_without_whole_100ms_steps_are_refused():
    with pytest.raises(ValueError, match="100 ms"):
        LoudnessMeter(22051)
