"""Write what is spoken on each page: an opening that says where the listener is, then every article."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from enews_audio.chars import is_speakable, weekday
from enews_audio.model import (
    BRIEF_TITLE,
    Article,
    Issue,
    Page,
    PageScript,
    Part,
    Pauses,
    Script,
    Utterance,
    page_title,
)
from enews_audio.text.lexicon import Lexicon
from enews_audio.text.normalize import normalize, read_integer
from enews_audio.text.punctuation import repair_punctuation
from enews_audio.text.segment import pack_clauses, split_sentences
from enews_audio.text.templates import Templates, load_templates

_ENDS = "。！？；…”’」』）》】"
DEFAULT_PAUSES = Pauses(sentence=0.35, paragraph=0.7, heading=0.6, article=1.5)
BRIEF_SHARE = 0.25  # the briefing lasts at most this share of the whole issue
SECONDS_PER_CHAR = (
    0.21  # of spoken text, pauses apart: the offline voice on the benchmark issue (edge's is close)
)
_EMPTY_SLOT = re.compile(r"[，、：]+(?=[。！？])")  # what an empty placeholder leaves: "A04版，。"


@dataclass(frozen=True, slots=True)
class TextSettings:
    max_chars: int = 80  # longest piece sent to an engine; longer sentences are packed into clauses
    pauses: Pauses = DEFAULT_PAUSES  # or a preset's
    lexicon: Lexicon = field(default_factory=Lexicon)  # substitutions applied to every spoken text
    script: Path | None = None  # the user's templates over voices/script.toml

    def __post_init__(self) -> None:
        if self.max_chars < 8:
            raise ValueError("max_chars must be at least 8")


def to_script(issue: Issue, settings: TextSettings) -> Script:
    """Every page's utterances: opening, articles, closing, each with display and spoken text.

    All an article holds is spoken: the sources have dropped credits and continuation marks already.
    """
    writer = _Writer(settings, load_templates(settings.script))
    return Script(issue, tuple(writer.page(issue, page) for page in issue.pages))


def to_brief(script: Script, settings: TextSettings) -> PageScript | None:
    """The issue's briefing (今日要目): the paper and date, then each page's name and headlines, a chapter per
    page; only each page's name and count when the headlines would take more than ``BRIEF_SHARE`` of the
    issue's time (``estimated_seconds``), and None when even that would, or when the issue has a single page."""
    return _Writer(settings, load_templates(settings.script)).brief(script)


def estimated_seconds(utterances: Iterable[Utterance]) -> float:
    """How long utterances will take to hear, before any is spoken: their characters and their pauses."""
    return sum(len(u.spoken) * SECONDS_PER_CHAR + u.pause for u in utterances)


def brief_page(issue: Issue) -> Page:
    """What the briefing's chapters are made of: its opening, then a "story" per printed page."""
    titles = (BRIEF_TITLE, *(page_title(page.code, page.name) for page in issue.pages))
    return Page("", BRIEF_TITLE, tuple(Article(title, ()) for title in titles))


def chinese_number(n: int, *, count: bool = False) -> str:
    """Small numbers as read aloud: ordinals (第二篇) or, with ``count``, quantities (共两篇)."""
    if not 0 <= n < 100:
        raise ValueError(f"{n} is outside 0..99")
    return "两" if count and n == 2 else read_integer(n)


