"""`enews-audio serve` as a command: help, errors, the lines it prints, a line per request, Ctrl-C stops it
quietly (the server itself is tested in tests/serve/)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import urllib.request

from .conftest import cli, one_line_error


def test_serve_has_help():
    result = cli("serve", "--help")
    assert result.exit_code == 0
    for option in ("--host", "--port", "--quiet"):
        assert option in result.stdout


def test_serve_a_missing_folder_is_one_line(tmp_path):
    missing = tmp_path / "not-built-yet"
    result = cli("serve", missing, "--port", "0")
    one_line_error(result, 2, "not-built-yet")


FEED = (
    b'<?xml version="1.0"?>\n<rss version="2.0"><channel><link>https://example.org/</link></channel></rss>\n'
)


def test_serve_prints_its_address_and_feeds_then_stops_quietly_on_ctrl_c(tmp_path):
    root = tmp_path / "output"
    for paper in ("shanchengwanbao", "haigangribao"):
        (root / paper).mkdir(parents=True)
        (root / paper / "feed.xml").write_bytes(FEED)
    command = [sys.executable, "-m", "enews_audio", "serve", str(root), "--port", "0"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    watchdog = threading.Timer(60, process.kill)  # a hang fails the test instead of the whole run
    watchdog.start()
    try:
        first = process.stdout.readline()
        match = re.fullmatch(
            rf"serving {re.escape(str(root))} at (http://127\.0\.0\.1:\d+/) \(Ctrl-C stops\)\n", first
        )
        assert match, first
        url = match.group(1)
        feeds = [process.stdout.readline(), process.stdout.readline()]
        assert feeds == [f"  feed: {url}haigangribao/feed.xml\n", f"  feed: {url}shanchengwanbao/feed.xml\n"]
        with urllib.request.urlopen(f"{url}haigangribao/feed.xml", timeout=30) as response:
            assert response.status == 200 and response.read() == FEED
        access = process.stderr.readline()
        assert re.fullmatch(r'127\.0\.0\.1 "GET /haigangribao/feed\.xml HTTP/1\.1" 200 \d+\n', access), access
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        watchdog.cancel()
        process.kill()
    assert process.returncode == 0, err
    assert out == "" and "Traceback" not in err and "KeyboardInterrupt" not in err, (out, err)
