"""A stand-in for the edge-tts service on 127.0.0.1 that speaks its wire format and fails on demand.

The real ``edge_tts`` library talks to it (point it here with ``EdgeEngine(voice, url=fake.url)``, or
``$ENEWS_EDGE_URL``: the ``edge_url`` fixture of ``tests/conftest.py``), so the tests exercise the library's
parsing and its quirks, not a mock of them. Audio is silent MP3 whose length matches the boundary events
sent with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
import socket
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from xml.sax.saxutils import unescape

from aiohttp import web

FRAME = bytes([0xFF, 0xF3, 0x64, 0xC4]) + bytes(140)  # MPEG-2 Layer III, 24 kHz, 48 kbit/s, mono
FRAME_SECONDS = 0.024
TICKS = 10_000_000  # boundary offsets and durations are in 100 ns ticks
LEAD = 0.1  # seconds of silence before the first sentence, as the service does
TAIL = 0.1
FRAMES_PER_MESSAGE = 8

_SENTENCE = re.compile(r"[^。！？；!?;]+[。！？；!?;]*|[。！？；!?;]+")
_VOICE = re.compile(r"<voice name='([^']*)'>")
_LONG_VOICE = re.compile(r"^Microsoft Server Speech Text to Speech Voice \((.+), (\w+)\)$")
_PROSODY = re.compile(r"<prosody pitch='([^']*)' rate='([^']*)' volume='([^']*)'>(.*)</prosody>", re.S)
_PROXY_VARS = ("WS_PROXY", "WSS_PROXY", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


class Fault(StrEnum):
    """What one request meets instead of a healthy answer."""

    REJECT = "403"  # edge-tts retries a 403 once (clock skew), so inject it twice to see it fail
    THROTTLE = "429"
    UNAVAILABLE = "503"
    STALL_HANDSHAKE = "stall-handshake"  # never answer the websocket upgrade
    STALL_AFTER_CONNECT = "stall-after-connect"  # upgrade, read the request, then say nothing
    STALL_MID_AUDIO = "stall-mid-audio"  # send half the audio frames, then say nothing
    CLOSE_BEFORE_AUDIO = "close-before-audio"
    DROP_MID_AUDIO = "drop-mid-audio"  # close after half the audio frames
    DROP_BETWEEN_SENTENCES = "drop-between-sentences"  # close after the first sentence's audio
    NO_AUDIO = "no-audio"  # what the service does for a voice it does not have
    UNKNOWN_PATH = "unknown-path"


_STATUS = {Fault.REJECT: 403, Fault.THROTTLE: 429, Fault.UNAVAILABLE: 503}


@dataclass(frozen=True, slots=True)
class Request:
    """One synthesis request as the fake understood it."""

    path: str
    voice: str
    text: str  # unescaped, as the caller wrote it
    rate: str
    pitch: str
    volume: str
    fault: Fault | None


@dataclass(frozen=True, slots=True)
class Answer:
    """What the fake sent for one request that got as far as speaking (or stalling, or dropping)."""

    text: str
    said: float  # seconds: end of the last boundary event sent (offset + duration)
    heard: float  # seconds of MP3 frames sent
    complete: bool  # all audio and turn.end were sent
    began: float  # time.monotonic() when the request was read, and when the answer ended
    ended: float


# The service's voice list entries look like this (abridged); the fake serves them at .../voices/list.
VOICE_LIST = [
    {"ShortName": "zh-CN-XiaoxiaoNeural", "Gender": "Female", "Locale": "zh-CN",
     "VoiceTag": {"ContentCategories": ["News", "Novel"], "VoicePersonalities": ["Warm"]}},
    {"ShortName": "zh-CN-YunyangNeural", "Gender": "Male", "Locale": "zh-CN",
     "VoiceTag": {"ContentCategories": ["News"], "VoicePersonalities": ["Professional", "Reliable"]}},
    {"ShortName": "zh-CN-YunfanNeural", "Gender": "Male", "Locale": "zh-CN",
     "VoiceTag": {"ContentCategories": ["Sports"], "VoicePersonalities": ["Bright"]}},
    {"ShortName": "en-GB-SoniaNeural", "Gender": "Female", "Locale": "en-GB",
     "VoiceTag": {"ContentCategories": ["General"], "VoicePersonalities": ["Friendly"]}},
]  # fmt: skip


def speakable(text: str) -> int:
    """How many characters take time to say: letters, digits and Han characters."""
    return sum(ch.isalnum() for ch in text)


def closed_address(scheme: str = "http") -> str:
    """``scheme://127.0.0.1:PORT`` where nothing listens (the port was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"{scheme}://127.0.0.1:{port}"


