"""Text stage: an Issue becomes a Script of utterances, with display and spoken text."""

from enews_audio.model import Pauses
from enews_audio.text.lexicon import Lexicon, load_lexicon
from enews_audio.text.lint import Finding, lint
from enews_audio.text.proofread import format_findings, format_script
from enews_audio.text.script import TextSettings, chinese_number, to_brief, to_script

__all__ = [
    "Finding",
    "Lexicon",
    "Pauses",
    "TextSettings",
    "chinese_number",
    "format_findings",
    "format_script",
    "lint",
    "load_lexicon",
    "to_brief",
    "to_script",
]
