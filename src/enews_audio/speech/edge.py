"""The edge-tts engine: Microsoft's online voices, with the service's failures translated once, here.

Nothing above this module sees an aiohttp or edge_tts type. Failures worth retrying become
``EngineUnavailableError`` (the scheduler retries; this engine never does), including audio that
arrives cut short without any error from the library.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import math
import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
import edge_tts
import edge_tts.communicate
import edge_tts.constants
import edge_tts.voices
from edge_tts.exceptions import EdgeTTSException, NoAudioReceived

from enews_audio.chars import is_speakable
from enews_audio.errors import EngineUnavailableError, SpeechError, UnknownVoiceError, UsageError
from enews_audio.model import Clip, Timing
from enews_audio.speech.engine import Voice
from enews_audio.speech.mp3 import mp3_seconds
from enews_audio.speech.runner import run_sync
from enews_audio.speech.voices import VoiceInfo, edge_voice_names, known_notes, save_edge_voices

URL_ENV = "ENEWS_EDGE_URL"
MAX_CHUNK_BYTES = 1500  # the library only splits at spaces/newlines, which Chinese lacks
TICKS_PER_SECOND = 10_000_000
CUT_TOLERANCE = 0.2  # seconds of audio that may be missing before we call it cut short
PROBE_TEXT = "你好。"

_BREAKS = ("。！？；!?;", "，、：,:")  # sentence ends first, then clause ends, then a hard cut


def split_text(text: str, limit: int = MAX_CHUNK_BYTES) -> list[str]:
    """Cut ``text`` into chunks of at most ``limit`` UTF-8 bytes, at sentence ends where it can."""
    chunks: list[str] = []
    for piece in _pieces(text, limit, 0):
        if chunks and _size(chunks[-1] + piece) <= limit:
            chunks[-1] += piece
        else:
            chunks.append(piece)
    return chunks


def service_url(url: str | None = None) -> str | None:
    """Where the edge service is when it has moved: ``url``, else ``$ENEWS_EDGE_URL``; None for where
    edge-tts itself looks. The one place the address is chosen; ``_point_library_at`` hands it over.

    It must keep the query string the service expects (``?TrustedClientToken=…``); the voice list is
    fetched from beside it (``…/voices/list``), where the service keeps it.
    """
    url = url or os.environ.get(URL_ENV) or None
    if url is None:
        return None
    if urlsplit(url).scheme not in ("ws", "wss"):
        raise UsageError(f"the edge-tts URL must start with ws:// or wss://, not {url!r}")
    return url if "?" in url else url + "?"  # the library appends "&ConnectionId=…"


TIMEOUT = 60.0  # seconds for one call, start to end: a stalled stream otherwise hangs forever
CONNECT_TIMEOUT = 10  # seconds to open the websocket


@dataclass(frozen=True, slots=True)
class EdgeSpec:
    """An edge engine for another process: voice, service address and proxy."""

    voice: Voice
    url: str | None = None  # as the client resolved it (``service_url``): workers use the same address
    proxy: str | None = None
    timeout: float = TIMEOUT
    connect_timeout: int = CONNECT_TIMEOUT

    def build(self, threads: int) -> EdgeEngine:
        return EdgeEngine(
            self.voice,
            url=self.url,
            proxy=self.proxy,
            timeout=self.timeout,
            connect_timeout=self.connect_timeout,
        )


class EdgeEngine:
    """Speaks through edge-tts; one websocket per call, no state between calls.

    ``url`` (or ``$ENEWS_EDGE_URL``, see ``service_url``) overrides the service address, which has moved before.
    """

    name = "edge"
    concurrency = 3
    cpu_bound = False  # waits on the service
    resource = "edge"  # the service limits connections per address: a cluster's workers offer this many

    def __init__(
        self,
        voice: Voice,
        *,
        url: str | None = None,
        proxy: str | None = None,
        timeout: float = TIMEOUT,
        connect_timeout: int = CONNECT_TIMEOUT,
    ) -> None:
        known = edge_voice_names()
        if voice.name not in known:
            raise UnknownVoiceError(_unknown_voice(voice.name, known))
        self.voice = voice
        self.url = service_url(url)
        self.proxy = proxy
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.identity = (
            f"edge-tts/{voice.name}/rate{voice.rate:+d}%/pitch{voice.pitch:+d}Hz/vol{voice.volume:+d}%"
        )
        self.spec = EdgeSpec(voice, self.url, proxy, timeout, connect_timeout)

    async def synthesize(self, text: str) -> Clip:
        """Speak one utterance; text over 1.5 KB goes out in chunks whose MP3 frames are joined."""
        chunks = [chunk for chunk in split_text(text) if is_speakable(chunk)]
        if not chunks:
            raise SpeechError(f"nothing speakable in {text[:40]!r}")
        audio, timings, elapsed = bytearray(), [], 0.0
        for chunk in chunks:
            data, boundaries = await self._speak(chunk, self.timeout, self.connect_timeout)
            timings += [Timing(elapsed + start, duration, said) for start, duration, said in boundaries]
            audio += data
            elapsed += mp3_seconds(data)
        return Clip(bytes(audio), mp3_seconds(bytes(audio)), tuple(timings))

    async def probe(self, timeout: float = 5.0) -> bool:
        """True if the service speaks a short text within ``timeout`` seconds; never raises."""
        connect = max(1, min(self.connect_timeout, math.ceil(timeout)))
        try:
            data, _ = await self._speak(PROBE_TEXT, min(timeout, self.timeout), connect)
        except Exception:
            return False
        return bool(data)

    def warm(self) -> None:
        """Nothing to load ahead: the service holds the voice."""

    def readings(self, text: str) -> str:
        return ""  # the lexicon reaches the service as substitutions, in the text itself

    async def aclose(self) -> None:
        """Nothing to release: each call opens and closes its own connection."""

    async def _speak(
        self, text: str, timeout: float, connect_timeout: int
    ) -> tuple[bytes, list[tuple[float, float, str]]]:
        """One request: the MP3 bytes and (start s, duration s, text) per sentence, or our error."""
        communicate = edge_tts.Communicate(
            text,
            self.voice.name,
            rate=f"{self.voice.rate:+d}%",
            pitch=f"{self.voice.pitch:+d}Hz",
            volume=f"{self.voice.volume:+d}%",
            boundary="SentenceBoundary",
            proxy=self.proxy,
            connect_timeout=connect_timeout,
            receive_timeout=max(1, math.ceil(timeout)),
        )
        audio, boundaries = bytearray(), []
        where = urlsplit(_point_library_at(self.url)).netloc  # read when the stream starts, just below
        try:
            async with asyncio.timeout(timeout), contextlib.aclosing(communicate.stream()) as stream:
                async for message in stream:
                    if message["type"] == "audio":
                        audio += message["data"]
                    elif message["type"] == "SentenceBoundary":
                        start, duration = message["offset"], message["duration"]
                        boundaries.append(
                            (start / TICKS_PER_SECOND, duration / TICKS_PER_SECOND, message["text"])
                        )
        except Exception as exc:
            error = self._translate(exc, timeout, where)
            if error is None:
                raise
            raise error from exc
        _check_complete(bytes(audio), boundaries, communicate.state.get("cumulative_audio_bytes"))
        return bytes(audio), boundaries

    def _translate(self, exc: Exception, timeout: float, where: str) -> EngineUnavailableError | None:
        """The one place edge-tts and aiohttp failures become ours; None for anything else (a bug)."""
        if isinstance(exc, aiohttp.WSServerHandshakeError):
            return EngineUnavailableError(_status_message(exc.status, where))
        if isinstance(exc, aiohttp.ClientProxyConnectionError):
            return EngineUnavailableError(f"edge-tts: proxy unreachable: {urlsplit(self.proxy or '').netloc}")
        if isinstance(exc, aiohttp.ClientConnectorError):
            return EngineUnavailableError(f"edge-tts unreachable: {where}")
        if isinstance(exc, TimeoutError):  # ours, or aiohttp's socket read/connect timeouts
            return EngineUnavailableError(f"edge-tts: no answer within {timeout:g} s")
        if isinstance(exc, aiohttp.ClientError):
            return EngineUnavailableError(f"edge-tts: connection to {where} failed ({type(exc).__name__})")
        if isinstance(exc, NoAudioReceived):
            return EngineUnavailableError(f"edge-tts: the service sent no audio (voice {self.voice.name})")
        if isinstance(exc, EdgeTTSException):
            return EngineUnavailableError(f"edge-tts: unexpected reply ({exc}); upgrading edge-tts may help")
        return None


async def fetch_voices(
    *, url: str | None = None, proxy: str | None = None, timeout: float = 30.0
) -> list[VoiceInfo]:
    """Every voice the service at ``url`` (see ``service_url``) offers now, all languages, as ``VoiceInfo``;
    our error if it can't say."""
    where = urlsplit(_point_library_at(service_url(url))).netloc  # read when the request starts, below
    try:
        async with asyncio.timeout(timeout):
            listed = await edge_tts.list_voices(proxy=proxy)
        return [_voice_info(entry) for entry in listed]
    except aiohttp.ClientResponseError as exc:
        raise EngineUnavailableError(f"edge-tts voice list: {where} answered {exc.status}") from exc
    except aiohttp.ClientConnectorError as exc:
        raise EngineUnavailableError(f"edge-tts voice list unreachable: {where}") from exc
    except TimeoutError as exc:
        raise EngineUnavailableError(f"edge-tts voice list: no answer within {timeout:g} s") from exc
    except (aiohttp.ClientError, ValueError, KeyError, TypeError, AttributeError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise EngineUnavailableError(
            f"edge-tts voice list: unexpected reply from {where} ({reason})"
        ) from exc


def refresh_edge_voices(*, url: str | None = None, proxy: str | None = None) -> tuple[VoiceInfo, ...]:
    """Fetch the service's Chinese voices and save them as the user's list; notes already written are kept.

    A failed refresh raises ``EngineUnavailableError`` and leaves the lists as they were.
    """
    live = run_sync(fetch_voices(url=url, proxy=proxy))  # its own loop: no engine lives on it
    notes = known_notes()
    voices = tuple(
        VoiceInfo("edge", v.name, v.gender, v.locale, notes.get(v.name) or v.notes)
        for v in sorted(live, key=lambda v: (v.locale, v.name))
        if v.locale.startswith("zh-")
    )
    if not voices:
        raise SpeechError("edge-tts: the live voice list has no Chinese voices; the voice list was kept")
    save_edge_voices(voices, source="edge_tts.list_voices()")
    return voices


def _voice_info(entry: dict) -> VoiceInfo:
    tags = entry.get("VoiceTag") or {}
    notes = ", ".join([*tags.get("ContentCategories", []), *tags.get("VoicePersonalities", [])])
    return VoiceInfo("edge", entry["ShortName"], str(entry["Gender"]).lower(), entry["Locale"], notes)


def _check_complete(audio: bytes, boundaries: list[tuple[float, float, str]], ended: int | None) -> None:
    """The library returns partial audio without an error when the connection drops: catch that."""
    heard = mp3_seconds(audio)
    said = max((start + duration for start, duration, _ in boundaries), default=0.0)
    if heard < said - CUT_TOLERANCE:
        raise EngineUnavailableError(f"edge-tts: audio cut short: {heard:.1f} s of {said:.1f} s")
    if ended is not None and ended < len(audio):  # 7.x counts audio bytes only at turn.end
        raise EngineUnavailableError(f"edge-tts: audio cut short: connection closed after {heard:.1f} s")


def _point_library_at(url: str | None) -> str:
    """Point edge-tts at the service at ``url`` (None: its own) and return that address.

    edge-tts reads the service's addresses from two module globals when it connects; no parameter takes
    them. So this, the only code that touches them, sets both right before each request, which reads them
    before its first await: engines with different addresses can run at once, and no setting lingers that
    the next request of ours would not overwrite.
    """
    speech, voices = edge_tts.constants.WSS_URL, edge_tts.constants.VOICE_LIST
    if url is not None:
        parts = urlsplit(url)
        query = re.sub("(?i)trustedclienttoken=", "trustedclienttoken=", parts.query)
        scheme = "https" if parts.scheme == "wss" else "http"
        speech, voices = (
            url,
            f"{scheme}://{parts.netloc}{parts.path.rsplit('/edge/', 1)[0]}/voices/list?{query}",
        )
    edge_tts.communicate.WSS_URL = speech
    edge_tts.voices.VOICE_LIST = voices
    return speech


def _status_message(status: int, where: str) -> str:
    if status == 403:
        return "edge-tts: service refused the request (403); upgrading edge-tts usually fixes this"
    if status == 429:
        return "edge-tts: service answered 429 (throttled)"
    if status >= 500:
        return f"edge-tts: service answered {status} (unavailable)"
    return f"edge-tts: service at {where} answered {status}"


def _unknown_voice(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}?" if close else "choose one of " + ", ".join(known)
    return f"unknown edge-tts voice {name!r}: {hint}"


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _pieces(text: str, limit: int, level: int):
    """Yield pieces of ``text``, each within ``limit`` bytes, split as gently as will do."""
    if _size(text) <= limit:
        yield text
    elif level < len(_BREAKS):
        for part in re.split(f"(?<=[{_BREAKS[level]}])", text):
            if part:
                yield from _pieces(part, limit, level + 1)
    else:
        while text:
            cut = len(text.encode("utf-8")[:limit].decode("utf-8", errors="ignore"))
            yield text[:cut]
            text = text[cut:]
