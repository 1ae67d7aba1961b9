"""`enews-audio build --edition …`: the DAISY book, the USB folder and the slow edition from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.issue_toml import issue_toml

from .conftest import fake_build, one_line_error, refused

ARTICLES = [
    {"title": "果园迎来 采摘季", "paragraphs": ["今年收成好。"]},
    {"title": "新桥通车", "paragraphs": ["通车了。"]},
]


@pytest.fixture
def source(tmp_path) -> Path:
    path = tmp_path / "issue.toml"
    path.write_text(issue_toml("山城晚报", "2026-02-14", [("B02", "乡村", ARTICLES)]), encoding="utf-8")
    return path


def test_edition_options_make_the_editions(tmp_path, source):
    out = tmp_path / "out"
    result = fake_build(source, out, "--edition", "daisy", "--edition", "usb", "--edition", "slow")
    assert result.exit_code == 0, result.output
    issue_dir = out / "shanchengwanbao" / "2026-02-14"
    for path in ("daisy/ncc.html", "daisy.zip", "usb/01-b02/00.mp3", "usb/01-b02/02.mp3", "b02.slow.mp3"):
        assert (issue_dir / path).exists(), path
    assert (issue_dir.parent / "feed-slow.xml").exists()
    assert "slow edition: b02.slow.mp3" in result.output


def test_an_unknown_edition_is_refused_before_any_work(tmp_path, source):
    refused(fake_build(source, tmp_path / "out", "--edition", "cassette"), "--edition")
    assert not (tmp_path / "out").exists()


def test_the_config_names_editions_and_the_command_line_replaces_them(tmp_path, source):
    config = tmp_path / "paper.toml"
    config.write_text('[paper]\neditions = ["usb"]\n', encoding="utf-8")
    out = tmp_path / "out"
    assert fake_build(source, out, "--config", config).exit_code == 0
    issue_dir = out / "shanchengwanbao" / "2026-02-14"
    assert (issue_dir / "usb").is_dir() and not (issue_dir / "daisy").exists()
    result = fake_build(source, tmp_path / "out2", "--config", config, "--edition", "daisy")
    assert result.exit_code == 0, result.output
    issue_dir = tmp_path / "out2" / "shanchengwanbao" / "2026-02-14"
    assert (issue_dir / "daisy").is_dir() and not (issue_dir / "usb").exists()


@pytest.mark.parametrize("value", ['"usb"', '["usb", "cassette"]', "[1]"])
def test_a_bad_editions_entry_is_one_line_naming_the_file(tmp_path, source, value):
    config = tmp_path / "paper.toml"
    config.write_text(f"[paper]\neditions = {value}\n", encoding="utf-8")
    one_line_error(fake_build(source, tmp_path / "out", "--config", config), 2, str(config), "paper.editions")
    assert not (tmp_path / "out").exists()
