"""Mangled input never crashes: property-based tests over every reader of user input.

Reader exports, issue.toml manifests, the settings file and saved e-paper pages are mangled (cut short,
random bytes, lines dropped or repeated, impossible dates, a 1 MB line, deep or huge HTML, wrong charsets)
and read through the public entry points ``load_issue`` and ``load_config``. The only outcomes allowed
are an issue (or settings) or an ``EnewsError`` whose message is one short printable line. Examples are
derandomized and bounded, so a run is the same everywhere and takes seconds.
"""

import datetime as dt
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from enews_audio.errors import EnewsError
from enews_audio.model import Issue
from enews_audio.pipeline.config import Config, load_config
from enews_audio.sources import load_issue
from support.epaper_server import EPAPER

MAX_MESSAGE = 1000
FAST = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
MEGABYTE_LINE = "闻" * 350_000  # a 1 MB line in UTF-8


def outcome(read, path):
    """What reading ``path`` gives: the parsed value, or the error's message; anything else fails the test."""
    try:
        return read(path)
    except EnewsError as exc:
        message = str(exc)
        assert message.strip(), "an empty error message"
        assert message.isprintable(), f"not one printable line: {message[:200]!r}"
        assert len(message) <= MAX_MESSAGE, f"a {len(message)}-character message"
        return message


@given(st.text(max_size=3000))
@settings(FAST)
@example("paper \x0b\x85\u2028\u2029\x1b[31m name\n" + "闻" * 400_000)
def test_every_error_message_is_one_printable_line_of_at_most_1000_characters(text):
    message = str(EnewsError(f"x.txt:3: 版面 {text} is wrong"))
    assert message.isprintable() and len(message) <= MAX_MESSAGE
    assert message.startswith("x.txt:3: 版面") and message.endswith("is wrong")


@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory(prefix="enews-mangled-") as folder:
        yield Path(folder)


# Reader exports

EXPORT = [
    "电子报阅读机",
    "2026-01-03",
    "星期六",
    "当前报纸名称:海湾日报",
    "",
    "港区新航线开通 首班货轮靠泊",
    "",
    "日期:12-31",
    "字号:",
    "版面:A03版:经济\u00a0\u00a0\u00a0 上一篇    下一篇",
    "",
    "  记者 林涛 实习生 许可",
    "",
    "  12月31日上午,海港区新航线正式开通。",
    "",
    "  首班货轮满载集装箱靠泊。",
]

LINE_EDITS = st.one_of(
    st.tuples(st.just("drop"), st.integers(0, 40)),
    st.tuples(st.just("repeat"), st.integers(0, 40)),
    st.tuples(st.just("insert"), st.integers(0, 40), st.text(max_size=40)),
    st.tuples(st.just("date"), st.integers(0, 99), st.integers(0, 99)),
    st.tuples(st.just("export date"), st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)),
    st.tuples(st.just("page"), st.text(max_size=12)),
)
BYTE_EDITS = st.one_of(
    st.tuples(st.just("cut"), st.integers(0, 600)),
    st.tuples(st.just("bytes"), st.integers(0, 600), st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("encoding"), st.sampled_from(["gb18030", "utf-16", "utf-8-sig", "latin-1"])),
)


def _edit_lines(lines, edit):
    kind, *args = edit
    at = args[0] % (len(lines) + 1) if kind in {"drop", "repeat", "insert"} else 0
    if kind == "drop" and at < len(lines):
        del lines[at]
    elif kind == "repeat" and at < len(lines):
        lines.insert(at, lines[at])
    elif kind == "insert":
        lines.insert(at, args[1])
    elif kind == "date":
        lines = [f"日期:{args[0]:02d}-{args[1]:02d}" if line.startswith("日期") else line for line in lines]
    elif kind == "export date":
        lines = [
            f"{args[0]:04d}-{args[1]:02d}-{args[2]:02d}" if line == "2026-01-03" else line for line in lines
        ]
    elif kind == "page":
        lines = [f"版面:{args[0]}" if line.startswith("版面") else line for line in lines]
    return lines


def _edit_bytes(data, edit):
    kind, *args = edit
    if kind == "cut":
        return data[: args[0]]
    if kind == "bytes":
        at = args[0] % (len(data) + 1)
        return data[:at] + args[1] + data[at:]
    return data.decode("utf-8", errors="replace").encode(args[0], errors="replace")


