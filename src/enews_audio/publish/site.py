"""The web edition as a listening app: the paper's page (issues, search, 继续收听) and a page per issue.

Plain HTML that works without scripts (native ``<audio>`` per page, chapter links, the articles under their
headlines), made into a player by ``web/player.js``: big 播放/暂停, 上一篇, 下一篇 buttons, 语速, 大字,
resume, offline storage through ``sw.js``. Every file is served from the paper's folder: nothing is loaded
from elsewhere, so the pages work behind any firewall and, once stored, with no network at all.
"""

from __future__ import annotations

import datetime as dt
import gzip
import html
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from enews_audio.atomic import write_atomic
from enews_audio.chars import weekday
from enews_audio.model import Article, Chapter, Issue, Page, page_title
from enews_audio.publish.assets import asset_url, write_assets
from enews_audio.publish.daisy import book_name
from enews_audio.publish.display import ShownCue, read_cues, shown_texts
from enews_audio.publish.feed import COVER_NAMES, FEED_NAME, SLOW_FEED_NAME, feed_url
from enews_audio.publish.frame import document, player_controls, toolbar
from enews_audio.publish.record import OPENING_TITLE, PageRecord, Record, chapter_titles, has_slow
from enews_audio.publish.search import write_search_index
from enews_audio.publish.sections import Section
from enews_audio.publish.sections import sections as paper_sections

_NOT_ID = re.compile(r"[^A-Za-z0-9_-]")

# Under the subscribe address when the build had no base_url (the feed's links are relative, too).
_RELATIVE_NOTE = (
    "这是订阅文件的相对地址：完整地址是本页所在网址的文件夹加上 {name}。"
    "本版生成时没有设置网址（base_url），订阅文件里的链接也是相对的：把文件夹复制到网站上，"
    "有的播客应用会无法播放；由 enews-audio serve 提供则没有这个问题。"
)


def write_site(
    paper_dir: Path,
    records: Sequence[Record],
    record: Record,
    issue: Issue,
    *,
    base_url: str = "",
    sections: Mapping[str, Sequence[str]] | None = None,
    search: bool = True,
    report_email: str = "",
) -> list[Path]:
    """``paper_dir/index.html`` listing ``records`` newest first, and ``<date>/index.html`` for ``issue``.

    Pass the feed's issues (``read_records(paper_dir)[:keep]``) and the record and issue just published:
    its page is written from the articles as printed (headline, kicker, subtitle, byline) with the text
    of its transcripts (punctuation repaired) and the record's chapters; other issues' pages were written
    when they were published. The player's files and the search index over ``records`` come with them.
    ``base_url`` (where ``paper_dir`` is served) makes the share card's links absolute. Without ``search``
    the index is left as it was: it is rebuilt from every kept issue (seconds for a month of dailies), too
    slow to redo for each page of an issue published page by page. ``report_email`` (the owner's) is where
    a listener's 读错了 report goes by e-mail when no ``serve --reports`` takes it.
    """
    write_assets(paper_dir)
    index = write_index(paper_dir, records, base_url=base_url, sections=sections)
    page = paper_dir / issue.date.isoformat() / "index.html"
    cover = next((name for name in COVER_NAMES if (paper_dir / name).is_file()), "")
    _write_page(
        page,
        render_issue(
            record,
            issue,
            issue_dir=page.parent,
            slow_feed=has_slow(records),
            cover=cover,
            base_url=base_url,
            report_email=report_email,
        ),
    )
    if search:
        write_search_index(paper_dir, [r.date.isoformat() for r in records])
    return [index, page]


def write_index(
    paper_dir: Path,
    records: Sequence[Record],
    *,
    base_url: str = "",
    sections: Mapping[str, Sequence[str]] | None = None,
) -> Path:
    """``paper_dir/index.html``: how to subscribe (to the paper, and to each section, ``sections`` gathering
    page names as the settings do), and ``records`` (the feed's issues) newest first."""
    if not records:
        raise ValueError("a web edition needs at least one issue")
    found = paper_sections(paper_dir, records, sections or {})
    index = paper_dir / "index.html"
    _write_page(
        index,
        render_index(sorted(records, key=lambda r: r.date, reverse=True), base_url=base_url, sections=found),
    )
    return index


