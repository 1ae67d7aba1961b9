"""Chinese spoken text → the phoneme string Kokoro v1.0 reads, and the token ids it takes."""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import cn2an
from misaki.zh import ZHG2P

from enews_audio.chars import ASCII_ALNUM
from enews_audio.chars import CHINESE_DIGITS as _DIGITS
from enews_audio.errors import MissingModelError
from enews_audio.pinyin import RUN, read_run
from enews_audio.resources import voices_dir

MAX_TOKENS = 510  # ids per model call, without the two padding zeros

_PIECE = re.compile(rf"(?P<han>[{RUN}]+)|(?P<latin>[A-Za-z]+)|(?P<space>\s+)|(?P<other>.)", re.S)
_NON_SYLLABIC = chr(815)  # the combining breve misaki leaves in diphthongs; Kokoro v1.0 never saw it

# Kokoro's vocabulary lacks most Latin letters (X would vanish) and the Mandarin voices never learnt
# English, so letters are read the way Chinese newsreaders say them: G → jì, X → ài kè sī.
_LETTERS = {
    "A": "ei1", "B": "bi4", "C": "xi1", "D": "di4", "E": "yi4", "F": "ai4 fu5", "G": "ji4",
    "H": "ai4 qi1", "I": "ai4", "J": "jie4", "K": "kai4", "L": "ai4 lu5", "M": "ai4 mu5", "N": "en1",
    "O": "ou1", "P": "pi4", "Q": "qiu1", "R": "a4 er5", "S": "ai4 si5", "T": "ti4", "U": "you1",
    "V": "wei1", "W": "da2 bu5 liu5", "X": "ai4 ke4 si5", "Y": "wai4", "Z": "zei4",
}  # fmt: skip

# The voice pauses only at full-width marks, so stray ASCII marks are repaired to them first.
_ASCII_MARKS = str.maketrans({",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"})
_WIDE_ALNUM = ASCII_ALNUM | {ord("％"): ord("%")}

# Full-width mark → Kokoro symbol. misaki's own mapping first (what v1.0 was trained on), then the marks
# it leaves alone that the vocabulary can still voice as a pause or a quote.
_MARKS = {c: ZHG2P.map_punctuation(c) for c in "、，。．！：；？«»《》「」【】（）"} | {
    "…": "…", "—": "—", "–": "—", "“": "“", "”": "”", "‘": "“", "’": "”", "『": "“", "』": "”",
    "〈": "“", "〉": "”", "〔": "(", "〕": ")", "［": "(", "］": ")",
}  # fmt: skip
_OPENING = frozenset("“(")
_SILENT = frozenset("·•・'-")  # separators inside names and words (5G-A): no sound, nothing lost
PAUSES = frozenset(';:,.!?—…"()“” ')  # symbols that make no syllable


@dataclass(frozen=True, slots=True)
class Phonemes:
    """Kokoro phonemes for one text, and the pieces of the text that could not be voiced."""

    text: str
    dropped: tuple[str, ...] = ()

    @property
    def speakable(self) -> bool:
        return any(c not in PAUSES for c in self.text)


def to_phonemes(text: str, overrides: Mapping[str, str] | None = None) -> Phonemes:
    """Phonemise normalised Chinese text; ``overrides`` maps a word to tone3 pinyin ("tian1 tai1")."""
    overrides = _check_overrides(overrides or {})
    out: list[str] = []
    dropped: list[str] = []
    last = ""  # kind of the previous piece: "word" or "mark"
    for kind, value in _pieces(_repair(text), overrides, dropped):
        if kind == "word":
            out.append(" " + value if last == "word" else value)
        elif value in _OPENING:
            out.append(" " + value)
        else:
            if out:
                out[-1] = out[-1].rstrip()  # a closing mark hugs what it closes: ”. not ” .
            out.append(value + " ")
        last = kind
    phonemes, unknown = _keep_vocab(re.sub(" +", " ", "".join(out)).strip())
    return Phonemes(phonemes, tuple(dropped + unknown))


