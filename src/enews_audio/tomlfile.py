"""Read a TOML settings file into its declared schema; every way it can fail is one line of the caller's error.

Each settings file (paper config, issue.toml, e-paper profiles, presets, lexicons, script templates, and the
build options a batch file will list) is declared once as a ``Schema``: a frozen msgspec Struct that refuses
unknown keys. ``convert`` is the one place that turns msgspec's ``ValidationError`` into
``file:line: key.path: what is wrong``, naming the value that was there and, where the schema says so, the
values allowed. A check that types cannot express goes in the struct's ``__post_init__`` and raises
``Invalid(key, what)``; it is rendered the same way.

Why msgspec (measured here, Python 3.11, 2 shared cores): import 24 ms (pydantic 64 ms plus ~80 ms to build
the first adapter; cattrs 36 ms); 0.7 MB installed (pydantic 9.7 MB, though typer already brings it; cattrs
0.75 MB); strict for TOML's types out of the box ("30" is not a number, "yes" not a boolean) where pydantic
needs strict mode, which refuses tables for dataclasses and lists for tuples, and cattrs converts silently
(3 becomes "3"); its error names the key path (``$.pages[0].articles[1].title``) and the expected type; the
bad value it leaves out is looked up here. Its messages are English text, read here by their wording (pinned
in pyproject, and by a test); nothing is converted twice to guess what failed: an entry of a table msgspec
does not name is found by a plain type check, or the table is named.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from enews_audio.errors import EnewsError

T = TypeVar("T")
Key = str | int
_AT = re.compile(r"(?P<what>.*?)(?: - at `\$(?P<path>[^`]*)`)?", re.S)
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")
_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_NAMES: dict[type, str] = {
    str: "a string",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    dt.date: "a date like 2026-01-02",
    Path: "a file name",
}


# The TOML values each plain type takes (a float takes a whole number; a file name is written as a string).
_TOML_TYPES: dict[type, tuple[type, ...]] = {
    str: (str,),
    int: (int,),
    float: (int, float),
    bool: (bool,),
    dt.date: (dt.date,),
    Path: (str,),
}


class Schema(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A settings table: typed, immutable, and no key it does not declare."""


class Invalid(ValueError):
    """A schema's own check failed: ``keys`` lead from the struct to the value, ``what`` says what is wrong."""

    def __init__(self, keys: str | tuple[Key, ...], what: str) -> None:
        self.keys = (keys,) if isinstance(keys, str) else keys
        self.what = what
        super().__init__(f"{_dotted(self.keys)}: {what}")


