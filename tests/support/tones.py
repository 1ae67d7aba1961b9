"""Real episodes for tests that look at audio: sine-tone clips, one pitch per article, assembled for real."""

import datetime as dt
from pathlib import Path

import lameenc
import numpy as np

from enews_audio.audio import AudioSettings, assemble
from enews_audio.model import Article, Clip, Episode, Issue, Page, PageScript, Part, Utterance, episode_title

RATE = 24000
OPENING_HZ = 300.0


def tone(seconds: float, freq: float) -> Clip:
    t = np.arange(round(seconds * RATE)) / RATE
    pcm = (0.3 * np.sin(2 * np.pi * freq * t) * 32767).astype("<i2")
    encoder = lameenc.Encoder()
    encoder.set_channels(1)
    encoder.set_in_sample_rate(RATE)
    encoder.set_bit_rate(48)
    return Clip(bytes(encoder.encode(pcm.tobytes()) + encoder.flush()), seconds)


def article_hz(index: int) -> float:
    """The pitch every clip of article ``index`` (0-based) is spoken in, so a cut can be checked by ear."""
    return 500.0 + 150.0 * index


def make_issue(paper: str, date: dt.date, articles: tuple[int, ...] = (2, 3)) -> Issue:
    """Pages A01, A02, … with so many articles each, every article with a byline and two paragraphs."""
    pages = []
    for number, count in enumerate(articles, 1):
        code = f"A{number:02d}"
        pages.append(
            Page(
                code,
                "要闻" if number == 1 else "城事",
                tuple(
                    Article(
                        f"{code}版第{k}篇：江岸灯火",
                        (f"{code}第{k}篇第一段。", f"{code}第{k}篇第二段。"),
                        byline="记者 陈晓",
                    )
                    for k in range(1, count + 1)
                ),
            )
        )
    return Issue(paper, date, tuple(pages))


def page_script(page: Page) -> PageScript:
    """An opening of two sentences, then per article a header and its paragraphs, as the text stage lays out."""
    lines = [
        Utterance("山城晚报，2025年12月31日。", "s", Part.OPENING, None, 0.35),
        Utterance(f"{page.code}版，{page.name}。", "s", Part.OPENING, None, 0.6),
    ]
    for index, article in enumerate(page.articles):
        lines.append(Utterance(article.title, "s", Part.HEADER, index, 0.6))
        lines += [Utterance(text, "s", Part.BODY, index, 0.7) for text in article.paragraphs]
    return PageScript(page, tuple(lines))


def assemble_issue(issue_dir: Path, issue: Issue) -> list[Episode]:
    """Each page's episode (``a01.mp3``) written into ``issue_dir``."""
    episodes = []
    for page in issue.pages:
        script = page_script(page)
        clips = [
            tone(0.5 + 0.1 * (n % 3), OPENING_HZ if u.article is None else article_hz(u.article))
            for n, u in enumerate(script.utterances)
        ]
        title = episode_title(issue.paper, issue.date, page.code, page.name)
        path = issue_dir / f"{page.slug}.mp3"
        tags = {"title": title, "album": issue.paper, "artist": issue.paper, "date": issue.date}
        episodes.append(assemble(script, clips, path, AudioSettings(), **tags))
    return episodes
