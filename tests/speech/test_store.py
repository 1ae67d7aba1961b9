"""The clip store as a folder or S3 (moto's server on 127.0.0.1, through the real s3fs): same clips, same checks."""

from __future__ import annotations

import sys

import pytest

from enews_audio.errors import ClipStoreError, UsageError
from enews_audio.model import Clip, Timing
from enews_audio.speech.cache import ClipCache, clip_key
from enews_audio.speech.fake import silent_clip
from enews_audio.speech.store import open_store
from support.s3_server import objects, s3_bucket, unreachable

pytest.importorskip("s3fs")  # the s3 extra; the test extra installs it

CLIP = Clip(audio=silent_clip("一二三").audio, duration=0.36, timings=(Timing(0.0, 0.36, "一二三"),))


@pytest.fixture
def s3(monkeypatch):
    with s3_bucket(monkeypatch) as endpoint:
        yield endpoint


def kinds(tmp_path, s3_url):
    return {"folder": ClipCache(tmp_path / "clips"), "s3": ClipCache(s3_url)}


@pytest.mark.parametrize("kind", ["folder", "s3"])
def test_a_clip_comes_back_as_it_was_put_and_only_clips_that_exist_are_found(tmp_path, s3, kind):
    cache = kinds(tmp_path, "s3://clips/shared/run")[kind]
    key, other = clip_key("fake/1", "一二三"), clip_key("fake/1", "四五六")
    assert cache.get(key) is None
    cache.put(key, CLIP)
    assert cache.get(key) == CLIP
    assert cache.get_many([key, other]) == {key: CLIP}
    if kind == "s3":
        assert list(objects(s3)) == [f"shared/run/{key[:2]}/{key}.clip"]


@pytest.mark.parametrize("kind", ["folder", "s3"])
def test_a_damaged_entry_is_refused_and_removed_so_it_is_made_again(tmp_path, s3, kind):
    cache = kinds(tmp_path, "s3://clips/c")[kind]
    key = clip_key("fake/1", "一二三")
    cache.store.write(f"{key[:2]}/{key}.clip", b"{not json")
    assert cache.get(key) is None
    assert cache.store.read(f"{key[:2]}/{key}.clip") is None


def test_an_s3_store_without_the_extra_is_one_line_naming_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "s3fs", None)  # as if not installed: importing it fails
    with pytest.raises(
        UsageError,
        match=r"^--clip-store s3://b/p: S3 needs the s3 extra \(pip install 'enews-audio\[s3\]'\)$",
    ):
        open_store("s3://b/p")


def test_urls_that_are_not_a_store_are_refused():
    with pytest.raises(UsageError, match="not a folder or an s3:// URL"):
        open_store("ftp://host/clips")
    with pytest.raises(UsageError, match="name a bucket"):
        open_store("s3://")


def test_an_unreachable_endpoint_is_one_line_naming_the_store(monkeypatch):
    unreachable(monkeypatch)
    with pytest.raises(ClipStoreError, match=r"^clip store s3://clips/x: cannot write: ") as raised:
        ClipCache("s3://clips/x").put(clip_key("fake/1", "一"), CLIP)
    assert "\n" not in str(raised.value)
