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
    """A message for the user: always one printable line of at most ``MAX_LENGTH`` characters.

    Messages quote the input they complain about, and input can be anything (a 1 MB line, a vertical tab
    or a line separator inside a name), so the message is made safe here, once, for every error.
    """

    exit_code = 1
    MAX_LENGTH = 1000

    def __init__(self, *args: object) -> None:
        if len(args) == 1 and isinstance(args[0], str):
            args = (_one_line(args[0], self.MAX_LENGTH),)
        super().__init__(*args)


def printable(text: str) -> str:
    """``text`` with anything a terminal would act on (newlines, escape codes, line or paragraph separators)
    written as an escape."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _one_line(message: str, limit: int) -> str:
    message = printable(message)
    if len(message) > limit:  # the start names the file and line; the end says what is wrong
        keep = limit - 5
        message = f"{message[: keep * 3 // 4]} […] {message[-(keep - keep * 3 // 4) :]}"
    return message


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
