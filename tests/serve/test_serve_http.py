import email.utils
import inspect
import os

import pytest
from served import AUDIO, address, request

from enews_audio.cli import serve_command
from enews_audio.errors import UsageError
from enews_audio.serve import running


def test_binds_loopback_unless_told_otherwise(server):
    assert inspect.signature(serve_command).parameters["host"].default == "127.0.0.1"  # the command's
    assert inspect.signature(running).parameters["host"].default == "127.0.0.1"
    assert address(server)[0] == "127.0.0.1"


def test_head_reports_the_file_without_sending_it(server):
    response, body = request(server, "HEAD", "/paper/a01.mp3")
    assert response.status == 200 and body == b""
    assert response.getheader("Content-Length") == str(len(AUDIO))
    assert response.getheader("Content-Type") == "audio/mpeg"
    assert response.getheader("Accept-Ranges") == "bytes"
    assert response.getheader("ETag") and response.getheader("Last-Modified")


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=1000-1999", 1000, 1999),
        ("bytes=0-0", 0, 0),
        ("bytes=102000-", 102000, len(AUDIO) - 1),
        ("bytes=-300", len(AUDIO) - 300, len(AUDIO) - 1),
        ("bytes=102300-999999", 102300, len(AUDIO) - 1),  # an end past the file is cut to it
    ],
)
def test_a_ranged_get_returns_exactly_those_bytes(server, header, first, last):
    response, body = request(server, "GET", "/paper/a01.mp3", {"Range": header})
    assert response.status == 206
    assert body == AUDIO[first : last + 1]
    assert response.getheader("Content-Range") == f"bytes {first}-{last}/{len(AUDIO)}"
    assert response.getheader("Content-Length") == str(last - first + 1)


@pytest.mark.parametrize(
    ("path", "header"),
    [
        ("/paper/a01.mp3", f"bytes={len(AUDIO)}-"),
        ("/paper/a01.mp3", "bytes=-0"),
        ("/paper/empty.mp3", "bytes=0-"),
    ],
)
def test_a_range_beyond_the_file_is_416(server, root, path, header):
    response, body = request(server, "GET", path, {"Range": header})
    size = (root / path.lstrip("/")).stat().st_size
    assert response.status == 416 and body == b""
    assert response.getheader("Content-Range") == f"bytes */{size}"


@pytest.mark.parametrize("header", ["bytes=5-2", "bytes=0-1,5-6", "lines=1-2", "bytes=x-y"])
def test_a_range_that_is_not_one_valid_byte_range_gets_the_whole_file(server, header):
    response, body = request(server, "GET", "/paper/a01.mp3", {"Range": header})
    assert response.status == 200 and body == AUDIO


def test_if_range_honours_the_range_only_while_the_file_is_unchanged(server):
    head, _ = request(server, "HEAD", "/paper/a01.mp3")
    same, body = request(
        server, "GET", "/paper/a01.mp3", {"Range": "bytes=0-9", "If-Range": head.getheader("ETag")}
    )
    assert same.status == 206 and body == AUDIO[:10]
    changed, body = request(server, "GET", "/paper/a01.mp3", {"Range": "bytes=0-9", "If-Range": '"old"'})
    assert changed.status == 200 and body == AUDIO


def test_conditional_get_answers_304_until_the_file_changes(server, root):
    first, _ = request(server, "GET", "/paper/a01.mp3")
    etag, modified = first.getheader("ETag"), first.getheader("Last-Modified")
    by_tag, body = request(server, "GET", "/paper/a01.mp3", {"If-None-Match": etag})
    assert by_tag.status == 304 and body == b"" and by_tag.getheader("ETag") == etag
    by_date, body = request(server, "GET", "/paper/a01.mp3", {"If-Modified-Since": modified})
    assert by_date.status == 304 and body == b""
    stale = email.utils.formatdate(
        email.utils.parsedate_to_datetime(modified).timestamp() - 3600, usegmt=True
    )
    older, body = request(server, "GET", "/paper/a01.mp3", {"If-Modified-Since": stale})
    assert older.status == 200 and body == AUDIO

    path = root / "paper" / "a01.mp3"
    path.write_bytes(AUDIO[::-1])
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))
    after, body = request(server, "GET", "/paper/a01.mp3", {"If-None-Match": etag})
    assert after.status == 200 and body == AUDIO[::-1] and after.getheader("ETag") != etag


@pytest.mark.parametrize(
    ("path", "mime"),
    [
        ("/paper/a01.mp3", "audio/mpeg"),
        ("/paper/a01.vtt", "text/vtt"),
        ("/paper/a01.chapters.json", "application/json"),
        ("/paper/cover.jpg", "image/jpeg"),
        ("/paper/cover.png", "image/png"),
        ("/paper/index.html", "text/html"),
        ("/paper/", "text/html"),
    ],
)
def test_mime_types(server, path, mime):
    response, _ = request(server, "GET", path)
    assert response.status == 200
    assert response.getheader("Content-Type").split(";")[0] == mime


@pytest.mark.parametrize("path", ["/paper/a01.vtt", "/paper/a01.chapters.json"])
def test_transcripts_and_chapters_may_be_read_from_any_origin(server, path):
    response, _ = request(server, "GET", path, {"Origin": "https://player.example"})
    assert response.getheader("Access-Control-Allow-Origin") == "*"
    preflight, _ = request(server, "OPTIONS", path, {"Origin": "https://player.example"})
    assert preflight.status == 204
    assert "Range" in preflight.getheader("Access-Control-Allow-Headers")


def test_a_folder_without_its_slash_is_redirected_and_one_without_index_is_listed(server):
    response, _ = request(server, "GET", "/paper")
    assert response.status == 301 and response.getheader("Location") == "/paper/"
    listing, body = request(server, "GET", "/")
    assert listing.status == 200 and b'href="paper/"' in body and b".cache" not in body


def test_a_folder_that_is_not_there_or_a_busy_port_is_a_usage_error(tmp_path, server):
    with pytest.raises(UsageError, match="not a folder"), running(tmp_path / "missing", port=0):
        pass
    with (
        pytest.raises(UsageError, match=r"can.t listen on 127\.0\.0\.1"),
        running(tmp_path, port=address(server)[1]),
    ):
        pass
    assert server == f"http://127.0.0.1:{address(server)[1]}/"
