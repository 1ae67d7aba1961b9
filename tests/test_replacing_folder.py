"""atomic.replacing_folder: a folder is replaced whole, or not at all."""

import pytest

from enews_audio.atomic import replacing_folder


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
