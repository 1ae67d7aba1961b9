"""atomic.replacing_folder: a folder is replaced whole, or not at all."""

import subprocess
import sys

import pytest

from enews_audio.atomic import remove_leftovers, replacing_folder

# A process killed inside the block (leaving the temporary folder), or after the new folder took the old
# one's place but before the old one was deleted (leaving it, renamed aside).
KILLED = """
import os, shutil, signal, sys
from pathlib import Path
from enews_audio.atomic import replacing_folder
kill = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
if sys.argv[2] == "after":
    shutil.rmtree = kill
with replacing_folder(Path(sys.argv[1])) as folder:
    (folder / "new.mp3").write_bytes(b"new")
    if sys.argv[2] == "inside":
        kill()
"""


def test_a_new_folder_takes_the_old_ones_place_whole(tmp_path):
    target = tmp_path / "usb"
    target.mkdir()
    (target / "old.mp3").write_bytes(b"old")
    with replacing_folder(target) as folder:
        (folder / "new.mp3").write_bytes(b"new")
        assert [p.name for p in target.iterdir()] == ["old.mp3"]  # nothing shows before the block ends
    assert [p.name for p in target.iterdir()] == ["new.mp3"]
    assert target.stat().st_mode & 0o777 == 0o755
    assert [p.name for p in tmp_path.iterdir()] == ["usb"]  # no temporary or old folder left behind


def test_a_failure_leaves_the_old_folder_and_no_temporary_one(tmp_path):
    target = tmp_path / "daisy"
    target.mkdir()
    (target / "ncc.html").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), replacing_folder(target) as folder:
        (folder / "ncc.html").write_text("half", encoding="utf-8")
        raise RuntimeError("disk full")
    assert (target / "ncc.html").read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["daisy"]


def test_a_folder_that_was_not_there_is_made(tmp_path):
    with replacing_folder(tmp_path / "issue" / "usb") as folder:
        (folder / "01").mkdir()
    assert (tmp_path / "issue" / "usb" / "01").is_dir()


def test_what_a_killed_replacement_leaves_is_removed_before_the_next_build(tmp_path):
    (tmp_path / "usb").mkdir()
    (tmp_path / "usb" / "old.mp3").write_bytes(b"old")
    for target, when in (("daisy", "inside"), ("usb", "after")):
        killed = subprocess.run([sys.executable, "-c", KILLED, str(tmp_path / target), when], check=False)
        assert killed.returncode == -9
    left = sorted(p.name.split(".")[1::2] for p in tmp_path.iterdir() if p.name.startswith("."))
    assert left == [["daisy", "tmp"], ["usb", "old"]]
    remove_leftovers(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["usb"]
    assert [p.name for p in (tmp_path / "usb").iterdir()] == ["new.mp3"]
