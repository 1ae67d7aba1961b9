"""assemble(): clips in, one tagged, loudness-normalised MP3 out, with chapter and cue times as heard."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess

import lameenc
import miniaudio
import numpy as np
import pyloudnorm
import pytest
from mutagen.id3 import ID3, CTOCFlags
from scipy.signal import resample_poly

from enews_audio.audio import AudioSettings, assemble, read_chapters
from enews_audio.audio.assemble import ENCODER_DELAY
from enews_audio.errors import AudioError
from enews_audio.model import Article, Clip, Page, PageScript, Part, Utterance

RATE = 24000
LAME_DELAY = 1105  # samples LAME puts before the audio; no gapless header tells decoders to skip them
MP3_FRAME = 576  # samples per MPEG-2 Layer III frame (24 kHz)
SETTINGS = AudioSettings()
TAGS = {
    "title": "晨光日报 A04 聚焦",
    "album": "晨光日报",
    "artist": "晨光日报社",
    "date": dt.date(2025, 6, 21),
}


def tone_mp3(
    seconds: float,
    *,
    rate: int = RATE,
    channels: int = 1,
    freq: float = 440.0,
    level: float = 0.3,
    lead: float = 0.0,
    bursts: float = 0.0,
) -> bytes:
    """A sine tone (plus a little noise) encoded as MP3, the way an engine would hand it over.

    ``level`` is the tone's amplitude; ``lead`` seconds of silence come first, as engines leave before
    speech; ``bursts`` is the amplitude of 2 ms bursts every half second, like plosives over quiet speech.
    """
    n = round(seconds * rate)
    t = np.arange(n) / rate
    wave = level * np.sin(2 * np.pi * freq * t) + level / 30 * np.random.default_rng(n).standard_normal(n)
    if bursts:
        wave += bursts * np.sin(2 * np.pi * 1200 * t) * ((t % 0.5) < 0.002)
    wave[: round(lead * rate)] = 0
    pcm = (np.clip(wave, -1, 1) * 32767).astype("<i2")
    if channels == 2:
        pcm = np.column_stack([pcm, pcm]).ravel()
    encoder = lameenc.Encoder()
    encoder.set_channels(channels)
    encoder.set_in_sample_rate(rate)
    encoder.set_out_sample_rate(rate)
    encoder.set_bit_rate(64)
    encoder.set_quality(7)
    return bytes(encoder.encode(pcm.tobytes()) + encoder.flush())


def decoded_samples(data: bytes) -> int:
    sound = miniaudio.decode(
        data, output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1, sample_rate=RATE
    )
    return sound.num_frames


def decoded(path) -> np.ndarray:
    """The episode as a player hears it: float samples from the start of the file."""
    sound = miniaudio.decode(
        path.read_bytes(), output_format=miniaudio.SampleFormat.FLOAT32, nchannels=1, sample_rate=RATE
    )
    return np.frombuffer(sound.samples, dtype=np.float32)


def decoded_clip(c: Clip) -> np.ndarray:
    sound = miniaudio.decode(
        c.audio, output_format=miniaudio.SampleFormat.FLOAT32, nchannels=1, sample_rate=RATE
    )
    return np.frombuffer(sound.samples, dtype=np.float32)


def loudness_of(samples: np.ndarray) -> float:
    return pyloudnorm.Meter(RATE).integrated_loudness(samples.astype(np.float64))


def true_peak_of(samples: np.ndarray) -> float:
    """dBTP by 4x oversampling with scipy's own polyphase filter (independent of the code under test)."""
    padded = np.concatenate([np.zeros(64), samples.astype(np.float64), np.zeros(64)])
    return 20 * np.log10(np.abs(resample_poly(padded, 4, 1)).max())


def first_sound(samples: np.ndarray, after: float, threshold: float = 0.01) -> float:
    """Seconds to the first sample louder than ``threshold`` at or after ``after`` seconds."""
    begin = round(after * RATE)
    return (begin + int(np.argmax(np.abs(samples[begin:]) > threshold))) / RATE


