"""The build's wiring: options and the paper's config become settings, settings and a ``Speaker`` become papers.

    options.py   BuildOptions: the options of one build, declared once (command line or batch file)
    config.py    the paper's enews-audio.toml
    settings.py  prepare(options) -> BuildSettings (plain data; the voice is a spec, not an engine)
    paper.py     build(source, settings, speaker): one paper, under its lock; script and lint
    speaking.py  one edition's pages spoken and assembled, each as soon as its clips are in
    slow.py      the slow edition: the same voice slower, with longer pauses
    lock.py      one build per paper at a time
    batch.py     a batch file, and run(entries, speaker): many papers, or the one of ``enews-audio build``

The stages never import this package; only ``cli`` does.
"""

from __future__ import annotations

from enews_audio.pipeline.batch import BatchReport, Entry, PaperResult, run
from enews_audio.pipeline.options import BuildOptions
from enews_audio.pipeline.paper import BuildReport, build, lint, load, script
from enews_audio.pipeline.settings import BuildSettings, ReadSettings, prepare, proofing
from enews_audio.pipeline.speaking import OPENING, Failure

__all__ = [
    "OPENING",
    "BatchReport",
    "BuildOptions",
    "BuildReport",
    "BuildSettings",
    "Entry",
    "Failure",
    "PaperResult",
    "ReadSettings",
    "build",
    "lint",
    "load",
    "prepare",
    "proofing",
    "run",
    "script",
]
