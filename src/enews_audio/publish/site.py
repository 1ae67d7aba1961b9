"""The accessible web edition: an index of the feed's issues and a page per issue with players and transcripts."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from enews_audio.atomic import write_atomic
from enews_audio.model import Chapter, Cue
from enews_audio.publish.record import PageRecord, Record

_WEEKDAYS = "一二三四五六日"
_PARAGRAPH = 150  # characters: cues are sentences; a wall of text is hard to follow at large sizes
_VTT_TIME = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})\.(\d{3})$")
_VTT_TAG = re.compile(r"<[^>]*>")
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

# The feed's address in full, so it can be copied into a podcast app.
_FEED_SCRIPT = """
var feed = document.getElementById("feed-url");
if (feed && window.URL) feed.textContent = new URL(feed.getAttribute("href"), location.href).href;
""".strip()


def write_site(paper_dir: Path, records: Sequence[Record]) -> list[Path]:
    """``paper_dir/index.html`` listing ``records`` newest first, and ``<date>/index.html`` for each.

    Pass the feed's issues (``read_records(paper_dir)[:keep]``). Transcripts come from the ``<page>.vtt``
    written beside each episode; a page without one is shown without a transcript.
    """
    if not records:
        raise ValueError("a web edition needs at least one issue")
    newest_first = sorted(records, key=lambda r: r.date, reverse=True)
    written = []
    for record in newest_first:
        issue_dir = paper_dir / record.date.isoformat()
        cues = {page.file: read_cues(issue_dir / _sibling(page.file, ".vtt")) for page in record.pages}
        path = issue_dir / "index.html"
        write_atomic(path, render_issue(record, cues))
        written.append(path)
    index = paper_dir / "index.html"
    write_atomic(index, render_index(newest_first))
    return [index, *written]


def render_index(records: Sequence[Record]) -> str:
    """The paper's front door: how to subscribe, then every issue, newest first."""
    paper = records[0].paper
    items = "\n".join(
        f'<li><a href="{record.date.isoformat()}/index.html">{_e(_long_date(record.date))}</a>'
        f"<span class=meta>，{len(record.pages)}个版面，共{_e(_duration(sum(p.duration for p in record.pages)))}"
        "</span></li>"
        for record in records
    )
    body = f"""<h1>{_e(paper)}·有声版</h1>
<p>{_e(paper)}逐版朗读：每个版面一集，每篇文章一个章节，附文字稿。</p>
<h2 id="subscribe">订阅</h2>
<p>在播客应用里添加这个订阅地址：<a id="feed-url" href="feed.xml">feed.xml</a></p>
<h2 id="issues">各期</h2>
<ul>
{items}
</ul>"""
    return _document(f"{paper}·有声版", body, feed="feed.xml", nav="", script=_FEED_SCRIPT)


def render_issue(record: Record, cues: Mapping[str, Sequence[Cue]]) -> str:
    """One issue: per page a player, seekable chapter list and the transcript grouped under article headings.

    ``cues`` maps a page's file name to its transcript cues (read from ``<page>.vtt``, which gets a link).
    """
    title = f"{record.paper} {_long_date(record.date)}"
    contents = "\n".join(
        f'<li><a href="#{_page_id(page)}">{_e(_page_title(page))}</a></li>' for page in record.pages
    )
    pages = "\n".join(_render_page(page, cues.get(page.file, ())) for page in record.pages)
    body = f"""<h1>{_e(title)}</h1>
<nav aria-label="本期版面">
<ul>
{contents}
</ul>
</nav>
{pages}"""
    nav = '<nav aria-label="网站"><a href="../index.html">全部各期</a> · <a href="../feed.xml">播客订阅（RSS）</a></nav>'
    return _document(f"{title}·有声版", body, feed="../feed.xml", nav=nav, script=_SEEK_SCRIPT)


