"""Get an e-paper's pages as text: over HTTP politely (one at a time, delayed, cached) or from a saved folder."""

from __future__ import annotations

import codecs
import hashlib
import ipaddress
import socket
import time
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpx
from bs4.dammit import EncodingDetector

from enews_audio import __version__
from enews_audio.atomic import write_atomic
from enews_audio.errors import SourceError
from enews_audio.sealed import seal, unseal

USER_AGENT = f"enews-audio/{__version__} (newspapers read aloud for blind and elderly listeners)"
_TRANSIENT = {429, 500, 502, 503, 504}
_BAD_SHARE = 0.01  # more undecodable bytes than this: the charset is wrong, not a stray byte
_MAX_REDIRECTS = 10  # an e-paper needs one or two; more is a loop
# What a page may be served as: HTML, or a type a misconfigured server gives anything (then the bytes are
# checked). Anything else (an image, a PDF, audio) is not a page, whatever its name.
_PAGE_TYPES = {"", "text/html", "application/xhtml+xml", "application/xml", "application/octet-stream"}
# What bytes are when they are plainly not a web page (checked on every page, saved or fetched).
_NOT_HTML = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"ID3", "an MP3 file"),
)


class PageNotFoundError(SourceError):
    """The server (or the saved folder) has no such page: for a dated page, the issue may not exist."""


DELAY = 1.0  # seconds between two requests to one host: polite to a paper's small server


@dataclass(frozen=True, slots=True)
class FetchSettings:
    cache_dir: Path | None = None  # default: ~/.cache/enews-audio/pages
    use_cache: bool = True
    delay: float = DELAY
    timeout: float = 20.0  # seconds for each read, and for a whole page once its headers are in
    max_bytes: int = 5 * 1024 * 1024
    attempts: int = 3  # tries on 5xx, timeouts and dropped connections
    backoff: float = 1.0  # seconds before the second try, doubled for each further one
    user_agent: str = USER_AGENT

    def __post_init__(self) -> None:
        if self.delay < 0 or self.backoff < 0 or self.timeout <= 0:
            raise ValueError("delay and backoff must not be negative, timeout must be positive")
        if self.attempts < 1 or self.max_bytes < 1:
            raise ValueError("attempts and max_bytes must be at least 1")

    @property
    def cache(self) -> Path:
        return self.cache_dir or Path.home() / ".cache" / "enews-audio" / "pages"


@dataclass(frozen=True, slots=True)
class Fetched:
    """A page's bytes and the URL they came from after redirects."""

    url: str
    body: bytes
    charset: str | None = None  # from the HTTP header; None when the server did not say

    @property
    def text(self) -> str:
        return decode_html(self.body, self.charset, self.url)


class Site(Protocol):
    """Where pages come from; URLs are absolute (http(s) for the web, file for a saved folder)."""

    def get(self, url: str, *, cache: bool = True) -> Fetched: ...

    def refusal(self, url: str) -> str | None:
        """Why the paper's pages may not come from ``url`` (a link, a redirect, a meta refresh), or None."""
        ...

    def close(self) -> None: ...


def decode_html(body: bytes, charset: str | None, where: str) -> str:
    """Decode with the header's charset, else the page's own meta charset, else UTF-8 or GB18030."""
    for magic, what in _NOT_HTML:
        if body.startswith(magic):
            raise SourceError(f"{where}: {what}, not a web page")
    declared = charset or EncodingDetector.find_declared_encoding(body, is_html=True)
    for encoding in [_codec(declared)] if declared else ["utf-8", "gb18030"]:
        if encoding is None:
            raise SourceError(f"{where}: unknown charset {declared!r}")
        try:
            text = body.decode(encoding, errors="replace")
        except (LookupError, UnicodeError):  # not a text encoding (rot13, base64) or one without "replace"
            raise SourceError(f"{where}: unknown charset {declared!r}") from None
        if text.count("\ufffd") - body.count(b"\xef\xbf\xbd") <= max(2, len(text) * _BAD_SHARE):
            return text.removeprefix("\ufeff")
    raise SourceError(f"{where}: not {declared or 'UTF-8 or GB18030'} text (malformed page)")


