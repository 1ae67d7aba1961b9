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
    editions = ["daisy", "usb", "slow"]  # made besides the feed and web edition; --edition replaces it
    lexicon = "lexicon.toml"          # the paper's own lexicon, relative to this file (reports --accept)

Every key is optional; options given on the command line win over the file. ``[paper]`` is read straight
into ``PublishSettings`` (its schema, with its checks, lives with the feed writer).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from enews_audio.errors import EnewsError, UsageError
from enews_audio.model import Edition
from enews_audio.publish import PublishSettings
from enews_audio.publish.cover import check_artwork
from enews_audio.tomlfile import Invalid, Schema, convert, message, read_toml, shown

DEFAULT_NAME = "enews-audio.toml"


@dataclass(frozen=True, slots=True)
class Config:
    paper: PublishSettings = field(default_factory=PublishSettings)
    path: Path | None = None  # the file it was read from; None when there was none

    def publish_settings(
        self,
        *,
        base_url: str | None = None,
        keep: int | None = None,
        editions: Collection[Edition] | None = None,
    ) -> PublishSettings:
        """The feed's settings, with command-line values (not None) overriding the file's."""
        given = {
            "base_url": base_url,
            "keep": keep,
            "editions": None if editions is None else frozenset(editions),
        }
        try:
            return msgspec.structs.replace(self.paper, **{k: v for k, v in given.items() if v is not None})
        except Invalid as exc:  # a command-line value the file would not have been allowed either
            option = "--" + str(exc.keys[0]).replace("_", "-")
            raise UsageError(f"{option}: {exc.what}") from None


class _File(Schema):
    """The file: only ``[paper]`` so far."""

    paper: PublishSettings = msgspec.field(default_factory=PublishSettings)


def load_config(path: Path | None = None) -> Config:
    """Read ``path``, or ``./enews-audio.toml`` when it exists, or return the defaults.

    A named file that is missing, TOML that does not parse, an unknown table or key, or a value of the wrong
    type is a one-line ``UsageError`` naming the file and the key.
    """
    if path is None:
        path = Path(DEFAULT_NAME)
        if not path.is_file():
            return Config()
    data, text = read_toml(path, UsageError, "config file")
    paper = convert(data, _File, UsageError, where=str(path), text=text, base=path.parent).paper
    if paper.artwork is not None:
        try:
            paper = msgspec.structs.replace(paper, artwork=_cover(paper.artwork))
        except EnewsError as exc:
            raise UsageError(message(str(path), ("paper", "cover"), str(exc), text)) from exc
    return Config(paper=paper, path=path)


def _cover(cover: Path) -> Path:
    try:
        cover = cover.resolve()  # already relative to the file's folder
        found = cover.is_file()
    except (OSError, ValueError) as exc:  # a NUL byte, a name too long for the file system
        raise UsageError(f"{shown(cover.name)} is not a usable file name ({exc})") from None
    if cover.suffix.lower() not in {".jpg", ".jpeg", ".png"}:
        raise UsageError(f"must be a .jpg or .png image, not {shown(cover.name)}")
    if not found:
        raise UsageError(f"{shown(cover.name)} not found (looked for {cover})")
    check_artwork(cover)  # a bad image fails now, before any speech is made
    return cover