def clip(seconds: float, **kwargs) -> Clip:
    return Clip(tone_mp3(seconds, **kwargs), seconds)


PAGE = Page(
    "A04",
    "聚焦",
    (
        Article("城市 夜跑热", ("傍晚的江边步道上，跑者越来越多。",)),
        Article("老街新茶馆", ("一家开了三十年的茶馆换了新招牌。",)),
    ),
)


def page_script(*, opening: bool = True, closing: bool = True) -> PageScript:
    lines = []
    if opening:
        lines.append(Utterance("A04版，聚焦。", "A04版，聚焦。", Part.OPENING, None, 0.6))
    lines += [
        Utterance("城市 夜跑热", "城市夜跑热", Part.HEADER, 0, 0.5),
        Utterance("傍晚的江边步道上，跑者越来越多。", "傍晚的江边步道上，跑者越来越多。", Part.BODY, 0, 0.3),
        Utterance("老街新茶馆", "老街新茶馆", Part.HEADER, 1, 0.5),
        Utterance("一家开了三十年的茶馆换了新招牌。", "一家开了三十年的茶馆换了新招牌。", Part.BODY, 1, 0.25),
    ]
    if closing:
        lines.append(Utterance("本版播报完毕。", "本版播报完毕。", Part.CLOSING, None, 0.8))
    return PageScript(PAGE, tuple(lines))


def clips_for(script: PageScript) -> list[Clip]:
    return [clip(0.4 + 0.15 * i, freq=300 + 50 * i) for i in range(len(script.utterances))]


def expected_starts(script: PageScript, clips: list[Clip], settings: AudioSettings = SETTINGS) -> list[float]:
    """Utterance start times as heard, worked out from the clips' own decoded lengths and LAME's delay."""
    t = round(settings.lead_in * RATE) + LAME_DELAY
    starts = []
    for u, c in zip(script.utterances, clips, strict=True):
        starts.append(t / RATE)
        t += decoded_samples(c.audio) + round(u.pause * RATE)
    starts.append(t / RATE)  # the end of the episode
    return starts


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    script = page_script()
    clips = clips_for(script)
    path = tmp_path_factory.mktemp("episode") / "a04.mp3"
    episode = assemble(script, clips, path, SETTINGS, **TAGS)
    return script, clips, path, episode


def test_the_encoder_delay_is_lames():
    assert ENCODER_DELAY == LAME_DELAY


def test_duration_is_clips_plus_pauses_plus_lead_in_as_heard(built):
    script, clips, path, episode = built
    expected = expected_starts(script, clips)[-1]
    assert episode.duration == pytest.approx(expected, abs=1 / RATE)
    heard = decoded_samples(path.read_bytes()) / RATE
    # The file itself is longer only by the last frame's padding.
    assert 0 <= heard - expected <= MP3_FRAME / RATE


def test_cue_times_are_where_the_sound_is_heard(built):
    _, clips, path, episode = built
    samples = decoded(path)
    for cue, c in zip(episode.cues, clips, strict=True):
        # A clip's own sound starts after its own MP3 delay: find it the same way in the clip itself.
        own = first_sound(decoded_clip(c), 0.0)
        assert first_sound(samples, cue.start - 0.2) == pytest.approx(cue.start + own, abs=0.005)


def test_episode_describes_the_file(built):
    script, _, path, episode = built
    assert episode.path == "a04.mp3"
    assert episode.page == script.page
    assert episode.size == path.stat().st_size
    assert not [p for p in path.parent.iterdir() if p.name != "a04.mp3"]  # no temporary file left


