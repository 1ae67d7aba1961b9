"""A build killed with SIGKILL midway resumes from the clip cache: the rerun asks only for what was missing."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from enews_audio.speech.cache import ClipCache, clip_key
from enews_audio.speech.edge import EdgeEngine
from enews_audio.speech.engine import Voice
from support.fake_edge import FakeEdge, Fault
from support.issue_toml import issue_toml

ISSUE = issue_toml(
    "江城日报",
    "2026-04-08",
    [
        (
            "A03",
            "城事",
            (
                {
                    "title": "老旧小区加装电梯",
                    "byline": "记者 林舟",
                    "paragraphs": [
                        "今年全市计划为老旧小区加装电梯两百部。",
                        "首批电梯已在东湖街道投入使用。住在六楼的王阿姨说，下楼买菜不再发愁。",
                        "街道工作人员表示，后续将按居民意愿分批推进。",
                    ],
                },
                {
                    "title": "江滩公园新添步道",
                    "paragraphs": [
                        "江滩公园新修的步道全长四公里。",
                        "步道沿江而建，夜间有照明。附近居民清晨常来散步。",
                    ],
                },
            ),
        )
    ],
)
PROXY_VARS = ("WS_PROXY", "WSS_PROXY", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


def build_command(source, out):
    return [sys.executable, "-m", "enews_audio", "build", str(source), "--engine", "edge", "-o", str(out)]


def environment(url):
    env = {k: v for k, v in os.environ.items() if k.upper() not in PROXY_VARS}
    env.update(ENEWS_EDGE_URL=url, NO_PROXY="127.0.0.1,localhost")
    return env


def clips_in(out):
    return list((out / ".cache" / "clips").rglob("*.clip"))


def kill_when_asked(process, fake, requests):
    """SIGKILL the build once the fake has received ``requests`` requests (the last one stalls)."""
    while fake.count < requests:
        if process.poll() is not None:
            pytest.fail(f"the build ended before it could be killed:\n{process.stderr.read()}")
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_a_killed_build_resumes_with_only_the_missing_clips_and_an_unchanged_rebuild_makes_none(tmp_path):
    source, out = tmp_path / "issue.toml", tmp_path / "out"
    source.write_text(ISSUE, encoding="utf-8")
    cache = ClipCache(out / ".cache" / "clips")
    identity = EdgeEngine(Voice("zh-CN-XiaoxiaoNeural")).identity  # the CLI's default edge voice

    # One request at a time: three are answered, the fourth stalls until the build is killed. So the kill
    # falls between clips by construction, not by timing: exactly three are cached.
    with FakeEdge(faults=[None, None, None, Fault.STALL_AFTER_CONNECT]) as fake:
        env = environment(fake.url)
        first = subprocess.Popen(
            [*build_command(source, out), "--concurrency", "1"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            kill_when_asked(first, fake, requests=4)
        finally:
            first.stdout.close()
            first.stderr.close()
        assert first.returncode == -signal.SIGKILL
        asked_first = len(fake.requests)
        kept = {t for t in fake.texts if cache.get(clip_key(identity, t)) is not None}
        assert not (out / "jiangchengribao").exists()  # nothing was published
        assert len(clips_in(out)) == len(kept) == 3

        second = subprocess.run(build_command(source, out), env=env, capture_output=True, text=True)
        assert second.returncode == 0, second.stderr
        asked_second = Counter(fake.texts[asked_first:])
        everything = set(fake.texts)
        assert len(kept) < len(everything)  # really killed midway
        assert set(asked_second) == everything - kept
        assert set(asked_second.values()) == {1}
        assert f"{len(asked_second)} made, {len(kept)} reused, 0 failed" in second.stdout
        assert (out / "jiangchengribao" / "2026-04-08" / "a03.mp3").is_file()

        asked_before_third = len(fake.requests)
        third = subprocess.run(build_command(source, out), env=env, capture_output=True, text=True)
        assert third.returncode == 0, third.stderr
        assert len(fake.requests) == asked_before_third
        assert f"0 made, {len(everything)} reused, 0 failed" in third.stdout
