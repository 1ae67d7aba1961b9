"""读错了 in a real browser (Chromium at a phone's size): a listener's report from the player through
``serve --reports`` to the operator's list, the lexicon and the next build; the e-mail offered where no
server takes reports; keyboard, screen-reader and 大字 use. The sample issue is built with the fake engine
and a config naming the owner's address and the paper's lexicon."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from a11y import browser as chromium
from enews_audio import pipeline
from enews_audio.model import Clip
from enews_audio.pipeline.options import build_options
from enews_audio.serve import running
from enews_audio.speech.fake import FakeEngine
from support.builds import build as build_with
from support.tones import tone

pytestmark = pytest.mark.skipif(chromium.missing() is not None, reason=chromium.missing() or "")

SAMPLE = Path(__file__).parents[2] / "examples" / "sample-issue"
SLUG, DAY = "shanchengwanbao", "2025-12-31"
HEADLINE = "跨年夜江滨路分时段交通管制"
EMAIL = "audio@example.org"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "enews_audio", *args], capture_output=True, text=True, check=False
    )


@pytest.fixture
def site(tmp_path) -> dict[str, Path]:
    config = tmp_path / "enews-audio.toml"
    config.write_text(f'[paper]\nowner_email = "{EMAIL}"\nlexicon = "lexicon.toml"\n', encoding="utf-8")
    out = tmp_path / "output"
    done = cli("build", str(SAMPLE), "--engine", "fake", "-o", str(out), "--config", str(config))
    assert done.returncode == 0, done.stderr
    return {"out": out, "config": config, "lexicon": tmp_path / "lexicon.toml"}


def listen_to_the_article(page, base: str, site: dict[str, Path], into: float = 4) -> dict:
    """Open the issue ``into`` seconds into the article and wait until a sentence of it is heard."""
    record = json.loads((site["out"] / SLUG / DAY / "build.json").read_text(encoding="utf-8"))
    start = next(c[0] for p in record["pages"] for c in p["chapters"] if c[2] == HEADLINE)
    page.goto(base + f"{DAY}/index.html#p=a01&t={start + into}")
    page.wait_for_function("window.enewsPlayer && window.enewsPlayer.current().cue !== null")
    return page.evaluate("window.enewsPlayer.current()")


def report_button(page):
    return page.get_by_role("button", name=re.compile(f"^读错了\\s*：{HEADLINE}$"))


def voiced(text: str) -> Clip:
    """A clip whose sound follows the text: a tone at a pitch from its hash."""
    return tone(
        max(0.3, 0.05 * len(text)), 200 + int(hashlib.sha256(text.encode()).hexdigest()[:4], 16) % 600
    )


def test_a_report_from_the_player_is_listed_accepted_and_the_next_build_re_speaks_only_what_changed(
    page, site
):
    out = site["out"]
    with running(out, reports=True) as url:
        heard = listen_to_the_article(page, url + f"{SLUG}/", site)
        assert heard["page"] == "a01" and heard["cueText"]
        button = report_button(page)
        assert button.get_attribute("aria-expanded") == "false"
        button.click()
        assert button.get_attribute("aria-expanded") == "true"
        assert (
            page.evaluate("document.activeElement.id") == "report-title"
        )  # a screen reader lands in the form
        facts = page.locator("#report-facts").inner_text()
        assert HEADLINE in facts and heard["cueText"] in facts
        page.get_by_role("textbox", name="哪里听着不对").fill("江滨读得像江边")
        page.get_by_role("button", name="发送").click()
        status = page.get_by_role("status").filter(has_text="谢谢")
        page.wait_for_function("document.getElementById('report-status').textContent.includes('谢谢')")
        assert status.get_attribute("aria-live") == "polite" and "谢谢" in status.inner_text()
        assert page.locator("#report-form").is_hidden()
        assert page.evaluate("document.activeElement.getAttribute('aria-controls')") == "report-form"

    stored = [json.loads(line) for line in (out / ".reports" / f"{SLUG}.jsonl").read_text().splitlines()]
    assert len(stored) == 1
    report = stored[0]
    assert (report["page"], report["cue"], report["article"]) == ("a01", heard["cue"], HEADLINE)
    assert heard["cueText"] in report["printed"] and report["note"] == "江滨读得像江边"

    listing = cli("reports", str(out), "--config", str(site["config"]))
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].startswith(f"#1 山城晚报 {DAY} A01版 《{HEADLINE}》 第{heard['cue']}句")
    assert f"#1   printed: {report['printed']}" in lines
    assert "#1   suggest: enews-audio reports --accept 1 '江滨=jiang1 bin1'" in lines

    before = json.loads((out / SLUG / DAY / "build.json").read_text(encoding="utf-8"))["pages"]
    accepted = cli("reports", str(out), "--config", str(site["config"]), "--accept", "1", "江滨=江宾")
    assert accepted.returncode == 0, accepted.stderr
    assert '"江滨" = "江宾"' in site["lexicon"].read_text(encoding="utf-8")

    options = {"source": str(SAMPLE), "out": out, "config": site["config"], "engine": "fake"}
    settings = pipeline.prepare(build_options(options, where="test"))
    engine = FakeEngine(voiced)
    rebuilt = build_with(SAMPLE, engine, settings)
    script = pipeline.script(SAMPLE, settings.read)
    holding = sorted({u.spoken for p in script.pages for u in p.utterances if "江宾" in u.spoken})
    assert sorted(engine.calls) == holding and len(holding) == 3  # rundown, headline, 1 sentence
    assert (
        rebuilt.made == 3
        and rebuilt.reused == len({u.spoken for p in script.pages for u in p.utterances}) - 3
    )
    after = json.loads((out / SLUG / DAY / "build.json").read_text(encoding="utf-8"))["pages"]
    assert after[0]["sha256"] != before[0]["sha256"]  # A01, which holds 江滨路, sounds different now
    assert after[1]["sha256"] == before[1]["sha256"]  # A04 was not touched: its episode is the same file


def test_the_sentence_before_or_after_can_be_chosen_and_is_the_one_sent(page, site):
    with running(site["out"], reports=True) as url:
        heard = listen_to_the_article(page, url + f"{SLUG}/", site, into=12)
        spans = page.evaluate(
            "[...document.querySelector('article.now').querySelectorAll('[data-c]')].map(s => [+s.dataset.c, s.textContent])"
        )
        at = [n for n, _ in spans].index(heard["cue"])
        assert at > 0, "the test needs a sentence after the article's first"
        report_button(page).click()
        assert page.evaluate("window.enewsPlayer.current().playing") is False  # the reading waits
        page.get_by_role("button", name="前一句").click()
        assert spans[at - 1][1] in page.locator("#report-facts").inner_text()
        assert page.locator("#report-facts").get_attribute("aria-live") == "polite"
        page.get_by_role("button", name="发送").click()
        page.wait_for_function("document.getElementById('report-status').textContent.includes('谢谢')")
    line = json.loads((site["out"] / ".reports" / f"{SLUG}.jsonl").read_text().splitlines()[0])
    assert line["cue"] == spans[at - 1][0] and spans[at - 1][1] in line["printed"]


def test_without_a_server_taking_reports_the_player_offers_an_email_with_the_same_facts(page, site):
    with running(site["out"]) as url:  # a static site: POST is 405
        heard = listen_to_the_article(page, url + f"{SLUG}/", site)
        report_button(page).click()
        page.get_by_role("textbox", name="哪里听着不对").fill("江滨")
        page.get_by_role("button", name="发送").click()
        mail = page.get_by_role("link", name="发电子邮件报告读错的地方")
        mail.wait_for()
        assert page.evaluate("document.activeElement.id") == "report-mail"
        href = mail.get_attribute("href")
    parts = urlsplit(href)
    assert parts.scheme == "mailto" and unquote(parts.path) == EMAIL
    asked = parse_qs(parts.query)
    assert asked["subject"] == ["读错了：山城晚报 2025年12月31日 星期三 A01版 要闻"]
    body = asked["body"][0]
    for fact in (
        f"日期：{DAY}",
        f"文章：{HEADLINE}",
        heard["cueText"],
        "哪里不对：江滨",
        f"cue={heard['cue']}",
    ):
        assert fact in body, (fact, body)
    assert not (site["out"] / ".reports").exists()


def test_from_a_file_the_email_is_offered_without_sending_anything(page, site):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((site["out"] / SLUG / DAY / "index.html").as_uri())
    report_button(page).click()
    page.get_by_role("button", name="发送").click()
    href = page.get_by_role("link", name="发电子邮件报告读错的地方").get_attribute("href")
    assert href.startswith(f"mailto:{EMAIL}?subject=")
    assert not [r for r in requests if "reports" in r]


def test_keyboard_alone_opens_sends_and_closes_and_markup_in_a_note_stays_text(page, site):
    with running(site["out"], reports=True) as url:
        listen_to_the_article(page, url + f"{SLUG}/", site)
        report_button(page).focus()
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "report-title"
        page.keyboard.press("Escape")  # closes, back on the button
        assert page.locator("#report-form").is_hidden()
        assert page.evaluate("document.activeElement.getAttribute('aria-expanded')") == "false"
        page.keyboard.press("Enter")
        stops = []
        while not stops or (stops[-1] != "report-note" and len(stops) < 5):
            page.keyboard.press("Tab")
            stops.append(page.evaluate("document.activeElement.id || document.activeElement.textContent"))
        assert stops[-1] == "report-note" and set(stops[:-1]) <= {"report-prev", "report-next"}, stops
        page.keyboard.type("<b>江滨</b>")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")  # 发送: the server refuses markup (400)
        page.wait_for_function(
            "document.getElementById('report-status').textContent.includes('没有发送成功')"
        )
        assert page.locator("main b").count() == 0  # the note never became markup
        page.locator("#report-note").fill("江滨")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_function("document.getElementById('report-status').textContent.includes('谢谢')")
    assert len((site["out"] / ".reports" / f"{SLUG}.jsonl").read_text().splitlines()) == 1


@pytest.mark.parametrize("big", [False, True], ids=["normal", "big"])
def test_the_open_form_is_big_enough_and_axe_finds_nothing(page, site, big):
    least_text, least_control = (30, 60) if big else (18, 44)
    with running(site["out"], reports=True) as url:
        listen_to_the_article(page, url + f"{SLUG}/", site)
        if big:
            page.get_by_role("button", name="大字").click()
        report_button(page).click()
        sizes = page.evaluate(
            """() => [...document.querySelectorAll('.report button, #report-box button, #report-box textarea')]
            .map(el => { const b = el.getBoundingClientRect(); return [el.textContent, b.width, b.height]; })"""
        )
        assert len(sizes) >= 4 and all(w >= least_control and h >= least_control for _, w, h in sizes), sizes
        texts = page.evaluate(
            """() => [...document.querySelectorAll('#report-box p, #report-box label')].map(el =>
            [parseFloat(getComputedStyle(el).fontSize), parseFloat(getComputedStyle(el).lineHeight)])"""
        )
        assert texts and all(size >= least_text and height >= 1.3 * size for size, height in texts), texts
        assert page.evaluate("document.documentElement.scrollWidth") <= chromium.PHONE["width"]
        assert chromium.axe_violations(page) == []