def test_chapters_start_at_opening_and_each_article_header(built):
    script, clips, _, episode = built
    starts = expected_starts(script, clips)
    titles = [c.title for c in episode.chapters]
    assert titles == ["A04版 聚焦", "城市 夜跑热", "老街新茶馆"]
    assert episode.chapters[0].start == 0
    assert episode.chapters[1].start == pytest.approx(starts[1], abs=1 / RATE)
    assert episode.chapters[2].start == pytest.approx(starts[3], abs=1 / RATE)
    for before, after in zip(episode.chapters, episode.chapters[1:], strict=False):
        assert before.end == after.start
    # The closing line has no article: it belongs to the last chapter, which ends with the audio.
    assert episode.chapters[-1].end == episode.duration


def test_chapters_read_back_from_the_file(built):
    _, _, path, episode = built
    stored = read_chapters(path)
    assert [c.title for c in stored] == [c.title for c in episode.chapters]
    for got, want in zip(stored, episode.chapters, strict=True):
        assert got.start == pytest.approx(want.start, abs=0.001)
        assert got.end == pytest.approx(want.end, abs=0.001)
    assert stored[-1].end == pytest.approx(episode.duration, abs=0.001)


def test_tag_is_id3v23_with_ordered_table_of_contents(built):
    _, _, path, episode = built
    tags = ID3(path, translate=False)  # as stored, not upgraded to v2.4 frames on load
    assert tags.version == (2, 3, 0)
    assert str(tags["TIT2"]) == TAGS["title"]
    assert str(tags["TALB"]) == TAGS["album"]
    assert str(tags["TPE1"]) == TAGS["artist"]
    assert str(tags["TYER"]) == "2025"
    assert "TDRC" not in tags
    (toc,) = tags.getall("CTOC")
    assert toc.flags & CTOCFlags.TOP_LEVEL and toc.flags & CTOCFlags.ORDERED
    chaps = {f.element_id: f for f in tags.getall("CHAP")}
    assert list(toc.child_element_ids) == sorted(chaps, key=lambda i: chaps[i].start_time)
    assert len(chaps) == len(episode.chapters)
    assert [str(chaps[i].sub_frames["TIT2"]) for i in toc.child_element_ids] == [
        c.title for c in episode.chapters
    ]
    # v2.3 has no UTF-8: Chinese titles must be stored as UTF-16.
    head = path.read_bytes()[: 10 + tags.size]
    assert "老街新茶馆".encode("utf-16-le") in head
    assert "老街新茶馆".encode() not in head


def test_cues_follow_each_utterance_in_order(built):
    script, clips, _, episode = built
    starts = expected_starts(script, clips)
    assert [c.text for c in episode.cues] == [u.display for u in script.utterances]
    for i, (cue, u) in enumerate(zip(episode.cues, script.utterances, strict=True)):
        assert cue.start == pytest.approx(starts[i], abs=1 / RATE)
        assert cue.end < starts[i + 1]
        assert starts[i + 1] - cue.end == pytest.approx(u.pause, abs=1 / RATE)  # the pause follows the cue
    assert episode.cues[0].start == pytest.approx(SETTINGS.lead_in + LAME_DELAY / RATE, abs=1 / RATE)
    assert episode.cues[-1].end <= episode.duration


def test_no_opening_chapter_when_the_first_line_is_a_header(tmp_path):
    script = page_script(opening=False, closing=False)
    episode = assemble(script, clips_for(script), tmp_path / "a04.mp3", SETTINGS, **TAGS)
    assert [c.title for c in episode.chapters] == ["城市 夜跑热", "老街新茶馆"]
    assert episode.chapters[0].start == 0
    assert [c.title for c in read_chapters(tmp_path / "a04.mp3")] == ["城市 夜跑热", "老街新茶馆"]


def test_clip_of_another_rate_and_channels_is_converted(tmp_path):
    script = page_script(opening=False, closing=False)
    clips = clips_for(script)
    clips[1] = clip(1.5, rate=16000, channels=2)
    episode = assemble(script, clips, tmp_path / "a04.mp3", SETTINGS, **TAGS)
    assert episode.cues[1].end - episode.cues[1].start == pytest.approx(1.5, abs=0.15)
    heard = decoded_samples((tmp_path / "a04.mp3").read_bytes()) / RATE
    assert heard == pytest.approx(episode.duration, abs=(LAME_DELAY + MP3_FRAME) / RATE)