def split_phonemes(phonemes: str, limit: int = MAX_TOKENS) -> list[str]:
    """Cut a phoneme string into model calls of at most ``limit`` symbols, at a pause if possible."""
    chunks = []
    rest = phonemes.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        marks = [m.end() - 1 for m in re.finditer(r"[;:,.!?—…”)] ", window)]
        cut = marks[-1] if marks else window.rfind(" ")
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        chunks.append(rest)
    return chunks


def to_token_ids(phonemes: str) -> list[int]:
    """Token ids for a phoneme string made by :func:`to_phonemes`."""
    vocab = _vocab()
    try:
        return [vocab[c] for c in phonemes]
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]!r} is not a Kokoro phoneme") from None


def _repair(text: str) -> str:
    text = text.translate(_WIDE_ALNUM)
    text = re.sub(r"(?<=\d)[,，](?=\d{3}(?!\d))", "", text)  # 1,000 → 1000
    text = re.sub(r"(?<=\d)．(?=\d)", ".", text)
    text = _read_digits(text)
    text = re.sub(r"\.{3,}|。{3,}|…+", "…", text)
    text = re.sub(r"—+|-{2,}", "—", text)
    text = re.sub(r"(?<=[A-Za-z])\.(?=[A-Za-z])", "", text)  # U.S.A
    text = text.replace(".", "。").translate(_ASCII_MARKS)
    quotes = iter("“”" * text.count('"'))
    return re.sub('"', lambda _: next(quotes), text)


def _read_digits(text: str) -> str:
    """Read any Arabic digits left by the text stage, as misaki does (cn2an), else digit by digit."""
    if not re.search(r"\d", text):
        return text
    with contextlib.suppress(ValueError, KeyError, IndexError):  # odd spans fall back to digit by digit
        text = cn2an.transform(text, "an2cn")
    return re.sub(r"[0-9]", lambda m: _DIGITS[int(m[0])], text)


def _pieces(text: str, overrides: Mapping[str, str], dropped: list[str]) -> Iterator[tuple[str, str]]:
    for m in _PIECE.finditer(text):
        if m["han"]:
            yield from (("word", w) for w in _han_words(m["han"], overrides, dropped))
        elif m["latin"]:
            yield from (("word", _syllables(_LETTERS[c.upper()], dropped)) for c in m["latin"])
        elif m["other"] in _MARKS:
            yield "mark", _MARKS[m["other"]]
        elif m["other"] and m["other"] not in _SILENT:
            dropped.append(m["other"])


def _han_words(run: str, overrides: Mapping[str, str], dropped: list[str]) -> Iterator[str]:
    """Words of a run of Han characters, each as phonemes (pinyin from ``reading.read_run``)."""
    for word, syllables in read_run(run, overrides):
        dropped.extend(c for c, py in zip(word, syllables, strict=True) if not py)
        phonemes = _syllables(" ".join(py for py in syllables if py), dropped)
        if phonemes:
            yield phonemes


def _syllables(pinyin: str, dropped: list[str]) -> str:
    """Tone3 pinyin syllables ("ni3 hao3") → one word of phonemes."""
    out = []
    for py in pinyin.split():
        try:
            out.append(ZHG2P.py2ipa(py))
        except (ValueError, IndexError, KeyError):
            dropped.append(py)
    return "".join(out).replace(_NON_SYLLABIC, "")


def _check_overrides(overrides: Mapping[str, str]) -> Mapping[str, str]:
    for word, pinyin in overrides.items():
        if not word or len(pinyin.split()) != len(word):
            raise ValueError(f"override {word!r} → {pinyin!r} needs one pinyin syllable per character")
    return overrides


def _keep_vocab(phonemes: str) -> tuple[str, list[str]]:
    vocab = _vocab()
    unknown = sorted({c for c in phonemes if c not in vocab})
    if unknown:
        phonemes = re.sub(" +", " ", "".join(c for c in phonemes if c in vocab)).strip()
    return phonemes, unknown


def _vocab() -> Mapping[str, int]:
    return _load_vocab(voices_dir() / "kokoro" / "vocab.json")


@functools.cache
def _load_vocab(path: Path) -> Mapping[str, int]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MissingModelError(f"Kokoro vocabulary {path} not found (it ships in voices/kokoro)") from None
