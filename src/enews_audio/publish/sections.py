"""A feed per section (版面名, e.g. 要闻, 乡村振兴): a listener follows the pages they care about, across issues.

Which page names make a section: every name the paper's settings map (``[paper.sections]``: a section and
the page names it gathers, for a paper whose names vary, 要闻 = ["要闻", "综合新闻"]), and every other page name
that recurs, printed in at least two of the issues the feed keeps. A name printed once (a special page, 专版,
or a paper whose names change daily) gets no feed of its own: its pages are in the paper's feed, and a
section feed made for one issue would never be followed by another. A section keeps its feed once made
(listed in ``sections.json``), without items when no kept issue has it any more, so its subscribers keep a
valid feed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from enews_audio.atomic import write_atomic
from enews_audio.publish.record import Record
from enews_audio.publish.slug import paper_slug

SECTIONS_NAME = "sections.json"  # feed file -> section, for the sections made before
RECURS = 2  # issues a page name must be printed in to be a section of its own


@dataclass(frozen=True, slots=True)
class Section:
    name: str  # as listeners read it: 要闻
    pages: frozenset[str]  # the page names it gathers
    file: str  # feed-yaowen.xml

    def has(self, page_name: str) -> bool:
        return page_name in self.pages


def sections(
    paper_dir: Path, records: Sequence[Record], mapping: Mapping[str, Sequence[str]]
) -> list[Section]:
    """The paper's sections, in the order listeners meet them (the newest issue's page order, then the rest)."""
    mapped = {page: section for section, pages in mapping.items() for page in pages}
    issues = Counter(name for record in records for name in {page.name for page in record.pages})
    names = dict.fromkeys(
        mapped.get(page.name, page.name)
        for record in sorted(records, key=lambda r: r.date, reverse=True)
        for page in record.pages
        if page.name in mapped or issues[page.name] >= RECURS
    )
    names.update(dict.fromkeys(mapping))
    before = {name: file for file, name in _made_before(paper_dir).items()}
    names.update(dict.fromkeys(before))
    taken = set(before.values())
    found = []
    for name in names:
        pages = frozenset(mapping.get(name, ())) or frozenset({name})
        found.append(Section(name, pages, before.get(name) or _file(name, taken)))
    return found


def remember(paper_dir: Path, found: Sequence[Section]) -> None:
    """List the sections made, so that each keeps its feed (and its file name) from now on."""
    listed = {section.file: section.name for section in found}
    write_atomic(paper_dir / SECTIONS_NAME, json.dumps(listed, ensure_ascii=False, indent=1).encode())


def _made_before(paper_dir: Path) -> dict[str, str]:
    try:
        listed = json.loads((paper_dir / SECTIONS_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, or unreadable: made again from the records
        return {}
    if not isinstance(listed, dict):
        return {}
    return {str(k): str(v) for k, v in listed.items() if isinstance(v, str)}


def _file(name: str, taken: set[str]) -> str:
    """``feed-<pinyin>.xml``, distinct from the paper's other feeds and from another section's (要闻 and 要文
    read alike)."""
    slug = paper_slug(name) or "section"
    candidate, n = f"feed-{slug}.xml", 1
    while candidate in taken or candidate == "feed-slow.xml":
        n += 1
        candidate = f"feed-{slug}-{n}.xml"
    taken.add(candidate)
    return candidate