def test_lead_in_is_silence_before_the_first_line(tmp_path):
    script = page_script()
    settings = AudioSettings(lead_in=1.0)
    episode = assemble(script, clips_for(script), tmp_path / "a04.mp3", settings, **TAGS)
    assert episode.cues[0].start == pytest.approx(1.0 + LAME_DELAY / RATE, abs=1 / RATE)
    samples = decoded(tmp_path / "a04.mp3")
    assert np.abs(samples[: int(1.0 * RATE)]).max() < 0.002
    assert np.abs(samples[int(1.1 * RATE) : int(1.3 * RATE)]).max() > 0.1


def test_corrupt_clip_is_an_audio_error_and_leaves_no_file(tmp_path):
    script = page_script()
    clips = clips_for(script)
    clips[1] = Clip(b"this is not an mp3 at all" * 40, 1.0)
    with pytest.raises(AudioError, match=r"^utterance 2 of page A04: clip is not decodable MP3$"):
        assemble(script, clips, tmp_path / "a04.mp3", SETTINGS, **TAGS)
    assert list(tmp_path.iterdir()) == []


def test_existing_episode_survives_a_failed_rebuild(tmp_path):
    script = page_script()
    clips = clips_for(script)
    path = tmp_path / "a04.mp3"
    assemble(script, clips, path, SETTINGS, **TAGS)
    before = path.read_bytes()
    clips[-1] = Clip(b"\x00" * 500, 1.0)
    with pytest.raises(AudioError, match="utterance 6 of page A04"):
        assemble(script, clips, path, SETTINGS, **TAGS)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["a04.mp3"]


def test_clip_count_must_match_utterances(tmp_path):
    script = page_script()
    with pytest.raises(ValueError, match="clips"):
        assemble(script, clips_for(script)[:-1], tmp_path / "a04.mp3", SETTINGS, **TAGS)
    assert list(tmp_path.iterdir()) == []


def test_page_with_nothing_to_speak_is_refused(tmp_path):
    with pytest.raises(ValueError, match="nothing to speak"):
        assemble(PageScript(PAGE, ()), [], tmp_path / "a04.mp3", SETTINGS, **TAGS)


def test_unwritable_destination_is_an_audio_error(tmp_path):
    (tmp_path / "issue").write_text("a file where the issue folder should be")
    script = page_script()
    with pytest.raises(AudioError, match="cannot write"):
        assemble(script, clips_for(script), tmp_path / "issue" / "a04.mp3", SETTINGS, **TAGS)


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe is not installed")
def test_ffprobe_sees_the_chapters(built):
    _, _, path, episode = built
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    chapters = json.loads(result.stdout)["chapters"]
    assert [c["tags"]["title"] for c in chapters] == [c.title for c in episode.chapters]
    for got, want in zip(chapters, episode.chapters, strict=True):
        assert float(got["start_time"]) == pytest.approx(want.start, abs=0.001)
        assert float(got["end_time"]) == pytest.approx(want.end, abs=0.001)


def levelled_clips(script: PageScript, levels: list[float], **kwargs) -> list[Clip]:
    return [
        clip(0.8 + 0.2 * i, freq=250 + 60 * i, level=levels[i % len(levels)], **kwargs)
        for i in range(len(script.utterances))
    ]


