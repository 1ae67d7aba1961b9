"""The DAISY 2.02 book: read back by an independent reader (daisy-dtb), and its time arithmetic checked here."""

import datetime as dt
import itertools
import os
import typing
import warnings
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import miniaudio
import pytest
import typing_extensions

from enews_audio.publish import PublishSettings, publish_issue
from enews_audio.publish.record import read_record
from support.tones import assemble_issue, make_issue

# daisy-dtb 0.0.17 says it needs Python 3.11 but imports typing.override, new in 3.12: lend it 3.11 the
# typing_extensions one. And with chardet >= 6 it uses chardet.universaldetector without importing it.
if not hasattr(typing, "override"):
    typing.override = typing_extensions.override  # type: ignore[attr-defined]
with warnings.catch_warnings():  # chardet 7 calls that module deprecated
    warnings.simplefilter("ignore", DeprecationWarning)
    import chardet.universaldetector  # noqa: F401
import loguru
from daisy_dtb import DaisyBook, FolderDtbSource, ZipDtbSource

loguru.logger.remove()  # daisy-dtb logs every file it reads

PAPER = "山城晚报"
DAY = dt.date(2025, 12, 31)
XHTML = "{http://www.w3.org/1999/xhtml}"
REQUIRED_NCC_META = {
    "dc:title", "dc:creator", "dc:date", "dc:format", "dc:identifier", "dc:language", "dc:publisher",
    "ncc:charset", "ncc:pageFront", "ncc:pageNormal", "ncc:pageSpecial", "ncc:tocItems", "ncc:totalTime",
    "ncc:depth", "ncc:files", "ncc:multimediaType", "ncc:narrator",
}  # fmt: skip


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    """An issue of two pages (two and three articles) published with the DAISY edition; its issue folder."""
    paper_dir = tmp_path_factory.mktemp("out") / "shanchengwanbao"
    issue = make_issue(PAPER, DAY, (2, 3))
    episodes = assemble_issue(paper_dir / DAY.isoformat(), issue)
    settings = PublishSettings(editions=frozenset({"daisy"}))
    publish_issue(paper_dir, issue, episodes, settings, narrator="合成语音 zf_xiaobei")
    return paper_dir / DAY.isoformat()


