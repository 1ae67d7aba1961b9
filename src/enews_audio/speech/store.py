"""Where clip files live: a folder (local, or shared by the machines of a cluster) or S3, named by a URL.

``open_store("OUT/.cache/clips")`` or ``open_store("s3://bucket/prefix")``. Both kinds keep whole files or
nothing: a folder through a temporary name and a rename (``atomic.py``), S3 because a PUT replaces an
object whole. S3 goes through fsspec/s3fs, installed with the ``s3`` extra and imported only when an
``s3://`` URL is given; credentials and the endpoint (``AWS_ENDPOINT_URL`` for MinIO and the like) come
from the usual AWS environment variables and files, on every machine that reaches the store.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from enews_audio.atomic import write_atomic
from enews_audio.errors import ClipStoreError, UsageError

SCHEMES = ("s3",)


class Store(Protocol):
    """Files by name (``ab/abcd….clip``) under one root."""

    url: str

    def read(self, name: str) -> bytes | None:
        """The file's bytes, or None when there is none."""
        ...

    def read_many(self, names: Iterable[str]) -> dict[str, bytes]:
        """The files that exist among ``names``, fetched together where the store can."""
        ...

    def write(self, name: str, data: bytes) -> None: ...

    def remove(self, name: str) -> None: ...


class FolderStore:
    """A folder: local, or on a file system every worker mounts (NFS, CephFS…)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.url = str(root)

    def read(self, name: str) -> bytes | None:
        path = self.root / name
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ClipStoreError(f"clip cache: cannot read {path}: {exc.strerror or exc}") from exc

    def read_many(self, names: Iterable[str]) -> dict[str, bytes]:
        return {name: data for name in names if (data := self.read(name)) is not None}

    def write(self, name: str, data: bytes) -> None:
        path = self.root / name
        try:
            write_atomic(path, data)
        except OSError as exc:
            raise ClipStoreError(f"clip cache: cannot write {path}: {exc.strerror or exc}") from exc

    def remove(self, name: str) -> None:
        with contextlib.suppress(OSError):
            (self.root / name).unlink()


class S3Store:
    """Objects under ``s3://bucket/prefix/``, through s3fs (many reads at once; each PUT whole)."""

    def __init__(self, url: str) -> None:
        try:
            import s3fs
        except ImportError:
            raise UsageError(
                f"--clip-store {url}: S3 needs the s3 extra (pip install 'enews-audio[s3]')"
            ) from None
        self.url = url.rstrip("/")
        self._prefix = self.url.removeprefix("s3://")
        endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        # Fail in seconds, not minutes, when the endpoint is down: a worker then reports the store.
        timeouts = {"connect_timeout": 5, "read_timeout": 30, "retries": {"max_attempts": 2}}
        self._fs: Any = s3fs.S3FileSystem(endpoint_url=endpoint, config_kwargs=timeouts)

    def _path(self, name: str) -> str:
        return f"{self._prefix}/{name}"

    def read(self, name: str) -> bytes | None:
        return self.read_many([name]).get(name)

    def read_many(self, names: Iterable[str]) -> dict[str, bytes]:
        paths = {self._path(name): name for name in names}
        if not paths:
            return {}
        found = self._call("read", self._fs.cat, list(paths), on_error="return")
        for data in found.values():
            if isinstance(data, Exception) and not isinstance(data, FileNotFoundError):
                raise ClipStoreError(f"clip store {self.url}: cannot read: {' '.join(str(data).split())}")
        return {paths[p]: data for p, data in found.items() if isinstance(data, bytes)}

    def write(self, name: str, data: bytes) -> None:
        self._call("write", self._fs.pipe_file, self._path(name), data)

    def remove(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._call("remove", self._fs.rm_file, self._path(name))

    def _call(self, what: str, call: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except FileNotFoundError:
            raise
        except Exception as exc:  # botocore's and aiohttp's errors share no base class worth naming
            raise ClipStoreError(
                f"clip store {self.url}: cannot {what}: {' '.join(str(exc).split())}"
            ) from exc


def open_store(where: Path | str) -> Store:
    """The store named by ``where``: a folder (a path, or ``file://``) or ``s3://bucket/prefix``."""
    text = str(where)
    scheme, sep, rest = text.partition("://")
    if not sep:
        return FolderStore(Path(where))
    if scheme == "file":
        return FolderStore(Path(rest))
    if scheme in SCHEMES:
        if not rest.strip("/"):
            raise UsageError(f"--clip-store {text}: name a bucket, like s3://bucket/prefix")
        return S3Store(text)
    raise UsageError(f"--clip-store {text}: not a folder or an s3:// URL")
