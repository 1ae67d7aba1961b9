"""The USB folder: an MP3 per page opening and per article, cut from the episodes without encoding again."""

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import miniaudio
import numpy as np
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MPEGFrame, skip_id3

from enews_audio.errors import PublishError
from enews_audio.publish import PublishSettings, publish_issue
from enews_audio.publish.record import read_record
from enews_audio.publish.usb import write_usb
from support.tones import OPENING_HZ, article_hz, assemble_issue, make_issue

PAPER = "山城晚报"
DAY = dt.date(2025, 12, 31)
FRAME = 576 / 24000  # seconds: MPEG-2 Layer III at 24 kHz


@pytest.fixture(scope="module")
def issue_dir(tmp_path_factory) -> Path:
    paper_dir = tmp_path_factory.mktemp("out") / "shanchengwanbao"
    issue = make_issue(PAPER, DAY, (2, 3))
    episodes = assemble_issue(paper_dir / DAY.isoformat(), issue)
    publish_issue(paper_dir, issue, episodes, PublishSettings(editions=frozenset({"usb"})))
    return paper_dir / DAY.isoformat()


def frames(data: bytes) -> list[bytes]:
    """The MP3 frames after the ID3 tag, as mutagen finds them."""
    stream = io.BytesIO(data)
    skip_id3(stream)
    found = []
    while True:
        at = stream.tell()
        try:
            MPEGFrame(stream)
        except Exception:
            return found
        if stream.tell() > len(data):
            return found
        found.append(data[at : stream.tell()])


def pitch(path: Path) -> float:
    """The loudest frequency of a file, as decoded."""
    sound = miniaudio.decode_file(str(path), output_format=miniaudio.SampleFormat.FLOAT32, nchannels=1)
    samples = np.frombuffer(sound.samples, dtype=np.float32)
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.fft.rfftfreq(len(samples), 1 / sound.sample_rate)[spectrum.argmax()])


def test_files_sort_in_play_order_a_folder_per_page(issue_dir):
    names = sorted(p.relative_to(issue_dir / "usb").as_posix() for p in (issue_dir / "usb").rglob("*.mp3"))
    assert names == [
        "01-a01/00.mp3", "01-a01/01.mp3", "01-a01/02.mp3",
        "02-a02/00.mp3", "02-a02/01.mp3", "02-a02/02.mp3", "02-a02/03.mp3",
    ]  # fmt: skip
    assert all(name.isascii() for name in names)
    assert read_record(issue_dir / "build.json").usb == "usb"


def test_pieces_are_the_episode_frames_cut_not_encoded_again(issue_dir):
    for page in read_record(issue_dir / "build.json").pages:
        pieces = sorted((issue_dir / "usb").glob(f"*-{Path(page.file).stem}/*.mp3"))
        joined = b"".join(frame for piece in pieces for frame in frames(piece.read_bytes()))
        assert joined == b"".join(frames((issue_dir / page.file).read_bytes()))


def test_each_piece_is_its_chapter_and_together_they_last_as_long_as_the_episode(issue_dir):
    record = read_record(issue_dir / "build.json")
    for page in record.pages:
        pieces = sorted((issue_dir / "usb").glob(f"*-{Path(page.file).stem}/*.mp3"))
        assert len(pieces) == len(page.chapters)
        lengths = [len(frames(piece.read_bytes())) * FRAME for piece in pieces]
        assert sum(lengths) == pytest.approx(len(frames((issue_dir / page.file).read_bytes())) * FRAME)
        assert sum(lengths) == pytest.approx(page.duration, abs=2 * FRAME)
        starts = np.cumsum([0, *lengths[:-1]])
        assert starts == pytest.approx([c.start for c in page.chapters], abs=FRAME / 2 + 0.001)
        # …and what is heard in each is its own article's voice (a pitch per article in these episodes)
        heard = [pitch(piece) for piece in pieces]
        assert heard == pytest.approx([OPENING_HZ, *(article_hz(i) for i in range(len(pieces) - 1))], abs=3)


def test_tags_name_the_headline_the_issue_and_the_place(issue_dir):
    record = read_record(issue_dir / "build.json")
    tags = [ID3(p) for p in sorted((issue_dir / "usb").rglob("*.mp3"))]
    titles = [str(t["TIT2"]) for t in tags]
    expected = [title for page in record.pages for title in (f"{page.code}版 {page.name}", *page.articles)]
    assert titles == expected
    assert {str(t["TALB"]) for t in tags} == {"山城晚报 2025年12月31日"}
    assert [str(t["TRCK"]) for t in tags] == [f"{n}/7" for n in range(1, 8)]
    assert [str(t["TPOS"]) for t in tags] == ["1/2"] * 3 + ["2/2"] * 4
    assert all(t.version == (2, 3, 0) for t in tags)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
def test_an_info_frame_at_the_start_is_left_out(tmp_path, issue_dir):
    """An episode with a Xing/Info frame (ffmpeg writes one): the frame describes the whole file, not a piece."""
    record = read_record(issue_dir / "build.json")
    shutil.copytree(issue_dir, tmp_path / "copy")
    for page in record.pages:
        source = issue_dir / page.file
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-i", str(source), "-c", "copy", "-write_xing", "1", str(tmp_path / "copy" / page.file)],
            check=True,
        )  # fmt: skip
    with_info = (tmp_path / "copy" / "a01.mp3").read_bytes()
    assert b"Info" in with_info[:2000] or b"Xing" in with_info[:2000]
    write_usb(tmp_path / "copy", record, artist=PAPER)
    pieces = sorted((tmp_path / "copy" / "usb" / "01-a01").glob("*.mp3"))
    assert not any(b"Info" in p.read_bytes()[:2000] or b"Xing" in p.read_bytes()[:2000] for p in pieces)
    counted = sum(len(frames(p.read_bytes())) for p in pieces)
    assert counted == len(frames((issue_dir / "a01.mp3").read_bytes()))


def test_a_file_that_is_not_mp3_is_one_clear_error(tmp_path, issue_dir):
    record = read_record(issue_dir / "build.json")
    shutil.copytree(issue_dir, tmp_path / "copy")
    (tmp_path / "copy" / "a02.mp3").write_bytes(b"not audio at all" * 100)
    with pytest.raises(PublishError, match=r"a02\.mp3"):
        write_usb(tmp_path / "copy", record, artist=PAPER)
    assert (tmp_path / "copy" / "usb" / "02-a02").is_dir()  # the folder of the last good build stays
