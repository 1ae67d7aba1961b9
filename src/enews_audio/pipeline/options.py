"""The options of one build, declared once.

``enews-audio build`` fills them from its command line; a batch file's ``[[paper]]`` tables (over its
``[defaults]``) can fill them from TOML with ``build_options``: the same keys (the long option names, with
``_`` for ``-``), the same checks, the same one-line errors. ``pipeline.prepare`` turns them into an engine
and settings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from enews_audio.errors import UsageError
from enews_audio.model import Edition
from enews_audio.sources.fetch import DELAY
from enews_audio.speech.executor import ATTEMPTS
from enews_audio.tomlfile import Key, Schema, convert

Count = Annotated[int, Meta(ge=1)]


class BuildOptions(Schema):
    source: str  # reader exports, an issue.toml, or an e-paper's URL, folder or page
    out: Path = Path("output")  # where episodes and the feed go
    preset: str | None = None  # a preset's name or .toml file
    engine: str | None = None  # auto, edge, offline or fake; default: the preset's, else auto
    voice: str | None = None
    rate: int | None = None  # percent
    pitch: int | None = None  # Hz
    volume: int | None = None  # percent
    proxy: str | None = None  # for edge-tts
    config: Path | None = None  # paper settings; default: ./enews-audio.toml when present
    base_url: str | None = None  # overrides the config's
    keep: Count | None = None  # issues in the feed; overrides the config's
    allow_gaps: bool = False
    editions: tuple[Edition, ...] | None = None  # --edition: daisy, usb, slow; overrides the config's
    lexicon: tuple[Path, ...] = ()  # user lexicons, later ones win
    script: Path | None = None  # user templates over voices/script.toml
    date: dt.date | None = None  # which issue of an e-paper
    fetch_delay: Annotated[float, Meta(ge=0)] = DELAY  # seconds between two requests to an e-paper site
    page_cache: Path | None = None  # fetched e-paper pages; default: ~/.cache/enews-audio/pages
    profiles: Path | None = None  # [[profile]] tables for other e-papers
    cache: Path | None = None  # clips; default: OUT/.cache/clips
    concurrency: Count | None = None  # requests at once; default: the engine's
    jobs: Count | None = (
        None  # offline voice worker processes; default: one per usable core, as memory allows
    )
    attempts: Count = ATTEMPTS  # tries per sentence when the engine fails transiently


def build_options(
    values: Mapping[str, Any],
    *,
    where: str,
    text: str = "",
    base: Path | None = None,
    at: tuple[Key, ...] = (),
) -> BuildOptions:
    """``values`` (a table of a batch file, or the command line's) as BuildOptions, or one UsageError line.

    ``where``, ``text`` and ``at`` (the table's place in the file, e.g. ``("paper", 2)``) name the source in
    errors; relative file names are taken from ``base``.
    """
    return convert(values, BuildOptions, UsageError, where=where, text=text, base=base, at=at)


def default(key: str) -> Any:
    """``key``'s default, for the command line to show and use: each default is declared once, above (or
    by the stage whose setting it is)."""
    (found,) = (f for f in msgspec.structs.fields(BuildOptions) if f.name == key)
    return found.default
