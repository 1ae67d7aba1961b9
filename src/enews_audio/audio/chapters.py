"""Where a page's chapters fall, and the ID3v2.3 tag (CHAP + CTOC) that carries them in the MP3."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from mutagen import MutagenError
from mutagen.id3 import (
    CHAP,
    CTOC,
    ID3,
    TALB,
    TDRC,
    TIT2,
    TLAN,
    TPE1,
    CTOCFlags,
    Encoding,
    ID3NoHeaderError,
)

from enews_audio.errors import AudioError
from enews_audio.model import Chapter, PageScript

_TOC_ID = "toc"
_NO_OFFSET = 0xFFFFFFFF  # CHAP byte offsets unused: players seek by time


def plan_chapters(script: PageScript, starts: Sequence[float], duration: float) -> tuple[Chapter, ...]:
    """Chapters from utterance start times: an opening chapter, then one per article from its first utterance.

    The first chapter always starts at 0 (it owns the lead-in); each chapter ends where the next starts,
    and the last at ``duration``, so trailing lines with no article (a closing) join the last article.
    """
    if len(starts) != len(script.utterances):
        raise ValueError(f"{len(starts)} start times for {len(script.utterances)} utterances")
    page = script.page
    marks: list[tuple[float, str]] = []
    seen: set[int] = set()
    for utterance, start in zip(script.utterances, starts, strict=True):
        index = utterance.article
        if index is None or index in seen:
            continue
        seen.add(index)
        marks.append((start, page.articles[index].title))
    opening = f"{page.code}版 {page.name}"
    if not marks:
        return (Chapter(0.0, duration, opening),)
    if script.utterances[0].article is None:
        marks.insert(0, (0.0, opening))
    else:
        marks[0] = (0.0, marks[0][1])
    ends = [start for start, _ in marks[1:]] + [duration]
    return tuple(Chapter(start, end, title) for (start, title), end in zip(marks, ends, strict=True))


def write_tags(
    path: Path,
    chapters: Sequence[Chapter],
    *,
    title: str,
    album: str,
    artist: str,
    date: dt.date,
) -> None:
    """Tag ``path`` as ID3v2.3 (UTF-16 text): v2.4 chapters with large sub-frames are invisible to ffprobe."""
    tags = ID3()
    tags.add(TIT2(encoding=Encoding.UTF16, text=[title]))
    tags.add(TALB(encoding=Encoding.UTF16, text=[album]))
    tags.add(TPE1(encoding=Encoding.UTF16, text=[artist]))
    tags.add(TDRC(encoding=Encoding.UTF16, text=[date.isoformat()]))  # becomes TYER + TDAT in v2.3
    tags.add(TLAN(encoding=Encoding.UTF16, text=["chi"]))
    ids = [f"chp{i}" for i in range(len(chapters))]
    for element_id, chapter in zip(ids, chapters, strict=True):
        tags.add(
            CHAP(
                element_id=element_id,
                start_time=round(chapter.start * 1000),
                end_time=round(chapter.end * 1000),
                start_offset=_NO_OFFSET,
                end_offset=_NO_OFFSET,
                sub_frames=[TIT2(encoding=Encoding.UTF16, text=[chapter.title])],
            )
        )
    tags.add(
        CTOC(
            element_id=_TOC_ID,
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=Encoding.UTF16, text=[title])],
        )
    )
    tags.update_to_v23()
    try:
        tags.save(path, v2_version=3)
        _order_chapter_frames(path, ids)
    except (MutagenError, OSError) as exc:
        raise AudioError(f"cannot tag {path.name}: {exc}") from exc


def _order_chapter_frames(path: Path, ids: Sequence[str]) -> None:
    """Store CHAP frames in chapter order, in place: ffmpeg lists chapters in stored order, not by time.

    mutagen stores frames sorted by their size (mutagen issue #506), which shuffles chapters.
    """
    with path.open("r+b") as f:
        header = f.read(10)
        if header[:4] != b"ID3\x03" or header[5] != 0:  # only the plain v2.3 tag mutagen just wrote
            return
        size = sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(header[6:10]))
        body = f.read(size)
        frames: list[bytes] = []
        pos = 0
        while pos + 10 <= len(body) and body[pos] != 0:  # a zero byte starts the padding
            end = pos + 10 + int.from_bytes(body[pos + 4 : pos + 8], "big")
            frames.append(body[pos:end])
            pos = end
        rank = {element_id.encode("latin-1"): i for i, element_id in enumerate(ids)}
        chaps = iter(sorted((fr for fr in frames if fr[:4] == b"CHAP"), key=lambda fr: rank[_element_id(fr)]))
        f.seek(10)
        f.write(b"".join(next(chaps) if fr[:4] == b"CHAP" else fr for fr in frames))


def _element_id(frame: bytes) -> bytes:
    return frame[10 : frame.index(b"\0", 10)]


def read_chapters(path: Path) -> list[Chapter]:
    """The chapters stored in an MP3's CHAP frames, in the order its top-level CTOC lists them."""
    try:
        tags = ID3(path)
    except ID3NoHeaderError:
        return []
    except (MutagenError, OSError) as exc:
        raise AudioError(f"cannot read chapters of {path.name}: {exc}") from exc
    frames = {frame.element_id: frame for frame in tags.getall("CHAP")}
    tocs = [toc for toc in tags.getall("CTOC") if toc.flags & CTOCFlags.TOP_LEVEL]
    if tocs:
        ordered = [frames[i] for i in tocs[0].child_element_ids if i in frames]
    else:
        ordered = sorted(frames.values(), key=lambda frame: frame.start_time)
    return [_to_chapter(frame) for frame in ordered]


def _to_chapter(frame: CHAP) -> Chapter:
    names = frame.sub_frames.getall("TIT2")
    title = str(names[0]) if names else frame.element_id
    return Chapter(frame.start_time / 1000, frame.end_time / 1000, title)
