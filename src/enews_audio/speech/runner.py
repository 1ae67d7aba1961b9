"""Run one coroutine, with a loop of its own, from synchronous code: for work that outlives no loop.

The auto probe (a throwaway engine, probed and closed) and the voice list refresh use it; a build's engine
lives in a ``Session``, whose one loop serves all its calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    # A fresh loop in a worker thread, as edge-tts's save_sync does: safe when the caller already has a loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