def read_toml(
    path: Path,
    error: type[EnewsError],
    what: str,
    *,
    where: str | None = None,
    read: Callable[[Path], str] | None = None,
) -> tuple[dict[str, Any], str]:
    """The parsed file and its text; a missing, unreadable or malformed one raises ``error`` naming the path.

    ``where`` names the file in a syntax error (default: its path); ``read`` decodes it (default: UTF-8),
    for a caller that tells more about a wrong encoding.
    """
    try:
        text = read(path) if read else path.read_text(encoding="utf-8")
        return tomllib.loads(text), text
    except FileNotFoundError:
        raise error(f"{what} {path} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{what} {path}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from exc
    except RecursionError:  # tomllib parses nested arrays and tables by recursion
        raise error(f"{what} {path}: not valid TOML (nested too deeply)") from None
    except tomllib.TOMLDecodeError as exc:
        message = " ".join(str(exc).split())
        at = _TOML_WHERE.search(message)
        where = str(path) if where is None else where
        place = f"{where}:{at[1]}:{at[2]}" if at else where
        raise error(f"{place}: not valid TOML: {_TOML_WHERE.sub('', message)}") from exc


def load_toml(
    path: Path,
    schema: type[T],
    error: type[EnewsError],
    what: str,
    *,
    where: str | None = None,
    read: Callable[[Path], str] | None = None,
) -> T:
    """Read ``path`` into ``schema``; file names in it are taken relative to the file's folder."""
    where = str(path) if where is None else where
    data, text = read_toml(path, error, what, where=where, read=read)
    return convert(data, schema, error, where=where, text=text, base=path.parent)


def convert(
    data: Mapping[str, Any],
    schema: type[T],
    error: type[EnewsError],
    *,
    where: str,
    text: str = "",
    base: Path | None = None,
    at: tuple[Key, ...] = (),
) -> T:
    """``data`` (parsed TOML, or options given some other way) as ``schema``, or one ``error`` line.

    ``where`` names the source ("issue.toml", "preset /x/slow.toml"); ``text`` is the file's text, to find
    the line of a bad key; ``base`` is the folder relative file names are resolved against; ``at`` is where
    ``data`` sits in the file, when it is one table of it (``("paper", 2)``).
    """
    try:
        return msgspec.convert(data, schema, dec_hook=_decoder(base))
    except msgspec.ValidationError as exc:
        raise error(describe(exc, data, schema, where, text, at)) from None


def describe(
    exc: msgspec.ValidationError, data: Any, schema: Any, where: str, text: str = "", at: tuple[Key, ...] = ()
) -> str:
    """``where:line: key.path: what is wrong`` for a failed conversion of ``data`` to ``schema``."""
    match = _AT.fullmatch(str(exc))
    assert match is not None  # the pattern matches any text
    said, keys = match["what"], list(at)
    node, kind = data, schema
    for name, index in _STEP.findall(match["path"] or ""):
        if index == "...":  # an entry of a table, which msgspec does not name
            key = _wrong_entry(node, kind)
            if key is None:  # of a type no plain check tells: the table is named instead
                return message(where, keys, f"must be {_expected(kind)}", text)
        else:
            key = name or int(index)
        keys.append(key)
        node, kind = _child(node, key), _child_type(kind, key)
    cause = exc.__cause__
    if isinstance(cause, Invalid):
        keys += cause.keys
        what = cause.what
    elif found := re.fullmatch(r"Object missing required field `(.+)`", said):
        keys.append(found[1])
        example = _meta(_child_type(kind, found[1]), "examples")
        what = f"missing (like {found[1]} = {shown(example[0])})" if example else "missing"
    elif found := re.fullmatch(r"Object contains unknown field `(.+)`", said):
        keys.append(found[1])
        noun = "table" if isinstance(_child(node, found[1]), dict) else "key"
        what = f"unknown {noun} (known: {', '.join(_fields(kind))})"
    elif said.startswith(("Expected", "Invalid")) and kind is not None:
        what = f"must be {_expected(kind)}, not {shown(node)}"
    else:
        what = f"{said[:1].lower()}{said[1:]}"
        if said.startswith(("Expected", "Invalid")):
            what += f", not {shown(node)}"
    return message(where, keys, what, text)


def message(where: str, keys: Iterable[Key], what: str, text: str = "") -> str:
    """The one line: ``where:line: key.path: what``; the line when ``text`` shows it."""
    keys = tuple(keys)
    line = line_of(text, keys) if text else None
    place = f"{where}:{line}" if line else where
    return f"{place}: {_dotted(keys)}: {what}" if keys else f"{place}: {what}"


def line_of(text: str, keys: Iterable[Key]) -> int | None:
    """The line where ``keys`` is written (its table's header when the key itself is missing), or None.

    Written by hand: TOML parsers keep no positions. It follows ``[table]`` and ``[[array]]`` headers (the
    n-th ``[[pages]]`` for ``pages[n]``), then a ``key =`` line before the next header; an inline table
    or a dotted key is not followed, and then no line is told.
    """
    lines = text.splitlines()
    keys = list(keys)
    body, table, found, located = 0, [], None, True  # the root table needs no header
    for i, key in enumerate(keys):
        if isinstance(key, int):
            continue
        following = keys[i + 1] if i + 1 < len(keys) else None
        if following is None:
            if not located:
                return found
            for number in range(body, len(lines)):
                stripped = lines[number].lstrip()
                if stripped.startswith("["):
                    break
                if _assigns(stripped, key):
                    return number + 1
            wanted = (*table, key)  # a table of its own: [key] or [[key]]
            return next(
                (n + 1 for n in range(body, len(lines)) if (_header(lines[n]) or ((),))[0] == wanted), found
            )
        table.append(key)
        double = isinstance(following, int)
        wanted = following + 1 if isinstance(following, int) else 1
        hits = [n for n in range(body, len(lines)) if _header(lines[n]) == (tuple(table), double)]
        if len(hits) >= wanted:
            body = found = hits[wanted - 1] + 1
            located = True
        elif double:
            return found
        else:
            located = False  # a table without its own header ([a.b.c] only): look deeper
    return found


def _header(line: str) -> tuple[tuple[str, ...], bool] | None:
    stripped = line.strip()
    double = stripped.startswith("[[")
    found = re.match(r"\[\[?\s*(.+?)\s*\]\]?\s*(?:#.*)?$", stripped)
    if not found:
        return None
    parts = re.findall(r"\"([^\"]*)\"|'([^']*)'|([^.\s]+)", found[1])
    return tuple(next(p for p in part if p) for part in parts), double


def _assigns(line: str, key: str) -> bool:
    forms = (key, f'"{key}"', f"'{key}'")
    return any(line.startswith(form) and line[len(form) :].lstrip().startswith("=") for form in forms)


def _dotted(keys: Iterable[Key]) -> str:
    out = ""
    for key in keys:
        out += f"[{key}]" if isinstance(key, int) else f".{key}" if out else key
    return out


def shown(value: Any) -> str:
    """A value as the user wrote it in TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _decoder(base: Path | None) -> Callable[[type, Any], Any]:
    def decode(kind: type, value: Any) -> Any:
        if kind is Path:
            if isinstance(value, Path):
                return value
            if isinstance(value, str) and value.strip():
                return base / value if base else Path(value)
            raise TypeError(f"must be a file name, not {shown(value)}")
        raise NotImplementedError(kind)

    return decode


# --- walking the schema's Python types alongside the data ------------------------------------------------


def _child(node: Any, key: Key) -> Any:
    try:
        return node[key]
    except (KeyError, IndexError, TypeError):
        return None


def _plain(kind: Any) -> Any:
    """``kind`` without Annotated and without ``None`` in a union."""
    while typing.get_origin(kind) is typing.Annotated:
        kind = typing.get_args(kind)[0]
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        arms = [a for a in typing.get_args(kind) if a is not type(None)]
        if len(arms) == 1:
            return _plain(arms[0])
    return kind


def _wrong_entry(table: Any, kind: Any) -> str | None:
    """The first entry of ``table`` (a TOML table read as ``kind``, a dict) whose value is not of the plain
    type the dict declares (a string, a number…); None when the values are of another kind."""
    fits = _TOML_TYPES.get(_plain(_child_type(kind, "")))
    if not isinstance(table, dict) or fits is None:
        return None
    return next((k for k, v in table.items() if type(v) not in fits), None)


def _child_type(kind: Any, key: Key) -> Any:
    """The declared type of ``kind``'s entry ``key``; None where the schema says no one type (a union)."""
    kind = _plain(kind)
    origin = typing.get_origin(kind)
    if isinstance(key, int):
        return typing.get_args(kind)[0] if origin in (tuple, list) else None
    if origin is dict:
        return typing.get_args(kind)[1]
    if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
        hints = typing.get_type_hints(kind, include_extras=True)
        names = dict(zip(kind.__struct_encode_fields__, kind.__struct_fields__, strict=True))
        return hints.get(names.get(key, ""))
    return None


def _fields(kind: Any) -> list[str]:
    kind = _plain(kind)
    if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
        return sorted(kind.__struct_encode_fields__)
    return []


def _meta(kind: Any, name: str) -> Any:
    while typing.get_origin(kind) is typing.Annotated:
        for extra in typing.get_args(kind)[1:]:
            if isinstance(extra, msgspec.Meta) and getattr(extra, name) is not None:
                return getattr(extra, name)
        kind = typing.get_args(kind)[0]
    return None


def _expected(kind: Any) -> str:
    """What a value of ``kind`` looks like, in the user's words."""
    if (arms := typing.get_args(kind)) and type(None) in arms and len(arms) == 2:
        return _expected(next(a for a in arms if a is not type(None)))  # "or nothing" goes without saying
    if description := _meta(kind, "description"):
        return description
    low, high = _meta(kind, "ge"), _meta(kind, "le")
    kind = _plain(kind)
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is typing.Literal:
        return "one of " + ", ".join(shown(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_expected(a) for a in args)
    if origin in (tuple, list):
        return f"a list of {_plural(args[0])}"
    if origin is dict:
        return f"a table of {_plural(args[1])}"
    if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
        return "a table"
    name = _NAMES.get(kind, getattr(kind, "__name__", str(kind)))
    if low is not None and high is not None:
        return f"{name} in {low}..{high}"
    return f"{name} ≥ {low}" if low is not None else f"{name} ≤ {high}" if high is not None else name


def _plural(kind: Any) -> str:
    """Values of ``kind``, said of many: "whole numbers", "lists of strings"."""
    one = _expected(kind)
    for single, many in (("a list of ", "lists of "), ("a table of ", "tables of ")):
        if one.startswith(single):
            return many + one.removeprefix(single)
    plain = {
        "a string": "strings",
        "a table": "tables",
        "a whole number": "whole numbers",
        "a number": "numbers",
    }
    return plain.get(one, one)


__all__ = [
    "Invalid",
    "Schema",
    "convert",
    "describe",
    "line_of",
    "load_toml",
    "message",
    "read_toml",
    "shown",
]
