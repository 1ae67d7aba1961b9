"""A build's settings, plain data: what ``prepare`` makes of its options, and what ``script``/``lint`` read with."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from enews_audio import audio, publish, sources, speech, text
from enews_audio.errors import UsageError
from enews_audio.model import Edition
from enews_audio.pipeline.config import load_config
from enews_audio.pipeline.options import BuildOptions
from enews_audio.pipeline.slow import SlowEdition, slow_edition
from enews_audio.speech.executor import ATTEMPTS
from enews_audio.speech.select import DEFAULT_VOICES

LEXICON_ENGINES = ("edge", "offline")  # the engines a lexicon is written for
Probes = dict[tuple[str, str | None, str | None], bool]  # the edge service's answers, kept for a run


@dataclass(frozen=True, slots=True)
class ReadSettings:
    """How to read an issue and write what is said: all that ``script`` and ``lint`` need."""

    date: dt.date | None = None  # which issue of an e-paper site
    fetch: sources.FetchSettings | None = None
    profiles: Path | None = None  # e-paper profiles TOML
    text: text.TextSettings = field(default_factory=text.TextSettings)


@dataclass(frozen=True, slots=True)
class BuildSettings:
    """Everything one paper's build needs but the ``Speaker``: where, how to read, which voice, what to make."""

    out_dir: Path
    voice: speech.EngineSpec
    read: ReadSettings = field(default_factory=ReadSettings)
    audio: audio.AudioSettings = field(default_factory=audio.AudioSettings)
    publish: publish.PublishSettings = field(default_factory=publish.PublishSettings)
    cache_dir: Path | str | None = None  # clip store: folder or s3:// URL; default OUT/.cache/clips
    concurrency: int | None = None
    attempts: int = ATTEMPTS
    allow_gaps: bool = False  # publish a page with a spoken notice where a sentence could not be made
    jobs: int | None = None  # offline voice workers; default: one per usable core, as memory allows
    slow: SlowEdition | None = None  # given when, and only when, publish.editions has it

    def __post_init__(self) -> None:
        if (Edition.SLOW in self.publish.editions) != (self.slow is not None):
            raise ValueError("the slow edition needs both: Edition.SLOW in publish.editions, and slow")

    @property
    def speech(self) -> speech.SpeechSettings:
        cache = self.cache_dir or self.out_dir / ".cache" / "clips"
        return speech.SpeechSettings(
            cache, concurrency=self.concurrency, attempts=self.attempts, jobs=self.jobs
        )


def prepare(
    options: BuildOptions,
    on_choice: Callable[[str], None] | None = None,
    probes: Probes | None = None,
) -> BuildSettings:
    """The settings ``options`` ask for: what ``enews-audio build`` runs, for any caller.

    The paper's config and the preset are read first (a mistake there fails before the edge service is
    probed); the voice is chosen before its lexicon is loaded, so a lexicon's entries for that voice apply
    (the offline voice's pinyin too). ``on_choice`` is told which engine "auto" picked and why; ``probes``
    keeps the edge service's answer for the next paper of a run.
    """
    config = load_config(options.config)
    preset = speech.load_preset(options.preset) if options.preset else None
    extra = [*paper_lexicon(config.paper), *options.lexicon]  # the paper's own first: the command line wins
    lexicons = functools.cache(lambda engine, voice: text.load_lexicon(engine, voice, extra))
    engine = speech.select_engine(
        options.engine, options.voice, rate=options.rate, pitch=options.pitch, volume=options.volume,
        preset=preset, proxy=options.proxy, pinyin=lambda voice: lexicons("offline", voice).pinyin,
        on_choice=on_choice, probes=probes,
    )  # fmt: skip
    lexicon = lexicons(engine.name, engine.voice.name)
    publishing = config.publish_settings(
        base_url=options.base_url, keep=options.keep, editions=options.editions
    )
    read = _reading(options, lexicon, preset.pauses if preset else None)
    slow = slow_edition(read.text, engine.spec) if Edition.SLOW in publishing.editions else None
    return BuildSettings(
        out_dir=options.out,
        voice=engine.spec,
        read=read,
        publish=publishing,
        cache_dir=options.cache,
        concurrency=options.concurrency,
        attempts=options.attempts,
        allow_gaps=options.allow_gaps,
        jobs=options.jobs,
        slow=slow,
    )


def paper_lexicon(paper: publish.PublishSettings) -> list[Path]:
    """The paper's own lexicon file (``[paper] lexicon``), when it names one that exists: the first
    ``enews-audio reports --accept`` makes it."""
    return [paper.lexicon] if paper.lexicon is not None and paper.lexicon.is_file() else []


def proofing(options: BuildOptions) -> ReadSettings:
    """What ``script`` and ``lint`` read with: the lexicon of the options' engine (edge or offline; default
    edge) and voice (default: the engine's own), without choosing or starting an engine."""
    engine = options.engine or "edge"
    if engine not in LEXICON_ENGINES:
        raise UsageError(f"--engine: no lexicon for {engine!r} (choose from {', '.join(LEXICON_ENGINES)})")
    voice = options.voice or DEFAULT_VOICES[engine]
    return _reading(options, text.load_lexicon(engine, voice, options.lexicon))


def _reading(options: BuildOptions, lexicon: text.Lexicon, pauses: text.Pauses | None = None) -> ReadSettings:
    text_settings = text.TextSettings(lexicon=lexicon, script=options.script)
    if pauses is not None:  # a preset's
        text_settings = replace(text_settings, pauses=pauses)
    return ReadSettings(
        date=options.date,
        fetch=sources.FetchSettings(cache_dir=options.page_cache, delay=options.fetch_delay),
        profiles=options.profiles,
        text=text_settings,
    )
