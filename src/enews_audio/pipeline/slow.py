"""The slow edition's voice and script: the issue spoken again, slower, by the build's own voice.

``pipeline.paper`` speaks and assembles it like the normal edition, after it; the other editions (DAISY, USB) are
written by ``publish`` from the episodes.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from enews_audio import speech, text
from enews_audio.model import Issue, Pauses, Script


@dataclass(frozen=True, slots=True)
class SlowEdition:
    """How the slow edition is spoken: the same voice at a slower rate, and longer pauses."""

    voice: speech.EngineSpec
    text: text.TextSettings


def slow_edition(text_settings: text.TextSettings, voice: speech.EngineSpec) -> SlowEdition:
    """The slow edition of a build spoken by ``voice`` with ``text_settings``: the slow preset's rate and pauses.

    The voice itself speaks slower (the same engine, voice, lexicon and service at another rate): a
    time-stretch of the normal audio would make synthetic speech harder to follow. It is never faster than
    the slow preset and always that much slower than the normal edition, so a build made with
    ``--preset slow`` still gets a slower one; pauses are the longer of the two.
    """
    preset = speech.load_preset("slow")
    rate = max(-50, min(preset.rate, voice.voice.rate + preset.rate))
    mine, its = text_settings.pauses, preset.pauses
    pauses = Pauses(
        sentence=max(mine.sentence, its.sentence),
        paragraph=max(mine.paragraph, its.paragraph),
        heading=max(mine.heading, its.heading),
        article=max(mine.article, its.article),
    )
    slower = replace(voice, voice=replace(voice.voice, rate=rate))
    return SlowEdition(slower, replace(text_settings, pauses=pauses))


def slow_script(issue: Issue, slow: SlowEdition, pages: Collection[str]) -> Script:
    """What the slow edition says on ``pages`` (codes): the issue's script with the slow edition's pauses."""
    script = text.to_script(issue, slow.text)
    return replace(script, pages=tuple(p for p in script.pages if p.page.code in pages))
