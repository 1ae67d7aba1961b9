"""Value types shared by every stage: what an issue is, what is spoken, what is heard."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated

from msgspec import Meta

from enews_audio.tomlfile import Schema

_PAGE_CODE = re.compile(r"^[A-Z]{0,2}[0-9]{1,3}$")
Seconds = Annotated[float, Meta(ge=0, le=10, description="a number of seconds in 0..10")]


class Pauses(Schema):
    """Seconds of silence after a sentence, a paragraph, a heading and an article: the text stage's
    (``TextSettings.pauses``), set by a preset's ``[pauses]`` table."""

    sentence: Seconds
    paragraph: Seconds
    heading: Seconds
    article: Seconds


@dataclass(frozen=True, slots=True)
class Article:
    """One story on a page, as printed; nothing here is normalised for speech."""

    title: str
    paragraphs: tuple[str, ...]
    kicker: str = ""
    subtitle: str = ""
    byline: str = ""
    captions: tuple[str, ...] = ()
    origin: str = ""  # where it came from (file name, URL), for error messages

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise ValueError("an article needs a title")
        if not isinstance(self.paragraphs, tuple) or not isinstance(self.captions, tuple):
            raise TypeError("paragraphs and captions must be tuples")


@dataclass(frozen=True, slots=True)
class Page:
    """A printed page (版面): code such as ``A04`` and name such as ``聚焦``."""

    code: str
    name: str
    articles: tuple[Article, ...]

    def __post_init__(self) -> None:
        if self.code and not _PAGE_CODE.match(self.code):  # "": no printed page (the issue's briefing)
            raise ValueError(f"page code {self.code!r} is not like A04 or 04")

    @property
    def slug(self) -> str:
        """ASCII file stem for this page's outputs (``a04``; the briefing's ``brief``)."""
        return self.code.lower() or BRIEF_SLUG

    @property
    def sort_key(self) -> tuple[str, int]:
        letters = self.code.rstrip("0123456789")
        return letters, int(self.code[len(letters) :])


@dataclass(frozen=True, slots=True)
class Issue:
    paper: str
    date: dt.date
    pages: tuple[Page, ...]

    def __post_init__(self) -> None:
        if not self.paper.strip():
            raise ValueError("an issue needs a paper name")
        codes = [p.code for p in self.pages]
        if "" in codes:
            raise ValueError("a printed page needs a code like A04")
        if len(set(codes)) != len(codes):
            raise ValueError(f"duplicate page codes in {codes}")


class Edition(StrEnum):
    """What a build makes besides the podcast feed and the web edition, which are always made."""

    DAISY = "daisy"  # a DAISY 2.02 talking book (audio + NCC) for library players (听书机)
    USB = "usb"  # one MP3 per page opening and per article, for players that only know "next file"
    SLOW = "slow"  # the issue spoken again at the slow preset's rate, for listeners who find it too fast


class Part(StrEnum):
    """What an utterance is, so the audio stage knows where chapters start."""

    OPENING = "opening"
    HEADER = "header"
    BODY = "body"
    CAPTION = "caption"
    CLOSING = "closing"


@dataclass(frozen=True, slots=True)
class Utterance:
    """One sentence (or clause) to speak: shown as ``display``, spoken as ``spoken``."""

    display: str
    spoken: str
    part: Part
    article: int | None = None  # index into Page.articles; None for the page's opening and closing
    pause: float = 0.4  # seconds of silence after it

    def __post_init__(self) -> None:
        if not self.spoken.strip():
            raise ValueError(f"nothing to speak in {self.display!r}")
        if self.pause < 0:
            raise ValueError("pause must not be negative")


@dataclass(frozen=True, slots=True)
class PageScript:
    page: Page
    utterances: tuple[Utterance, ...]


@dataclass(frozen=True, slots=True)
class Script:
    issue: Issue
    pages: tuple[PageScript, ...]


@dataclass(frozen=True, slots=True)
class Timing:
    """A sentence inside a clip, in seconds from the clip's start (from edge-tts boundaries)."""

    start: float
    duration: float
    text: str


@dataclass(frozen=True, slots=True)
class Clip:
    """Synthesised speech for one utterance: MP3 bytes and their length in seconds."""

    audio: bytes
    duration: float
    timings: tuple[Timing, ...] = ()

    def __post_init__(self) -> None:
        if self.duration <= 0:
            raise ValueError("a clip must have a positive duration")


@dataclass(frozen=True, slots=True)
class Chapter:
    start: float
    end: float
    title: str

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"chapter {self.title!r} has start {self.start} and end {self.end}")


@dataclass(frozen=True, slots=True)
class Cue:
    """A transcript line: display text and where it is heard in the episode, and what the voice was given
    for it (``spoken``: "" where that is not known, as in episodes remembered before it was kept)."""

    start: float
    end: float
    text: str
    spoken: str = ""


@dataclass(frozen=True, slots=True)
class Episode:
    """One page's finished audio file and what is needed to publish it."""

    page: Page
    path: str  # file name relative to the issue folder, e.g. ``a04.mp3``
    duration: float
    size: int
    chapters: tuple[Chapter, ...]
    cues: tuple[Cue, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Progress:
    """A stage reporting how far it is; the CLI turns these into a progress bar with ETA."""

    stage: str  # "speech", "audio"
    done: int
    total: int
    detail: str = ""  # what was just done; in a stage's first report (done 0), who does the work


BRIEF_TITLE = "今日要目"  # the issue's briefing: every page's name and headlines, before the pages
BRIEF_SLUG = "brief"  # its file stem: brief.mp3
SLOW_LABEL = "慢速"  # how the slow edition is named to listeners: episode titles, alternateEnclosure title


def issue_title(paper: str, date: dt.date) -> str:
    """How an issue is named: the DAISY book's title, the USB files' album, the start of every episode's."""
    return f"{paper} {date.year}年{date.month}月{date.day}日"


def page_title(code: str, name: str) -> str:
    """How a page is named on its own: "A04版 聚焦" (a page without a name: "A04版"; without a code, the
    briefing, its name)."""
    return f"{code}版 {name}".rstrip() if code else name


def episode_title(paper: str, date: dt.date, code: str, name: str, edition: str = "") -> str:
    """How a page's episode is named everywhere: ID3 title, feed item, web edition; an ``edition``'s
    (``SLOW_LABEL``) episode carries its name after it."""
    title = f"{issue_title(paper, date)} {page_title(code, name)}"
    return f"{title}（{edition}）" if edition else title
