"""The feed's settings, which are also the ``[paper]`` table of ``enews-audio.toml``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import msgspec
from msgspec import Meta

from enews_audio.model import Edition
from enews_audio.tomlfile import Invalid, Schema, shown

_EDITIONS = tuple(e.value for e in Edition)


KEEP = 30  # issues kept in the feed, newest by date (older issues' files stay on disk)


class PublishSettings(Schema):
    """The feed's settings; also the ``[paper]`` table of ``enews-audio.toml``, read straight into this."""

    base_url: str = ""  # where paper_dir is served, e.g. "https://example.org/audio/"; "" -> relative URLs
    keep: int = KEEP
    title: str = ""  # channel title; "" -> f"{paper}·有声版"
    author: str = ""  # "" -> the paper's name
    language: Annotated[str, Meta(min_length=1, description="a language code like zh-cn")] = "zh-cn"
    # an Apple Podcasts category, case-sensitive; "News/Daily News" for a subcategory
    category: Annotated[str, Meta(min_length=1, description='a category like "News/Daily News"')] = "News"
    owner_email: str = ""  # itunes:owner and podcast:locked's owner; Apple and podcast hosts write to it
    description: str = ""  # channel description; "" -> a sentence naming the paper
    locked: bool = True  # podcast:locked: other platforms must not import the feed as their own
    # the user's square cover image (``cover`` in the file); None -> one is drawn with the paper's name
    artwork: Path | None = msgspec.field(default=None, name="cover")
    editions: frozenset[Edition] = frozenset()  # made besides the feed and the web edition
    # a section and the page names it gathers, for feeds per section (sections.py): 要闻 = ["要闻", "综合新闻"]
    sections: dict[str, tuple[str, ...]] = msgspec.field(default_factory=dict)
    # the paper's own lexicon (relative to the config file): loaded by every build before --lexicon files,
    # and where `enews-audio reports --accept` writes listeners' fixes (made then if absent)
    lexicon: Path | None = None

    def __post_init__(self) -> None:
        if isinstance(self.keep, bool) or self.keep < 1:
            raise Invalid("keep", f"must be a whole number of issues ≥ 1, not {shown(self.keep)}")
        if unknown := sorted(str(e) for e in self.editions if e not in _EDITIONS):  # a caller's, unchecked
            raise Invalid("editions", f"unknown edition {shown(unknown[0])} (known: {', '.join(_EDITIONS)})")
        if self.owner_email and ("@" not in self.owner_email or any(c.isspace() for c in self.owner_email)):
            raise Invalid(
                "owner_email", f"must be an e-mail address (the owner email), not {shown(self.owner_email)}"
            )
        seen: dict[str, str] = {}
        for section, pages in self.sections.items():
            for page in pages:
                if seen.setdefault(page, section) != section:
                    raise Invalid(
                        ("sections", section), f"page {shown(page)} is already in {shown(seen[page])}"
                    )
        if self.base_url and not self.base_url.startswith(("http://", "https://")):
            raise Invalid("base_url", f"must start with http:// or https://, not {shown(self.base_url)}")


def relative_links_warning(settings: PublishSettings) -> str | None:
    """What to tell whoever builds without ``base_url``: the feed works where ``serve`` fills in the
    addresses, but a copy on a web server has relative links, which podcast apps reject."""
    if settings.base_url:
        return None
    return (
        "the feed's links are relative (no base_url), which podcast apps reject once the folder is copied to"
        " a web server: set base_url under [paper] in enews-audio.toml, or pass --base-url, to the address"
        " the paper's folder is served at (enews-audio serve needs neither)"
    )