def _render_page(page: PageRecord, cues: Sequence[Cue]) -> str:
    ident = _page_id(page)
    player = f"player-{ident}"
    src = _e(page.file)
    code = _e(page.code)  # in link texts too: a screen reader's list of links shows them out of context
    downloads = [f'<a href="{src}" download>下载{code}版音频（MP3）</a>']
    if cues:
        downloads.append(f'<a href="{_e(_sibling(page.file, ".vtt"))}">{code}版文字稿（WebVTT）</a>')
    chapters = page.chapters or (Chapter(0.0, max(page.duration, 0.001), _page_title(page)),)
    links = "\n".join(
        f"<li>{_seek_link(page.file, player, chapter.start, _e(_heading(page, number, chapter)))}"
        f"<span class=meta>（{_e(_at(chapter.start))}）</span></li>"
        for number, chapter in enumerate(chapters)
    )
    sections = "\n".join(
        _render_chapter(page, player, number, chapter, grouped)
        for number, (chapter, grouped) in enumerate(zip(chapters, _by_chapter(cues, chapters), strict=True))
    )
    return f"""<section aria-labelledby="{ident}">
<h2 id="{ident}">{_e(_page_title(page))}</h2>
<p class=meta>时长{_e(_duration(page.duration))}，{len(page.articles)}篇文章。{" · ".join(downloads)}</p>
<audio id="{player}" controls preload="none" src="{src}">你的浏览器不能播放音频，请<a href="{src}">下载本版音频</a>。</audio>
<nav aria-label="{code}版章节">
<ol>
{links}
</ol>
</nav>
{sections}
</section>"""


def _render_chapter(page: PageRecord, player: str, number: int, chapter: Chapter, cues: Sequence[Cue]) -> str:
    paragraphs = "\n".join(f"<p>{_e(text)}</p>" for text in _paragraphs(cues)) or "<p>本篇暂无文字稿。</p>"
    label = "从头收听" if chapter.start < 0.5 else f"从{_e(_at(chapter.start))}起收听"
    listen = _seek_link(page.file, player, chapter.start, label)
    return f"""<h3 id="{_page_id(page)}-{number}">{_e(_heading(page, number, chapter))}</h3>
<p>{listen}</p>
{paragraphs}"""


def _heading(page: PageRecord, number: int, chapter: Chapter) -> str:
    """An article's headline; the opening chapter (titled like the page) is the page's rundown."""
    return "本版导读" if number == 0 and chapter.title not in page.articles else chapter.title


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


def read_cues(path: Path) -> tuple[Cue, ...]:
    """The cues of a WebVTT file, tags and entities removed; ``()`` when the file is absent or unreadable.

    A transcript is an extra: a missing or damaged one must not stop the web edition being written.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ()
    return parse_vtt(text)


def parse_vtt(text: str) -> tuple[Cue, ...]:
    """Cues from WebVTT text; blocks without a valid timing line (header, NOTE, STYLE) are skipped."""
    cues = []
    for block in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = block.strip("\n").split("\n")
        for number, line in enumerate(lines):
            if "-->" not in line:
                continue
            start_text, _, rest = line.partition("-->")
            start, end = _vtt_seconds(start_text), _vtt_seconds(rest.split()[0] if rest.split() else "")
            words = _join_lines([html.unescape(_VTT_TAG.sub("", cue)) for cue in lines[number + 1 :]])
            if start is not None and end is not None and end > start and words:
                cues.append(Cue(start, end, words))
            break
    return tuple(cues)


def _vtt_seconds(stamp: str) -> float | None:
    match = _VTT_TIME.match(stamp.strip())
    if not match:
        return None
    hours, minutes, seconds, millis = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _join_lines(lines: Sequence[str]) -> str:
    """A cue's lines as one text: Chinese joins without a space, Latin words keep one between them."""
    out = ""
    for line in (line.strip() for line in lines):
        if not line:
            continue
        if out and out[-1].isascii() and line[0].isascii():
            out += " "
        out += line
    return out


def _by_chapter(cues: Sequence[Cue], chapters: Sequence[Chapter]) -> list[list[Cue]]:
    """Each cue under the chapter holding its midpoint (chapter marks and cue starts differ by tenths)."""
    grouped: list[list[Cue]] = [[] for _ in chapters]
    for cue in cues:
        middle = (cue.start + cue.end) / 2
        index = max((i for i, chapter in enumerate(chapters) if chapter.start <= middle), default=0)
        grouped[index].append(cue)
    return grouped


def _paragraphs(cues: Sequence[Cue]) -> list[str]:
    """Whole cues gathered into paragraphs of about ``_PARAGRAPH`` characters."""
    paragraphs: list[str] = []
    current = ""
    for cue in cues:
        if current and len(current) + len(cue.text) > _PARAGRAPH:
            paragraphs.append(current)
            current = ""
        current = _join_lines([current, cue.text])
    return [*paragraphs, current] if current else paragraphs


def _sibling(file: str, suffix: str) -> str:
    return str(Path(file).with_suffix(suffix))


def _page_id(page: PageRecord) -> str:
    return "page-" + _NOT_ID.sub("-", Path(page.file).stem)


def _page_title(page: PageRecord) -> str:
    return f"{page.code}版 {page.name}".rstrip()


def _long_date(date: dt.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日 星期{_WEEKDAYS[date.weekday()]}"


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
