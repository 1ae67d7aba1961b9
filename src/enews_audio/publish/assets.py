"""The web edition's own static files (``publish/web/``), copied into the paper's folder beside its pages.

Style and scripts are written by us and served from the same folder as the pages: no framework, no CDN,
nothing fetched from another host. Pages name them with a version (``app/player.js?v=…``, a hash of the
content), so a phone that stored an issue for offline listening never mixes an old script with a new page.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from importlib import resources
from pathlib import Path

from enews_audio.atomic import write_atomic

APP_DIR = "app"  # under the paper's folder
WORKER = "sw.js"  # the service worker sits in the paper's folder itself: its scope is the whole paper
ASSETS = ("player.css", "player.js", "search.js", "report.js")


@functools.cache
def asset_bytes(name: str) -> bytes:
    return resources.files("enews_audio.publish").joinpath("web", name).read_bytes()


def asset_url(name: str) -> str:
    """``app/player.js?v=1a2b3c4d5e``: relative to the paper's folder, changing whenever the file does."""
    digest = hashlib.sha256(asset_bytes(name)).hexdigest()[:10]
    return f"{APP_DIR}/{name}?v={digest}"


def write_assets(paper_dir: Path) -> None:
    """The player's files and the service worker in ``paper_dir`` (each with a gzipped copy for servers
    that send one), rewritten only when they differ."""
    for name, target in [
        *((name, paper_dir / APP_DIR / name) for name in ASSETS),
        (WORKER, paper_dir / WORKER),
    ]:
        data = asset_bytes(name)
        packed = target.with_name(target.name + ".gz")
        try:
            if target.read_bytes() == data and packed.is_file():
                continue
        except OSError:
            pass
        write_atomic(packed, gzip.compress(data, compresslevel=9, mtime=0))
        write_atomic(target, data)
