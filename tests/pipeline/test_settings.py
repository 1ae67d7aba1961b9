"""pipeline.prepare: build options become an engine and settings, as `enews-audio build` runs them."""

from pathlib import Path

import pytest

from enews_audio.errors import UsageError
from enews_audio.pipeline import prepare, proofing
from enews_audio.pipeline.options import BuildOptions, build_options
from enews_audio.speech import load_preset
from enews_audio.speech.engine import Voice
from enews_audio.speech.offline import OfflineEngine
from enews_audio.text import load_lexicon

VOICE_TABLES = """
[voices.zf_xiaobei.pinyin]
"乐清" = "yue4 qing1"
[voices.zf_xiaobei.substitutions]
"江滨路" = "江边路"
"""


def test_a_lexicon_table_for_the_default_voice_reaches_the_offline_engine_and_the_text(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text(VOICE_TABLES, encoding="utf-8")
    settings = prepare(BuildOptions(source="x", engine="offline", lexicon=(mine,)))
    engine = settings.voice.build(1)  # the settings name the voice; a speaker makes its engine
    assert engine.voice.name == "zf_xiaobei"  # the engine's default voice: no --voice was given
    chosen = load_lexicon("offline", "zf_xiaobei", [mine])
    assert chosen.pinyin["乐清"] == "yue4 qing1"
    assert engine.spec == OfflineEngine(Voice("zf_xiaobei"), overrides=chosen.pinyin).spec
    unscoped = load_lexicon("offline", "", [mine])  # what the offline voice was given before
    assert engine.spec != OfflineEngine(Voice("zf_xiaobei"), overrides=unscoped.pinyin).spec
    assert settings.read.text.lexicon.substitutions["江滨路"] == "江边路"


def test_a_presets_pauses_become_the_text_stages_and_the_config_the_feeds(tmp_path):
    config = tmp_path / "paper.toml"
    config.write_text('[paper]\ntitle = "江城夜读"\nkeep = 7\n', encoding="utf-8")
    options = BuildOptions(source="x", engine="fake", preset="slow", config=config, keep=3, out=tmp_path)
    settings = prepare(options)
    assert settings.voice.build(1).name == "fake"
    assert settings.read.text.pauses == load_preset("slow").pauses
    assert (settings.publish.title, settings.publish.keep) == ("江城夜读", 3)  # the option wins
    assert settings.out_dir == tmp_path
    assert settings.speech.cache_dir == tmp_path / ".cache" / "clips"


def test_a_base_url_option_the_config_would_refuse_is_one_line_naming_the_option():
    with pytest.raises(UsageError) as caught:
        prepare(BuildOptions(source="x", engine="fake", base_url="example.org/audio"))
    assert str(caught.value) == '--base-url: must start with http:// or https://, not "example.org/audio"'


def test_script_and_lint_read_with_the_lexicon_of_the_engines_default_voice(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text(VOICE_TABLES, encoding="utf-8")
    settings = proofing(BuildOptions(source="x", engine="offline", lexicon=(mine,)))
    assert settings.text.lexicon.pinyin["乐清"] == "yue4 qing1"
    with pytest.raises(UsageError, match=r"^--engine: no lexicon for 'fake'"):
        proofing(BuildOptions(source="x", engine="fake"))


def test_options_from_a_toml_table_are_checked_like_any_settings_file(tmp_path):
    """What a batch file's [[paper]] table will be: the build's keys, files relative to the batch file."""
    text = '[[paper]]\nsource = "a"\nlexicon = ["places.toml"]\nkeep = 0\n'
    table = {"source": "a", "lexicon": ["places.toml"], "date": "2026-01-02"}
    options = build_options(table, where="papers.toml", base=tmp_path)
    assert options.lexicon == (tmp_path / "places.toml",)
    assert str(options.date) == "2026-01-02"
    with pytest.raises(UsageError) as caught:
        build_options({"source": "a", "keep": 0}, where="papers.toml", text=text, at=("paper", 0))
    assert str(caught.value) == "papers.toml:4: paper[0].keep: must be a whole number ≥ 1, not 0"
    with pytest.raises(UsageError) as caught:
        build_options({"source": "a", "voise": "x"}, where="papers.toml")
    assert str(caught.value).startswith(
        "papers.toml: voise: unknown key (known: allow_gaps, attempts, base_url"
    )


def test_relative_names_on_the_command_line_stay_relative():
    options = build_options({"source": "a", "config": Path("mine.toml")}, where="enews-audio build")
    assert options.config == Path("mine.toml")