def ms(clock: str) -> int:
    """A SMIL clock value (``npt=1.234s`` or ``00:01:02.345``) in milliseconds."""
    value = clock.removeprefix("npt=").removesuffix("s")
    if ":" not in value:
        return round(float(value) * 1000)
    hours, minutes, seconds = value.split(":")
    return round((int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000)


def meta(head: ET.Element, prefix: str = "") -> dict[str, str]:
    return {m.get("name"): m.get("content") for m in head.iter(f"{prefix}meta") if m.get("name")}


@pytest.mark.parametrize("source", ["folder", "zip"])
def test_daisy_dtb_reads_an_h1_per_page_and_an_h2_per_article(book, source):
    record = read_record(book / "build.json")
    dtb = (
        FolderDtbSource(str(book / "daisy")) if source == "folder" else ZipDtbSource(str(book / "daisy.zip"))
    )
    daisy = DaisyBook(dtb)
    assert daisy.title == f"{PAPER} 2025年12月31日"
    assert daisy.langage == "zh-CN" and daisy.charset == "utf-8" and daisy.navigation_depth == 2
    expected = []
    for page in record.pages:
        expected.append((1, f"{page.code}版 {page.name}"))
        expected += [(2, title) for title in page.articles]
    expected[0] = (1, f"{PAPER} 2025年12月31日 A01版 要闻")  # the title heading names the issue too
    assert [(e.level, e.text) for e in daisy.toc_entries] == expected
    # Each heading's par is found, its text points back at the heading, and its clips play its MP3.
    for entry in daisy.toc_entries:
        (section,) = [s for s in entry.sections if s.id == entry.smil_reference.fragment]
        assert section.text.content == entry.text
        assert section.clips and {clip.src for clip in section.clips} == {
            entry.smil_reference.resource.replace(".smil", ".mp3")
        }
    first = daisy.toc_entries[0].sections[0].clips[0]
    assert first.get_sound() == (book / "a01.mp3").read_bytes()


def test_clips_cover_each_episode_exactly_in_order(book):
    record = read_record(book / "build.json")
    elapsed = 0
    for page in record.pages:
        smil = ET.parse(book / "daisy" / page.file.replace(".mp3", ".smil")).getroot()
        clips = [(a.get("src"), ms(a.get("clip-begin")), ms(a.get("clip-end"))) for a in smil.iter("audio")]
        assert {src for src, _, _ in clips} == {page.file}
        assert clips[0][1] == 0
        assert all(end == begin for (_, _, end), (_, begin, _) in itertools.pairwise(clips))
        assert all(begin < end for _, begin, end in clips)
        total = clips[-1][2]
        assert total == round(page.duration * 1000)
        # …which is the audio as decoded, to within one MP3 frame
        decoded = miniaudio.decode_file(str(book / "daisy" / page.file)).duration
        assert abs(decoded - total / 1000) < 0.03
        # each article's par starts at its chapter, and sentences are clips of their own
        pars = smil.findall("body/seq/par")
        assert [ms(par.find("seq/audio").get("clip-begin")) for par in pars] == [
            round(c.start * 1000) for c in page.chapters
        ]
        assert all(len(par.findall("seq/audio")) >= 2 for par in pars)
        head = meta(smil.find("head"))
        assert ms(head["ncc:timeInThisSmil"]) == total
        assert ms(smil.find("body/seq").get("dur")) == total
        assert ms(head["ncc:totalElapsedTime"]) == elapsed
        assert head["dc:format"] == "Daisy 2.02"
        elapsed += total
    ncc = ET.parse(book / "daisy" / "ncc.html").getroot()
    assert ms(meta(ncc.find(f"{XHTML}head"), XHTML)["ncc:totalTime"]) == pytest.approx(elapsed, abs=500)


def test_ncc_carries_the_required_metadata_and_links_both_ways(book):
    ncc = ET.parse(book / "daisy" / "ncc.html").getroot()
    assert ncc.get("lang") == "zh-CN"
    head = meta(ncc.find(f"{XHTML}head"), XHTML)
    assert head.keys() >= REQUIRED_NCC_META
    assert head["dc:format"] == "Daisy 2.02" and head["ncc:multimediaType"] == "audioNcc"
    assert head["ncc:narrator"] == "合成语音 zf_xiaobei" and head["dc:date"] == "2025-12-31"
    headings = [h for h in ncc.find(f"{XHTML}body") if h.tag[len(XHTML) :] in {"h1", "h2"}]
    assert headings[0].get("class") == "title" and not [h for h in headings[1:] if h.get("class")]
    assert int(head["ncc:tocItems"]) == len(headings) == 7
    assert int(head["ncc:files"]) == len(list((book / "daisy").iterdir())) == 5
    assert (head["ncc:pageFront"], head["ncc:pageNormal"], head["ncc:pageSpecial"]) == ("0", "0", "0")
    for heading in headings:
        smil_name, par_id = heading.find(f"{XHTML}a").get("href").split("#")
        (par,) = [
            p for p in ET.parse(book / "daisy" / smil_name).getroot().iter("par") if p.get("id") == par_id
        ]
        assert par.find("text").get("src") == f"ncc.html#{heading.get('id')}"


def test_the_mp3s_are_the_episodes_themselves(book):
    for mp3 in (book / "daisy").glob("*.mp3"):
        assert os.path.samefile(mp3, book / mp3.name)  # hard-linked: no second encode, no second copy


def test_zip_unpacks_into_one_folder_named_for_the_issue_and_stores_the_mp3s(book):
    with zipfile.ZipFile(book / "daisy.zip") as archive:
        infos = archive.infolist()
        assert {Path(i.filename).parent.as_posix() for i in infos} == {"shanchengwanbao-2025-12-31"}
        assert sorted(Path(i.filename).name for i in infos) == sorted(
            p.name for p in (book / "daisy").iterdir()
        )
        for info in infos:
            assert archive.read(info) == (book / "daisy" / Path(info.filename).name).read_bytes()
            if info.filename.endswith(".mp3"):
                assert info.compress_type == zipfile.ZIP_STORED
    assert read_record(book / "build.json").daisy == "daisy.zip"


def test_a_rebuild_writes_the_same_book(tmp_path):
    issue = make_issue(PAPER, DAY, (2, 3))
    paper_dir = tmp_path / "shanchengwanbao"
    episodes = assemble_issue(paper_dir / DAY.isoformat(), issue)
    settings = PublishSettings(editions=frozenset({"daisy"}))
    publish_issue(paper_dir, issue, episodes, settings, narrator="合成语音 zf_xiaobei")
    before = (paper_dir / DAY.isoformat() / "daisy.zip").read_bytes()
    publish_issue(paper_dir, issue, episodes, settings, narrator="合成语音 zf_xiaobei")
    assert (paper_dir / DAY.isoformat() / "daisy.zip").read_bytes() == before
    assert not [p for p in (paper_dir / DAY.isoformat()).iterdir() if p.name.startswith(".")]