def _write_page(path: Path, page: str) -> None:
    """The page, and beside it ``index.html.gz`` for servers that send a compressed copy when there is one
    (``enews-audio serve``, nginx's gzip_static): a whole daily's text is about 280 kB, 140 kB gzipped."""
    data = page.encode("utf-8")
    write_atomic(path.with_name(path.name + ".gz"), gzip.compress(data, compresslevel=9, mtime=0))
    write_atomic(path, data)


def render_index(records: Sequence[Record], *, base_url: str = "", sections: Sequence[Section] = ()) -> str:
    """The paper's front door: 继续收听, search, how to subscribe (the feed's full address under
    ``base_url``, else its relative one and a note), then every issue, newest first."""
    paper = records[0].paper
    items = "\n".join(
        f'<li><a href="{record.date.isoformat()}/index.html">{_e(_long_date(record.date))}</a>'
        f"<span class=meta>，{len(record.pages)}个版面，共{_e(_duration(sum(p.duration for p in record.pages)))}"
        "</span></li>"
        for record in records
    )
    address, note, by_section = feed_url(base_url), "", ""
    if sections:
        feeds = "\n".join(
            f'<li>{_e(section.name)}：<a class=url href="{_e(url)}">{_e(url)}</a></li>'
            for section in sections
            for url in (feed_url(base_url, name=section.file),)
        )
        by_section = f"""
<h3 id="sections">按版面订阅</h3>
<p>只想听某个版面，就在播客应用里添加这个版面的订阅地址：</p>
<ul class=sections>
{feeds}
</ul>"""
    if not base_url:
        note = f"\n<p id=feed-note class=meta>{_e(_RELATIVE_NOTE.format(name=FEED_NAME))}</p>"
    slow = ""
    if has_slow(records):
        slow_feed = _e(feed_url(base_url, slow=True))
        slow = f"""
<p>语速放慢、停顿更长的慢速版，订阅地址：<a id="slow-feed-url" class=url href="{slow_feed}">{slow_feed}</a></p>"""
    body = f"""<h1>{_e(paper)}·有声版</h1>
<p>{_e(paper)}逐版朗读：每个版面一集，每篇文章一个章节，附文字。</p>
<p id="resume-latest" hidden></p>
<section id="search" aria-labelledby="search-title" hidden>
<h2 id="search-title">查找文章</h2>
<form id="search-form" role="search" action="index.html">
<label for="search-box">输入要找的字词，比如“公交”：</label>
<input id="search-box" type="search" name="q" autocomplete="off" enterkeyhint="search">
<button type="submit">查找</button>
</form>
<div id="search-results" aria-live="polite"></div>
</section>
<h2 id="issues">各期</h2>
<ul class=issues>
{items}
</ul>
<h2 id="subscribe">订阅</h2>
<p>在播客应用里添加这个订阅地址：<a id="feed-url" class=url href="{_e(address)}">{_e(address)}</a></p>{note}{slow}{by_section}"""
    cover = "cover.jpg"
    return document(
        f"{paper}·有声版",
        body,
        root="",
        feed=address,
        nav=toolbar(""),
        share=(f"{paper}·有声版", f"{paper}逐版朗读，每天更新：大字、大按钮，可调语速，可离线收听。", cover),
        data={"paper-root": "./"},
        extra_scripts=("search.js",),
    )


