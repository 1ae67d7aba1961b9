"""Benchmark the web edition's search: Chinese recall and index size, Pagefind against a hand-made bigram index.

    python benchmarks/search_index.py [--issues 365] [--pages 16] [--articles 6] [--queries 400] [--seed 1]

Synthetic issues of a daily (``--pages`` pages of ``--articles`` articles, about 700 characters each,
sentences of words drawn from jieba's dictionary by frequency) are written as issue pages by the web
edition's own ``render_issue``, then indexed by Pagefind (the extended binary of the ``pagefind[extended]``
wheel, as publishing does) and by the hand-made bigram index ``publish.search`` writes. Queries are words
of 2–4 characters taken from an article's text as jieba segments it ("dictionary words") and any 2–4
characters of it ("any string"). Pagefind is queried in Chromium (its query segmentation is the browser's
``Intl.Segmenter``), the bigram index by its own lookup (as web/search.js does it). Recall:
the share of queries whose article is among the results; precision of the bigram index: the share of its
results that do contain the query.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import itertools
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import jieba

from enews_audio.model import Article, Chapter, Issue, Page
from enews_audio.publish.record import PageRecord, Record
from enews_audio.publish.search import bigram_shard, bigrams, write_bigram_index
from enews_audio.publish.site import render_issue
from enews_audio.serve import running

PAPER = "山城晚报"
START = dt.date(2025, 1, 1)


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """jieba's dictionary words of 1–4 Chinese characters, weighted by frequency (capped, so not all 的)."""
    words, weights = [], []
    path = Path(jieba.__file__).parent / "dict.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        word, freq, *_ = line.split()
        if 1 <= len(word) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in word):
            words.append(word)
            weights.append(min(int(freq), 20000) ** 0.8)
    return words, list(itertools.accumulate(weights))  # cumulative: choices() would sum them every call


def article_text(rng: random.Random, words: list[str], weights: list[float], chars: int) -> list[str]:
    paragraphs, total = [], 0
    while total < chars:
        sentences = []
        for _ in range(rng.randint(2, 4)):
            picked = rng.choices(words, cum_weights=weights, k=rng.randint(6, 16))
            cut = rng.randrange(2, len(picked))
            sentences.append("".join(picked[:cut]) + "，" + "".join(picked[cut:]) + "。")
        paragraph = "".join(sentences)
        paragraphs.append(paragraph)
        total += len(paragraph)
    return paragraphs


def make_issues(out: Path, count: int, pages: int, articles: int, rng: random.Random) -> dict[str, str]:
    """Issue pages under ``out/<date>/index.html``; returns each article's anchor URL -> its text."""
    words, weights = vocabulary(rng)
    texts: dict[str, str] = {}
    for n in range(count):
        date = START + dt.timedelta(days=n)
        printed, recorded = [], []
        for p in range(pages):
            code = f"{'ABCD'[p // 8]}{p % 8 + 1:02}"
            items = []
            for _a in range(articles):
                title = "".join(rng.choices(words, cum_weights=weights, k=rng.randint(3, 5)))
                items.append(Article(title, tuple(article_text(rng, words, weights, 700))))
            page = Page(code, "要闻", tuple(items))
            printed.append(page)
            marks = [0.0, *(10.0 + 120.0 * i for i in range(articles))]
            duration = marks[-1] + 120.0
            ends = [*marks[1:], duration]
            titles = [f"{code}版 要闻", *(a.title for a in items)]
            chapters = tuple(Chapter(s, e, t) for s, e, t in zip(marks, ends, titles, strict=True))
            recorded.append(
                PageRecord(
                    code, "要闻", f"{page.slug}.mp3", duration, 1, "0" * 64, chapters, tuple(titles[1:])
                )
            )
            for a, article in enumerate(items, 1):
                texts[f"/{date.isoformat()}/#page-{page.slug}-{a}"] = article.title + "".join(
                    article.paragraphs
                )
        issue = Issue(PAPER, date, tuple(printed))
        record = Record(PAPER, date, dt.datetime.now(dt.UTC), tuple(recorded))
        folder = out / date.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(render_issue(record, issue), encoding="utf-8")
    return texts


def queries(texts: dict[str, str], count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """(kind, query, the article's anchor URL): half dictionary words, half any 2–4 characters."""
    chosen = []
    urls = sorted(texts)
    while len(chosen) < count:
        url = rng.choice(urls)
        text = texts[url]
        if len(chosen) % 2 == 0:
            found = [
                w for w in jieba.lcut(text) if 2 <= len(w) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in w)
            ]
            if found:
                chosen.append(("dictionary words", rng.choice(found), url))
        else:
            size = rng.randint(2, 4)
            start = rng.randrange(len(text) - size)
            piece = text[start : start + size]
            if all("\u4e00" <= c <= "\u9fff" for c in piece):
                chosen.append(("any string", piece, url))
    return chosen


def pagefind_binary() -> Path:
    """The extended Pagefind binary of the ``pagefind[extended]`` wheel (the ``bench`` extra)."""
    from pagefind.service import get_executable

    found = get_executable()
    assert found, "pip install -e '.[bench]' (pagefind[extended])"
    return found


def folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


_PAGEFIND_QUERY = r"""async q => {
  const pf = await import('./pagefind/pagefind.js');
  await pf.options({baseUrl: '/'});
  const r = await pf.search(q);
  const all = await Promise.all(r.results.slice(0, 30).map(x => x.data()));
  return all.flatMap(d => d.sub_results.map(s => s.url.replace(/index\.html#/, '#')));
}"""


