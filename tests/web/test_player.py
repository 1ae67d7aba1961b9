"""The web edition as a listening app, in a real browser at a phone's size (Chromium, 360×740).

Two issues of one paper are built with the whole pipeline and the fake engine (real, decodable silence):
the sample issue of ``examples/`` and a second one written here, whose text has the ASCII punctuation
e-paper exports leave. They are served by ``enews_audio.serve`` on 127.0.0.1.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from a11y import browser as chromium
from enews_audio.serve import running
from support.issue_toml import issue_toml

pytestmark = pytest.mark.skipif(chromium.missing() is not None, reason=chromium.missing() or "")

SAMPLE = Path(__file__).parents[2] / "examples" / "sample-issue"
SLUG = "shanchengwanbao"
DAY1, DAY2 = "2025-12-31", "2026-01-01"
ISSUE = f"{DAY1}/index.html"
# The second issue: a word of its body (公交) is in no headline, and its text has ASCII commas and colons.
SECOND = issue_toml(
    paper="山城晚报",
    date=DAY2,
    pages=(
        (
            "A01",
            "要闻",
            (
                {
                    "title": "新年第一天 城市开门红",
                    "paragraphs": ["1月1日,全市迎来新年第一个工作日:各项服务运转正常。"],
                },
                {
                    "title": "沿江步道全线贯通",
                    "paragraphs": ["沿江步道今天全线贯通,市民可以从南岸走到北岸。"],
                },
            ),
        ),
        (
            "A02",
            "民生",
            ({"title": "三条新线路方便出行", "paragraphs": ["市区新开三条公交线路,方便沿江居民出行。"]},),
        ),
    ),
)


def build(source: Path, out: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "enews_audio", "build", str(source), "--engine", "fake", "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The output folder of the two-issue feed."""
    root = tmp_path_factory.mktemp("web")
    second = root / "second"
    second.mkdir()
    (second / "issue.toml").write_text(SECOND, encoding="utf-8")
    out = root / "output"
    build(SAMPLE, out)
    build(second, out)
    return out


@pytest.fixture(scope="module")
def base(site):
    with running(site, port=0) as url:
        yield url + f"{SLUG}/"


def chapters(site: Path, date: str) -> list[tuple[str, float, float, str]]:
    """(page stem, chapter start, page duration, title) for every chapter of an issue, as build.json has them,
    in the order the player plays them: the briefing's first."""
    record = json.loads((site / SLUG / date / "build.json").read_text(encoding="utf-8"))
    return [
        (Path(p["file"]).stem, start, p["duration"], title)
        for p in [*([record["brief"]] if "brief" in record else []), *record["pages"]]
        for start, _end, title in p["chapters"]
    ]


def stems(site: Path, date: str) -> list[str]:
    """The issue's audio in the player's order: the briefing's, then each page's."""
    return list(dict.fromkeys(stem for stem, *_ in chapters(site, date)))


def where(page) -> dict:
    return page.evaluate("window.enewsPlayer.current()")


def audio_time(page, stem: str) -> float:
    return page.evaluate(f"document.getElementById('player-page-{stem}').currentTime")


def open_issue(page, base: str, date: str = DAY1, fragment: str = "") -> None:
    page.goto(base + f"{date}/index.html{fragment}")
    page.wait_for_function("window.enewsPlayer !== undefined")


def button(page, name: str):
    return page.get_by_role("button", name=name)


# --- big and clear -----------------------------------------------------------------------------------

CONTROLS = "a, button, select, input, audio"
SIZES = f"""() => Array.from(document.querySelectorAll('{CONTROLS}')).filter(el => {{
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  }}).map(el => {{
    const box = el.getBoundingClientRect();
    return [el.tagName + ' ' + (el.id || el.textContent.trim().slice(0, 20)), box.width, box.height];
  }})"""
TEXT = """() => Array.from(document.querySelectorAll('main p, main li')).filter(el => el.offsetHeight > 0)
  .map(el => { const s = getComputedStyle(el);
    return [parseFloat(s.fontSize), s.lineHeight === 'normal' ? 0 : parseFloat(s.lineHeight)]; })"""


@pytest.fixture(
    params=[("", False), ("", True), (ISSUE, False), (ISSUE, True)],
    ids=["paper-normal", "paper-big", "issue-normal", "issue-big"],
)
def shown(request, page, base):
    """The paper's page or an issue's, in the normal mode or 大字 (switched on with its button)."""
    path, big = request.param
    page.goto(base + path)
    page.wait_for_load_state("load")
    if big:
        button(page, "大字").click()
        assert button(page, "大字").get_attribute("aria-pressed") == "true"
    return page, path, big


