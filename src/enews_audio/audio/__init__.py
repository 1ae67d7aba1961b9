"""Clips to one MP3 episode per page, with ID3v2.3 chapters."""

from enews_audio.audio.assemble import AudioSettings, assemble
from enews_audio.audio.chapters import read_chapters
from enews_audio.audio.reuse import EpisodeMemo, fingerprint

__all__ = ["AudioSettings", "EpisodeMemo", "assemble", "fingerprint", "read_chapters"]