def pagefind_recall(site: Path, texts: dict[str, str], asked: list[tuple[str, str, str]]):
    """Share of queries whose article is among the first 30 listed, the share of listed articles that hold
    the query (precision), and the median bytes fetched per query (index chunks and fragments)."""
    from playwright.sync_api import sync_playwright

    from a11y import browser as chromium

    hits: dict[str, list[bool]] = {}
    fetched: list[int] = []
    right = total = 0
    with running(site, port=0) as url, sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        for kind, query, target in asked:
            page = browser.new_page()  # a fresh cache per query: what a phone fetches for one search
            sizes: list[int] = []
            page.on(
                "response", lambda r, sizes=sizes: sizes.append(int(r.headers.get("content-length", "0")))
            )
            page.goto(url + "index.html")
            found = page.evaluate(_PAGEFIND_QUERY, query)
            listed = [u for u in found if u in texts][:30]
            hits.setdefault(kind, []).append(target in listed)
            right += sum(query in texts[u] for u in listed)
            total += len(listed)
            fetched.append(sum(sizes))
            page.close()
        browser.close()
    return (
        {kind: sum(v) / len(v) for kind, v in hits.items()},
        right / max(total, 1),
        statistics.median(fetched),
    )


def bigram_recall(index_dir: Path, texts: dict[str, str], asked: list[tuple[str, str, str]]):
    """The hand-made index's lookup, as web/search.js does it: every bigram of the query, intersected.
    Recall among all articles found and among the 30 listed (newest first); precision of those listed."""
    meta = json.loads((index_dir / "meta.json").read_text(encoding="utf-8"))
    docs = [doc for k in range(-(-meta["docs"] // meta["chunk"])) for doc in _json(index_dir / f"d{k}.json")]
    hits: dict[str, list[bool]] = {}
    listed: dict[str, list[bool]] = {}
    right = total = 0
    fetched = []
    for kind, query, target in asked:
        found: set[int] | None = None
        size = (index_dir / "meta.json").stat().st_size
        for gram in bigrams(query):
            shard = index_dir / f"{bigram_shard(gram, meta['shards'])}.json"
            size += shard.stat().st_size
            postings = set(itertools.accumulate(_json(shard).get(gram, [])))
            found = postings if found is None else found & postings
        shown = sorted(found or ())
        urls = ["/" + docs[n][0].replace("index.html", "") for n in shown]
        hits.setdefault(kind, []).append(target in urls)
        listed.setdefault(kind, []).append(target in urls[:30])
        urls = urls[:30]
        right += sum(query in texts[u] for u in urls)
        total += len(urls)
        size += sum(
            (index_dir / f"d{k}.json").stat().st_size for k in {n // meta["chunk"] for n in shown[:30]}
        )
        fetched.append(size)
    share = {
        k: f"{sum(v) / len(v):.1%} ({sum(listed[k]) / len(v):.1%} among the 30 listed)"
        for k, v in hits.items()
    }
    return share, right / max(total, 1), statistics.median(fetched)


def _json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=365)
    parser.add_argument("--pages", type=int, default=16)
    parser.add_argument("--articles", type=int, default=6)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    jieba.setLogLevel(60)
    work = Path(tempfile.mkdtemp(prefix="enews-search-"))
    try:
        site = work / "site"
        began = time.perf_counter()
        texts = make_issues(site, args.issues, args.pages, args.articles, rng)
        pages = sorted(p.parent.name for p in site.glob("*/index.html"))
        html_bytes = sum((site / p / "index.html").stat().st_size for p in pages)
        print(
            f"{args.issues} issues × {args.pages} pages × {args.articles} articles: {len(texts)} articles, "
            f"{sum(map(len, texts.values())) / 1e6:.1f} M characters, issue pages {html_bytes / 1e6:.1f} MB "
            f"({time.perf_counter() - began:.0f} s to write)"
        )
        one = (site / pages[0] / "index.html").read_bytes()
        print(f"one issue page: {len(one) / 1e3:.0f} kB, {len(gzip.compress(one)) / 1e3:.0f} kB gzipped")
        (site / "index.html").write_text('<!doctype html><html lang="zh-CN"><body>search</body></html>')
        began = time.perf_counter()
        pattern = "{" + ",".join(pages) + "}/index.html"
        subprocess.run(
            [str(pagefind_binary()), "--site", str(site), "--glob", pattern, "--quiet"], check=True
        )
        size, files = folder_size(site / "pagefind")
        print(f"pagefind: {size / 1e6:.1f} MB in {files} files, {time.perf_counter() - began:.0f} s to index")
        began = time.perf_counter()
        bigrams = write_bigram_index(site / "search", [site / p / "index.html" for p in pages])
        size, files = folder_size(bigrams)
        packed = sum(len(gzip.compress(p.read_bytes())) for p in bigrams.rglob("*") if p.is_file())
        print(
            f"bigram index: {size / 1e6:.1f} MB in {files} files ({packed / 1e6:.1f} MB gzipped), "
            f"{time.perf_counter() - began:.0f} s to write"
        )
        asked = queries(texts, args.queries, rng)
        recall, precision, fetched = pagefind_recall(site, texts, asked)
        name = "pagefind"
        shown = ", ".join(f"{k} {v:.1%}" for k, v in sorted(recall.items()))
        print(
            f"{name}: recall among the 30 listed {shown}; precision {precision:.1%}; median {fetched / 1e3:.0f} kB fetched per query"
        )
        recall, precision, fetched = bigram_recall(bigrams, texts, asked)
        shown = ", ".join(f"{k} {v}" for k, v in sorted(recall.items()))
        print(
            f"bigram index: recall {shown}; precision {precision:.1%}; median {fetched / 1e3:.0f} kB read per query"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
