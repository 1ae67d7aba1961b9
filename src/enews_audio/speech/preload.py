"""What every offline voice worker needs before its first clip, loaded once a run instead of once a worker.

The voice pool's fork server (``pool.py``) imports this module when it starts, before it forks any worker:
the workers start with the worker module, pypinyin's phrase tables, misaki, cn2an, onnxruntime and jieba's
dictionary already in memory (1.4 s of CPU of a spawned worker's 2.3 s start, measured in BENCHMARKS.md
"Start-up"). The model session is not made here: its thread count is the pool's, and an onnxruntime session
is not something to fork; each worker makes its own.

Nothing here may stop the fork server: a part that cannot be loaded is left to the worker, which loads it
itself and reports what is wrong as it always does.
"""

from __future__ import annotations

import contextlib

import enews_audio.speech.worker  # noqa: F401  (what every task runs)

with contextlib.suppress(Exception):
    import onnxruntime  # noqa: F401

    from enews_audio.pinyin import load_jieba
    from enews_audio.speech import offline, phonemes  # noqa: F401

    load_jieba()
