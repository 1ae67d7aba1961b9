"""One engine's working life for a build: every call on one event loop, in one thread of its own."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, TypeVar

from enews_audio.model import Clip, Progress
from enews_audio.speech.engine import Engine
from enews_audio.speech.executor import Executor, SpeechSettings
from enews_audio.speech.placeholder import placeholder_clip
from enews_audio.speech.schedule import SpeechResult, run

T = TypeVar("T")


class Session:
    """``with Session(engine, settings, executor) as session:`` speaks for one build, then closes the engine.

    An engine may keep connections (a pool, a websocket) between calls, and those belong to the event loop
    that opened them; so synthesis, the placeholder and closing all run on one loop, which lives in a thread
    of its own (the caller may have a loop of its own, or none). Leaving the block closes the engine
    (``aclose``) on that loop and ends it, also after an error or Ctrl-C, which cancel the call still running.
    ``asyncio.Runner`` keeps one loop too, but in the caller's thread, where a waiting caller could not cancel.

    The texts are spoken by ``executor`` (see ``speech.executor``), which is the caller's and stays open
    for its next build: a ``Speaker`` makes both and opens sessions on them.
    """

    def __init__(self, engine: Engine, settings: SpeechSettings, executor: Executor) -> None:
        self.engine = engine
        self.settings = settings
        self.executor = executor
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="speech", daemon=True)
        self._thread.start()
        self._open = True

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def synthesize(
        self,
        texts: Sequence[str],
        on_progress: Callable[[Progress], None] | None = None,
        on_settled: Callable[[str, Clip | None], None] | None = None,
    ) -> SpeechResult:
        """Clips for every distinct text, from the cache where possible; failures are reported, not raised.

        ``on_settled(text, clip_or_None)`` is called (from the session's thread) as each text is done, so a
        caller can start on finished work while the rest is still being spoken.
        """
        return self._run(run(texts, self.engine, self.settings, self.executor, on_progress, on_settled))

    def placeholder(self) -> Clip:
        """What is heard where a sentence could not be spoken (see ``placeholder.placeholder_clip``)."""
        return self._run(placeholder_clip(self.engine, self.settings, self.executor))

    def close(self) -> None:
        """Cancel what still runs, close the engine on its loop and end the loop; a second call does nothing."""
        if not self._open:
            return
        self._open = False
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result()
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()

    async def _shutdown(self) -> None:
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:  # left by a call that failed or was interrupted
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        try:
            await self.engine.aclose()
        finally:
            await self._loop.shutdown_asyncgens()
            await self._loop.shutdown_default_executor()

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        if not self._open:
            coro.close()
            raise RuntimeError("the speech session is closed")
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()  # Ctrl-C while waiting: the call must not go on speaking behind our back
            raise