@FAST
@given(lines=st.lists(LINE_EDITS, max_size=4), raw=st.lists(BYTE_EDITS, max_size=2))
@example(lines=[("date", 13, 45)], raw=[])
@example(lines=[("date", 2, 30)], raw=[])
@example(lines=[("date", 2, 29)], raw=[])  # 2025-02-29 does not exist, 2024-02-29 does
@example(lines=[("export date", 2026, 2, 30)], raw=[])
@example(lines=[("export date", 0, 1, 1)], raw=[])
@example(lines=[("insert", 12, MEGABYTE_LINE)], raw=[])
@example(lines=[("insert", 3, MEGABYTE_LINE)], raw=[])
@example(lines=[("page", " " * 1_000_000 + "A01版")], raw=[])
@example(lines=[("page", MEGABYTE_LINE)], raw=[])
@example(lines=[("repeat", 3), ("repeat", 9), ("repeat", 7)], raw=[])
@example(lines=[("drop", 3)], raw=[])
@example(lines=[("drop", 9)], raw=[])
@example(lines=[], raw=[("cut", 100)])
@example(lines=[], raw=[("encoding", "gb18030")])
@example(lines=[], raw=[("encoding", "utf-16")])
@example(lines=[("insert", 4, "当前报纸名称:\x0b\x85\u2028")], raw=[])
def test_a_mangled_reader_export_is_read_or_refused_in_one_line(scratch, lines, raw):
    text = EXPORT.copy()
    for edit in lines:
        text = _edit_lines(text, edit)
    data = "\n".join(text).encode("utf-8")
    for edit in raw:
        data = _edit_bytes(data, edit)
    path = scratch / "a03-1.txt"
    path.write_bytes(data)
    result = outcome(load_issue, path)
    assert isinstance(result, Issue | str)
    if not lines and not raw:
        assert isinstance(result, Issue)


# issue.toml manifests and the settings file, as TOML from random values


