"""Is what a paper folder publishes whole? The feed parses and every file it names is there and sound."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import miniaudio

BASE = "https://example.org/paper/"
_NAMES = {
    "podcast": "https://podcastindex.org/namespace/1.0",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
}


def problems(paper_dir: Path) -> list[str]:
    """What is wrong with the published feed and the files it names; [] when nothing is published yet."""
    feed = paper_dir / "feed.xml"
    if not feed.exists():
        return []
    data = feed.read_bytes()
    parsed = feedparser.parse(data)
    if parsed.bozo:
        return [f"feed.xml does not parse: {parsed.bozo_exception}"]
    found = []
    root = ET.fromstring(data)
    for image in root.iter(f"{{{_NAMES['itunes']}}}image"):
        found += _missing(paper_dir, image.get("href", ""))
    for item in root.iter("item"):
        enclosure = item.find("enclosure")
        if enclosure is None:
            found.append(f"item {item.findtext('guid')} has no enclosure")
            continue
        path = _local(paper_dir, enclosure.get("url", ""))
        if path is None or not path.is_file():
            found.append(f"enclosure {enclosure.get('url')} is missing")
            continue
        audio = path.read_bytes()
        if len(audio) != int(enclosure.get("length", -1)):
            found.append(f"{path.name}: {len(audio)} bytes, the feed says {enclosure.get('length')}")
        try:
            decoded = miniaudio.decode(audio, nchannels=1, sample_rate=24000)
        except miniaudio.DecodeError as exc:
            found.append(f"{path.name} does not decode: {exc}")
        else:
            if not decoded.num_frames:
                found.append(f"{path.name} holds no audio")
        for tag in ("chapters", "transcript"):
            for linked in item.iter(f"{{{_NAMES['podcast']}}}{tag}"):
                found += _missing(paper_dir, linked.get("url", ""), json_file=tag == "chapters")
    return found


def published_hashes(paper_dir: Path) -> dict[str, str]:
    """Episode file -> sha256, as the issue records on disk say."""
    hashes = {}
    for record in sorted(paper_dir.glob("*/build.json")):
        data = json.loads(record.read_text(encoding="utf-8"))
        for page in [*data["pages"], *([data["brief"]] if "brief" in data else [])]:
            hashes[f"{record.parent.name}/{page['file']}"] = page["sha256"]
    return hashes


def file_hashes(paper_dir: Path) -> dict[str, str]:
    return {
        f"{p.parent.name}/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest()
        for p in paper_dir.glob("*/*.mp3")
    }


def leftovers(out: Path) -> list[str]:
    """Temporary files and staging a build left behind."""
    found = [str(p.relative_to(out)) for p in out.rglob(".*.tmp") if ".cache" not in p.relative_to(out).parts]
    staging = out / ".cache" / "staging"
    found += [str(p.relative_to(out)) for p in staging.rglob("*")] if staging.exists() else []
    return found


def _local(paper_dir: Path, url: str) -> Path | None:
    return paper_dir / url.removeprefix(BASE) if url.startswith(BASE) else None


def _missing(paper_dir: Path, url: str, *, json_file: bool = False) -> list[str]:
    path = _local(paper_dir, url)
    if path is None or not path.is_file():
        return [f"{url} is missing"]
    if json_file:
        try:
            json.loads(path.read_bytes())
        except ValueError:
            return [f"{path.name} is not JSON"]
    return []
