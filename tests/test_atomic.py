"""Files are replaced whole or not at all, readable by a web server, and a failure names the file."""

import errno
import os
import stat

import pytest

from enews_audio.atomic import replacing, write_atomic


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_file_is_written_whole_and_readable_by_everyone_even_under_a_strict_umask(tmp_path):
    path = tmp_path / "deep" / "feed.xml"
    old = os.umask(0o077)
    try:
        write_atomic(path, "<rss/>")
    finally:
        os.umask(old)
    assert path.read_text(encoding="utf-8") == "<rss/>"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert leftovers(path.parent) == []


def test_a_failure_inside_the_block_leaves_the_old_file_and_no_temporary_one(tmp_path):
    path = tmp_path / "a01.mp3"
    path.write_bytes(b"old episode")
    with pytest.raises(ValueError, match="encoder broke"), replacing(path) as tmp:
        tmp.write_bytes(b"half a new epi")
        raise ValueError("encoder broke")
    assert path.read_bytes() == b"old episode"
    assert leftovers(tmp_path) == []


def test_a_full_disk_names_the_file_not_its_temporary_name_and_keeps_the_old_one(tmp_path, full_disk):
    path = tmp_path / "feed.xml"
    path.write_text("old feed", encoding="utf-8")
    with full_disk(100), pytest.raises(OSError) as caught:
        write_atomic(path, "x" * 1000)
    assert caught.value.errno == errno.EFBIG and caught.value.filename == str(path)
    assert path.read_text(encoding="utf-8") == "old feed"
    assert leftovers(tmp_path) == []


def test_a_folder_in_the_way_is_an_error_naming_the_file(tmp_path):
    (tmp_path / "a01.vtt").mkdir()
    with pytest.raises(OSError) as caught:
        write_atomic(tmp_path / "a01.vtt", "WEBVTT\n")
    assert caught.value.filename == str(tmp_path / "a01.vtt")
    assert leftovers(tmp_path) == []


def test_an_error_about_another_file_inside_the_block_keeps_its_own_name(tmp_path):
    with pytest.raises(FileNotFoundError) as caught, replacing(tmp_path / "out.mp3"):
        (tmp_path / "missing.wav").read_bytes()
    assert caught.value.filename == str(tmp_path / "missing.wav")