def test_text_and_controls_are_big_enough_and_nothing_scrolls_sideways(shown):
    page, _path, big = shown
    least_text, least_control = (30, 60) if big else (18, 44)
    texts = page.evaluate(TEXT)
    assert texts and min(size for size, _ in texts) >= least_text
    assert all(height >= 1.3 * size for size, height in texts), texts
    small = [c for c in page.evaluate(SIZES) if c[1] < least_control or c[2] < least_control]
    assert not small, small
    assert page.evaluate("document.documentElement.scrollWidth") <= chromium.PHONE["width"]


def test_big_text_is_remembered_across_visits(page, base):
    open_issue(page, base)
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
    button(page, "大字").click()
    page.goto(base)  # another page of the paper, then back
    assert button(page, "大字").get_attribute("aria-pressed") == "true"
    open_issue(page, base)
    bigger = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
    assert bigger >= 30 > size


def test_axe_finds_no_violations(shown):
    page, path, _big = shown
    if path:  # with an article highlighted, as while listening
        button(page, "下一篇").click()
        page.wait_for_function("window.enewsPlayer.current().article !== null")
    assert chromium.axe_violations(page) == []


def test_the_player_is_real_named_buttons_under_a_heading(page, base):
    open_issue(page, base)
    for name in ("播放/暂停", "上一篇", "下一篇", "大字", "离线收听"):
        assert button(page, name).count() == 1, name
    assert page.get_by_role("combobox", name="语速").count() == 1
    assert page.get_by_role("heading", name="收听本期").count() == 1
    assert page.locator("audio[controls]").count() == 3  # the briefing's and the pages' own players stay


# --- one player across the issue -------------------------------------------------------------------


def test_next_lands_at_each_chapter_start_across_pages_and_previous_goes_back(page, base, site):
    marks = chapters(site, DAY1)
    open_issue(page, base)
    for stem, start, _duration, title in marks[1:]:
        button(page, "下一篇").click()
        page.wait_for_function(
            f"document.getElementById('player-page-{stem}').readyState > 0 && !document.getElementById('player-page-{stem}').seeking"
        )
        assert where(page)["page"] == stem
        assert audio_time(page, stem) == pytest.approx(start, abs=0.6)
        assert title in page.locator("#now-title").inner_text()
    button(page, "上一篇").click()
    stem, start, _duration, _title = marks[-2]
    page.wait_for_function(f"window.enewsPlayer.current().page === '{stem}'")
    assert audio_time(page, stem) == pytest.approx(start, abs=1.0)


def test_the_article_heard_is_highlighted_and_its_headline_shown(page, base, site):
    stem, start, _duration, title = next(m for m in chapters(site, DAY1) if m[3] == "社区食堂开进街巷")
    open_issue(page, base, fragment=f"#p={stem}&t={start + 5}")
    page.wait_for_function("window.enewsPlayer.current().cue !== null")
    now = where(page)
    assert now["title"] == title and now["page"] == stem
    current = page.locator("article.now")
    assert current.count() == 1 and current.get_attribute("aria-current") == "true"
    assert current.locator("h3").inner_text() == title
    assert "正在收听" in page.evaluate(
        "getComputedStyle(document.querySelector('article.now'), '::before').content"
    )
    cue = page.locator("[data-c].said")
    assert cue.count() == 1 and cue.inner_text() == now["cueText"]
    # the cue's number is its place in that page's transcript
    vtt = (site / SLUG / DAY1 / f"{stem}.vtt").read_text(encoding="utf-8")
    blocks = [b for b in vtt.split("\n\n") if "-->" in b]
    assert "".join(blocks[now["cue"] - 1].split("\n")[1:]) == now["cueText"]
    assert page.evaluate("window.enewsPlayer.current().article") == current.get_attribute("aria-labelledby")


def test_the_text_shown_is_the_transcripts_with_chinese_punctuation(page, base):
    open_issue(page, base)
    text = page.locator("main").inner_text()
    assert "12月31日，市政府新闻办发布：" in text and "12月31日,市政府新闻办发布:" not in text
    open_issue(page, base, DAY2)
    text = page.locator("main").inner_text()
    assert "1月1日，全市迎来新年第一个工作日：" in text and "公交线路，方便" in text
    assert "1月1日," not in text and "工作日:" not in text


