"""A full disk, for real: builds on a small tmpfs with only so many bytes left.

Whatever the build was writing when the space ran out, it ends with one line naming what could not be
written, the issue published before is untouched, nothing temporary is left, and once space is freed the
next build succeeds.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from enews_audio.errors import EnewsError
from enews_audio.publish import PublishSettings
from enews_audio.publish.sections import SECTIONS_NAME
from enews_audio.speech.fake import FakeEngine
from support import whole
from support.builds import build
from support.builds import settings as build_settings
from support.issue_toml import issue_toml

SIZE = 8 * 1024 * 1024
PARK = {"title": "江滩公园新添步道", "paragraphs": ["步道沿江而建，夜间有照明。"]}


@pytest.fixture
def small_disk():
    """A tmpfs of SIZE bytes, mounted for the test (it needs root and permission to mount)."""
    point = Path(tempfile.mkdtemp(prefix="enews-full-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE},mode=0755", "tmpfs", str(point)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode:
        point.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip() or 'mount failed'}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)
        point.rmdir()


def _source(folder, date, title):
    path = folder / f"{date}.toml"
    first = {"title": title, "paragraphs": ["全市春耕备耕工作有序推进。", "农机手们已经下田。"]}
    pages = (("A01", "要闻", (first,)), ("A02", "城事", (PARK,)))
    path.write_text(issue_toml("江城日报", date, pages), encoding="utf-8")
    return path


def _settings(out):
    return build_settings(out_dir=out, publish=PublishSettings(base_url=whole.BASE))


def _free(path):
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize


def _fill(disk, leave):
    """Take all the space but ``leave`` bytes (tmpfs counts whole 4 KiB pages)."""
    filler = disk / "filler"
    filler.unlink(missing_ok=True)
    with filler.open("wb") as f:
        f.write(b"\0" * max(0, _free(disk) - leave))
    return filler


def _snapshot(paper_dir):
    return {
        str(p.relative_to(paper_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(paper_dir.rglob("*"))
        if p.is_file()
    }


def _temporaries(out):
    found = [str(p.relative_to(out)) for p in out.rglob(".*.tmp")]
    staging = out / ".cache" / "staging"
    return found + ([str(p) for p in staging.rglob("*")] if staging.exists() else [])


def test_a_build_that_runs_out_of_space_fails_in_one_line_and_harms_nothing(small_disk, tmp_path):
    out = small_disk / "out"
    first = build(_source(tmp_path, "2026-05-05", "春耕备耕有序推进"), FakeEngine(), _settings(out))
    paper_dir = first.issue_dir.parent
    published = _snapshot(paper_dir)
    saved = tmp_path / "saved"
    shutil.copytree(out, saved)
    second_issue = _source(tmp_path, "2026-05-06", "夏粮收购有序展开")

    # How much the second build takes, measured on the disk itself.
    before = _free(small_disk)
    build(second_issue, FakeEngine(), _settings(out))
    need = before - _free(small_disk)
    assert need > 0

    outcomes, messages = [], []
    # A few levels over the whole build, then every 4 KiB page over its last 48 KiB, where each small file of
    # the publishing step (side files, record, web edition, feed) takes one; the last level has plenty.
    leaves = [0, need // 3, 2 * need // 3, *range(need - 49152, need + 16384, 4096), 2 * need + 2**20]
    for leave in leaves:
        shutil.rmtree(out)
        shutil.copytree(saved, out)
        filler = _fill(small_disk, leave)
        try:
            build(second_issue, FakeEngine(), _settings(out))
        except EnewsError as exc:
            message = str(exc)
            messages.append(message)
            assert "\n" not in message and message.strip()
            assert "No space left on device" in message, message
            assert str(small_disk) in message, message  # it names the file or folder it was writing
            outcomes.append("failed")
            # Every file published before: untouched. The feeds and the web edition (its pages, their gzipped
            # copies and the search index) may already list the new issue's first pages (each is published once
            # it and the pages before it are in place), and still list every item they had (``whole`` below).
            now = _snapshot(paper_dir)
            changing = (".html", ".html.gz", ".xml", SECTIONS_NAME)  # web pages, feeds, the sections' list
            kept = {
                n: d for n, d in published.items() if not n.endswith(changing) and not n.startswith("search/")
            }
            assert {name: now.get(name) for name in kept} == kept
            feed = (paper_dir / "feed.xml").read_text(encoding="utf-8")
            assert all(f"2026-05-05/{page}.mp3" in feed for page in ("a01", "a02"))
        else:
            outcomes.append("built")
        assert whole.problems(paper_dir) == []
        assert _temporaries(out) == [], leave
        filler.unlink()
        again = build(second_issue, FakeEngine(), _settings(out))  # space freed: the next build succeeds
        assert again.ok and len(again.episodes) == 2
        assert whole.problems(paper_dir) == []
    assert outcomes[0] == "failed" and outcomes[-1] == "built"
    named = " ".join(messages)  # the space ran out at every step of a build, in turn
    for what in (".clip:", "a01.mp3:", ".vtt:", "build.json:", "index.html:"):
        assert what in named, (what, need, "\n".join(messages))


def test_the_cli_says_it_in_one_line_and_exits_non_zero(small_disk, tmp_path):
    out = small_disk / "out"
    build(_source(tmp_path, "2026-05-05", "春耕备耕有序推进"), FakeEngine(), _settings(out))
    filler = _fill(small_disk, 0)
    command = [sys.executable, "-m", "enews_audio", "build", str(_source(tmp_path, "2026-05-06", "夏粮收购有序展开")),
               "-o", str(out), "--engine", "fake"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: ") and "No space left on device" in line, done.stderr
    filler.unlink()
    assert subprocess.run(command, capture_output=True, timeout=120).returncode == 0
