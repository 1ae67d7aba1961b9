"""When does each page reach the feed? First page out first, measured on an offline build.

    python benchmarks/first_page.py [--jobs N]

Run by hand on a quiet machine (a few minutes on 2 cores). The benchmark issue (``benchmarks/articles``) is cut
into one page per article (12 pages), built offline from an empty clip store as ``enews-audio build`` builds
it, while a thread reads the feed every 0.1 s: for each page, the moment its enclosure first appears in the
feed, and that the file it names is whole then (the length the feed states, and it decodes). Reported as
seconds and as a share of the build's wall time; and the briefing's length (今日要目, made last).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import threading
import time
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import miniaudio

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from enews_audio import pipeline, speech
from enews_audio.pipeline.options import BuildOptions
from support.issue_toml import issue_toml

ARTICLES = Path(__file__).parent / "articles" / "issue.toml"


def one_page_per_article(folder: Path) -> Path:
    """The benchmark issue with each article on a page of its own, named as its page was."""
    issue = tomllib.loads(ARTICLES.read_text(encoding="utf-8"))
    pages = [
        (f"A{n:02d}", page["name"], (article,))
        for n, (page, article) in enumerate(
            ((page, article) for page in issue["pages"] for article in page["articles"]), 1
        )
    ]
    path = folder / "issue.toml"
    path.write_text(issue_toml(issue["paper"], issue["date"].isoformat(), pages), encoding="utf-8")
    return path


class FeedWatch:
    """Reads ``feed.xml`` until stopped; the first time each enclosure is seen, and whether it was whole."""

    def __init__(self, paper_dir: Path, began: float) -> None:
        self.paper_dir, self.began = paper_dir, began
        self.seen: dict[str, tuple[float, bool]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            try:
                root = ET.fromstring((self.paper_dir / "feed.xml").read_bytes())
            except (OSError, ET.ParseError):
                continue
            for enclosure in root.iter("enclosure"):
                url = enclosure.get("url", "")
                if url in self.seen:
                    continue
                path = self.paper_dir / url
                whole = path.stat().st_size == int(enclosure.get("length", -1))
                try:
                    miniaudio.decode_file(str(path), nchannels=1)
                except miniaudio.DecodeError:
                    whole = False
                self.seen[url] = (time.perf_counter() - self.began, whole)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=None, help="voice workers (default: one per usable core)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="first-page-") as tmp:
        source = one_page_per_article(Path(tmp))
        out = Path(tmp) / "out"
        settings = pipeline.prepare(
            BuildOptions(source=str(source), out=out, engine="offline", jobs=args.jobs)
        )
        began = time.perf_counter()
        watch = FeedWatch(out / "jiangchengribao", began)
        with speech.Speaker(jobs=args.jobs) as speaker:
            report = pipeline.build(source, settings, speaker)
        wall = time.perf_counter() - began
        time.sleep(0.3)
        watch.stop()
    assert report.ok, report.failures[:3]
    minutes = sum(e.duration for e in report.episodes) / 60
    print(
        f"{len(report.episodes)} pages, {minutes:.1f} min of audio, {report.made} clips; build {wall:.1f} s"
    )
    if report.brief:
        share = report.brief.duration / (minutes * 60)
        print(
            f"briefing {report.brief.path}: {report.brief.duration:.1f} s, {100 * share:.1f} % of the issue"
        )
    pages = sorted(watch.seen.items(), key=lambda kv: re.sub(r".*/", "", kv[0]))
    for url, (at, whole) in pages:
        print(
            f"  {url}: in the feed at {at:6.1f} s = {100 * at / wall:5.1f} % of the build, {'whole' if whole else 'NOT WHOLE'}"
        )


if __name__ == "__main__":
    main()
