import pytest

from enews_audio.errors import UsageError
from enews_audio.speech import list_voices, load_preset, preset_names, select_engine
from enews_audio.speech.presets import Preset, preset_dir

GOOD = """
description = "试听"
engine = "edge"
rate = -5
pitch = 2
volume = 10

[voices]
edge = "zh-CN-YunjianNeural"

[pauses]
sentence = 0.4
paragraph = 0.8
heading = 0.7
article = 1.6
"""


def write(tmp_path, text, name="mine.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_presets_load_and_name_known_voices():
    assert {"news", "slow", "fast"} <= set(preset_names())
    known = {(v.engine, v.name) for v in list_voices()}
    for name in preset_names():
        preset = load_preset(name)
        assert preset.name == name and preset.path.parent == preset_dir()
        assert preset.description
        for engine, voice in preset.voices:
            assert (engine, voice) in known, f"{name}: {engine} voice {voice}"


def test_slow_is_about_fifteen_percent_slower_with_longer_pauses_and_fast_the_opposite():
    news, slow, fast = (load_preset(n) for n in ("news", "slow", "fast"))
    assert news.rate == 0
    assert -20 <= slow.rate <= -10
    assert fast.rate > news.rate
    for field in ("sentence", "paragraph", "heading", "article"):
        assert getattr(slow.pauses, field) > getattr(news.pauses, field) > getattr(fast.pauses, field)


def test_a_preset_is_frozen_and_found_by_path_too(tmp_path):
    preset = load_preset(write(tmp_path, GOOD))
    assert isinstance(preset, Preset)
    assert (preset.engine, preset.rate, preset.pitch, preset.volume) == ("edge", -5, 2, 10)
    assert preset.voice_for("edge") == "zh-CN-YunjianNeural" and preset.voice_for("offline") is None
    assert preset.pauses.article == 1.6
    with pytest.raises(AttributeError, match="immutable"):  # a frozen msgspec Struct
        preset.rate = 3


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (("rate = -5", "rate = -80"), ":4: rate: must be a whole number of percent in -50..100, not -80"),
        (("rate = -5", "rate = 1.5"), ":4: rate: must be a whole number of percent in -50..100, not 1.5"),
        (
            ("rate = -5", "rat = -5"),
            ":4: rat: unknown key (known: description, engine, pauses, pitch, rate, voices, volume)",
        ),
        (
            ('engine = "edge"', 'engine = "cloud"'),
            ':3: engine: must be one of "auto", "edge", "offline", "fake", not "cloud"',
        ),
        (
            ("zh-CN-YunjianNeural", "zh-CN-NobodyNeural"),
            ':9: voices.edge: unknown edge-tts voice "zh-CN-NobodyNeural" (see `enews-audio voices`)',
        ),
        (("[voices]", '[voices]\nkokoro = "x"'), ":9: voices.kokoro: unknown key (known: edge, offline)"),
        (
            ("article = 1.6", "article = -1"),
            ":15: pauses.article: must be a number of seconds in 0..10, not -1",
        ),
        (("article = 1.6", ""), ":11: pauses.article: missing"),
        (("volume = 10", ""), ": volume: missing"),
        (("[pauses]", "[pauses"), ":11:8: not valid TOML: Expected ']' at the end of a table declaration"),
    ],
)
def test_a_bad_preset_is_one_usage_error_naming_its_file(tmp_path, change, says):
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(UsageError) as caught:
        load_preset(path)
    assert str(caught.value) == f"preset {path}{says}"


def test_an_unknown_preset_name_lists_the_known_ones(tmp_path):
    with pytest.raises(UsageError, match=r"no preset 'loud' \(choose from .*news.*slow"):
        load_preset("loud")
    with pytest.raises(UsageError, match=r"preset .*gone\.toml not found"):
        load_preset(tmp_path / "gone.toml")


def test_a_preset_sets_voice_and_prosody_and_explicit_options_win(tmp_path):
    preset = load_preset(write(tmp_path, GOOD))
    engine = select_engine(preset=preset)  # the preset's engine: edge, without a probe
    assert engine.identity == "edge-tts/zh-CN-YunjianNeural/rate-5%/pitch+2Hz/vol+10%"
    engine = select_engine(None, "zh-CN-XiaoyiNeural", rate=0, preset=preset)
    assert engine.identity == "edge-tts/zh-CN-XiaoyiNeural/rate+0%/pitch+2Hz/vol+10%"
    assert select_engine("fake", preset=preset).name == "fake"  # --engine beats the preset's engine
