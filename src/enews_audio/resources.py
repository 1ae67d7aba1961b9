"""Where the data files shipped beside the code (voices, vocabularies, lexicons) live."""

from __future__ import annotations

import os
from pathlib import Path

VOICES_ENV = "ENEWS_VOICES_DIR"


def voices_dir() -> Path:
    """The ``voices`` directory: ``$ENEWS_VOICES_DIR``, else the installed copy, else the source checkout's.

    A wheel force-includes the repo's top-level ``voices/`` as ``enews_audio/voices``; an editable or
    source checkout has no such copy, so fall back to the repo root.
    """
    override = os.environ.get(VOICES_ENV)
    if override:
        return Path(override)
    installed = Path(__file__).parent / "voices"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "voices"