@pytest.mark.parametrize(
    "levels",
    [
        pytest.param([0.01, 0.02], id="quiet page raised"),
        pytest.param([0.9, 0.6], id="loud page lowered"),
        pytest.param([0.02, 0.6, 0.1, 0.005], id="uneven clips"),
        pytest.param([0.03], id="quiet speech with loud plosives, limited"),
    ],
)
def test_decoded_episode_is_at_target_loudness_under_the_peak_ceiling(tmp_path, levels):
    script = page_script()
    clips = levelled_clips(script, levels, bursts=0.9 if levels == [0.03] else 0.0)
    episode = assemble(script, clips, tmp_path / "a04.mp3", SETTINGS, **TAGS)
    samples = decoded(tmp_path / "a04.mp3")
    assert loudness_of(samples) == pytest.approx(-19.0, abs=1.0)
    assert true_peak_of(samples) <= -1.0
    assert len(samples) / RATE == pytest.approx(episode.duration, abs=MP3_FRAME / RATE)


def test_plosive_page_needs_the_limiter_to_reach_the_target(tmp_path):
    script = page_script()
    clips = levelled_clips(script, [0.03], bursts=0.9)
    assemble(script, clips, tmp_path / "raw.mp3", AudioSettings(loudness=None), **TAGS)
    samples = decoded(tmp_path / "raw.mp3")
    gain = -19.0 - loudness_of(samples)
    assert true_peak_of(samples) + gain > 4  # one gain alone would clip by far: peaks must be limited


def test_without_a_loudness_target_levels_are_kept(tmp_path):
    script = page_script()
    clips = levelled_clips(script, [0.05])
    assemble(script, clips, tmp_path / "a04.mp3", AudioSettings(loudness=None), **TAGS)
    samples = decoded(tmp_path / "a04.mp3")
    assert float(np.abs(samples).max()) == pytest.approx(0.05 * 31 / 30, rel=0.15)


def test_a_silent_page_stays_silent(tmp_path):
    script = page_script()
    clips = levelled_clips(script, [0.0])
    episode = assemble(script, clips, tmp_path / "a04.mp3", SETTINGS, **TAGS)
    assert float(np.abs(decoded(tmp_path / "a04.mp3")).max()) == 0.0
    assert len(episode.chapters) == 3


def test_each_article_chapter_starts_within_0_3_s_of_its_first_sound(tmp_path):
    script = page_script()
    clips = [clip(1.2, freq=300 + 40 * i, lead=0.45) for i in range(len(script.utterances))]
    episode = assemble(script, clips, tmp_path / "a04.mp3", SETTINGS, **TAGS)
    samples = decoded(tmp_path / "a04.mp3")
    headers = [i for i, u in enumerate(script.utterances) if u.part is Part.HEADER]
    for chapter, index in zip(episode.chapters[1:], headers, strict=True):
        spoken = first_sound(samples, episode.cues[index].start)
        assert spoken - 0.3 <= chapter.start <= spoken  # never after the first word, never long before
        assert spoken - episode.cues[index].start > 0.45  # the clip's silence was skipped, not the cue's
    assert [c.start for c in read_chapters(tmp_path / "a04.mp3")] == pytest.approx(
        [c.start for c in episode.chapters], abs=0.001
    )


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
def test_ffmpeg_ebur128_agrees_on_loudness_and_true_peak(tmp_path):
    script = page_script()
    assemble(script, levelled_clips(script, [0.05, 0.9]), tmp_path / "a04.mp3", SETTINGS, **TAGS)
    result = subprocess.run(
        [
            "ffmpeg",
            "-nostats",
            "-i",
            str(tmp_path / "a04.mp3"),
            "-af",
            "ebur128=peak=true",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = result.stderr[result.stderr.rindex("Summary:") :]
    integrated = float(summary.split("I:")[1].split("LUFS")[0])
    peak = float(summary.split("Peak:")[1].split("dBFS")[0])
    assert integrated == pytest.approx(-19.0, abs=1.0)
    assert peak <= -1.0


@pytest.mark.parametrize(
    "bad",
    [{"loudness": -3.0}, {"loudness": -60.0}, {"true_peak": 0.5}, {"true_peak": -20.0}],
)
def test_loudness_settings_out_of_range_are_refused(bad):
    with pytest.raises(ValueError):
        AudioSettings(**bad)
