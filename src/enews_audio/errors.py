"""The errors a user can cause or meet, each rendered by the CLI as one line.

    EnewsError                      exit 1
    ├── SourceError                 the issue can't be read (file, line, what is wrong)
    ├── TextError                   an article can't be turned into speech text
    ├── SpeechError                 exit 3
    │   ├── EngineUnavailableError  network, 5xx, timeouts, truncated audio: worth retrying
    │   ├── UnknownVoiceError       not retried
    │   ├── MissingModelError       an offline engine's weights or voice files are not installed
    │   └── ClipStoreError          the clip store (a folder or S3) can't be read or written
    ├── AudioError
    ├── PublishError
    └── UsageError                  exit 2: a bad option value

Programmer errors stay ``TypeError``/``ValueError`` and keep their traceback.
"""

from __future__ import annotations


class EnewsError(Exception):
    exit_code = 1


class SourceError(EnewsError):
    pass


class TextError(EnewsError):
    pass


class SpeechError(EnewsError):
    exit_code = 3


class EngineUnavailableError(SpeechError):
    pass


class UnknownVoiceError(SpeechError):
    pass


class MissingModelError(SpeechError):
    pass


class ClipStoreError(SpeechError):
    pass


class AudioError(EnewsError):
    pass


class PublishError(EnewsError):
    pass


class UsageError(EnewsError):
    exit_code = 2
