"""Clips to one MP3 episode per page, with ID3v2.3 chapters; an unchanged page reuses its episode."""

from enews_audio.audio.assemble import AudioSettings, assemble
from enews_audio.audio.chapters import read_chapters
from enews_audio.audio.loudness import preload
from enews_audio.audio.reuse import assemble_or_reuse

__all__ = ["AudioSettings", "assemble", "assemble_or_reuse", "preload", "read_chapters"]
