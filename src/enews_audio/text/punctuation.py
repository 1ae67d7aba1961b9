"""Repair ASCII punctuation that e-paper exports leave inside Chinese text."""

from __future__ import annotations

import re

from enews_audio.chars import HAN

_HAN = f"[{HAN}]"
_CJK_CONTEXT = rf"(?:{_HAN}|[，。、：；！？“”‘’（）《》「」『』—…])"

# A mark is Chinese punctuation when a Chinese character (or Chinese punctuation) stands on either side of it;
# `1,000`, `20:00`, `3.5` and URLs have digits or Latin on both sides and are left alone.
_SIMPLE = {",": "，", ";": "；", "?": "？", "!": "！"}


def repair_punctuation(text: str) -> str:
    text = text.replace("\u00a0", " ").replace("\u3000", " ")
    for ascii_mark, full in _SIMPLE.items():
        mark = re.escape(ascii_mark)
        text = re.sub(rf"(?<={_CJK_CONTEXT})\s*{mark}\s*|\s*{mark}\s*(?={_CJK_CONTEXT})", full, text)
    # A colon between digits is a clock time (20:00); next to Chinese it is a full-width colon.
    text = re.sub(rf"(?<={_CJK_CONTEXT})\s*:\s*|(?<!\d)\s*:\s*(?={_CJK_CONTEXT})", "：", text)
    text = _repair_brackets(text)
    text = _repair_quotes(text)
    text = re.sub(r"\.{3,}|。{3,}", "……", text)
    return re.sub(r"\s+", " ", text).strip()


def _repair_brackets(text: str) -> str:
    """Turn ( ) into （ ） when the bracketed text, or what stands before it, is Chinese."""

    def full_width(match: re.Match[str]) -> str:
        inner = match.group(1)
        before = text[: match.start()].rstrip()[-1:]
        if re.search(_HAN, inner) or (before and re.match(_HAN, before)):
            return f"（{inner.strip()}）"
        return match.group(0)

    return re.sub(r"\s*\(([^()]*)\)", full_width, text)


def _repair_quotes(text: str) -> str:
    """Turn "…" into “…” and '…' into ‘…’ around Chinese; English quotes and apostrophes are left alone."""

    def curly(match: re.Match[str]) -> str:
        mark, inner = match.group(1), match.group(2)
        before = text[: match.start()].rstrip()[-1:]
        chinese = re.search(_HAN, inner) or (mark == '"' and before and re.match(_CJK_CONTEXT, before))
        if not chinese:
            return match.group(0)
        return ("“{}”" if mark == '"' else "‘{}’").format(inner)

    text = re.sub(r'(")([^"\n]*)"', curly, text)
    return re.sub(r"(?<![A-Za-z])(')([^'\n]*)'(?![A-Za-z])", curly, text)
