"""Read the paper-level settings file (``enews-audio.toml``) that ``build`` uses for the feed and artwork.

    [paper]
    title = "山城晚报·有声版"          # channel title
    author = "山城晚报社"
    owner_email = "audio@example.org"
    category = "News/Daily News"      # Apple Podcasts category, "/" before a subcategory
    base_url = "https://example.org/audio/shanchengwanbao/"
    keep = 30                         # issues kept in the feed
    language = "zh-cn"
    description = "……"
    locked = true                     # podcast:locked: other hosts must not import the feed
    cover = "art/cover.jpg"           # artwork, relative to this file
    editions = ["daisy", "usb", "slow"]  # made besides the feed and web edition (--edition replaces it)

Every key is optional; options given on the command line win over the file.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from enews_audio.errors import UsageError
from enews_audio.model import Edition
from enews_audio.publish import PublishSettings
from enews_audio.publish.cover import check_artwork
from enews_audio.tomlfile import read_toml

DEFAULT_NAME = "enews-audio.toml"


@dataclass(frozen=True, slots=True)
class PaperConfig:
    title: str = ""
    author: str = ""
    owner_email: str = ""
    category: str = "News"
    base_url: str = ""
    keep: int = 30
    language: str = "zh-cn"
    description: str = ""
    locked: bool = True  # podcast:locked
    cover: Path | None = None  # user-supplied artwork, already resolved against the file's folder
    editions: tuple[Edition, ...] = ()  # DAISY book, USB folder, slow edition


@dataclass(frozen=True, slots=True)
class Config:
    paper: PaperConfig = field(default_factory=PaperConfig)
    path: Path | None = None  # the file it was read from; None when there was none

    def publish_settings(
        self,
        *,
        base_url: str | None = None,
        keep: int | None = None,
        editions: Collection[Edition] | None = None,
    ) -> PublishSettings:
        """The feed's settings, with command-line values (not None) overriding the file's."""
        paper = self.paper
        return PublishSettings(
            base_url=paper.base_url if base_url is None else base_url,
            keep=paper.keep if keep is None else keep,
            title=paper.title,
            author=paper.author,
            language=paper.language,
            category=paper.category,
            owner_email=paper.owner_email,
            description=paper.description,
            locked=paper.locked,
            artwork=paper.cover,
            editions=frozenset(paper.editions if editions is None else editions),
        )


def load_config(path: Path | None = None) -> Config:
    """Read ``path``, or ``./enews-audio.toml`` when it exists, or return the defaults.

    A named file that is missing, TOML that does not parse, an unknown table or key, or a value of the wrong
    type is a one-line ``UsageError`` naming the file and the key.
    """
    if path is None:
        path = Path(DEFAULT_NAME)
        if not path.is_file():
            return Config()
    data = read_toml(path, UsageError, "config file")
    if unknown := sorted(set(data) - {"paper"}):
        raise UsageError(f"{path}: unknown table or key {unknown[0]!r} (only [paper] is read)")
    paper = data.get("paper", {})
    if not isinstance(paper, dict):
        raise UsageError(f"{path}: paper must be a table ([paper])")
    return Config(_paper(path, paper), path)


def _paper(path: Path, table: dict[str, Any]) -> PaperConfig:
    known = {f.name for f in fields(PaperConfig)}
    if unknown := sorted(set(table) - known):
        raise UsageError(f"{path}: unknown key paper.{unknown[0]} (known: {', '.join(sorted(known))})")
    config = PaperConfig()
    for key, value in table.items():
        if key == "keep":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise UsageError(f"{path}: paper.keep must be a whole number of issues ≥ 1, not {value!r}")
        elif key == "locked":
            if not isinstance(value, bool):
                raise UsageError(f"{path}: paper.locked must be true or false, not {value!r}")
        elif key == "editions":
            value = _editions(path, value)
        elif not isinstance(value, str):
            raise UsageError(f"{path}: paper.{key} must be a string, not {value!r}")
        elif key in {"category", "language"} and not value.strip():
            raise UsageError(f"{path}: paper.{key} must not be empty")
        elif key == "owner_email" and ("@" not in value or any(c.isspace() for c in value)):
            raise UsageError(f"{path}: paper.owner_email {value!r} is not an e-mail address")
        elif key == "base_url" and value and not value.startswith(("http://", "https://")):
            raise UsageError(f"{path}: paper.base_url must start with http:// or https://, not {value!r}")
        elif key == "cover":
            value = _cover(path, value)
        config = replace(config, **{key: value})
    return config


def _editions(path: Path, value: object) -> tuple[Edition, ...]:
    known = ", ".join(e.value for e in Edition)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f'{path}: paper.editions must be a list such as ["daisy", "usb"] (known: {known})')
    try:
        return tuple(Edition(v) for v in value)
    except ValueError:
        bad = next(v for v in value if v not in {e.value for e in Edition})
        raise UsageError(f"{path}: paper.editions: unknown edition {bad!r} (known: {known})") from None


def _cover(path: Path, value: str) -> Path:
    cover = (path.parent / value).resolve()
    if cover.suffix.lower() not in {".jpg", ".jpeg", ".png"}:
        raise UsageError(f"{path}: paper.cover must be a .jpg or .png image, not {value!r}")
    if not cover.is_file():
        raise UsageError(f"{path}: paper.cover {value!r} not found (looked for {cover})")
    check_artwork(cover)  # a bad image fails now, before any speech is made
    return cover
