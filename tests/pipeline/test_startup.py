"""What a build loads ahead of time so its first page is not assembled later than it must be (BENCHMARKS.md,
"Start-up"): the audio stage's lazily imported modules, loaded while clips are made, and only then."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from enews_audio import audio
from enews_audio.speech.fake import FakeEngine
from support.builds import build
from support.builds import settings as build_settings
from support.issue_toml import issue_toml

# Measures and limits a loud tone as assembling does, and prints the modules that this imported.
ASSEMBLING = """
import sys
import numpy as np
from enews_audio import audio
from enews_audio.audio.loudness import LoudnessMeter, limit

if sys.argv[1] == "preload":
    audio.preload()
before = set(sys.modules)
tone = (0.9 * np.sin(np.arange(24000) * 0.3)).astype(np.float32)
LoudnessMeter(24000).feed(tone)
limit(tone, 0.5, 24000)
print(" ".join(sorted(set(sys.modules) - before)))
"""


def imported_by_assembling(preload: bool) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", ASSEMBLING, "preload" if preload else "cold"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(done.stdout.split())


def test_after_the_preload_measuring_and_limiting_import_nothing():
    assert any(name.startswith("scipy.") for name in imported_by_assembling(preload=False))
    assert imported_by_assembling(preload=True) == set()


@pytest.fixture
def events(monkeypatch) -> list[str]:
    """The order in which the build preloaded the audio stage and assembled its pages."""
    seen: list[str] = []
    assemble = audio.assemble_or_reuse

    def assembling(*args, **kwargs):
        seen.append("assemble")
        return assemble(*args, **kwargs)

    monkeypatch.setattr(audio, "preload", lambda: seen.append("preload"))
    monkeypatch.setattr(audio, "assemble_or_reuse", assembling)
    return seen


def test_a_build_that_makes_clips_preloads_before_its_first_page_and_a_rebuild_does_not(
    tmp_path: Path, events
):
    source = tmp_path / "issue.toml"
    source.write_text(issue_toml(), encoding="utf-8")
    settings = build_settings(tmp_path / "out")
    first = build(source, FakeEngine(), settings)
    assert first.made and events == ["preload", "assemble"]
    events.clear()
    again = build(source, FakeEngine(), settings)
    assert again.made == 0 and events == ["assemble"]  # every clip reused: nothing to overlap