@dataclass(frozen=True, slots=True)
class _Writer:
    s: TextSettings
    t: Templates

    def page(self, issue: Issue, page: Page) -> PageScript:
        utterances = [*self._opening(issue, page)]
        for index, article in enumerate(page.articles):
            utterances += self._article(index, len(page.articles), article)
        closing = self.t.fill("page", "closing", paper=issue.paper, code=page.code, name=page.name)
        utterances += self._line(closing, Part.CLOSING, None, self.s.pauses.paragraph)
        return PageScript(page, tuple(utterances))

    def _opening(self, issue: Issue, page: Page) -> Iterator[Utterance]:
        yield from self._dateline(issue, None)
        yield from self._summary(page, None)
        yield from self._rundown(page, None)

    def _dateline(self, issue: Issue, article: int | None) -> list[Utterance]:
        d = issue.date
        line = self.t.fill(
            "page", "opening", paper=issue.paper, date=f"{d.year}年{d.month}月{d.day}日",
            year=d.year, month=d.month, day=d.day, weekday=weekday(d),
        )  # fmt: skip
        return self._line(line, Part.OPENING, article, self.s.pauses.sentence)

    def _summary(self, page: Page, article: int | None) -> list[Utterance]:
        count = chinese_number(len(page.articles), count=True)
        summary = self.t.fill("page", "summary", code=page.code, name=page.name, count=count)
        return self._line(summary, Part.OPENING, article, self.s.pauses.sentence)

    def _rundown(self, page: Page, article: int | None) -> list[Utterance]:
        out = []
        for i, item in enumerate(page.articles):
            line = self.t.fill("page", "rundown", number=chinese_number(i + 1), title=_heading(item.title))
            out += self._line(line, Part.OPENING, article, self.s.pauses.sentence)
        return out

    def brief(self, script: Script) -> PageScript | None:
        """The issue's briefing, from the pages' own opening lines (the same words, so the same clips)."""
        issue = script.issue
        if len(issue.pages) < 2:
            return None  # a single page opens with its own rundown: a briefing would say it again
        budget = BRIEF_SHARE * estimated_seconds(u for page in script.pages for u in page.utterances)
        count = chinese_number(len(issue.pages), count=True)
        intro = self.t.fill("brief", "intro", paper=issue.paper, count=count)
        head = [*self._dateline(issue, 0), *self._line(intro, Part.OPENING, 0, self.s.pauses.paragraph)]
        closing = self.t.fill("brief", "closing", paper=issue.paper)
        for headlines in (True, False):  # every headline while that fits the share, else the pages alone
            lines = list(head)
            for number, page in enumerate(issue.pages, 1):
                said = [*self._summary(page, number), *(self._rundown(page, number) if headlines else ())]
                if said:
                    said[-1] = _with_pause(said[-1], self.s.pauses.paragraph)
                lines += said
            lines += self._line(closing, Part.CLOSING, len(issue.pages), self.s.pauses.paragraph)
            if estimated_seconds(lines) <= budget:
                return PageScript(brief_page(issue), tuple(lines))
        return None

    def _article(self, index: int, total: int, article: Article) -> list[Utterance]:
        s = self.s
        announce = self.t.fill(
            "article", "announce", number=chinese_number(index + 1), count=chinese_number(total, count=True)
        )
        out = self._line(announce, Part.HEADER, index, s.pauses.sentence)
        headings = {
            "kicker": article.kicker,
            "title": article.title,
            "subtitle": article.subtitle.strip().lstrip("—―-– "),
            "byline": article.byline,
        }
        for key, line in headings.items():
            if line.strip():
                display = self.t.fill("article", key, text=line.strip())
                spoken = _end(self.t.fill("article", key, text=_heading(line)))
                out += self._line(display, Part.HEADER, index, s.pauses.heading, spoken)
        for paragraph in article.paragraphs:
            out += self._sentences(paragraph, Part.BODY, index)
        for caption in article.captions:
            out += self._sentences(
                self.t.fill("article", "caption", text=caption.strip()), Part.CAPTION, index
            )
        if out:
            out[-1] = _with_pause(out[-1], s.pauses.article)
        return out

    def _sentences(self, paragraph: str, part: Part, index: int) -> list[Utterance]:
        text = repair_punctuation(paragraph)
        pieces = [p for sentence in split_sentences(text) for p in pack_clauses(sentence, self.s.max_chars)]
        out = [u for p in pieces for u in self._line(p, part, index, self.s.pauses.sentence)]
        if out:
            out[-1] = _with_pause(out[-1], self.s.pauses.paragraph)
        return out

    def _line(
        self, display: str, part: Part, article: int | None, pause: float, spoken: str = ""
    ) -> list[Utterance]:
        """One utterance, or none when a template or a sentence leaves nothing to say."""
        display = _EMPTY_SLOT.sub("", display).strip()
        spoken = normalize(self.s.lexicon.substitute(_EMPTY_SLOT.sub("", spoken or display)))
        if not is_speakable(display) or not is_speakable(spoken):
            return []
        return [Utterance(display, spoken, part, article, pause)]


def _heading(line: str) -> str:
    """A headline printed on two lines arrives joined by a space: read it as a pause."""
    return re.sub(r"\s+", "，", repair_punctuation(line).strip())


def _end(line: str) -> str:
    return line if line.endswith(tuple(_ENDS)) else line + "。"


def _with_pause(u: Utterance, pause: float) -> Utterance:
    return replace(u, pause=max(u.pause, pause))
