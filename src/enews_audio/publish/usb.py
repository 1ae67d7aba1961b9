"""The USB edition: a folder per page, an MP3 per page opening and per article, for players without chapters.

Radio-players and many talking-book players only know "next file" and "next folder". Cutting each
episode at its chapter marks lets them skip article by article. The cuts are made between MP3 frames, so
no audio is encoded again: at 24 kHz an MPEG-2 Layer III frame is 576 samples (24 ms), and a cut lands
within half a frame of the chapter mark, which sits in the pause before an article. Names are ASCII and
sort in play order (``00-brief/`` is the briefing, ``01-a01/00.mp3`` page A01's opening, ``01-a01/01.mp3``
its first article); the headline is in each file's ID3 title, for players that show or speak it.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from mutagen import MutagenError
from mutagen.id3 import ID3, TALB, TDRC, TIT2, TLAN, TPE1, TPOS, TRCK, Encoding
from mutagen.mp3 import HeaderNotFoundError, MPEGFrame, skip_id3

from enews_audio.atomic import replacing_folder
from enews_audio.errors import PublishError
from enews_audio.model import issue_title, page_title
from enews_audio.publish.record import OPENING_TITLE, Record, chapter_titles

USB_FOLDER = "usb"


@dataclass(frozen=True, slots=True)
class _Frames:
    """Where an MP3's audio frames lie: byte offsets of each frame and of the end, and one frame's length."""

    offsets: tuple[int, ...]  # len(frames) + 1 entries; the last is where the audio ends
    seconds: float  # per frame

    def cut(self, at: float) -> int:
        """The frame boundary nearest ``at`` seconds, as an index into ``offsets``."""
        return min(max(0, round(at / self.seconds)), len(self.offsets) - 1)


def write_usb(issue_dir: Path, record: Record, *, artist: str) -> str:
    """Write ``issue_dir/usb/`` from the episodes in ``record``; returns the folder's name.

    Every file is tagged ID3v2.3 (UTF-16, as the episodes are): title = headline (the page for its
    opening), album = paper and date, artist, track = place in the whole issue, disc = page.
    """
    album = issue_title(record.paper, record.date)
    listed = record.listed
    total = sum(len(page.chapters) or 1 for page in listed)
    width = max(2, len(str(len(listed))))
    start = 0 if record.brief else 1  # 00-brief, then 01-a01: a page's number stays its place in the paper
    track = 0
    with replacing_folder(issue_dir / USB_FOLDER) as folder:
        for number, page in enumerate(listed, start):
            data = _read(issue_dir / page.file)
            frames = _frames(data, issue_dir / page.file)
            chapters = page.parts
            titles = chapter_titles(chapters, page.articles)
            first = 0 if titles[0] == OPENING_TITLE else 1  # 00.mp3 is the opening; articles count from 01
            bounds = [0, *(frames.cut(c.start) for c in chapters[1:]), len(frames.offsets) - 1]
            page_folder = folder / f"{number:0{width}}-{Path(page.file).stem}"
            page_folder.mkdir()
            for index, title in enumerate(titles):
                track += 1
                target = page_folder / f"{index + first:0{max(2, len(str(len(titles))))}}.mp3"
                target.write_bytes(data[frames.offsets[bounds[index]] : frames.offsets[bounds[index + 1]]])
                _tag(
                    target,
                    title=page_title(page.code, page.name) if title == OPENING_TITLE else title,
                    album=album,
                    artist=artist,
                    track=f"{track}/{total}",
                    disc=f"{number - start + 1}/{len(listed)}",
                    date=record.date,
                )
    return USB_FOLDER


def _frames(data: bytes, path: Path) -> _Frames:
    """The whole audio frames after the ID3 tag, found by mutagen; a Xing/LAME info frame is left out.

    The info frame (lameenc writes none, other encoders do) describes the whole file: copied into a
    piece it would tell players that piece's length wrongly. Anything after the last whole frame (an
    ID3v1 tag, a cut-off frame) is not audio.
    """
    stream = io.BytesIO(data)
    skip_id3(stream)
    audio_start = stream.tell()
    offsets: list[int] = []
    end, seconds = audio_start, 0.0
    while True:
        at = stream.tell()
        try:
            frame = MPEGFrame(stream)
        except HeaderNotFoundError:
            break
        if stream.tell() > len(data):
            break
        end = stream.tell()
        if at == audio_start and not frame.sketchy:  # mutagen found a Xing/Info header in it
            continue
        offsets.append(at)
        seconds = (1152 if frame.version == 1 else 576) / frame.sample_rate  # Layer III
    if not offsets:
        raise PublishError(f"{path}: no MP3 audio frames to cut")
    return _Frames((*offsets, end), seconds)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise PublishError(f"can't read episode {path}: {exc.strerror or exc}") from exc


def _tag(path: Path, *, title: str, album: str, artist: str, track: str, disc: str, date: dt.date) -> None:
    tags = ID3()
    tags.add(TIT2(encoding=Encoding.UTF16, text=[title]))
    tags.add(TALB(encoding=Encoding.UTF16, text=[album]))
    tags.add(TPE1(encoding=Encoding.UTF16, text=[artist]))
    tags.add(TRCK(encoding=Encoding.UTF16, text=[track]))
    tags.add(TPOS(encoding=Encoding.UTF16, text=[disc]))
    tags.add(TDRC(encoding=Encoding.UTF16, text=[date.isoformat()]))
    tags.add(TLAN(encoding=Encoding.UTF16, text=["chi"]))
    try:
        tags.save(path, v2_version=3)
    except (MutagenError, OSError) as exc:
        raise PublishError(f"cannot tag {path}: {exc}") from exc
