"""mp3_seconds counts MPEG audio frames by hand (no library reads a frame list from bytes in memory)."""

import lameenc
import miniaudio
import numpy as np
import pytest

from enews_audio.speech.mp3 import FALLBACK_BITRATE, mp3_seconds

VERSION_BITS = {"1": 0b11, "2": 0b10, "2.5": 0b00, "reserved": 0b01}
LAYER_III = 0b01


def frame(version, bitrate_index, rate_index, *, padding=0, layer=LAYER_III):
    """A frame header (no CRC, mono)."""
    return bytes(
        [
            0xFF,
            0xE0 | VERSION_BITS[version] << 3 | layer << 1 | 1,
            bitrate_index << 4 | rate_index << 2 | padding << 1,
            0xC4,
        ]
    )


def sized(header, size):
    """The header and silence up to the frame's size."""
    return header + bytes(size - len(header))


@pytest.mark.parametrize(
    ("version", "bitrate_index", "rate_index", "size", "seconds"),
    [
        ("1", 9, 0, 417, 1152 / 44100),  # 128 kbit/s, 44.1 kHz: 144 * 128000 / 44100, rounded down
        ("1", 5, 1, 192, 1152 / 48000),  # 64 kbit/s, 48 kHz
        ("2", 6, 1, 144, 576 / 24000),  # 48 kbit/s, 24 kHz: what edge-tts sends
        ("2", 8, 2, 288, 576 / 16000),  # 64 kbit/s, 16 kHz
        ("2.5", 1, 2, 72, 576 / 8000),  # 8 kbit/s, 8 kHz
        ("2.5", 4, 0, 208, 576 / 11025),  # 32 kbit/s, 11.025 kHz: 72 * 32000 / 11025, rounded down
    ],
)
def test_each_mpeg_version_counts_its_frames(version, bitrate_index, rate_index, size, seconds):
    one = sized(frame(version, bitrate_index, rate_index), size)
    assert mp3_seconds(one * 5) == pytest.approx(5 * seconds)


def test_the_padding_bit_makes_a_frame_one_byte_longer():
    plain = sized(frame("1", 9, 0), 417)
    padded = sized(frame("1", 9, 0, padding=1), 418)
    assert mp3_seconds(plain + padded + plain) == pytest.approx(3 * 1152 / 44100)
    # Read as 417 bytes, a padded frame would put the next header one byte off: no frame, so bytes count.
    assert mp3_seconds(plain + padded[:-1] + plain) != pytest.approx(3 * 1152 / 44100)


def test_a_cut_off_last_frame_is_not_heard():
    one = sized(frame("2", 6, 1), 144)
    assert mp3_seconds(one * 3 + one[:100]) == pytest.approx(3 * 576 / 24000)
    assert mp3_seconds(one * 3 + one[:3]) == pytest.approx(3 * 576 / 24000)  # not even a whole header


@pytest.mark.parametrize(
    "data",
    [
        b"ID3\x03\x00" + bytes(600),  # a tag before the frames
        bytes(600),
        b"\xff\xfb" + bytes(598),  # sync word, then a header of zeros: free bitrate
        frame("reserved", 6, 1) + bytes(596),  # version bits 01
        frame("2", 15, 1) + bytes(596),  # bitrate index 15
        frame("2", 6, 3) + bytes(596),  # sample rate index 3
        frame("2", 6, 1, layer=0b10) + bytes(596),  # Layer II
    ],
    ids=["id3", "zeros", "free-bitrate", "reserved-version", "bad-bitrate", "bad-rate", "layer-ii"],
)
def test_bytes_that_are_no_frames_count_at_the_fallback_bitrate(data):
    assert mp3_seconds(data) == pytest.approx(len(data) * 8 / FALLBACK_BITRATE)


def test_garbage_after_frames_turns_the_whole_count_to_bytes():
    data = sized(frame("2", 6, 1), 144) * 4 + b"\x00garbage" * 10
    assert mp3_seconds(data) == pytest.approx(len(data) * 8 / FALLBACK_BITRATE)


def test_nothing_lasts_nothing():
    assert mp3_seconds(b"") == 0.0


@pytest.mark.parametrize(("rate", "bitrate"), [(44100, 128), (24000, 48), (8000, 16)])
def test_lame_output_counts_as_long_as_a_decoder_hears_it(rate, bitrate):
    encoder = lameenc.Encoder()
    encoder.set_channels(1)
    encoder.set_in_sample_rate(rate)
    encoder.set_out_sample_rate(rate)
    encoder.set_bit_rate(bitrate)
    encoder.set_quality(7)
    tone = (np.sin(np.arange(rate) * 0.05) * 8000).astype("<i2").tobytes()  # a second
    data = bytes(encoder.encode(tone) + encoder.flush())
    decoded = miniaudio.decode(data, nchannels=1, sample_rate=rate)
    assert mp3_seconds(data) == pytest.approx(decoded.num_frames / rate, abs=1e-9)