def render_issue(
    record: Record,
    issue: Issue,
    *,
    issue_dir: Path | None = None,
    slow_feed: bool = False,
    cover: str = "",
    base_url: str = "",
    report_email: str = "",
) -> str:
    """One issue: the player, then per page a native player, its chapters and each article as printed.

    The articles' text is their transcripts' (``issue_dir``/a01.vtt), where those say it.
    """
    title = f"{record.paper} {_long_date(record.date)}"
    contents = "\n".join(
        f'<li><a href="#{_page_id(page)}">{_e(page_title(page.code, page.name))}</a></li>'
        for page in record.listed
    )
    printed = {page.code: page for page in issue.pages}
    pages = "\n".join(
        _render_page(
            page,
            printed.get(page.code),
            read_cues(issue_dir / page.transcript_file) if issue_dir and page.transcript_file else [],
        )
        for page in record.listed  # the briefing first: the player goes on from it to the front page
    )
    daisy = ""
    if record.daisy:
        name = f"{book_name(record.paper, record.date)}.zip"
        daisy = (
            f'\n<p>给听书机：<a href="{_e(record.daisy)}" download="{_e(name)}">下载本期DAISY有声书（ZIP）</a>'
            "，解压后复制到听书机的存储卡。</p>"
        )
    offline = [
        "index.html",
        *(f"../{asset_url(name)}" for name in ("player.css", "player.js", "report.js")),
        *([f"../{cover}"] if cover else []),
        *(name for p in record.listed for name in (p.file, p.chapters_file, p.transcript_file) if name),
    ]
    body = f"""<h1>{_e(title)}</h1>
{player_controls(offline)}
<nav aria-label="本期版面">
<h2 id="contents">本期版面</h2>
<ul>
{contents}
</ul>
</nav>{daisy}
{pages}"""
    feeds = f'<a href="../{FEED_NAME}">播客订阅</a>'
    if slow_feed:
        feeds += f'<a href="../{SLOW_FEED_NAME}">慢速版订阅</a>'
    nav = toolbar(f'<a href="../index.html">全部各期</a>{feeds}')
    headlines = "；".join(a for page in record.pages for a in page.articles[:3])
    total = _duration(sum(p.duration for p in record.pages))
    description = f"{len(record.pages)}个版面，共{total}。{headlines}"
    base = base_url if not base_url or base_url.endswith("/") else base_url + "/"
    share_image = f"{base}{cover}" if base else f"../{cover}"
    return document(
        f"{title}·有声版",
        body,
        root="../",
        feed=f"../{FEED_NAME}",
        nav=nav,
        share=(title, description[:150], share_image if cover else ""),
        url=f"{base}{record.date.isoformat()}/" if base else "",
        data={"paper-root": "../", "issue": record.date.isoformat(), "report-email": report_email},
        extra_scripts=("report.js",),
    )


def _render_page(record: PageRecord, page: Page | None, cues: Sequence[ShownCue]) -> str:
    ident = _page_id(record)
    player = f"player-{ident}"
    src = _e(record.file)
    # in link texts too: a screen reader's list of links shows them out of context
    code = f"{_e(record.code)}版" if record.code else _e(record.name)  # the briefing has no code
    downloads = [f'<a href="{src}" download>下载{code}音频（MP3）</a>']
    if record.slow:
        downloads.append(f'<a href="{_e(record.slow.file)}" download>{code}慢速版音频（MP3）</a>')
    if record.transcript_file:
        downloads.append(f'<a href="{_e(record.transcript_file)}">{code}文字稿（WebVTT）</a>')
    chapters = record.chapters or (
        Chapter(0.0, max(record.duration, 0.001), page_title(record.code, record.name)),
    )
    titles = chapter_titles(chapters, record.articles)
    # the briefing's chapters: its opening, then one per page
    holds = f"{len(record.articles)}篇文章" if record.code else f"{len(record.articles) - 1}个版面"
    links = "\n".join(
        f"<li>{_seek_link(record.file, player, chapter.start, _e(title))}"
        f"<span class=meta>（{_e(_at(chapter.start))}）</span></li>"
        for chapter, title in zip(chapters, titles, strict=True)
    )
    return f"""<section id="{ident}" class="page" aria-labelledby="{ident}-title" data-title="{_e(page_title(record.code, record.name))}">
<h2 id="{ident}-title">{_e(page_title(record.code, record.name))}</h2>
<div class="listening">
<p class=meta>时长{_e(_duration(record.duration))}，{holds}。</p>
<p class="downloads">{"".join(downloads)}</p>
<audio id="{player}" controls preload="none" src="{src}">你的浏览器不能播放音频，请<a href="{src}">下载本版音频</a>。</audio>
<nav aria-label="{code}章节" class="chapters">
<ol>
{links}
</ol>
</nav>
</div>
{_render_text(record, page, chapters, player, cues) if record.code else ""}
</section>"""


