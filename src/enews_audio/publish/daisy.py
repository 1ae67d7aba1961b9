"""A DAISY 2.02 talking book of one issue (audio + NCC), for the talking-book players public libraries lend.

``<date>/daisy/`` holds ``ncc.html`` (an ``h1`` per printed page, an ``h2`` per article), one SMIL 1.0 file
per page and the page episodes themselves (hard-linked, never encoded again: they are CBR already), and
``<date>/daisy.zip`` the same folder for download. Each heading links a ``<par>`` whose ``<seq>`` of
audio clips, one per spoken sentence, covers its chapter; the clips of a page cover its episode exactly,
in order, so a player's "next phrase" moves sentence by sentence and "next heading" article by article.

Written by hand with ElementTree: the one Python DAISY 2.02 writer (anemone-daisy-maker) builds books from
HTML and a JSON time index of its own, not from audio we have already laid out. Where the 2.02 spec leaves
room, this follows DAISY Pipeline 2: the first heading carries ``class="title"``, clips sit in a ``<seq>``
inside each ``<par>`` (the form most readers take), SMIL heads carry ``ncc:timeInThisSmil`` and
``ncc:totalElapsedTime`` as full clock values.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from enews_audio import __version__
from enews_audio.atomic import replacing, replacing_folder
from enews_audio.model import Cue, episode_title, issue_title, page_title
from enews_audio.publish.feed import GUID_NAMESPACE
from enews_audio.publish.record import PageRecord, Record
from enews_audio.publish.slug import paper_slug
from enews_audio.publish.transcript import timestamp

DAISY_FOLDER = "daisy"
DAISY_ZIP = "daisy.zip"
NCC_NAME = "ncc.html"
LANGUAGE = "zh-CN"
_MIN_CLIP = 500  # ms: a boundary this close to another (the lead-in before the first words) starts no clip
_NCC_DOCTYPE = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
)
_SMIL_DOCTYPE = '<!DOCTYPE smil PUBLIC "-//W3C//DTD SMIL 1.0//EN" "http://www.w3.org/TR/REC-smil/SMIL10.dtd">'
_ZIP_TIME = (6, 0, 0)  # every member is dated 06:00 of the issue's day, so a rebuild writes the same zip


@dataclass(frozen=True, slots=True)
class _Par:
    """One NCC heading and the audio it links: clips as [begin, end) in whole milliseconds of the file."""

    level: int  # 1 for a page, 2 for an article
    title: str
    ident: str
    clips: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class _Smil:
    name: str  # a01.smil
    audio: str  # a01.mp3
    title: str
    pars: tuple[_Par, ...]

    @property
    def duration(self) -> int:
        return self.pars[-1].clips[-1][1]


def book_name(paper: str, date: dt.date) -> str:
    """``shanchengwanbao-2025-12-31``: the zip's top folder, so each issue unzips into a folder of its own."""
    return f"{paper_slug(paper)}-{date.isoformat()}"


def write_daisy(
    issue_dir: Path,
    record: Record,
    cues: Mapping[str, Sequence[Cue]],
    *,
    publisher: str,
    narrator: str,
) -> str:
    """Write ``issue_dir/daisy/`` and ``issue_dir/daisy.zip`` for the pages in ``record``; returns the zip's name.

    ``cues`` maps an episode file to its transcript cues, whose starts split chapters into sentence clips;
    a page without cues gets one clip per chapter. The paper is the book's creator; ``narrator`` names
    the voice.
    """
    smils = [
        _plan(page, cues.get(page.file, ()), first=index == 0, record=record)
        for index, page in enumerate(record.listed)  # the briefing first
    ]
    identifier = f"urn:uuid:{uuid.uuid5(GUID_NAMESPACE, f'{record.paper}/{record.date.isoformat()}/daisy')}"
    meta = {
        "title": issue_title(record.paper, record.date),
        "identifier": identifier,
        "creator": record.paper,
        "publisher": publisher,
    }
    with replacing_folder(issue_dir / DAISY_FOLDER) as folder:
        files = [NCC_NAME, *(s.name for s in smils), *(s.audio for s in smils)]
        (folder / NCC_NAME).write_text(
            ncc_html(record, smils, meta, narrator=narrator, files=len(files)), "utf-8"
        )
        elapsed = 0
        for smil in smils:
            (folder / smil.name).write_text(smil_xml(smil, meta, elapsed=elapsed), "utf-8")
            elapsed += smil.duration
            _link(issue_dir / smil.audio, folder / smil.audio)
        with replacing(issue_dir / DAISY_ZIP) as tmp:
            _zip(folder, files, tmp, book_name(record.paper, record.date), record.date)
    return DAISY_ZIP


