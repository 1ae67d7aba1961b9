"""Mistakes on the command line (a bad date, a number out of range, an unknown choice) as our one ``error:``
line and exit 2, like every other error: click's own rendering prints a usage block and its format strings
(``%Y-%m-%d``), which a screen reader reads out whole and cron mails as noise."""

from __future__ import annotations

import datetime as dt
import re
import sys
from typing import Any

import typer
from rich.console import Console
from typer.core import TyperGroup

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def day(value: str | dt.date) -> dt.date:
    """A day written as 2025-12-31 (typer's own date option names its ``%Y-%m-%d`` format in errors)."""
    if isinstance(value, dt.date):
        return value
    if not _DAY.fullmatch(value):
        raise typer.BadParameter(f"{value!r} is not a date like 2025-12-31", param_hint="--date")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:  # 2025-13-01: "month must be in 1..12"
        raise typer.BadParameter(f"{value!r} is not a date ({exc})", param_hint="--date") from None


class OneLineErrors(TyperGroup):
    """The command group, rendering click's usage errors as one ``error:`` line on stderr."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except typer.TyperException as exc:  # click's usage errors, as typer vendors them
            if type(exc).__name__ == "NoArgsIsHelpError":
                exc.show()  # type: ignore[attr-defined]  # the help, asked for by giving no arguments
            else:
                Console(stderr=True, soft_wrap=True).print(
                    f"error: {line(exc)}", markup=False, highlight=False
                )
            sys.exit(getattr(exc, "exit_code", 2))
        except typer.Abort:  # Ctrl-C
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)


def line(exc: Exception) -> str:
    """``--date: '2025/12/31' is not a date like 2025-12-31``: the option, then what is wrong with it."""
    if isinstance(exc, typer.BadParameter) and exc.message:
        param = exc.param
        hint = exc.param_hint or (param and (param.opts[0] if param.opts else param.human_readable_name))
        if hint:
            return f"{hint}: {_plain(exc.message)}"
    return _plain(exc.format_message())  # type: ignore[attr-defined]


# What typer's coercion (pydantic) says, in the words our other errors use.
_SAID = (
    (re.compile(r"Input should be greater than or equal to (\S+)"), r"must be ≥ \1"),
    (re.compile(r"Input should be less than or equal to (\S+)"), r"must be ≤ \1"),
    (re.compile(r"Input should be a valid integer.*"), "must be a whole number"),
    (re.compile(r"Input should be a valid number.*"), "must be a number"),
)


def _plain(message: str) -> str:
    """One line, in our words where typer's coercion has its own."""
    message = " ".join(message.split()).removeprefix("Value error, ").rstrip(".")
    for said, ours in _SAID:
        message = said.sub(ours, message)
    return message
