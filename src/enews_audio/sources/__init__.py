"""Find out what kind of source the user pointed at and load it as one Issue."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from enews_audio.errors import SourceError
from enews_audio.model import Issue, Page
from enews_audio.sources.fetch import FetchSettings, FolderSite, Hosts, HttpSite
from enews_audio.sources.founder import load_epaper, start_in_folder
from enews_audio.sources.furniture import tidy
from enews_audio.sources.manifest import load_manifest
from enews_audio.sources.profile import Profile, load_profiles
from enews_audio.sources.reader_export import Export, read_export

__all__ = ["FetchSettings", "load_issue"]

MANIFEST = "issue.toml"
_ONE = "a folder holds one issue"


def load_issue(
    source: Path | str,
    *,
    date: dt.date | None = None,
    fetch: FetchSettings | None = None,
    profiles: Path | None = None,
) -> Issue:
    """Load a folder of reader exports, one export, an issue.toml (or a folder holding one), or an
    e-paper: its http(s) URL (entry page or a page), a saved copy's folder or one of its .htm pages.

    ``date`` picks an e-paper's issue (default: the one its entry page shows); ``fetch`` says how to
    fetch politely; ``profiles`` is a TOML file of [[profile]] tables for papers of other layouts.
    Editors' credits, navigation and continuation marks are dropped, whatever the source (``tidy``).
    """
    return tidy(_load(source, date, fetch, profiles))


def _load(
    source: Path | str, date: dt.date | None, fetch: FetchSettings | None, profiles: Path | None
) -> Issue:
    papers = load_profiles(profiles) if profiles else ()
    text = re.sub(r"(?i)^(https?):/(?!/)", r"\1://", str(source))  # a URL that went through Path()
    if "://" in text:
        if not re.match(r"(?i)https?://", text):
            raise SourceError(f"{text}: only http and https URLs can be read")
        hosts = Hosts(text, named=tuple(host for paper in papers for host in paper.hosts()))
        return _load_epaper(text, HttpSite(fetch or FetchSettings(), hosts=hosts), date, papers)
    source = Path(source)
    if source.is_dir():
        return _load_folder(source, date, papers)
    if not source.exists():
        raise SourceError(f"no issue at {source}: no such file or folder")
    suffix = source.suffix.lower()
    if suffix == ".toml":
        return load_manifest(source)
    if suffix == ".txt":
        return _assemble([read_export(source)])
    if suffix in {".htm", ".html"}:
        site = FolderSite(Path(source.resolve().anchor))  # the user's own files: links may go up
        return _load_epaper(source.resolve().as_uri(), site, date, papers)
    raise SourceError(f"{source}: not a reader export (.txt), an issue.toml or a folder of them")


def _load_folder(folder: Path, date: dt.date | None, papers: tuple[Profile, ...]) -> Issue:
    if (folder / MANIFEST).is_file():  # a hand-assembled issue overrides the exports beside it
        return load_manifest(folder / MANIFEST)
    files = sorted(
        (p for p in folder.iterdir() if p.suffix.lower() == ".txt" and p.is_file() and p.name[0] != "."),
        key=lambda p: _natural(p.name),
    )
    if files:
        return _assemble([read_export(p) for p in files])
    if any(folder.rglob("*.htm*")):  # a saved e-paper
        return _load_epaper(start_in_folder(folder, date, papers), FolderSite(folder), date, papers)
    raise SourceError(f"no issue in {folder}: no .txt reader exports and no {MANIFEST}")


def _load_epaper(
    start: str, site: HttpSite | FolderSite, date: dt.date | None, papers: tuple[Profile, ...]
) -> Issue:
    try:
        return load_epaper(start, site, date=date, profiles=papers)
    finally:
        site.close()


def _natural(name: str) -> list[str | int]:
    """Sort key that puts 2.txt before 10.txt (str and int alternate, so keys always compare)."""
    return [int(part) if i % 2 else part.lower() for i, part in enumerate(re.split(r"(\d+)", name))]


def _assemble(exports: list[Export]) -> Issue:
    """One issue from exports in file order: pages by code, articles by file within a page."""
    first = exports[0]
    pages: dict[str, list[Export]] = {}
    for export in exports:
        here, there = export.article.origin, first.article.origin
        if export.paper != first.paper:
            raise SourceError(f"{here}: paper {export.paper} differs from {first.paper} in {there} ({_ONE})")
        if export.date != first.date:
            raise SourceError(f"{here}: date {export.date} differs from {first.date} in {there} ({_ONE})")
        pages.setdefault(export.page_code, []).append(export)
    built = [
        Page(code=code, name=group[0].page_name, articles=tuple(e.article for e in group))
        for code, group in pages.items()
    ]
    return Issue(paper=first.paper, date=first.date, pages=tuple(sorted(built, key=lambda p: p.sort_key)))