def closed_url() -> str:
    """An edge service URL on 127.0.0.1 where nothing listens."""
    return closed_address("ws") + "/edge/v1?TrustedClientToken=fake"


def use_loopback(monkeypatch) -> None:
    """Make edge-tts reach 127.0.0.1 directly: it honours proxy variables and keeps a clock skew."""
    import edge_tts.drm

    for name in _PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setattr(edge_tts.drm.DRM, "clock_skew_seconds", 0.0)


class FakeEdge:
    """``with FakeEdge() as fake:`` serves until the block ends; ``fake.url`` is where.

    ``chars_per_second`` sets how long speech lasts; ``first_byte`` (seconds before any audio) and
    ``speed`` (streaming speed as a multiple of realtime, None for as fast as possible) model
    latency. ``faults`` are met by requests 0, 1, 2, … in order (None for a healthy answer);
    ``fail_next`` queues more. ``voices``, if given, are the only ones that produce audio.
    """

    def __init__(
        self,
        *,
        chars_per_second: float = 4.0,
        first_byte: float = 0.0,
        speed: float | None = None,
        voices: Collection[str] | None = None,
        faults: Collection[Fault | None] = (),
        stall: float = 3600.0,
    ) -> None:
        self.chars_per_second = chars_per_second
        self.first_byte = first_byte
        self.speed = speed
        self.voices = None if voices is None else frozenset(voices)
        self.stall = stall
        self.requests: list[Request] = []
        self.answers: list[Answer] = []
        self.voice_list: list[dict] = VOICE_LIST
        self.port = 0
        self._pending: deque[Fault | None] = deque(faults)
        self._count = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._release: asyncio.Event | None = None

    # -- control, from the test's thread --------------------------------------------------------

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/edge/v1?TrustedClientToken=fake"

    @property
    def count(self) -> int:
        """Connections made, including refused and stalled ones."""
        return self._count

    @property
    def texts(self) -> list[str]:
        return [r.text for r in self.requests]

    def asked(self) -> Counter[str]:
        """How often each text was requested."""
        return Counter(self.texts)

    def complete_answer(self, text: str) -> Answer:
        """The last complete answer for ``text``: what a clip of it must match."""
        return [a for a in self.answers if a.text == text and a.complete][-1]

    def fail_next(self, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._pending.extend([fault] * times)

    def __enter__(self) -> FakeEdge:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-edge", daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(sock), self._loop).result(timeout=10)
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._loop is not None and self._thread is not None
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    # -- the server, on its own thread ----------------------------------------------------------

    async def _start(self, sock: socket.socket) -> None:
        self._release = asyncio.Event()
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    async def _stop(self) -> None:
        assert self._release is not None and self._runner is not None
        self._release.set()
        await self._runner.cleanup()

    async def _hold(self) -> None:
        """Say nothing until the stall ends or the fake shuts down."""
        assert self._release is not None
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.stall):
                await self._release.wait()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        with self._lock:
            self._count += 1
            fault = self._pending.popleft() if self._pending else None
        if request.path.endswith("/voices/list"):
            if fault in _STATUS:
                return web.Response(status=_STATUS[fault], text=f"fake edge: {fault}")
            return web.json_response(self.voice_list)
        if fault in _STATUS:
            return web.Response(status=_STATUS[fault], text=f"fake edge: {fault}")
        if fault is Fault.STALL_HANDSHAKE:
            await self._hold()
            return web.Response(status=503)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        with contextlib.suppress(ConnectionError):
            await self._converse(ws, request.path, fault)
        if not ws.closed:
            await ws.close()
        return ws

    async def _converse(self, ws: web.WebSocketResponse, path: str, fault: Fault | None) -> None:
        ssml = ""
        while not ssml:
            message = await ws.receive()
            if message.type != web.WSMsgType.TEXT:
                return
            if "Path:ssml" in message.data:
                ssml = message.data.split("\r\n\r\n", 1)[1]
        voice = _VOICE.search(ssml)
        prosody = _PROSODY.search(ssml)
        if voice is None or prosody is None:
            raise ValueError(f"fake edge cannot read this SSML: {ssml!r}")
        pitch, rate, volume, escaped = prosody.groups()
        name, text = _short_voice(voice[1]), unescape(escaped)
        self.requests.append(Request(path, name, text, rate, pitch, volume, fault))

        if fault is Fault.STALL_AFTER_CONNECT:
            return await self._hold()
        request_id = uuid.uuid4().hex
        await ws.send_str(_text_frame(request_id, "turn.start", {"context": {"serviceTag": "fake"}}))
        await ws.send_str(_text_frame(request_id, "response", {"context": {"serviceTag": "fake"}}))
        if fault is Fault.CLOSE_BEFORE_AUDIO:
            return
        if fault is Fault.UNKNOWN_PATH:
            await ws.send_str(_text_frame(request_id, "surprise", {}))
            return
        silent = fault is Fault.NO_AUDIO or (self.voices is not None and name not in self.voices)
        began, sent, complete = time.monotonic(), [0.0, 0.0], False
        try:
            if not silent and not await self._speak(ws, request_id, text, _percent(rate), fault, sent):
                return  # dropped: no turn.end
            await ws.send_str(_text_frame(request_id, "turn.end", {}))
            complete = True
        finally:
            if not silent:
                self.answers.append(Answer(text, *sent, complete, began, time.monotonic()))

    async def _speak(
        self,
        ws: web.WebSocketResponse,
        request_id: str,
        text: str,
        rate: float,
        fault: Fault | None,
        sent_seconds: list[float],
    ) -> bool:
        """Send each sentence's boundary, then the frames that cover it (the service's order).

        False if the fault cut the audio short. ``sent_seconds`` is kept at [boundary end, audio] sent.
        """
        plan = self._plan(text, rate)
        if not plan:
            return True
        total = sum(frames for _, _, _, frames in plan)
        sent = 0
        await asyncio.sleep(self.first_byte)
        for number, (sentence, start, duration, frames) in enumerate(plan):
            if number and fault is Fault.DROP_BETWEEN_SENTENCES:
                return False
            metadata = {"Offset": round(start * TICKS), "Duration": round(duration * TICKS)}
            metadata["text"] = {"Text": sentence, "Length": len(sentence), "BoundaryType": "SentenceBoundary"}
            body = {"Metadata": [{"Type": "SentenceBoundary", "Data": metadata}]}
            await ws.send_str(_text_frame(request_id, "audio.metadata", body))
            sent_seconds[0] = start + duration
            while frames:
                batch = min(frames, FRAMES_PER_MESSAGE)
                if fault in (Fault.DROP_MID_AUDIO, Fault.STALL_MID_AUDIO) and sent + batch > total // 2:
                    batch = total // 2 - sent
                    if batch > 0:
                        await ws.send_bytes(_audio_frame(request_id, FRAME * batch))
                        sent_seconds[1] += batch * FRAME_SECONDS
                    if fault is Fault.STALL_MID_AUDIO:
                        await self._hold()
                    return False
                await ws.send_bytes(_audio_frame(request_id, FRAME * batch))
                sent_seconds[1] += batch * FRAME_SECONDS
                frames -= batch
                sent += batch
                if self.speed:
                    await asyncio.sleep(batch * FRAME_SECONDS / self.speed)
        await ws.send_bytes(_audio_frame(request_id, b""))
        return True

    def _plan(self, text: str, rate: float) -> list[tuple[str, float, float, int]]:
        """(sentence, start s, duration s, MP3 frames to send with it) for each speakable sentence."""
        per_second = self.chars_per_second * (1 + rate / 100)
        sentences = [s.strip() for s in _SENTENCE.findall(text) if speakable(s)]
        plan = []
        start, covered = LEAD, 0
        for number, sentence in enumerate(sentences):
            duration = speakable(sentence) / per_second
            end = start + duration + (TAIL if number == len(sentences) - 1 else 0.0)
            frames = math.ceil(end / FRAME_SECONDS - 1e-9) - covered
            plan.append((sentence, start, duration, frames))
            covered += frames
            start += duration
        return plan


def _short_voice(name: str) -> str:
    """edge-tts sends "Microsoft Server Speech … Voice (zh-CN, YunyangNeural)"; record zh-CN-YunyangNeural."""
    long = _LONG_VOICE.match(name)
    return f"{long[1]}-{long[2]}" if long else name


def _percent(value: str) -> float:
    return float(value.rstrip("%") or 0)


def _text_frame(request_id: str, path: str, body: dict) -> str:
    headers = [f"X-RequestId:{request_id}", "Content-Type:application/json; charset=utf-8", f"Path:{path}"]
    return "\r\n".join(headers) + "\r\n\r\n" + json.dumps(body, ensure_ascii=False)


def _audio_frame(request_id: str, audio: bytes) -> bytes:
    """2-byte header length, header lines (Path not first: the library mangles line one), MP3."""
    lines = [f"X-RequestId:{request_id}"]
    if audio:
        lines.append("Content-Type:audio/mpeg")
    lines += [f"X-StreamId:{request_id.upper()}", "Path:audio"]
    header = "".join(line + "\r\n" for line in lines).encode()
    return len(header).to_bytes(2, "big") + header + audio