def _codec(name: str) -> str | None:
    """Python's codec for a declared charset; GB2312 and GBK pages often hold GB18030-only characters."""
    try:
        codec = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    return "gb18030" if codec in {"gb2312", "gbk", "gb18030"} else codec


@dataclass
class Hosts:
    """Where a paper's pages may come from: the host of the URL the user gave (``home``) and hosts a profile
    names (``named``, globs such as ``*.example.cn``), over http or https, any port.

    Never a private, loopback or link-local address, unless ``home`` is one itself (a paper on an
    intranet, or the tests' 127.0.0.1): a hijacked or misconfigured site must not make the build fetch
    the machine's own or its network's services and read out what they answer.
    """

    home: str
    named: tuple[str, ...] = ()
    _private: dict[str, bool] = field(default_factory=dict, repr=False)

    def refusal(self, url: str) -> str | None:
        """Why ``url`` is not one of the paper's pages, or None when it may be fetched."""
        try:
            parts, home = urlsplit(url), urlsplit(self.home)
            host, port = parts.hostname or "", parts.port
        except ValueError:  # a malformed port or IPv6 address
            return "not a valid address"
        if parts.scheme not in {"http", "https"}:
            return "not an http or https address"
        if host == home.hostname:
            return None  # the address the user gave: theirs to choose
        if not any(fnmatchcase(host, pattern) for pattern in self.named):
            return f"not the paper's host {home.hostname}"
        if self._is_private(host, port) and not self._is_private(home.hostname or "", None):
            return "a private, loopback or link-local address"
        return None

    def _is_private(self, host: str, port: int | None) -> bool:
        if host not in self._private:
            self._private[host] = _private_address(host, port)
        return self._private[host]


def _private_address(host: str, port: int | None) -> bool:
    """Whether ``host`` is, or resolves to, an address no public site lives at."""
    try:
        addresses = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        try:
            found = socket.getaddrinfo(host, port or 80, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):  # not resolvable: the fetch itself will fail and say so
            return False
        addresses = [ipaddress.ip_address(str(info[4][0]).partition("%")[0]) for info in found]
    for address in addresses:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            return True
    return False


