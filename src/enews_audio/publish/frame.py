"""The frame every page of the web edition shares, and the listening app's controls in it."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence

from enews_audio.publish.assets import asset_url

RATES = (0.75, 0.9, 1.0, 1.1, 1.25, 1.5)  # 语速 choices; 1 is the default
_RATE_NAMES = {0.75: "（慢）", 1.0: "（正常）", 1.5: "（快）"}

# Before the first paint, so a listener who chose 大字 never sees the small page flash first.
_EARLY_SCRIPT = 'try{if(localStorage.getItem("enews:big")==="true")document.documentElement.classList.add("big")}catch(e){}'


def player_controls(offline: Sequence[str]) -> str:
    """The one player of the issue, shown by player.js (without scripts the pages' own players remain)."""
    options = "\n".join(
        f'<option value="{rate:g}"{" selected" if rate == 1.0 else ""}>{rate:g}倍{_RATE_NAMES.get(rate, "")}</option>'
        for rate in RATES
    )
    files = _e(json.dumps(list(offline), ensure_ascii=False))
    return f"""<section id="player" class="player" aria-labelledby="player-title" hidden>
<h2 id="player-title">收听本期</h2>
<p class="now" aria-live="polite">正在收听：<strong id="now-title"></strong></p>
<div class="controls">
<button id="prev" type="button">上一篇</button>
<button id="play" type="button" aria-label="播放/暂停" aria-pressed="false"><span aria-hidden="true" class="icon">▶</span><span class="word">播放</span></button>
<button id="next" type="button">下一篇</button>
</div>
<p class="rate"><label for="rate">语速</label>
<select id="rate">
{options}
</select></p>
<p id="resume-box" hidden><button id="resume" type="button"></button></p>
<p class="offline"><button id="offline" type="button" data-files="{files}">离线收听</button>
<span id="offline-status" role="status"></span></p>
<p class="keys">电脑键盘：空格键播放或暂停，左右方向键换文章，上下方向键调语速。</p>
</section>"""


def toolbar(links: str) -> str:
    return f"""<nav class="bar" aria-label="网站">{links}<button id="big" type="button" aria-pressed="false">大字</button></nav>"""


def document(
    title: str,
    body: str,
    *,
    root: str,
    feed: str,
    nav: str,
    share: tuple[str, str, str],
    data: dict[str, str],
    url: str = "",
    extra_scripts: Sequence[str] = (),
) -> str:
    """The frame every page shares: share card, the player's style and script (same folder, versioned)."""
    share_title, description, image = share
    card = [
        f'<meta property="og:title" content="{_e(share_title)}">',
        f'<meta property="og:description" content="{_e(description)}">',
        f'<meta name="description" content="{_e(description)}">',
        '<meta property="og:type" content="website">',
    ]
    if image:
        card.append(f'<meta property="og:image" content="{_e(image if "/" in image else root + image)}">')
    if url:
        card.append(f'<meta property="og:url" content="{_e(url)}">')
    scripts = "\n".join(
        f'<script src="{_e(root + asset_url(name))}" defer></script>'
        for name in ("player.js", *extra_scripts)
    )
    attributes = "".join(f' data-{key}="{_e(value)}"' for key, value in data.items())
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title>
{chr(10).join(card)}
<link rel="alternate" type="application/rss+xml" title="播客订阅" href="{_e(feed)}">
<link rel="stylesheet" href="{_e(root + asset_url("player.css"))}">
<script>{_EARLY_SCRIPT}</script>
{scripts}
</head>
<body{attributes}>
<a class="skip" href="#main">跳到正文</a>
<header>
{nav}
</header>
<main id="main" tabindex="-1">
{body}
</main>
</body>
</html>
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)