def ncc_html(
    record: Record, smils: Sequence[_Smil], meta: Mapping[str, str], *, narrator: str, files: int
) -> str:
    """The navigation control centre: the book's metadata and one heading per page and article."""
    pars = [par for smil in smils for par in smil.pars]
    total = sum(smil.duration for smil in smils)
    html = ET.Element(
        "html", {"xmlns": "http://www.w3.org/1999/xhtml", "lang": LANGUAGE, "xml:lang": LANGUAGE}
    )
    head = ET.SubElement(html, "head")
    ET.SubElement(head, "meta", {"http-equiv": "Content-type", "content": "text/html; charset=utf-8"})
    ET.SubElement(head, "title").text = meta["title"]
    for name, content in (
        ("dc:title", meta["title"]),
        ("dc:creator", meta["creator"]),
        ("dc:date", record.date.isoformat()),
        ("dc:format", "Daisy 2.02"),
        ("dc:identifier", meta["identifier"]),
        ("dc:language", LANGUAGE),
        ("dc:publisher", meta["publisher"]),
        ("ncc:charset", "utf-8"),
        ("ncc:generator", f"enews-audio {__version__}"),
        ("ncc:producedDate", record.built_at.date().isoformat()),
        ("ncc:sourceDate", record.date.isoformat()),
        ("ncc:sourcePublisher", record.paper),
        ("ncc:multimediaType", "audioNcc"),
        ("ncc:narrator", narrator),
        # Printed pages are headings here, not DAISY page numbers: codes like A04 are not numbers.
        ("ncc:pageFront", "0"),
        ("ncc:pageNormal", "0"),
        ("ncc:pageSpecial", "0"),
        ("ncc:depth", str(max(par.level for par in pars))),
        ("ncc:tocItems", str(len(pars))),
        ("ncc:files", str(files)),
        ("ncc:totalTime", _clock(total, whole=True)),
    ):
        if content:
            ET.SubElement(head, "meta", name=name, content=content)
    body = ET.SubElement(html, "body")
    for smil in smils:
        for par in smil.pars:
            heading = ET.SubElement(body, f"h{par.level}", id=_heading_id(par))
            if par is pars[0]:
                heading.set("class", "title")  # the 2.02 spec wants the first heading to be the title
            ET.SubElement(heading, "a", href=f"{smil.name}#{par.ident}").text = par.title
    return _serialise(html, _NCC_DOCTYPE)


def smil_xml(smil: _Smil, meta: Mapping[str, str], *, elapsed: int) -> str:
    """One page's SMIL: a ``par`` per heading, each a ``seq`` of clips of the page's episode."""
    root = ET.Element("smil")
    head = ET.SubElement(root, "head")
    for name, content in (
        ("dc:format", "Daisy 2.02"),
        ("dc:identifier", meta["identifier"]),
        ("dc:title", smil.title),
        ("ncc:generator", f"enews-audio {__version__}"),
        ("ncc:totalElapsedTime", _clock(elapsed)),
        ("ncc:timeInThisSmil", _clock(smil.duration)),
    ):
        ET.SubElement(head, "meta", name=name, content=content)
    layout = ET.SubElement(head, "layout")
    ET.SubElement(layout, "region", id="txtView")
    seq = ET.SubElement(ET.SubElement(root, "body"), "seq", dur=_seconds(smil.duration))
    for par in smil.pars:
        element = ET.SubElement(seq, "par", endsync="last", id=par.ident)
        ET.SubElement(element, "text", src=f"{NCC_NAME}#{_heading_id(par)}", id=f"txt_{par.ident}")
        clips = ET.SubElement(element, "seq")
        for number, (begin, end) in enumerate(par.clips):
            ET.SubElement(
                clips,
                "audio",
                src=smil.audio,
                **{"clip-begin": f"npt={_seconds(begin)}", "clip-end": f"npt={_seconds(end)}"},
                id=f"aud_{par.ident}_{number}",
            )
    return _serialise(root, _SMIL_DOCTYPE)


def _plan(page: PageRecord, cues: Sequence[Cue], *, first: bool, record: Record) -> _Smil:
    """The page's headings and clips: the opening chapter under the page's ``h1``, each article's under an ``h2``.

    A page whose first chapter is already an article (templates that say nothing before it) has that
    chapter under its ``h1``: two headings can't share one ``par``.
    """
    stem = Path(page.file).stem
    duration = round(page.duration * 1000)
    chapters = page.parts
    heading = page_title(page.code, page.name)
    if first:
        heading = episode_title(record.paper, record.date, page.code, page.name)
    bounds = [round(c.start * 1000) for c in chapters] + [duration]
    inner = sorted({round(c.start * 1000) for c in cues})
    pars = []
    for number, chapter in enumerate(chapters):
        begin, end = bounds[number], bounds[number + 1]
        cuts = [begin]
        for at in inner:
            if cuts[-1] + _MIN_CLIP <= at <= end - _MIN_CLIP:
                cuts.append(at)
        cuts.append(end)
        pars.append(
            _Par(
                level=1 if number == 0 else 2,
                title=heading if number == 0 else chapter.title,
                ident=f"par_{stem}_{number}",
                clips=tuple(itertools.pairwise(cuts)),
            )
        )
    return _Smil(f"{stem}.smil", page.file, heading, tuple(pars))


def _heading_id(par: _Par) -> str:
    return par.ident.replace("par_", "h_", 1)


def _link(source: Path, target: Path) -> None:
    """The episode itself, not a copy, where the file system allows it."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _zip(folder: Path, files: Sequence[str], out: Path, top: str, date: dt.date) -> None:
    """The book's files under ``top/``: MP3s stored (they don't compress), text deflated, streamed."""
    with zipfile.ZipFile(out, "w") as archive:
        for name in files:
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=(date.year, date.month, date.day, *_ZIP_TIME))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".mp3") else zipfile.ZIP_DEFLATED
            with (folder / name).open("rb") as source, archive.open(info, "w") as target:
                shutil.copyfileobj(source, target, 1 << 20)


def _serialise(root: ET.Element, doctype: str) -> str:
    ET.indent(root)
    return f'<?xml version="1.0" encoding="utf-8"?>\n{doctype}\n{ET.tostring(root, encoding="unicode")}\n'


def _seconds(ms: int) -> str:
    return f"{ms // 1000}.{ms % 1000:03}s"


def _clock(ms: int, *, whole: bool = False) -> str:
    """A full clock value, ``hh:mm:ss.mmm``, or ``hh:mm:ss`` (rounded) as ncc:totalTime is given."""
    return timestamp((ms + 500) // 1000)[:-4] if whole else timestamp(ms / 1000)