class HttpSite:
    """Fetches one page at a time per host, waiting ``delay`` between requests, retrying transient errors.

    Every request, and every redirect before it is followed, is checked against ``hosts`` (by default the
    host of the first URL asked for): httpx calls the request hook for each hop of a redirect.
    """

    def __init__(
        self,
        settings: FetchSettings,
        transport: httpx.BaseTransport | None = None,
        hosts: Hosts | None = None,
    ) -> None:
        self._settings = settings
        self._last: dict[str, float] = {}
        self._hosts = hosts
        self._client = httpx.Client(
            headers={"User-Agent": settings.user_agent},
            timeout=settings.timeout,
            follow_redirects=True,
            max_redirects=_MAX_REDIRECTS,
            transport=transport,
            event_hooks={"request": [self._check_hop]},
        )

    def refusal(self, url: str) -> str | None:
        if self._hosts is None:
            self._hosts = Hosts(url)
        return self._hosts.refusal(url)

    def get(self, url: str, *, cache: bool = True) -> Fetched:
        if urlsplit(url).scheme not in {"http", "https"}:
            raise SourceError(f"{url}: only http and https URLs can be fetched")
        if reason := self.refusal(url):
            raise SourceError(f"{url}: {reason}; not fetched")
        path = self._settings.cache / hashlib.sha256(url.encode()).hexdigest()[:32]
        cache = cache and self._settings.use_cache
        cached = _read_cached(path, url) if cache else None
        if cached and not self.refusal(cached.url):  # else fetched again, and refused with its reason
            return cached
        fetched = self._retried(url)
        if cache:
            meta = {"url": fetched.url, "charset": fetched.charset, "asked": url}
            write_atomic(path, seal(meta, fetched.body))
        return fetched

    def close(self) -> None:
        self._client.close()

    def _retried(self, url: str) -> Fetched:
        settings = self._settings
        for attempt in range(1, settings.attempts + 1):
            try:
                return self._once(url)
            except _TransientError as exc:
                if attempt == settings.attempts:
                    tries = f" ({attempt} tries)" if attempt > 1 else ""
                    raise SourceError(f"{url}: {exc}{tries}") from exc
                time.sleep(settings.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    def _once(self, url: str) -> Fetched:
        self._wait_turn(urlsplit(url).netloc)
        limit = self._settings.max_bytes
        deadline = time.monotonic() + self._settings.timeout
        try:
            with self._client.stream("GET", url) as response:
                status = response.status_code
                if status in _TRANSIENT:
                    raise _TransientError(f"server error (HTTP {status})")
                if status in {404, 410}:
                    raise PageNotFoundError(f"{url}: not found (HTTP {status})")
                if status >= 400:
                    raise SourceError(f"{url}: refused (HTTP {status})")
                kind = response.headers.get("content-type", "").partition(";")[0].strip().lower()
                if kind not in _PAGE_TYPES and not kind.startswith("text/"):
                    raise SourceError(f"{url}: served as {kind}, not a web page")
                if int(response.headers.get("content-length") or 0) > limit:
                    raise SourceError(f"{url}: larger than the {_size(limit)} limit for one page")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > limit:
                        raise SourceError(f"{url}: larger than the {_size(limit)} limit for one page")
                    if time.monotonic() > deadline:  # each read was in time, but the page trickles in
                        raise _TransientError(f"not all of the page within {self._settings.timeout:g} s")
                return Fetched(str(response.url), bytes(body), response.charset_encoding)
        except httpx.TimeoutException as exc:
            raise _TransientError(f"no answer within {self._settings.timeout:g} s") from exc
        except httpx.TransportError as exc:
            raise _TransientError(f"cannot fetch it: {exc or type(exc).__name__}") from exc
        except httpx.TooManyRedirects as exc:
            raise SourceError(f"{url}: too many redirects (a loop?)") from exc
        except _RefusedHop as exc:
            target, reason = exc.args
            raise SourceError(f"{url}: redirected to {target}, {reason}; not followed") from None
        except httpx.HTTPError as exc:  # an invalid URL
            raise SourceError(f"{url}: cannot fetch it: {exc}") from exc
        finally:
            self._last[urlsplit(url).netloc] = time.monotonic()

    def _check_hop(self, request: httpx.Request) -> None:
        """Before each request httpx sends, the first and each redirect's: refuse one off the paper's hosts."""
        if reason := self.refusal(str(request.url)):
            raise _RefusedHop(str(request.url), reason)

    def _wait_turn(self, host: str) -> None:
        if host in self._last:
            time.sleep(max(0.0, self._last[host] + self._settings.delay - time.monotonic()))


class FolderSite:
    """Reads the files of a saved e-paper as ``file:`` URLs, never outside the saved folder."""

    def __init__(self, root: Path) -> None:
        self._root = root.resolve()

    def refusal(self, url: str) -> str | None:
        parts = urlsplit(url)
        path = Path(url2pathname(parts.path)).resolve()
        if parts.scheme != "file" or not path.is_relative_to(self._root):
            return f"not a file in the saved e-paper folder {self._root}"
        return None

    def get(self, url: str, *, cache: bool = True) -> Fetched:
        if reason := self.refusal(url):
            raise SourceError(f"{url}: {reason}")
        path = Path(url2pathname(urlsplit(url).path)).resolve()
        if not path.is_file():
            raise PageNotFoundError(f"{path}: not found in the saved e-paper folder")
        try:
            return Fetched(path.as_uri(), path.read_bytes())
        except OSError as exc:
            raise SourceError(f"{path}: cannot read it: {exc.strerror}") from exc

    def close(self) -> None:
        pass


class _TransientError(Exception):
    """Worth another try: a 5xx, a timeout, a dropped connection."""


class _RefusedHop(Exception):
    """A request (a redirect's) to an address off the paper's hosts: its URL and why."""


def _read_cached(path: Path, url: str) -> Fetched | None:
    """The cached page of ``url``, or None when there is none (or it is damaged, cut short, or another
    page's: fetch it again). A page cut short would otherwise lose articles without a word."""
    try:
        info, body = unseal(path.read_bytes())
        if info["asked"] != url:
            return None
        return Fetched(info["url"], body, info["charset"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _size(limit: int) -> str:
    return f"{limit / 1024 / 1024:g} MB" if limit >= 1024 * 1024 else f"{limit} bytes"