def toml_value(value):
    """A value as TOML (strings as JSON strings, which TOML's basic strings read the same)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)  # TOML reads inf, -inf and nan as Python writes them
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return (
        "{"
        + ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}" for k, v in value.items())
        + "}"
    )


SCALARS = st.one_of(
    st.text(max_size=30),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
)
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)  # fmt: skip
MANIFEST_KEYS = [
    "paper",
    "date",
    "pages",
    "code",
    "name",
    "articles",
    "title",
    "paragraphs",
    "byline",
    "captions",
]


def manifest(paper, date, pages):
    lines = [f"paper = {toml_value(paper)}", f"date = {date}"]
    for page in pages:
        lines.append("[[pages]]")
        lines += [f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}" for k, v in page.items()]
    return "\n".join(lines)


PAGES = st.lists(
    st.dictionaries(st.sampled_from(MANIFEST_KEYS) | st.text(max_size=6), VALUES, max_size=4), max_size=3
)
GOOD_PAGE = {"code": "A01", "name": "要闻", "articles": [{"title": "标题", "paragraphs": ["正文。"]}]}


@FAST
@given(
    paper=st.one_of(st.text(max_size=20), VALUES),
    date=st.one_of(st.dates().map(str), st.text(max_size=12).map(json.dumps), st.just("2026-02-30")),
    pages=PAGES,
    cut=st.none() | st.integers(0, 400),
)
@example(paper="海湾日报", date="2026-01-02", pages=[GOOD_PAGE], cut=None)
@example(paper="海湾日报", date="2026-02-30", pages=[GOOD_PAGE], cut=None)
@example(paper="海湾日报", date='"2026-13-45"', pages=[GOOD_PAGE], cut=None)
@example(paper="海湾日报", date="2026-01-02", pages=[GOOD_PAGE, GOOD_PAGE], cut=None)
@example(paper="海湾日报", date="2026-01-02", pages=[{**GOOD_PAGE, "code": "第１版"}], cut=None)
@example(paper="海湾日报", date="2026-01-02", pages=[{**GOOD_PAGE, "code": "A1"}, GOOD_PAGE], cut=None)
@example(paper=MEGABYTE_LINE, date="2026-01-02", pages=[GOOD_PAGE], cut=None)
@example(paper="海湾日报", date="2026-01-02", pages=[{**GOOD_PAGE, "name": MEGABYTE_LINE}], cut=None)
@example(paper="海湾日报", date="2026-01-02", pages=[{**GOOD_PAGE, "x": "[" * 5000}], cut=None)
@example(paper="海湾日报", date="2026-01-02", pages=[GOOD_PAGE], cut=60)
def test_a_mangled_manifest_is_read_or_refused_in_one_line(scratch, paper, date, pages, cut):
    text = manifest(paper, date, pages)
    path = scratch / "issue.toml"
    path.write_bytes(text.encode("utf-8")[:cut] if cut is not None else text.encode("utf-8"))
    result = outcome(load_issue, path)
    assert isinstance(result, Issue | str)
    if (paper, date, pages, cut) == ("海湾日报", "2026-01-02", [GOOD_PAGE], None):
        assert isinstance(result, Issue)


def test_a_deeply_nested_manifest_is_refused_in_one_line(scratch):
    path = scratch / "issue.toml"
    path.write_text(
        'paper = "海湾日报"\ndate = 2026-01-02\nx = ' + "[" * 100_000 + "]" * 100_000, encoding="utf-8"
    )
    assert isinstance(outcome(load_issue, path), str)


PAPER_KEYS = ["title", "author", "owner_email", "category", "base_url", "keep", "language", "description",
              "locked", "cover"]  # fmt: skip


@FAST
@given(
    table=st.dictionaries(st.sampled_from(PAPER_KEYS) | st.text(max_size=6), VALUES, max_size=5),
    top=st.dictionaries(st.text(max_size=6), VALUES, max_size=2),
    cut=st.none() | st.integers(0, 300),
)
@example(table={"cover": "\x00.jpg"}, top={}, cut=None)
@example(table={"cover": "x" * 5000 + ".png"}, top={}, cut=None)
@example(table={"cover": "../" * 50 + "etc/passwd.jpg"}, top={}, cut=None)
@example(table={"keep": 2**63 - 1}, top={}, cut=None)
@example(table={"base_url": "https://example.org/" + "a" * 1_000_000}, top={}, cut=None)
@example(table={"title": "山城晚报", "keep": 30}, top={}, cut=None)
def test_a_mangled_settings_file_is_read_or_refused_in_one_line(scratch, table, top, cut):
    lines = ["[paper]", *(f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}" for k, v in table.items())]
    lines = [*(f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}" for k, v in top.items()), *lines]
    data = "\n".join(lines).encode("utf-8")
    path = scratch / "enews-audio.toml"
    path.write_bytes(data[:cut] if cut is not None else data)
    result = outcome(load_config, path)
    assert isinstance(result, Config | str)
    if table == {"title": "山城晚报", "keep": 30} and not top and cut is None:
        assert isinstance(result, Config)


# Saved e-paper pages

PAGE = "html/2025-06/21/node_2.htm"
ARTICLE = "html/2025-06/21/content_101.htm"
CHARSETS = ["utf-16", "utf-32", "rot13", "base64", "hex", "zlib", "idna", "punycode", "undefined", "x-nonsense",
            "cp037", "utf-7", "unicode_escape", "shift_jis", "gb2312", "ascii", ""]  # fmt: skip
HTML_EDITS = st.one_of(
    st.tuples(st.just("cut"), st.integers(0, 3000)),
    st.tuples(st.just("bytes"), st.integers(0, 3000), st.binary(min_size=1, max_size=32)),
    st.tuples(
        st.just("nest"), st.integers(1, 50_000), st.sampled_from(["div", "p", "li", "span", "table", "b"])
    ),
    st.tuples(st.just("huge"), st.integers(1, 20_000)),
    st.tuples(st.just("charset"), st.sampled_from(CHARSETS)),
    st.tuples(st.just("text"), st.integers(0, 3000), st.text(max_size=40)),
)


def _edit_html(data, edit):
    kind, *args = edit
    if kind == "cut":
        return data[: args[0]]
    if kind in {"bytes", "text"}:
        at = args[0] % (len(data) + 1)
        piece = args[1] if kind == "bytes" else args[1].encode("utf-8")
        return data[:at] + piece + data[at:]
    if kind == "nest":
        depth, tag = args
        return data.replace(b"<body>", b"<body>" + f"<{tag}>".encode() * depth, 1)
    if kind == "huge":
        return data.replace(b"</body>", b'<p><a href="content_101.htm">x</a></p>' * args[0] + b"</body>", 1)
    declared = f'<meta charset="{args[0]}">'.encode()
    return data.replace(b"<head>", b"<head>" + declared, 1) if b"<head>" in data else declared + data


@pytest.fixture(scope="module")
def saved(scratch):
    folder = scratch / "saved"
    shutil.copytree(EPAPER / "classic", folder)
    return folder


@settings(FAST, max_examples=30)  # each example reads a whole issue of four pages
@given(which=st.sampled_from([PAGE, ARTICLE]), edits=st.lists(HTML_EDITS, min_size=1, max_size=3))
@example(which=PAGE, edits=[("nest", 10_000, "div")])
@example(which=ARTICLE, edits=[("nest", 10_000, "p")])
@example(which=ARTICLE, edits=[("nest", 5_000, "table")])
@example(which=PAGE, edits=[("huge", 5_000)])
@example(which=ARTICLE, edits=[("charset", "rot13")])
@example(which=ARTICLE, edits=[("charset", "base64")])
@example(which=ARTICLE, edits=[("charset", "idna")])
@example(which=ARTICLE, edits=[("charset", "undefined")])
@example(which=PAGE, edits=[("charset", "utf-16")])
@example(which=ARTICLE, edits=[("text", 900, MEGABYTE_LINE)])
@example(which=PAGE, edits=[("cut", 700)])
@example(which=ARTICLE, edits=[("cut", 0)])
def test_a_mangled_saved_e_paper_is_read_or_refused_in_one_line(saved, which, edits):
    original = (EPAPER / "classic" / which).read_bytes()
    data = original
    for edit in edits:
        data = _edit_html(data, edit)
    (saved / which).write_bytes(data)
    try:
        result = outcome(load_issue, saved)
    finally:
        (saved / which).write_bytes(original)
    assert isinstance(result, Issue | str)
