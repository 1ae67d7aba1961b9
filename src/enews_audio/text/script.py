"""Write what is spoken on each page: an opening that says where the listener is, then every article."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from enews_audio.model import Article, Issue, Page, PageScript, Part, Script, Utterance
from enews_audio.text.normalize import normalize
from enews_audio.text.punctuation import repair_punctuation
from enews_audio.text.segment import pack_clauses, split_sentences

_WEEKDAYS = "一二三四五六日"
_NUMERALS = "零一二三四五六七八九"
_ENDS = "。！？；…”’」』）》】"
_NOT_SPOKEN = re.compile(r"^(责任编辑|本版责编|责编|编辑)[：:]")
_CONTINUATION = re.compile(r"[（(](?:上接|下转)第?[^）)]{1,6}版?[）)]")


@dataclass(frozen=True, slots=True)
class TextSettings:
    max_chars: int = 80  # longest piece sent to an engine; longer sentences are packed into clauses
    sentence_pause: float = 0.35
    paragraph_pause: float = 0.7
    heading_pause: float = 0.6
    article_pause: float = 1.5

    def __post_init__(self) -> None:
        if self.max_chars < 8:
            raise ValueError("max_chars must be at least 8")


def to_script(issue: Issue, settings: TextSettings) -> Script:
    return Script(issue, tuple(_page_script(issue, page, settings) for page in issue.pages))


def chinese_number(n: int, *, count: bool = False) -> str:
    """Small numbers as read aloud: ordinals (第二篇) or, with ``count``, quantities (共两篇)."""
    if not 0 <= n < 100:
        raise ValueError(f"{n} is outside 0..99")
    if count and n == 2:
        return "两"
    if n < 10:
        return _NUMERALS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _NUMERALS[tens]) + "十" + (_NUMERALS[ones] if ones else "")


def _page_script(issue: Issue, page: Page, s: TextSettings) -> PageScript:
    utterances = [*_opening(issue, page, s)]
    for index, article in enumerate(page.articles):
        utterances += _article(index, len(page.articles), article, s)
    utterances.append(_say(f"{page.code}版播报完毕。", Part.CLOSING, None, s.paragraph_pause))
    return PageScript(page, tuple(utterances))


def _opening(issue: Issue, page: Page, s: TextSettings) -> Iterator[Utterance]:
    d = issue.date
    yield _say(
        f"{issue.paper}，{d.year}年{d.month}月{d.day}日，星期{_WEEKDAYS[d.weekday()]}。",
        Part.OPENING,
        None,
        s.sentence_pause,
    )
    count = chinese_number(len(page.articles), count=True)
    yield _say(f"{page.code}版，{page.name}。本版共{count}篇文章。", Part.OPENING, None, s.sentence_pause)
    for i, article in enumerate(page.articles):
        yield _say(
            f"第{chinese_number(i + 1)}篇，{_heading(article.title)}。", Part.OPENING, None, s.sentence_pause
        )


def _article(index: int, total: int, article: Article, s: TextSettings) -> list[Utterance]:
    out = [
        _say(
            f"第{chinese_number(index + 1)}篇，共{chinese_number(total, count=True)}篇。",
            Part.HEADER,
            index,
            s.sentence_pause,
        )
    ]
    for line in (article.kicker, article.title, article.subtitle.lstrip("—― "), article.byline):
        if line.strip():
            out.append(_say(line.strip(), Part.HEADER, index, s.heading_pause, spoken=_end(_heading(line))))
    for paragraph in article.paragraphs:
        out += _sentences(paragraph, Part.BODY, index, s)
    for caption in article.captions:
        out += _sentences("图片说明：" + caption, Part.CAPTION, index, s)
    out[-1] = _with_pause(out[-1], s.article_pause)
    return out


def _sentences(paragraph: str, part: Part, index: int, s: TextSettings) -> list[Utterance]:
    if _NOT_SPOKEN.match(paragraph.strip()):
        return []
    text = _CONTINUATION.sub("", repair_punctuation(paragraph))
    pieces = [p for sentence in split_sentences(text) for p in pack_clauses(sentence, s.max_chars)]
    out = [_say(p, part, index, s.sentence_pause) for p in pieces if _speakable(p)]
    if out:
        out[-1] = _with_pause(out[-1], s.paragraph_pause)
    return out


def _heading(line: str) -> str:
    """A headline printed on two lines arrives joined by a space: read it as a pause."""
    return re.sub(r"\s+", "，", repair_punctuation(line).strip())


def _end(line: str) -> str:
    return line if line.endswith(tuple(_ENDS)) else line + "。"


def _speakable(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _say(display: str, part: Part, article: int | None, pause: float, spoken: str = "") -> Utterance:
    return Utterance(display, normalize(spoken or display), part, article, pause)


def _with_pause(u: Utterance, pause: float) -> Utterance:
    return replace(u, pause=max(u.pause, pause))