def _render_text(
    record: PageRecord, page: Page | None, chapters: Sequence[Chapter], player: str, cues: Sequence[ShownCue]
) -> str:
    """The opening's rundown, then every article under its headline, each with a link to where it is heard."""
    ident = _page_id(record)
    starts = _article_chapters(chapters, record.articles)
    articles = page.articles if page else ()
    rundown = "\n".join(
        f'<li><a href="#{ident}-{number}">{_e(article.title)}</a></li>'
        for number, article in enumerate(articles, 1)
    )
    opening = f"""<div class="opening">
<h3 id="{ident}-0">{OPENING_TITLE}</h3>
<p>{_listen(record.file, player, chapters[0].start)}</p>"""
    if rundown:
        opening += f"\n<p>本版共{len(articles)}篇文章：</p>\n<ol>\n{rundown}\n</ol>"
    opening += "\n</div>"
    return "\n".join(
        [
            opening,
            *(
                _render_article(record, player, n, a, starts.get(n - 1), cues)
                for n, a in enumerate(articles, 1)
            ),
        ]
    )


def _render_article(
    record: PageRecord,
    player: str,
    number: int,
    article: Article,
    chapter: Chapter | None,
    cues: Sequence[ShownCue],
) -> str:
    ident = f"{_page_id(record)}-{number}"
    heading = f'<h3 id="{ident}">{_e(article.title)}</h3>'
    if article.kicker.strip() or article.subtitle.strip():
        kicker = f"\n<p class=kicker>{_e(article.kicker.strip())}</p>" if article.kicker.strip() else ""
        subtitle = article.subtitle.strip()
        subtitle = f"\n<p class=subtitle>{_e(subtitle)}</p>" if subtitle else ""
        heading = f"<hgroup>{kicker}\n{heading}{subtitle}\n</hgroup>"
    lines = [heading]
    if article.byline.strip():
        lines.append(f"<p class=byline>{_e(article.byline.strip())}</p>")
    if chapter is not None:
        lines.append(f"<p class=listen>{_listen(record.file, player, chapter.start)}</p>")
    paragraphs = [text.strip() for text in article.paragraphs if text.strip()]
    captions = [text.strip() for text in article.captions if text.strip()]
    shown = shown_texts([*paragraphs, *captions], cues, chapter)
    for text, said in zip(paragraphs, shown, strict=False):
        lines.append(f"<p>{_said(said) if said else _e(text)}</p>")
    for text, said in zip(captions, shown[len(paragraphs) :], strict=True):
        if said:
            lines.append(f"<p class=caption>{_said(said)}</p>")
        else:
            lines.append(f"<p class=caption><strong>图片说明：</strong>{_e(text)}</p>")
    start = f' data-start="{chapter.start:.3f}"' if chapter is not None else ""
    return f'<article aria-labelledby="{ident}"{start}>\n' + "\n".join(lines) + "\n</article>"


def _said(cues: Sequence[ShownCue]) -> str:
    """Transcript cues as spans the player highlights: data-c is the cue's number in the .vtt, data-t its start."""
    return "".join(f'<span data-c="{c.number}" data-t="{c.start:.2f}">{_e(c.text)}</span>' for c in cues)


def _article_chapters(chapters: Sequence[Chapter], articles: Sequence[str]) -> dict[int, Chapter]:
    """Each article's chapter, by article index; chapters follow the articles in order."""
    found: dict[int, Chapter] = {}
    remaining = list(enumerate(articles))
    for chapter in chapters:
        for position, (index, title) in enumerate(remaining):
            if title == chapter.title:
                found[index] = chapter
                del remaining[: position + 1]
                break
    return found


def _listen(file: str, player: str, start: float) -> str:
    label = "从头收听" if start < 0.5 else f"从{_e(_at(start))}起收听"
    return _seek_link(file, player, start, label)


def _seek_link(file: str, player: str, start: float, label_html: str) -> str:
    href = f"{file}#t={start:.1f}"
    return f'<a href="{_e(href)}" data-player="{player}" data-start="{start:.3f}">{label_html}</a>'


def _page_id(page: PageRecord) -> str:
    return "page-" + _NOT_ID.sub("-", Path(page.file).stem)


def _long_date(date: dt.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日 {weekday(date)}"


def _duration(seconds: float) -> str:
    """Spoken-friendly length: "12分5秒", "1小时2分" (screen readers read "12:05" as a ratio or a time)."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}小时{minutes}分"
    return f"{minutes}分{secs}秒" if minutes else f"{secs}秒"


def _at(seconds: float) -> str:
    return "开头" if seconds < 0.5 else _duration(seconds)


def _e(text: str) -> str:
    return html.escape(text, quote=True)
