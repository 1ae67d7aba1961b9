"""The one mapping from a schema's validation error to `file:line: key.path: what is wrong`."""

import datetime as dt
from typing import Annotated, Literal

import msgspec
import pytest
from msgspec import Meta

from enews_audio.errors import UsageError
from enews_audio.tomlfile import Schema, convert, line_of

TEXT = """title = "x"
[[pages]]
code = "A01"
[[pages.articles]]
title = "一"
[[pages]]
code = "A02"
[[pages.articles]]
title = "二"
[[pages.articles]]
title = 3
[voices."zh-CN-YunxiNeural".substitutions]
"重庆" = "崇庆"
"""


@pytest.mark.parametrize(
    ("keys", "line"),
    [
        (("title",), 1),
        (("pages", 1, "code"), 7),
        (("pages", 1, "articles", 1, "title"), 11),
        (("pages", 0, "articles", 0, "byline"), 4),  # missing: its table's header
        (("voices", "zh-CN-YunxiNeural", "substitutions", "重庆"), 13),
        (("pages", 5, "code"), None),
    ],
)
def test_line_of_follows_headers_and_arrays_of_tables(keys, line):
    assert line_of(TEXT, keys) == line


class _Article(Schema):
    title: str
    kind: Literal["news", "photo"] = "news"


class _Page(Schema):
    code: str
    articles: tuple[_Article, ...] = ()


class _File(Schema):
    title: str = ""
    pages: tuple[_Page, ...] = ()
    keep: Annotated[int, Meta(ge=1, le=99)] = 3
    day: dt.date | None = None
    readings: dict[str, str] = msgspec.field(default_factory=dict)
    shapes: dict[str, tuple[int, ...]] = msgspec.field(default_factory=dict)
    match: str | tuple[str, ...] = ()


def _error(data: dict, text: str = TEXT) -> str:
    with pytest.raises(UsageError) as caught:
        convert(data, _File, UsageError, where="f.toml", text=text)
    return str(caught.value)


def test_an_error_names_the_key_path_the_expected_type_and_the_bad_value():
    data = {"pages": [{"code": "A01", "articles": [{"title": "一"}, {"title": 3}]}]}
    assert _error(data) == "f.toml:9: pages[0].articles[1].title: must be a string, not 3"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"keep": 100}, "f.toml: keep: must be a whole number in 1..99, not 100"),
        ({"keep": "3"}, 'f.toml: keep: must be a whole number in 1..99, not "3"'),
        ({"day": "明天"}, 'f.toml: day: must be a date like 2026-01-02, not "明天"'),
        ({"pages": [{"code": "A01", "articles": [{"title": "一", "kind": "ad"}]}]},
         'f.toml: pages[0].articles[0].kind: must be one of "news", "photo", not "ad"'),
        ({"pages": [{"articles": []}]}, "f.toml: pages[0].code: missing"),
        ({"titel": "x"}, "f.toml: titel: unknown key (known: day, keep, match, pages, readings, shapes, title)"),
        # an entry of a table, which msgspec does not name: the first of the wrong plain type …
        ({"readings": {"天台": "tian1 tai1", "乐清": 3}}, "f.toml: readings.乐清: must be a string, not 3"),
        # … or, for values no plain check tells, the table
        ({"shapes": {"a": [1], "b": ["x"]}}, "f.toml: shapes: must be a table of lists of whole numbers"),
        ({"match": 3}, "f.toml: match: must be a string or a list of strings, not 3"),
        ({"pages": "A01"}, 'f.toml: pages: must be a list of tables, not "A01"'),
    ],
)  # fmt: skip
def test_what_is_wrong_in_the_users_words(data, expected):
    assert _error(data, text="") == expected


class Pinned(msgspec.Struct, forbid_unknown_fields=True):
    n: int


class PinnedList(msgspec.Struct):
    n: list[int]


@pytest.mark.parametrize(
    ("value", "schema", "said"),
    [
        ({"a": "x"}, dict[str, int], "Expected `int`, got `str` - at `$[...]`"),
        ({}, Pinned, "Object missing required field `n`"),
        ({"n": 1, "m": 2}, Pinned, "Object contains unknown field `m`"),
        ({"n": [1, "x"]}, PinnedList, "Expected `int`, got `str` - at `$.n[1]`"),
    ],
)
def test_msgspecs_message_wording_is_what_describe_reads(value, schema, said):
    """``describe`` parses msgspec's English messages; a release that words them otherwise fails here first
    (pyproject pins msgspec below the next minor release)."""
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.convert(value, schema)
    assert str(caught.value) == said
