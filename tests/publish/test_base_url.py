"""Built without base_url, the feed's links are relative: the build says so once, and the web page shows no
``file://`` subscribe address when opened from disk (the relative one, with a note, instead)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from a11y import axe_chromium
from enews_audio.cli import app
from enews_audio.publish import PublishSettings, relative_links_warning
from enews_audio.serve import running
from support.issue_toml import issue_toml

BASE = "https://example.org/audio/shanchengwanbao/"
FEED_TEXT = "document.getElementById('feed-url').textContent"
NOTE = "document.getElementById('feed-note') && document.getElementById('feed-note').textContent"


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("issue") / "issue.toml"
    path.write_text(issue_toml("山城晚报", "2026-02-14"), encoding="utf-8")
    return path


def build(source: Path, out: Path, *extra: str):
    result = CliRunner().invoke(app, ["build", str(source), "--engine", "fake", "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result


def test_a_build_without_base_url_says_once_how_to_set_it(tmp_path, source):
    result = build(source, tmp_path / "out")
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, result.stderr
    assert all(name in warnings[0] for name in ("relative", "base_url", "[paper]", "--base-url"))
    assert warnings[0] == f"warning: {relative_links_warning(PublishSettings())}"


def test_a_build_with_base_url_says_nothing_of_it(tmp_path, source):
    result = build(source, tmp_path / "out", "--base-url", BASE)
    assert "warning:" not in result.stderr and "relative" not in result.output
    assert relative_links_warning(PublishSettings(base_url=BASE)) is None


skip_reason = axe_chromium.missing()


@pytest.fixture(scope="module")
def browser():
    if skip_reason:
        pytest.skip(skip_reason)
    chromium = axe_chromium.Chromium()
    yield chromium
    chromium.close()


def test_the_page_opened_from_disk_shows_the_relative_address_and_a_note(browser, tmp_path, source):
    build(source, tmp_path / "out")
    index = tmp_path / "out" / "shanchengwanbao" / "index.html"
    assert browser.evaluate(index.as_uri(), FEED_TEXT) == "feed.xml"  # was file:///…/feed.xml
    note = browser.evaluate(index.as_uri(), NOTE)
    assert "feed.xml" in note and "base_url" in note


def test_with_base_url_the_page_shows_the_full_address_and_no_note(browser, tmp_path, source):
    build(source, tmp_path / "out", "--base-url", BASE)
    index = tmp_path / "out" / "shanchengwanbao" / "index.html"
    assert browser.evaluate(index.as_uri(), FEED_TEXT) == BASE + "feed.xml"
    assert browser.evaluate(index.as_uri(), NOTE) is None


def test_served_the_page_shows_the_full_address_it_is_served_at(browser, tmp_path, source):
    build(source, tmp_path / "out")
    with running(tmp_path / "out", port=0) as url:
        shown = browser.evaluate(url + "shanchengwanbao/index.html", FEED_TEXT)
    assert shown == url + "shanchengwanbao/feed.xml" and shown.startswith("http://127.0.0.1:")
