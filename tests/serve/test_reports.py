"""``serve --reports``: a listener's report is taken whole, and every abuse is refused with its status.

The sample issue is built with the fake engine into a folder that also holds a file outside the output;
each test starts its own server on 127.0.0.1 (its own per-address limit) and talks to it over real sockets.
After every refusal: nothing was written anywhere (the reports file included), and the server still serves.
"""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from enews_audio.publish.reports import read_reports
from enews_audio.publish.spoken import read_spoken
from enews_audio.serve import running
from enews_audio.serve.reports import BODY_MAX, PER_MINUTE, Limiter
from enews_audio.speech.fake import FakeEngine
from serve.served import exchange, status
from support.builds import build, settings

SAMPLE = Path(__file__).parents[2] / "examples" / "sample-issue"
SLUG, DAY = "shanchengwanbao", "2025-12-31"
GOOD = {"issue": DAY, "page": "a01", "cue": 8, "note": "“总投资”后面的数读快了"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The folder holding ``output/`` (the sample issue) and ``outside/`` beside it."""
    top = tmp_path_factory.mktemp("reports")
    build(SAMPLE, FakeEngine(), settings(top / "output"))
    (top / "outside").mkdir()
    (top / "outside" / "keep.txt").write_text("untouched", encoding="utf-8")
    return top


@pytest.fixture
def out(built) -> Path:
    return built / "output"


@pytest.fixture
def server(out):
    with running(out, reports=True) as url:
        yield url


def files(top: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``top`` with its size and modification time, but the reports folder's."""
    return {
        str(p.relative_to(top)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(top.rglob("*"))
        if p.is_file() and ".reports" not in p.parts
    }


def reports_file(out: Path) -> Path:
    return out / ".reports" / f"{SLUG}.jsonl"


def stored(out: Path) -> bytes:
    path = reports_file(out)
    return path.read_bytes() if path.is_file() else b""


def post(url: str, body: object, **kwargs) -> httpx.Response:
    return httpx.post(url + f"{SLUG}/reports", json=body, timeout=10, **kwargs)


def still_serving(url: str) -> None:
    answer = httpx.get(url + f"{SLUG}/{DAY}/a01.vtt", timeout=10)
    assert answer.status_code == 200 and answer.text.startswith("WEBVTT")


def test_a_report_is_appended_with_the_article_and_the_sentence_printed_and_spoken(server, out, built):
    before = files(built)
    answer = post(server, GOOD)
    assert answer.status_code == 201
    assert files(built) == before  # only the reports folder changed
    said = read_spoken(out / SLUG / DAY / "a01.spoken.json")
    assert said is not None
    sentence = said[GOOD["cue"] - 1]
    assert sentence.printed.startswith("12月31日") and "128.6亿元" in sentence.printed
    assert "一百二十八点六亿元" in sentence.spoken  # what the voice was given
    line = json.loads(stored(out).decode().splitlines()[-1])
    assert line["printed"] == sentence.printed and line["spoken"] == sentence.spoken
    assert line["article"] == "十件民生实事全部兑现 明年再推新清单"
    assert (line["paper"], line["issue"], line["page"], line["cue"]) == ("山城晚报", DAY, "a01", 8)
    assert line["note"] == GOOD["note"] and line["time"].endswith("+00:00")
    assert stat.S_IMODE(reports_file(out).stat().st_mode) == 0o600  # not for a web server to publish
    reports, problems = read_reports(out)
    assert problems == [] and reports[-1].printed == sentence.printed
    assert httpx.get(server + ".reports/shanchengwanbao.jsonl", timeout=10).status_code == 404


def test_the_cue_is_the_transcripts_own_numbering(server, out):
    """Cue N of the report is the Nth cue of the .vtt, as the player numbers them."""
    vtt = (out / SLUG / DAY / "a04.vtt").read_text(encoding="utf-8")
    cues = [block.split("\n", 1)[1].replace("\n", "") for block in vtt.split("\n\n") if "-->" in block]
    answer = post(server, {"issue": DAY, "page": "a04", "cue": len(cues)})
    assert answer.status_code == 201
    line = json.loads(stored(out).decode().splitlines()[-1])
    assert cues[-1] in line["printed"]
    assert post(server, {"issue": DAY, "page": "a04", "cue": len(cues) + 1}).status_code == 400


REFUSED = [
    ("oversize body", 413, {"content": b'{"issue": "2025-12-31"' + b" " * BODY_MAX + b"}"}),
    ("unknown cue", 400, {"json": {**GOOD, "cue": 999}}),
    ("cue zero", 400, {"json": {**GOOD, "cue": 0}}),
    ("cue as text", 400, {"json": {**GOOD, "cue": "8"}}),
    ("unknown page", 400, {"json": {**GOOD, "page": "b09"}}),
    ("unknown issue", 400, {"json": {**GOOD, "issue": "2020-01-01"}}),
    ("a path as issue", 400, {"json": {**GOOD, "issue": "../../outside"}}),
    ("extra field", 400, {"json": {**GOOD, "html": "<b>"}}),
    ("not JSON", 400, {"content": b"issue=2025-12-31"}),
    ("HTML in the note", 400, {"json": {**GOOD, "note": "<script>alert(1)</script>"}}),
    ("an escape code in the note", 400, {"json": {**GOOD, "note": "读错了\x1b[31m"}}),
    ("a NUL in the note", 400, {"json": {**GOOD, "note": "读\x00错"}}),
    ("a bidi override in the note", 400, {"json": {**GOOD, "note": "读\u202e错"}}),
    ("a line separator in the note", 400, {"json": {**GOOD, "note": "读\u2028错"}}),
    (
        "a lone surrogate in the note",
        400,
        {"content": b'{"issue": "2025-12-31", "page": "a01", "cue": 8, "note": "\\ud800"}'},
    ),
    ("note past 200 characters", 400, {"json": {**GOOD, "note": "读" * 201}}),
]


@pytest.mark.parametrize(("case", "code", "request_kwargs"), REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_with_its_status_nothing_written_and_the_server_stays_up(
    server, out, built, case, code, request_kwargs
):
    before, kept = files(built), stored(out)
    headers = {"Content-Type": "application/json"} if "content" in request_kwargs else {}
    answer = httpx.post(server + f"{SLUG}/reports", headers=headers, timeout=10, **request_kwargs)
    assert answer.status_code == code, answer.text
    assert "<" not in answer.text  # a refusal never echoes the note
    assert files(built) == before and stored(out) == kept
    still_serving(server)


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""]
)
def test_anything_but_json_is_415(server, out, built, content_type):
    before, kept = files(built), stored(out)
    headers = {"Content-Type": content_type} if content_type else {}
    answer = httpx.post(server + f"{SLUG}/reports", content=json.dumps(GOOD), headers=headers, timeout=10)
    assert answer.status_code == 415
    assert files(built) == before and stored(out) == kept


def test_an_oversize_body_sent_in_chunks_is_refused_once_it_passes_the_limit(server, out):
    kept = stored(out)

    def chunks():
        yield b'{"issue": "2025-12-31", "note": "'
        for _ in range(64):
            yield b"a" * 1024  # 64 KB, no Content-Length

    answer = httpx.post(
        server + f"{SLUG}/reports", content=chunks(), headers={"Content-Type": "application/json"}, timeout=10
    )
    assert answer.status_code == 413 and stored(out) == kept
    still_serving(server)


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ("/../reports", 400),
        ("/%2e%2e/reports", 400),
        ("/shanchengwanbao/../../reports", 400),
        ("/shanchengwanbao/%2e%2e%2f%2e%2e%2freports", 400),
        ("/..%5c..%5creports", 400),
        ("/.reports/reports", 404),
        ("/.cache/reports", 404),
        ("/nopaper/reports", 404),
        ("/shanchengwanbao/2025-12-31/reports", 405),
    ],
)
def test_a_slug_that_is_not_a_papers_folder_is_refused(server, out, built, target, code):
    before, kept = files(built), stored(out)
    body = json.dumps(GOOD).encode()
    request = (
        f"POST {target} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    assert status(exchange(server, request)) == code
    assert files(built) == before and stored(out) == kept
    assert sorted(p.name for p in (out / ".reports").glob("*")) in ([], [f"{SLUG}.jsonl"])
    still_serving(server)


def test_a_flood_from_one_address_gets_429_past_ten_a_minute(server, out):
    kept = len(stored(out).splitlines())
    answers = [post(server, GOOD).status_code for _ in range(PER_MINUTE + 5)]
    assert answers == [201] * PER_MINUTE + [429] * 5
    assert len(stored(out).splitlines()) == kept + PER_MINUTE
    still_serving(server)


def test_the_limit_forgets_after_a_minute_and_counts_each_address_apart():
    now = [0.0]
    limit = Limiter(per_minute=3, clock=lambda: now[0])
    assert [limit.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limit.allow("b")
    now[0] = 59.9
    assert not limit.allow("a")
    now[0] = 60.0
    assert limit.allow("a")


def test_without_reports_a_post_is_405_and_nothing_is_written(out, built):
    before, kept = files(built), stored(out)
    with running(out) as url:
        assert post(url, GOOD).status_code == 405
        still_serving(url)
    assert files(built) == before and stored(out) == kept


def test_a_paper_folder_served_alone_takes_reports_at_its_own_address(out):
    with running(out / SLUG, reports=True) as url:
        answer = httpx.post(url + "reports", json=GOOD, timeout=10)
        assert answer.status_code == 201
    assert json.loads(stored(out).decode().splitlines()[-1])["cue"] == GOOD["cue"]


@pytest.mark.parametrize(("flag", "code"), [(["--reports"], 201), ([], 405)], ids=["--reports", "default"])
def test_the_command_takes_reports_only_when_asked(out, flag, code):
    command = [sys.executable, "-m", "enews_audio", "serve", str(out), "--port", "0", "--quiet", *flag]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    watchdog = threading.Timer(60, process.kill)
    watchdog.start()
    try:
        url = re.search(r" at (http://\S+/) ", process.stdout.readline()).group(1)
        kept = stored(out)
        assert post(url, GOOD).status_code == code
        assert (stored(out) != kept) == (code == 201)
        process.send_signal(signal.SIGINT)
        printed, err = process.communicate(timeout=30)
    finally:
        watchdog.cancel()
        process.kill()
    assert process.returncode == 0 and "Traceback" not in err, err
    assert ("reports are taken" in printed) == bool(flag)
