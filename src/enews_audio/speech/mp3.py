"""MP3 for the speech stage: encode an engine's 24 kHz mono PCM, and count how long a stream lasts."""

from __future__ import annotations

FALLBACK_BITRATE = 48_000  # edge-tts's only format, for bytes that don't parse as frames
SAMPLE_RATE = 24_000  # what both engines speak at, and so what every clip holds


def encode_mp3(pcm: bytes, *, bitrate: int, quality: int) -> bytes:
    """Mono 16-bit PCM at 24 kHz as MP3 at ``bitrate`` kbit/s; LAME is told to keep the rate, not resample."""
    import lameenc  # only engines that make audio need it

    encoder = lameenc.Encoder()
    encoder.set_channels(1)
    encoder.set_in_sample_rate(SAMPLE_RATE)
    encoder.set_out_sample_rate(SAMPLE_RATE)
    encoder.set_bit_rate(bitrate)
    encoder.set_quality(quality)
    return bytes(encoder.encode(pcm) + encoder.flush())


def mp3_seconds(data: bytes) -> float:
    """Length of an MP3 stream, counted frame by frame; bytes at 48 kbit/s if it doesn't parse.

    Counting frames stays right if the service ever changes bitrate, and ignores a cut-off last frame.
    """
    seconds, at = 0.0, 0
    while at + 4 <= len(data):
        frame = _frame(data[at : at + 4])
        if frame is None:
            return len(data) * 8 / FALLBACK_BITRATE
        size, duration = frame
        if at + size > len(data):
            break
        seconds += duration
        at += size
    return seconds


# MPEG audio frame headers, Layer III only: (bitrates kbit/s, sample rates Hz, samples per frame)
_MPEG1 = ((0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320), (44100, 48000, 32000), 1152)
_MPEG2 = ((0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160), (22050, 24000, 16000), 576)
_MPEG25 = (_MPEG2[0], (11025, 12000, 8000), 576)


def _frame(header: bytes) -> tuple[int, float] | None:
    """(bytes, seconds) of the MP3 frame starting with this 4-byte header, or None if it isn't one."""
    if header[0] != 0xFF or header[1] & 0xE0 != 0xE0 or (header[1] >> 1) & 3 != 1:
        return None
    version = (header[1] >> 3) & 3  # 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
    if version == 1:
        return None
    bitrates, rates, samples = {3: _MPEG1, 2: _MPEG2, 0: _MPEG25}[version]
    bitrate_index, rate_index = header[2] >> 4, (header[2] >> 2) & 3
    if bitrate_index in (0, 15) or rate_index == 3:
        return None
    bitrate, rate = bitrates[bitrate_index] * 1000, rates[rate_index]
    size = samples // 8 * bitrate // rate + ((header[2] >> 1) & 1)
    return size, samples / rate
