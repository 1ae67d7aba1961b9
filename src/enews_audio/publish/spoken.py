"""What the voice was given for each transcript cue: ``a01.spoken.json`` beside ``a01.vtt``.

The transcript keeps the printed text; a listener's report of a misreading (``serve --reports``) names a
cue of it, and the operator needs the sentence as the voice got it (numbers read out, lexicon applied).
Publishing may not import the text stage, so that form is written here, per page, when it is published:
``{"format": 1, "sentences": [[printed, spoken], …], "cues": [sentence index of each .vtt cue, …]}``
(a long sentence is several .vtt cues, all pointing at it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from enews_audio.model import Cue
from enews_audio.publish.transcript import vtt_cues

_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Said:
    """One sentence: as printed, and as the voice was given it ("" when the build did not keep it)."""

    printed: str
    spoken: str


def spoken_name(episode_file: str) -> str:
    """``a04.mp3`` -> ``a04.spoken.json``."""
    return f"{Path(episode_file).stem}.spoken.json"


def spoken_json(cues: Sequence[Cue]) -> str:
    data = {
        "format": _FORMAT,
        "sentences": [[cue.text, cue.spoken] for cue in cues],
        "cues": [sentence for sentence, *_ in vtt_cues(cues)],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def read_spoken(path: Path) -> list[Said] | None:
    """The sentence of each .vtt cue (index 0 is cue 1), or None when the file is missing or not ours."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["format"] != _FORMAT:
            return None
        sentences = [Said(str(printed), str(spoken)) for printed, spoken in data["sentences"]]
        return [sentences[index] for index in data["cues"]]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
