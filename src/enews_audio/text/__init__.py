"""Text stage: an Issue becomes a Script of utterances, with display and spoken text."""

from enews_audio.text.script import TextSettings, chinese_number, to_script

__all__ = ["TextSettings", "chinese_number", "to_script"]
