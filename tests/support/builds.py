"""One paper's build with an engine the test made (which counts its calls, fails on cue, …)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from enews_audio import pipeline, speech
from enews_audio.pipeline import BuildReport, BuildSettings
from enews_audio.speech.fake import FakeSpec

FAKE = FakeSpec()  # the voice of settings a test builds with an engine of its own


def settings(out_dir: Path, **more) -> BuildSettings:
    """Build settings for ``out_dir``: their voice is replaced by the engine ``build`` is given."""
    return BuildSettings(out_dir=out_dir, voice=FAKE, **more)


def build(
    source: Path | str,
    engine: speech.Engine,
    settings: BuildSettings,
    on_progress=None,
    executor: speech.Executor | None = None,
    engines: Iterable[speech.Engine] = (),
) -> BuildReport:
    """``pipeline.build`` spoken by ``engine``, on a speaker of its own over ``executor`` when given (a warm
    pool the tests share); ``engines`` speak for their own specs (the slow edition's voice)."""
    settings = replace(settings, voice=engine.spec)
    with speech.Speaker(executor=executor, engines=[engine, *engines]) as speaker:
        return pipeline.build(source, settings, speaker, on_progress)


__all__ = ["FAKE", "build", "settings"]
