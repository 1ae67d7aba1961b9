"""Turn a paper's name into the ASCII folder name its feed lives under."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from pypinyin import lazy_pinyin

from enews_audio.chars import HAN

_HAN_RUN = re.compile(f"[{HAN}]+")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def paper_slug(paper: str) -> str:
    """``山城晚报`` -> ``shanchengwanbao``; ``China Daily 中国日报`` -> ``china-daily-zhongguoribao``.

    Pinyin syllables of one Han run are joined without a separator (the way the papers' own web addresses
    read); Latin words, numbers and Han runs are separated by ``-``. The slug names the paper's folder and
    goes into every episode GUID, so it must not depend on anything but the name.
    """
    words: list[str] = []
    position = 0
    for run in _HAN_RUN.finditer(paper):
        words.extend(_latin_words(paper[position : run.start()]))
        words.append(_NOT_SLUG.sub("", "".join(lazy_pinyin(run.group())).lower()))
        position = run.end()
    words.extend(_latin_words(paper[position:]))
    slug = "-".join(word for word in words if word)
    if slug:
        return slug
    # Nothing readable in ASCII (e.g. only symbols): still give a stable, distinct folder name.
    return "paper-" + hashlib.sha256(paper.strip().encode("utf-8")).hexdigest()[:8]


def _latin_words(text: str) -> list[str]:
    """Full-width letters become ASCII and accents are dropped (NFKD) before splitting at the rest."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return [word for word in _NOT_SLUG.split(ascii_text) if word]
