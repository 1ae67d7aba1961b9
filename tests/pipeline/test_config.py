"""The paper-level settings file: defaults, every key, command-line overrides, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from enews_audio.errors import EnewsError, UsageError
from enews_audio.pipeline.config import Config, load_config
from enews_audio.publish import PublishSettings

FULL = """
[paper]
title = "山城晚报·有声版"
author = "山城晚报社"
owner_email = "audio@example.org"
category = "News/Daily News"
base_url = "https://example.org/audio/shanchengwanbao/"
keep = 14
language = "zh-cn"
description = "每天清晨，逐版朗读。"
locked = false
cover = "art/cover.png"
"""


def write(folder: Path, text: str, name: str = "enews-audio.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def full(tmp_path: Path) -> Path:
    from PIL import Image

    (tmp_path / "art").mkdir()
    Image.new("RGB", (1400, 1400), (200, 30, 30)).save(tmp_path / "art" / "cover.png", "PNG")
    return write(tmp_path, FULL)


def test_every_key_is_read_and_the_cover_resolved_against_the_file(full):
    config = load_config(full)
    assert config.path == full
    assert config.paper == PublishSettings(
        title="山城晚报·有声版",
        author="山城晚报社",
        owner_email="audio@example.org",
        category="News/Daily News",
        base_url="https://example.org/audio/shanchengwanbao/",
        keep=14,
        language="zh-cn",
        description="每天清晨，逐版朗读。",
        locked=False,
        artwork=(full.parent / "art" / "cover.png").resolve(),
    )


def test_the_file_becomes_publish_settings_and_command_line_values_win(full):
    config = load_config(full)
    settings = config.publish_settings()
    assert settings == PublishSettings(
        base_url="https://example.org/audio/shanchengwanbao/",
        keep=14,
        title="山城晚报·有声版",
        author="山城晚报社",
        language="zh-cn",
        category="News/Daily News",
        owner_email="audio@example.org",
        description="每天清晨，逐版朗读。",
        locked=False,
        artwork=(full.parent / "art" / "cover.png").resolve(),
    )
    overridden = config.publish_settings(base_url="http://192.0.2.1:8000/", keep=3)
    assert (overridden.base_url, overridden.keep, overridden.title) == (
        "http://192.0.2.1:8000/",
        3,
        "山城晚报·有声版",
    )
    assert config.publish_settings(base_url="").base_url == ""  # an explicit empty value still wins


def test_the_file_in_the_current_folder_is_read_by_default(tmp_path, monkeypatch):
    write(tmp_path, '[paper]\ntitle = "江城夜读"\n')
    monkeypatch.chdir(tmp_path)
    config = load_config(None)
    assert config.paper.title == "江城夜读"
    assert config.path == Path("enews-audio.toml")


def test_no_file_means_the_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_config(None) == Config()
    assert Config().publish_settings() == PublishSettings()
    assert load_config(write(tmp_path, "", "empty.toml")).paper == PublishSettings()


def one_line_error(path: Path) -> str:
    with pytest.raises(UsageError) as raised:
        load_config(path)
    message = str(raised.value)
    assert "\n" not in message and str(path) in message
    assert raised.value.exit_code == 2
    return message


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ('[paper]\ntitel = "x"\n', "paper.titel"),
        ('[paper]\ntitle = "x"\n[voice]\nname = "y"\n', "voice"),
        ('title = "x"\n', "title"),
        ('[paper]\nkeep = "30"\n', "paper.keep"),
        ("[paper]\nkeep = 0\n", "paper.keep"),
        ("[paper]\nkeep = true\n", "paper.keep"),
        ("[paper]\ntitle = 3\n", "paper.title"),
        ('[paper]\nlocked = "yes"\n', "paper.locked"),
        ('[paper]\nowner_email = "nobody"\n', "paper.owner_email"),
        ('[paper]\nbase_url = "example.org/audio"\n', "paper.base_url"),
        ('[paper]\ncategory = ""\n', "paper.category"),
        ('[paper]\ncover = "missing.jpg"\n', "paper.cover"),
        ('[paper]\ncover = "notes.txt"\n', "paper.cover"),
        ("paper = 3\n", "paper"),
        ('[paper\ntitle = "x"\n', "not valid TOML"),
    ],
)
def test_a_bad_file_is_one_line_naming_the_file_and_the_key(tmp_path, text, names):
    (tmp_path / "notes.txt").write_text("x")
    assert names in one_line_error(write(tmp_path, text))


def test_a_named_file_that_is_missing_is_an_error(tmp_path):
    assert "not found" in one_line_error(tmp_path / "nowhere.toml")


def test_a_file_that_is_not_utf8_is_an_error(tmp_path):
    path = tmp_path / "enews-audio.toml"
    path.write_bytes('[paper]\ntitle = "山城"\n'.encode("gbk"))
    one_line_error(path)


def test_a_cover_that_apps_would_refuse_fails_when_the_config_is_read(tmp_path):
    from PIL import Image

    Image.new("RGB", (1400, 800)).save(tmp_path / "wide.jpg", "JPEG")
    path = write(tmp_path, '[paper]\ncover = "wide.jpg"\n')
    with pytest.raises(EnewsError) as caught:
        load_config(path)
    assert "wide.jpg" in str(caught.value) and "square" in str(caught.value)