def test_play_pause_and_keyboard(page, base, site):
    marks = chapters(site, DAY1)
    open_issue(page, base)
    play = button(page, "播放/暂停")
    play.click()
    page.wait_for_function("window.enewsPlayer.current().playing && window.enewsPlayer.current().time > 0.3")
    assert play.get_attribute("aria-pressed") == "true" and "暂停" in play.inner_text()
    play.click()
    page.wait_for_function("!window.enewsPlayer.current().playing")
    assert play.get_attribute("aria-pressed") == "false" and "播放" in play.inner_text()
    page.locator("h1").click()  # focus on the page, not a control
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"Math.abs(window.enewsPlayer.current().time - {marks[1][1]}) < 0.6")
    page.keyboard.press(" ")
    page.wait_for_function("!window.enewsPlayer.current().playing")
    page.keyboard.press("ArrowUp")
    assert page.locator("#rate").input_value() == "1.1"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator("#rate").input_value() == "0.9"


def test_speed_changes_playback_rate_keeps_pitch_and_survives_a_reload(page, base):
    open_issue(page, base)
    page.get_by_role("combobox", name="语速").select_option("0.75")
    button(page, "播放/暂停").click()
    page.wait_for_function("window.enewsPlayer.current().playing")
    state = page.evaluate(
        "[...document.querySelectorAll('audio')].map(a => [a.playbackRate, a.preservesPitch])"
    )
    assert state == [[0.75, True]] * 3  # the briefing and both pages
    page.reload()
    page.wait_for_function("window.enewsPlayer !== undefined")
    assert page.locator("#rate").input_value() == "0.75"
    button(page, "下一篇").click()
    page.wait_for_function("window.enewsPlayer.current().playing")
    assert page.evaluate("document.getElementById('player-page-a01').playbackRate") == 0.75
    assert page.evaluate("document.getElementById('player-page-a01').preservesPitch") is True


def test_a_page_that_ends_plays_on_into_the_next(page, base, site):
    order = stems(site, DAY1)
    assert order == ["brief", "a01", "a04"]
    for index, (stem, after) in enumerate(itertools.pairwise(order)):  # the briefing plays on into A01 too
        duration = next(m[2] for m in chapters(site, DAY1) if m[0] == stem)
        open_issue(page, base)
        button(page, "播放/暂停").click()  # a tap lets the page play
        page.wait_for_function("window.enewsPlayer.current().playing")
        page.evaluate(f"window.enewsPlayer.go({index}, {duration - 1.5}, true)")
        page.wait_for_function(f"window.enewsPlayer.current().page === '{after}'", timeout=15_000)
        page.wait_for_function(
            f"document.getElementById('player-page-{after}').currentTime > 0.2", timeout=15_000
        )
        assert page.evaluate(f"document.getElementById('player-page-{stem}').paused")
        assert where(page)["playing"]


# --- 继续收听 ---------------------------------------------------------------------------------------


def test_resume_offers_where_the_listener_stopped_on_the_issue_and_paper_pages(page, base, site):
    stem, start, _duration, title = chapters(site, DAY1)[-1]
    open_issue(page, base)
    assert page.locator("#resume-box").is_hidden()
    button(page, "播放/暂停").click()
    page.wait_for_function("window.enewsPlayer.current().playing")
    page.evaluate(f"window.enewsPlayer.go({stems(site, DAY1).index(stem)}, {start + 4}, true)")
    page.wait_for_function(f"window.enewsPlayer.current().time > {start + 5}")
    button(page, "播放/暂停").click()
    stopped = where(page)["time"]
    assert where(page)["page"] == stem

    page.reload()
    page.wait_for_function("window.enewsPlayer !== undefined")
    resume = page.get_by_role("button", name=re.compile("继续收听"))
    assert title in resume.inner_text()
    resume.click()
    page.wait_for_function(
        f"window.enewsPlayer.current().page === '{stem}' && window.enewsPlayer.current().playing"
    )
    assert abs(where(page)["time"] - stopped) < 3.5

    page.goto(base)
    link = page.get_by_role("link", name=re.compile("继续收听"))
    assert title in link.inner_text()
    link.click()
    page.wait_for_function(f"window.enewsPlayer && window.enewsPlayer.current().page === '{stem}'")
    page.wait_for_function(f"document.getElementById('player-page-{stem}').readyState > 0")
    assert abs(audio_time(page, stem) - stopped) < 3.5


