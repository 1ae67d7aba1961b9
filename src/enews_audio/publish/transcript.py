"""An episode's side files for podcast apps: a WebVTT transcript and a Podcasting 2.0 chapters JSON."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Sequence

from enews_audio.chars import FULLWIDTH_ALNUM
from enews_audio.model import Chapter, Cue

LINE_WIDTH = 32  # Chinese characters (two Latin letters or digits count as one) per line
LINES_PER_CUE = 2
_CHAPTERS_VERSION = "1.2.0"
# Never split inside a run of Latin letters, digits and the marks that hold numbers and codes together.
_TOKEN = re.compile(rf"[A-Za-z0-9{FULLWIDTH_ALNUM}][A-Za-z0-9{FULLWIDTH_ALNUM}.,:%/+\-·'’]*|\s+|.", re.DOTALL)
_BREAK_AFTER = frozenset("，、；：。！？…,;:!?）」』”》")  # a line may end here by preference
_NO_LINE_START = frozenset("，、；：。！？…,;:!?）」』”》%")  # hangs on the line before instead


def chapters_json(chapters: Sequence[Chapter]) -> str:
    """``{"version": "1.2.0", "chapters": [{"startTime": …, "title": …}]}``, as podcast:chapters wants it."""
    data = {
        "version": _CHAPTERS_VERSION,
        "chapters": [{"startTime": round(c.start, 3), "title": c.title} for c in chapters],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def webvtt(cues: Sequence[Cue]) -> str:
    """A WebVTT transcript: one cue per sentence, long ones split in time by their share of the text."""
    blocks = ["WEBVTT\n"]
    for _sentence, start, end, lines in vtt_cues(cues):
        text = "\n".join(_escape(line) for line in lines)
        blocks.append(f"{timestamp(start)} --> {timestamp(end)}\n{text}\n")
    return "\n".join(blocks)


def vtt_cues(cues: Sequence[Cue]) -> list[tuple[int, float, float, list[str]]]:
    """The .vtt's cues in order, each as (index of the sentence in ``cues`` it is part of, start, end, lines):
    a sentence longer than ``LINES_PER_CUE`` lines is shown as several cues."""
    out = []
    for index, cue in enumerate(cues):
        lines = wrap(cue.text)
        if not lines:
            continue
        groups = [lines[i : i + LINES_PER_CUE] for i in range(0, len(lines), LINES_PER_CUE)]
        weights = [sum(width(line) for line in group) for group in groups]
        span, total, done = cue.end - cue.start, sum(weights), 0.0
        for group, weight in zip(groups, weights, strict=True):
            start = cue.start + span * done / total
            done += weight
            out.append((index, start, cue.start + span * done / total, group))
    return out


def wrap(text: str, limit: float = LINE_WIDTH) -> list[str]:
    """Lines of at most ``limit`` width, ending after punctuation where that keeps lines well filled."""
    lines: list[str] = []
    line: list[str] = []
    used = 0.0
    for token in _tokens(text, limit):
        size = width(token)
        while line and used + size > limit and token not in _NO_LINE_START:
            cut = _best_cut(line, limit)
            lines.append("".join(line[:cut]).strip())
            line = line[cut:]
            used = sum(width(t) for t in line)
        if token.isspace() and not line:
            continue
        line.append(token)
        used += size
    if "".join(line).strip():
        lines.append("".join(line).strip())
    return lines


def width(text: str) -> float:
    """Display width in Chinese characters: wide and full-width characters 1, others 0.5."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def timestamp(seconds: float) -> str:
    """``HH:MM:SS.mmm``, the time format WebVTT and Podlove Simple Chapters share."""
    millis = max(0, math.floor(seconds * 1000 + 0.5))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02}:{minutes:02}:{rest // 1000:02}.{rest % 1000:03}"


def _tokens(text: str, limit: float) -> list[str]:
    """Characters, spaces and unbreakable Latin runs; a run longer than a line is cut into line-sized pieces."""
    tokens = []
    for token in _TOKEN.findall(" ".join(text.split())):
        size = int(limit * 2)  # half-width characters per line
        tokens.extend(token[i : i + size] for i in range(0, len(token), size))
    return tokens


def _best_cut(line: list[str], limit: float) -> int:
    """Where to end a full line: after its last punctuation mark if that keeps it two-thirds full."""
    used = 0.0
    best = len(line)
    for index, token in enumerate(line, start=1):
        used += width(token)
        if token in _BREAK_AFTER and used >= limit * 2 / 3:
            best = index
    return best


def _escape(line: str) -> str:
    """Cue text is markup: ``&`` and ``<`` must be escaped, and ``>`` keeps ``-->`` out of it."""
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
