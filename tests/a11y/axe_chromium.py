"""Run axe-core on pages in headless Chromium over the DevTools protocol (no browser download, no node at run time).

Needs Debian's ``chromium`` and ``npm ci --prefix tests/a11y`` (axe-core pinned in package-lock.json).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
_BROWSERS = ("chromium", "chromium-browser", "google-chrome")
# Quiet, sandbox-free Chromium that asks nothing of the network by itself (browser.py uses them too).
QUIET_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
_FLAGS = ("--headless", *QUIET_FLAGS, "--remote-debugging-port=0")
_TIMEOUT = 30.0


def missing() -> str | None:
    """Why axe can't run here, or None when it can."""
    if not _browser():
        return "headless Chromium not installed (apt-get install chromium)"
    if not AXE_JS.is_file():
        return "axe-core not installed (npm ci --prefix tests/a11y)"
    return None


class Chromium:
    """One headless browser for a test module; ``violations(url)`` loads a page and runs axe on it."""

    def __init__(self) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="enews-chromium-")
        browser = _browser()
        assert browser, missing()
        self._process = subprocess.Popen(
            [browser, *_FLAGS, f"--user-data-dir={self._profile.name}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its helpers (crashpad, zygotes) in one group, ended together
        )
        self._port = self._wait_for_port()

    def close(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        # a helper still writing into the profile made its removal fail now and then ("Directory not empty")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._process.pid, signal.SIGKILL)
        self._profile.cleanup()

    def violations(self, url: str, *, dark: bool = False) -> list[dict[str, Any]]:
        return asyncio.run(asyncio.wait_for(self._axe(url, dark), _TIMEOUT))

    def press_enter(self, url: str, selector: str, probe: str) -> Any:
        """Focus ``selector``, press Enter as a keyboard user would, then return ``probe`` once it is truthy."""
        return asyncio.run(asyncio.wait_for(self._press_enter(url, selector, probe), _TIMEOUT))

    def evaluate(self, url: str, expression: str) -> Any:
        """The value of a JavaScript ``expression`` on ``url`` once it has loaded (its scripts have run)."""
        return asyncio.run(asyncio.wait_for(self._evaluate(url, expression), _TIMEOUT))

    async def _evaluate(self, url: str, expression: str) -> Any:
        async with self._tab(url) as page:
            return await page.evaluate(expression)

    def _wait_for_port(self) -> int:
        marker = Path(self._profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + _TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"chromium exited with {self._process.returncode}")
            if marker.is_file() and (lines := marker.read_text().split()):
                return int(lines[0])
            time.sleep(0.05)
        raise TimeoutError("chromium did not open its DevTools port")

    async def _axe(self, url: str, dark: bool) -> list[dict[str, Any]]:
        async with self._tab(url, dark=dark) as page:
            await page.evaluate(AXE_JS.read_text(encoding="utf-8"))
            found = await page.evaluate(
                "axe.run(document).then(r => JSON.stringify(r.violations))", awaitPromise=True
            )
            return json.loads(found)

    async def _press_enter(self, url: str, selector: str, probe: str) -> Any:
        async with self._tab(url) as page:
            await page.evaluate(f"document.querySelector({json.dumps(selector)}).focus()")
            for kind in ("keyDown", "keyUp"):
                await page.call(
                    "Input.dispatchKeyEvent",
                    type=kind,
                    key="Enter",
                    code="Enter",
                    windowsVirtualKeyCode=13,
                    **({"text": "\r"} if kind == "keyDown" else {}),
                )
            while not (value := await page.evaluate(probe)):
                await asyncio.sleep(0.05)
            return value

    @contextlib.asynccontextmanager
    async def _tab(self, url: str, *, dark: bool = False) -> AsyncIterator[_Session]:
        """A new tab showing ``url`` after its load event, closed afterwards."""
        async with aiohttp.ClientSession() as session:
            async with session.put(f"http://127.0.0.1:{self._port}/json/new?about:blank") as response:
                target = await response.json(content_type=None)
            try:
                async with session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                    page = _Session(ws)
                    await page.call("Page.enable")
                    if dark:
                        features = [{"name": "prefers-color-scheme", "value": "dark"}]
                        await page.call("Emulation.setEmulatedMedia", features=features)
                    await page.call("Page.navigate", url=url)
                    await page.event("Page.loadEventFired")
                    yield page
            finally:
                close = f"http://127.0.0.1:{self._port}/json/close/{target['id']}"
                async with session.get(close) as response:
                    await response.read()


class _Session:
    """Just enough of the DevTools protocol: numbered calls, and waiting for an event."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self._ids = itertools.count(1)
        self._events: list[str] = []

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self._ids)
        await self._ws.send_json({"id": number, "method": method, "params": params})
        while True:
            message = await self._ws.receive_json()
            if message.get("id") == number:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]
            if "method" in message:
                self._events.append(message["method"])

    async def event(self, name: str) -> None:
        while name not in self._events:
            message = await self._ws.receive_json()
            if "method" in message:
                self._events.append(message["method"])

    async def evaluate(self, expression: str, **options: Any) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True, **options)
        if "exceptionDetails" in result:
            raise RuntimeError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")


def _browser() -> str | None:
    return next((path for name in _BROWSERS if (path := shutil.which(name))), None)
