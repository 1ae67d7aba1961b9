"""The accessible web edition: an index of the feed's issues and a page per issue with players and the articles."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from pathlib import Path

from enews_audio.atomic import write_atomic
from enews_audio.chars import weekday
from enews_audio.model import Article, Chapter, Issue, Page, page_title
from enews_audio.publish.daisy import book_name
from enews_audio.publish.feed import FEED_NAME, SLOW_FEED_NAME, feed_url
from enews_audio.publish.record import OPENING_TITLE, PageRecord, Record, chapter_titles, has_slow

_NOT_ID = re.compile(r"[^A-Za-z0-9_-]")

# Large type (20 px at the browser's default size, and it follows the reader's own setting), strong contrast
# in light and dark schemes, a visible focus ring, a skip link that appears on focus.
_STYLE = """
html { font-size: 125%; -webkit-text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 40rem; padding: 0 1rem 3rem; line-height: 1.8; color: #111; background: #fff;
  font-family: system-ui, "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; }
h1 { font-size: 1.8rem; line-height: 1.4; }
h2 { font-size: 1.5rem; line-height: 1.4; margin-top: 2.5rem; padding-top: 1rem; border-top: 3px solid #111; }
h3 { font-size: 1.25rem; line-height: 1.5; margin-top: 2rem; }
a { color: #0a3a8c; text-underline-offset: 0.2em; }
a:focus-visible, audio:focus-visible, main:focus-visible { outline: 4px solid #c45500; outline-offset: 3px; }
audio { width: 100%; margin: 0.5rem 0; }
ol, ul { padding-left: 1.5em; }
li { margin: 0.4rem 0; }
.skip { position: absolute; left: 0.5rem; top: -10rem; padding: 0.5rem 1rem; background: #fff; color: #0a3a8c; }
.skip:focus { top: 0.5rem; }
.meta { color: #333; }
hgroup p, .byline { margin: 0.3rem 0; font-weight: bold; }
.caption { padding-left: 1rem; border-left: 4px solid #555; }
@media (prefers-color-scheme: dark) {
  body, .skip { color: #f2f2f2; background: #111; }
  h2 { border-top-color: #f2f2f2; }
  a, .skip { color: #9cc7ff; }
  .meta { color: #ddd; }
}
""".strip()

# Chapter links are media fragments (a01.mp3#t=83.2): without scripts they open the file at that time.
# With scripts they seek the page's own player instead of leaving the page.
_SEEK_SCRIPT = """
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a[data-start]") : null;
  var player = link && document.getElementById(link.getAttribute("data-player"));
  if (!player || typeof player.play !== "function") return;
  event.preventDefault();
  var start = parseFloat(link.getAttribute("data-start"));
  var seek = function () { player.currentTime = start; };
  if (player.readyState > 0) seek(); else player.addEventListener("loadedmetadata", seek, { once: true });
  var playing = player.play();
  if (playing && playing.catch) playing.catch(function () {});
});
""".strip()

# The feed's address in full, so it can be copied into a podcast app; never a file: address, which no app
# can subscribe to (a page opened from disk keeps the relative one, and the note under it).
_FEED_SCRIPT = """
var feed = document.getElementById("feed-url");
if (feed && window.URL && /^https?:$/.test(location.protocol))
  feed.textContent = new URL(feed.getAttribute("href"), location.href).href;
""".strip()
# Under the subscribe address when the build had no base_url (the feed's links are relative, too).
_RELATIVE_NOTE = (
    "这是订阅文件的相对地址：完整地址是本页所在网址的文件夹加上 {name}。"
    "本版生成时没有设置网址（base_url），订阅文件里的链接也是相对的：把文件夹复制到网站上，"
    "有的播客应用会无法播放；由 enews-audio serve 提供则没有这个问题。"
)


def write_site(
    paper_dir: Path, records: Sequence[Record], record: Record, issue: Issue, *, base_url: str = ""
) -> list[Path]:
    """``paper_dir/index.html`` listing ``records`` newest first, and ``<date>/index.html`` for ``issue``.

    Pass the feed's issues (``read_records(paper_dir)[:keep]``) and the record and issue just published:
    its page is written from the articles as printed (headline, kicker, subtitle, byline, paragraphs,
    captions) and the record's chapters; other issues' pages were written when they were published.
    """
    index = write_index(paper_dir, records, base_url=base_url)
    page = paper_dir / issue.date.isoformat() / "index.html"
    write_atomic(page, render_issue(record, issue, slow_feed=has_slow(records)))
    return [index, page]


def write_index(paper_dir: Path, records: Sequence[Record], *, base_url: str = "") -> Path:
    """``paper_dir/index.html``: how to subscribe, and ``records`` (the feed's issues) newest first."""
    if not records:
        raise ValueError("a web edition needs at least one issue")
    index = paper_dir / "index.html"
    write_atomic(index, render_index(sorted(records, key=lambda r: r.date, reverse=True), base_url=base_url))
    return index


def render_index(records: Sequence[Record], *, base_url: str = "") -> str:
    """The paper's front door: how to subscribe (the feed's full address under ``base_url``, else its
    relative one and a note), then every issue, newest first."""
    paper = records[0].paper
    items = "\n".join(
        f'<li><a href="{record.date.isoformat()}/index.html">{_e(_long_date(record.date))}</a>'
        f"<span class=meta>，{len(record.pages)}个版面，共{_e(_duration(sum(p.duration for p in record.pages)))}"
        "</span></li>"
        for record in records
    )
    address, note = feed_url(base_url), ""
    if not base_url:
        note = f"\n<p id=feed-note class=meta>{_e(_RELATIVE_NOTE.format(name=FEED_NAME))}</p>"
    slow = ""
    if has_slow(records):
        slow_feed = _e(feed_url(base_url, slow=True))
        slow = f"""
<p>语速放慢、停顿更长的慢速版，订阅地址：<a id="slow-feed-url" href="{slow_feed}">{slow_feed}</a></p>"""
    body = f"""<h1>{_e(paper)}·有声版</h1>
<p>{_e(paper)}逐版朗读：每个版面一集，每篇文章一个章节，附文字稿。</p>
<h2 id="subscribe">订阅</h2>
<p>在播客应用里添加这个订阅地址：<a id="feed-url" href="{_e(address)}">{_e(address)}</a></p>{note}{slow}
<h2 id="issues">各期</h2>
<ul>
{items}
</ul>"""
    return _document(f"{paper}·有声版", body, feed=address, nav="", script=_FEED_SCRIPT)


def render_issue(record: Record, issue: Issue, *, slow_feed: bool = False) -> str:
    """One issue: per page a player, seekable chapter list, then each article as printed under its headline."""
    title = f"{record.paper} {_long_date(record.date)}"
    contents = "\n".join(
        f'<li><a href="#{_page_id(page)}">{_e(page_title(page.code, page.name))}</a></li>'
        for page in record.pages
    )
    printed = {page.code: page for page in issue.pages}
    pages = "\n".join(_render_page(page, printed.get(page.code)) for page in record.pages)
    daisy = ""
    if record.daisy:
        name = f"{book_name(record.paper, record.date)}.zip"
        daisy = (
            f'\n<p>给听书机：<a href="{_e(record.daisy)}" download="{_e(name)}">下载本期DAISY有声书（ZIP）</a>'
            "，解压后复制到听书机的存储卡。</p>"
        )
    body = f"""<h1>{_e(title)}</h1>{daisy}
<nav aria-label="本期版面">
<ul>
{contents}
</ul>
</nav>
{pages}"""
    feeds = f' · <a href="../{FEED_NAME}">播客订阅（RSS）</a>'
    if slow_feed:
        feeds += f' · <a href="../{SLOW_FEED_NAME}">慢速版订阅</a>'
    nav = f'<nav aria-label="网站"><a href="../index.html">全部各期</a>{feeds}</nav>'
    return _document(f"{title}·有声版", body, feed=f"../{FEED_NAME}", nav=nav, script=_SEEK_SCRIPT)


def _render_page(record: PageRecord, page: Page | None) -> str:
    ident = _page_id(record)
    player = f"player-{ident}"
    src = _e(record.file)
    code = _e(record.code)  # in link texts too: a screen reader's list of links shows them out of context
    downloads = [f'<a href="{src}" download>下载{code}版音频（MP3）</a>']
    if record.slow:
        downloads.append(f'<a href="{_e(record.slow.file)}" download>{code}版慢速版音频（MP3）</a>')
    if record.transcript_file:
        downloads.append(f'<a href="{_e(record.transcript_file)}">{code}版文字稿（WebVTT）</a>')
    chapters = record.chapters or (
        Chapter(0.0, max(record.duration, 0.001), page_title(record.code, record.name)),
    )
    titles = chapter_titles(chapters, record.articles)
    links = "\n".join(
        f"<li>{_seek_link(record.file, player, chapter.start, _e(title))}"
        f"<span class=meta>（{_e(_at(chapter.start))}）</span></li>"
        for chapter, title in zip(chapters, titles, strict=True)
    )
    return f"""<section aria-labelledby="{ident}">
<h2 id="{ident}">{_e(page_title(record.code, record.name))}</h2>
<p class=meta>时长{_e(_duration(record.duration))}，{len(record.articles)}篇文章。{" · ".join(downloads)}</p>
<audio id="{player}" controls preload="none" src="{src}">你的浏览器不能播放音频，请<a href="{src}">下载本版音频</a>。</audio>
<nav aria-label="{code}版章节">
<ol>
{links}
</ol>
</nav>
{_render_text(record, page, chapters, player)}
</section>"""


def _render_text(record: PageRecord, page: Page | None, chapters: Sequence[Chapter], player: str) -> str:
    """The opening's rundown, then every article under its headline, each with a link to where it is heard."""
    ident = _page_id(record)
    starts = _article_starts(chapters, record.articles)
    articles = page.articles if page else ()
    rundown = "\n".join(
        f'<li><a href="#{ident}-{number}">{_e(article.title)}</a></li>'
        for number, article in enumerate(articles, 1)
    )
    opening = f"""<h3 id="{ident}-0">{OPENING_TITLE}</h3>
<p>{_listen(record.file, player, chapters[0].start)}</p>"""
    if rundown:
        opening += f"\n<p>本版共{len(articles)}篇文章：</p>\n<ol>\n{rundown}\n</ol>"
    return "\n".join(
        [
            opening,
            *(_render_article(record, player, n, a, starts.get(n - 1)) for n, a in enumerate(articles, 1)),
        ]
    )


def _render_article(
    record: PageRecord, player: str, number: int, article: Article, start: float | None
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
    if start is not None:
        lines.append(f"<p>{_listen(record.file, player, start)}</p>")
    lines += [f"<p>{_e(text.strip())}</p>" for text in article.paragraphs if text.strip()]
    lines += [
        f"<p class=caption><strong>图片说明：</strong>{_e(text.strip())}</p>"
        for text in article.captions
        if text.strip()
    ]
    return f'<article aria-labelledby="{ident}">\n' + "\n".join(lines) + "\n</article>"


def _article_starts(chapters: Sequence[Chapter], articles: Sequence[str]) -> dict[int, float]:
    """Where each article's chapter starts, by article index; chapters follow the articles in order."""
    starts: dict[int, float] = {}
    remaining = list(enumerate(articles))
    for chapter in chapters:
        for position, (index, title) in enumerate(remaining):
            if title == chapter.title:
                starts[index] = chapter.start
                del remaining[: position + 1]
                break
    return starts


def _listen(file: str, player: str, start: float) -> str:
    label = "从头收听" if start < 0.5 else f"从{_e(_at(start))}起收听"
    return _seek_link(file, player, start, label)


def _seek_link(file: str, player: str, start: float, label_html: str) -> str:
    href = f"{file}#t={start:.1f}"
    return f'<a href="{_e(href)}" data-player="{player}" data-start="{start:.3f}">{label_html}</a>'


def _document(title: str, body: str, *, feed: str, nav: str, script: str) -> str:
    header = f"<header>\n{nav}\n</header>\n" if nav else ""
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title>
<link rel="alternate" type="application/rss+xml" title="播客订阅" href="{_e(feed)}">
<style>
{_STYLE}
</style>
</head>
<body>
<a class="skip" href="#main">跳到正文</a>
{header}<main id="main" tabindex="-1">
{body}
</main>
<script>
{script}
</script>
</body>
</html>
"""


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
