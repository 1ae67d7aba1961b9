"""WebVTT transcripts and Podcasting 2.0 chapters JSON, read back with webvtt-py and json."""

from __future__ import annotations

import html
import json

import pytest
import webvtt

from enews_audio.model import Chapter, Cue
from enews_audio.publish.transcript import (
    LINE_WIDTH,
    LINES_PER_CUE,
    chapters_json,
    timestamp,
    width,
    wrap,
)
from enews_audio.publish.transcript import (
    webvtt as render_webvtt,
)

LONG = (
    "据市交通委员会介绍，新建成的跨江大桥全长3.5公里，双向六车道，设计时速80公里，"
    "预计将于2026年6月正式通车，届时从南岸到北岸只需十分钟，比绕行老桥节省半小时以上。"
)
CUES = (
    Cue(0.346, 3.1, "晨光日报，2025年6月21日，星期六。"),
    Cue(3.45, 5.0, "A04版，聚焦。"),
    Cue(5.35, 21.9, LONG),
    Cue(22.3, 24.0, "夜跑团的口号是“跑得慢<也要>跑”&坚持。"),
)


def seconds(stamp: str) -> float:
    hours, minutes, rest = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def parsed(cues=CUES):
    return webvtt.from_string(render_webvtt(cues)).captions


def test_transcript_parses_and_its_cues_run_in_order_without_overlap():
    captions = parsed()
    assert render_webvtt(CUES).startswith("WEBVTT\n\n")
    starts = [seconds(c.start) for c in captions]
    ends = [seconds(c.end) for c in captions]
    assert starts[0] == pytest.approx(CUES[0].start, abs=0.001)
    assert ends[-1] == pytest.approx(CUES[-1].end, abs=0.001)
    for start, end, next_start in zip(starts, ends, [*starts[1:], float("inf")], strict=True):
        assert start < end <= next_start + 0.0005


def shown(caption) -> str:
    """What a player shows: cue lines joined, the escapes of &, < and > resolved."""
    return html.unescape("".join(caption.lines))


def test_cues_show_the_display_text_in_order():
    assert "".join(shown(c) for c in parsed()) == "".join(cue.text for cue in CUES)


def test_markup_characters_are_escaped_and_read_back_as_text():
    raw = render_webvtt(CUES[-1:])
    assert "&lt;也要&gt;" in raw and "&amp;坚持" in raw and "<也要>" not in raw
    (caption,) = parsed(CUES[-1:])
    assert shown(caption) == CUES[-1].text


def test_long_sentence_is_split_into_short_lines_and_cues_timed_by_their_share():
    captions = [c for c in parsed() if seconds(c.start) >= CUES[2].start - 0.001 and seconds(c.end) <= 22.0]
    assert len(captions) >= 2
    for caption in captions:
        assert len(caption.lines) <= LINES_PER_CUE
        assert all(width(line) <= LINE_WIDTH + 1 for line in caption.lines)
    assert "".join("".join(c.lines) for c in captions) == LONG
    span = CUES[2].end - CUES[2].start
    total = sum(width("".join(c.lines)) for c in captions)
    for caption in captions:
        share = width("".join(caption.lines)) / total
        assert seconds(caption.end) - seconds(caption.start) == pytest.approx(span * share, abs=0.002)


def test_lines_break_after_punctuation_and_never_inside_numbers():
    lines = wrap(LONG)
    assert all(width(line) <= LINE_WIDTH for line in lines)
    assert lines[0].endswith("，")
    assert any("3.5公里" in line for line in lines) and any("2026年6月" in line for line in lines)
    assert not any(line.startswith(("，", "。")) for line in lines)


def test_a_latin_run_longer_than_a_line_is_cut_rather_than_overflowing():
    url = "https://example.org/" + "a" * 100
    lines = wrap(f"详见{url}。")
    assert "".join(lines) == f"详见{url}。"
    assert all(width(line) <= LINE_WIDTH + 1 for line in lines)


def test_width_counts_latin_as_half():
    assert width("晨光日报") == 4
    assert width("A04") == 1.5
    assert width("３") == 1  # full-width digit


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "00:00:00.000"), (59.9996, "00:01:00.000"), (3725.25, "01:02:05.250"), (-0.01, "00:00:00.000")],
)
def test_timestamps(value, text):
    assert timestamp(value) == text


def test_empty_cues_are_left_out():
    assert len(parsed((Cue(0.0, 1.0, "  "), Cue(1.0, 2.0, "有字。")))) == 1


def test_chapters_json_is_podcasting_2_0():
    chapters = (
        Chapter(0.0, 3.2, "A04版 聚焦"),
        Chapter(3.2, 9.87654, "城市夜跑热"),
        Chapter(9.87654, 12, "老街"),
    )
    data = json.loads(chapters_json(chapters))
    assert data["version"] == "1.2.0"
    assert [c["title"] for c in data["chapters"]] == ["A04版 聚焦", "城市夜跑热", "老街"]
    assert [c["startTime"] for c in data["chapters"]] == [0.0, 3.2, 9.877]
    assert "城市夜跑热" in chapters_json(chapters)  # UTF-8, not \u escapes
