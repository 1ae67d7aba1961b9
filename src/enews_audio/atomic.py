"""Write files so a reader never sees half of one: temporary name in the same folder, then rename."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FILE_MODE = 0o644  # mkstemp makes 0600 files; a web server publishing the output must be able to read them
FOLDER_MODE = 0o755  # and mkdtemp makes 0700 folders


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``: renamed over it if the block succeeds, removed whatever happens.

    For files written in a stream or changed in place before they are published (an MP3 then its tags).
    A failure to write (a full disk) is an ``OSError`` naming ``path``, not the temporary name the user
    never sees, so each stage can tell it in one line.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{path.name}."
    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
        os.close(fd)
        tmp = Path(name)
        yield tmp
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except OSError as exc:
        # No name (a write that failed) or the temporary one: the failure is writing ``path``.
        if exc.filename is None or Path(str(exc.filename)).name.startswith(prefix):
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        raise
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def remove_leftovers(folder: Path) -> None:
    """Remove what ``replacing`` and ``replacing_folder`` left in ``folder`` (and below) when their process
    was killed: temporary files and folders, and an old folder not yet deleted.

    Only for a folder no other process is writing to (the caller holds its lock): a live temporary file
    looks the same.
    """
    found = [*folder.rglob(".*.tmp"), *folder.rglob(".*.old")] if folder.is_dir() else []
    for leftover in found:
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                leftover.unlink()


def write_atomic(path: Path, data: bytes | str) -> None:
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with replacing(path) as tmp:
        tmp.write_bytes(payload)


@contextmanager
def replacing_folder(path: Path) -> Iterator[Path]:
    """A temporary folder beside ``path``, put in its place if the block succeeds, removed whatever happens.

    POSIX can't rename a folder over a non-empty one, so the old folder is renamed aside first and deleted
    after: a reader sees the old folder or the new one, never a half-written one (for an instant, none).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        yield tmp
        os.chmod(tmp, FOLDER_MODE)
        old = tmp.with_suffix(".old")
        if path.exists():
            os.replace(path, old)
        os.replace(tmp, path)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
