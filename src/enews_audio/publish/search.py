"""The search index over the issues the feed keeps: every two-character string of each article, static files.

Written by hand after measuring Pagefind (benchmarks/search_index.py, BENCHMARKS.md): Pagefind's index
holds the words a segmenter found at build time, while the query is cut by the browser's own segmenter
(``Intl.Segmenter``, a different dictionary on every phone), so a word inside a longer one — 公交 in
公交线路 — is not found. A bigram index finds any string of two or more characters that is in the text,
whatever a segmenter would make of it; results are articles, newest issue first.

Layout under ``paper_dir/search/`` (all JSON): ``meta.json`` (how many shards and docs, the docs' chunk
size), ``d<k>.json`` (the articles ``k*chunk`` onwards: URL relative to the paper's folder, headline,
issue and page), ``<n>.json`` (bigram -> delta-coded article numbers, for the bigrams of shard ``n``).
A phone fetches ``meta.json``, one shard per bigram of the query and the doc chunks of what it shows.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from lxml import html as lxml_html

from enews_audio.atomic import replacing_folder

SEARCH_DIR = "search"
DOC_CHUNK = 200  # articles per d<k>.json
SHARD_BYTES = 24_000  # about what a shard should hold (before gzip), so a query reads little
_RUN = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def bigram_shard(gram: str, shards: int) -> int:
    """Which shard holds a bigram's articles (web/search.js computes the same)."""
    return (ord(gram[0]) * 31 + ord(gram[1])) % shards


def bigrams(text: str) -> set[str]:
    """The two-character strings of the letters, digits and Chinese characters in ``text`` (NFKC, lower)."""
    found: set[str] = set()
    for run in _RUN.findall(unicodedata.normalize("NFKC", text).lower()):
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    return found


def write_search_index(paper_dir: Path, dates: Sequence[str]) -> Path:
    """``paper_dir/search/`` over the issue pages of ``dates`` (the feed's issues), swapped in whole."""
    pages = [paper_dir / date / "index.html" for date in sorted(dates, reverse=True)]
    return write_bigram_index(paper_dir / SEARCH_DIR, [page for page in pages if page.is_file()])


def write_bigram_index(target: Path, issue_pages: Sequence[Path]) -> Path:
    """The index of the articles of ``issue_pages`` (newest first: results come in this order)."""
    docs: list[list[str]] = []
    postings: dict[str, list[int]] = {}
    for path in issue_pages:
        for url, title, where, text in _articles(path):
            number = len(docs)
            docs.append([url, title, where])
            for gram in bigrams(title + " " + text):
                postings.setdefault(gram, []).append(number)
    size = sum(len(gram) * 3 + 4 + 3 * len(numbers) for gram, numbers in postings.items())
    shards = 1
    while size / shards > SHARD_BYTES:
        shards *= 2
    split: list[dict[str, list[int]]] = [{} for _ in range(shards)]
    for gram, numbers in postings.items():
        split[bigram_shard(gram, shards)][gram] = [
            b - a for a, b in zip([0, *numbers], numbers, strict=False)
        ]
    with replacing_folder(target) as tmp:
        meta = {"version": 1, "shards": shards, "docs": len(docs), "chunk": DOC_CHUNK}
        _write_json(tmp / "meta.json", meta)
        for start in range(0, len(docs), DOC_CHUNK):
            _write_json(tmp / f"d{start // DOC_CHUNK}.json", docs[start : start + DOC_CHUNK])
        for number, shard in enumerate(split):
            _write_json(tmp / f"{number}.json", shard)
    return target


def _articles(path: Path) -> list[tuple[str, str, str, str]]:
    """(URL, headline, "date · page", text) of each article of an issue page, in page order."""
    tree = lxml_html.parse(str(path))
    issue = tree.findtext(".//h1") or ""
    found = []
    for section in tree.iterfind(".//section[@data-title]"):
        for article in section.iterfind(".//article"):
            anchor = article.get("aria-labelledby", "")
            heading = article.find(f'.//*[@id="{anchor}"]')
            title = heading.text_content().strip() if heading is not None else ""
            text = " ".join(p.text_content() for p in article.iterfind(".//p") if p.get("class") != "listen")
            where = f"{issue.split(' ', 1)[-1]} · {section.get('data-title')}"
            found.append((f"{path.parent.name}/index.html#{anchor}", title, where, text))
    return found


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
