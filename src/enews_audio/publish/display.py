"""The text the web edition shows: the transcript's sentences, matched back to the articles' paragraphs.

The text stage repairs the ASCII punctuation exports leave in Chinese text ("12月31日,市政府新闻办发布:"
becomes "12月31日，市政府新闻办发布：") and the transcript carries that repaired text; publishing may not
import the text stage, so the page takes its text from the transcript written beside each episode. Each
transcript cue becomes a ``<span>`` numbered as in the .vtt, which the player highlights while it is heard.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from enews_audio.model import Chapter

_TIME = r"(\d+):(\d\d):(\d\d)\.(\d{3})"
_CUE_TIMES = re.compile(rf"^{_TIME} --> {_TIME}")


@dataclass(frozen=True, slots=True)
class ShownCue:
    """One transcript cue as shown: its number in the .vtt (from 1), where it starts, its text."""

    number: int
    start: float
    text: str


def read_cues(path: Path) -> list[ShownCue]:
    """The cues of a transcript ``publish.transcript.webvtt`` wrote; [] when there is none.

    Written by hand: this reads only our own WebVTT (no settings, no styling), and the cue's wrapped
    lines are joined back the way ``transcript.wrap`` split them (no space between Chinese characters).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    cues: list[ShownCue] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = block.strip("\n").split("\n")
        match = _CUE_TIMES.match(lines[0]) if lines else None
        if not match:
            continue
        h, m, s, ms = (int(part) for part in match.groups()[:4])
        joined = ""
        for line in lines[1:]:
            line = _unescape(line)
            if joined and line and _narrow(joined[-1]) and _narrow(line[0]):
                joined += " "
            joined += line
        cues.append(ShownCue(len(cues) + 1, h * 3600 + m * 60 + s + ms / 1000, joined))
    return cues


def shown_texts(
    texts: Sequence[str], cues: Sequence[ShownCue], chapter: Chapter | None
) -> list[list[ShownCue] | None]:
    """For each printed text of an article (paragraphs, then captions), the cues that say it, or None.

    Only the cues heard within the article's ``chapter`` are looked at. Letters and digits must agree
    exactly (punctuation and spacing are what the text stage repairs); a caption's cues may start with the
    spoken words put before it ("图片说明："). A text with no such run of cues is shown as printed.
    """
    if chapter is None:
        return [None] * len(texts)
    mine = [c for c in cues if chapter.start - 0.05 <= c.start < chapter.end - 0.05]
    skeleton = ""
    starts: list[int] = []  # where each cue's letters begin in ``skeleton``
    for cue in mine:
        starts.append(len(skeleton))
        skeleton += _letters(cue.text)
    ends = [*starts[1:], len(skeleton)]
    found: list[list[ShownCue] | None] = []
    position = 0
    for text in texts:
        letters = _letters(text)
        at = skeleton.find(letters, position) if letters else -1
        end = at + len(letters)
        if at < 0 or end not in ends:
            found.append(None)
            continue
        first = max(i for i, start in enumerate(starts) if start <= at)
        last = ends.index(end)
        found.append(list(mine[first : last + 1]))
        position = end
    return found


def _letters(text: str) -> str:
    """Letters and digits only: what the text stage never changes."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum())


def _narrow(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) not in "WF"


def _unescape(line: str) -> str:
    return line.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