# --- search -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "date", "title"),
    [
        ("公交", DAY2, "三条新线路方便出行"),
        ("加装电梯", DAY1, "老旧小区加装电梯跑出加速度"),
        ("幼儿园", DAY1, "十件民生实事全部兑现 明年再推新清单"),
    ],
)
def test_search_finds_a_body_word_and_opens_the_article_at_its_start(page, base, site, word, date, title):
    stem, start, _duration, _ = next(m for m in chapters(site, date) if m[3] == title)
    page.goto(base)
    box = page.get_by_role("searchbox")
    box.fill(word)
    box.press("Enter")
    result = page.locator("#search-results a", has_text=title.split()[0])
    result.wait_for()
    assert date.replace("-", "") in result.get_attribute("href").replace("-", "")
    result.click()
    page.wait_for_function(f"window.enewsPlayer && window.enewsPlayer.current().page === '{stem}'")
    page.wait_for_function(f"document.getElementById('player-page-{stem}').readyState > 0")
    assert audio_time(page, stem) == pytest.approx(start, abs=0.6)
    assert where(page)["title"] == title


def test_search_for_a_missing_word_says_so(page, base):
    page.goto(base)
    box = page.get_by_role("searchbox")
    box.fill("火星基地")
    box.press("Enter")
    page.wait_for_function("document.getElementById('search-results').textContent.includes('没有找到')")


# --- offline ------------------------------------------------------------------------------------------


def test_a_stored_issue_loads_and_plays_with_the_network_off(context, site):
    """Its own server, stopped before the offline reload: whatever then plays came from the cache."""
    page = context.new_page()
    with running(site, port=0) as url:
        open_issue(page, url + f"{SLUG}/")
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        button(page, "离线收听").click()
        page.wait_for_function("document.getElementById('offline-status').textContent.includes('已存好')")
    context.set_offline(True)
    page.reload()
    page.wait_for_function("window.enewsPlayer !== undefined")
    assert "山城晚报" in page.locator("h1").inner_text()
    part = page.evaluate(
        "fetch('a04.mp3', {headers: {Range: 'bytes=100-199'}}).then(async r => "
        "[r.status, r.headers.get('Content-Range'), (await r.arrayBuffer()).byteLength])"
    )
    size = (site / SLUG / DAY1 / "a04.mp3").stat().st_size
    assert part == [206, f"bytes 100-199/{size}", 100]
    button(page, "播放/暂停").click()
    page.wait_for_function("window.enewsPlayer.current().time > 1.0", timeout=15_000)
    button(page, "下一篇").click()
    page.wait_for_function(
        "window.enewsPlayer.current().chapter === 1 && window.enewsPlayer.current().playing"
    )


# --- the share card and page weight ---------------------------------------------------------------


def test_share_card_names_the_issue_and_shows_the_cover(page, base):
    open_issue(page, base)
    card = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('meta[property^=\"og:\"]')]"
        ".map(m => [m.getAttribute('property'), m.content]))"
    )
    assert page.title().startswith("山城晚报 2025年12月31日")
    assert card["og:title"].startswith("山城晚报 2025年12月31日")
    assert "十件民生实事全部兑现" in card["og:description"]
    cover = page.request.get(
        page.evaluate(
            "new URL(document.querySelector('meta[property=\"og:image\"]').content, location.href).href"
        )
    )
    assert cover.ok and cover.headers["content-type"] == "image/jpeg"


@pytest.mark.parametrize("path", ["", ISSUE], ids=["paper", "issue"])
def test_page_weight_is_small_and_nothing_is_asked_of_another_host(page, base, path):
    """Bytes as sent (the server sends the gzipped copy publishing writes beside each page and script)."""
    requests = []
    page.on("requestfinished", lambda request: requests.append(request))
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    if not path:  # the search loads its index files on the first search
        page.get_by_role("searchbox").fill("公交")
        page.get_by_role("searchbox").press("Enter")
        page.locator("#search-results li").first.wait_for()
    urls = [r.url for r in requests]
    assert urls and all(url.startswith(base) for url in urls), urls
    assert any("/search/" in url for url in urls) == (not path)
    sent = {r.url: r.sizes()["responseBodySize"] for r in requests}
    weight = sum(size for url, size in sent.items() if not url.endswith(".mp3") and "/search/" not in url)
    assert 0 < weight <= 200_000, sent
    assert any(r.url.endswith("player.js") or "player.js?" in r.url for r in requests)
