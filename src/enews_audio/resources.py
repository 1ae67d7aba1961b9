"""Where data files live: those shipped beside the code (voices, lexicons, presets), and the user's own."""

from __future__ import annotations

import os
from pathlib import Path

VOICES_ENV = "ENEWS_VOICES_DIR"
APP = "enews-audio"


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


def user_data_dir() -> Path:
    """Where the user's own data goes (a refreshed voice list): never the installed package, which may be
    read-only and is replaced by an upgrade. ``$XDG_DATA_HOME/enews-audio``, else ``~/.local/share/enews-audio``
    (the XDG rule written out: one line, not worth a dependency; the page cache follows ``~/.cache`` alike)."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / APP
