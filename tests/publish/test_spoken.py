"""``<page>.spoken.json``: every cue of the .vtt leads to its sentence as printed and as the voice got it,
also when a long sentence is shown as several cues."""

from __future__ import annotations

from enews_audio.model import Cue
from enews_audio.publish.display import read_cues
from enews_audio.publish.spoken import read_spoken, spoken_json
from enews_audio.publish.transcript import webvtt

LONG = "据介绍，" + "今年全市新建和改扩建学校二十四所，" * 5 + "新增学位一万二千个。"
CUES = (
    Cue(0.0, 2.0, "12月31日，市政府发布：", "十二月三十一日，市政府发布："),
    Cue(2.0, 20.0, LONG, LONG.replace("二十四", "24")),
    Cue(20.0, 22.0, "总投资128.6亿元。", "总投资一百二十八点六亿元。"),
)


def test_each_vtt_cue_leads_to_its_whole_sentence(tmp_path):
    (tmp_path / "a01.vtt").write_text(webvtt(CUES), encoding="utf-8")
    (tmp_path / "a01.spoken.json").write_text(spoken_json(CUES), encoding="utf-8")
    shown = read_cues(tmp_path / "a01.vtt")
    said = read_spoken(tmp_path / "a01.spoken.json")
    assert said is not None and len(shown) == len(said) >= 4  # the long sentence is two cues or more
    for cue, sentence in zip(shown, said, strict=True):
        assert cue.text in sentence.printed  # each cue is part of the sentence it points at
    assert [s.printed for s in said].count(LONG) == len(shown) - 2
    assert said[-1].spoken == "总投资一百二十八点六亿元。" and said[0].spoken.startswith("十二月")


def test_a_missing_or_foreign_file_is_none(tmp_path):
    assert read_spoken(tmp_path / "none.json") is None
    (tmp_path / "x.json").write_text('{"format": 9, "sentences": [], "cues": []}', encoding="utf-8")
    assert read_spoken(tmp_path / "x.json") is None
    (tmp_path / "y.json").write_text('{"format": 1, "sentences": [], "cues": [3]}', encoding="utf-8")
    assert read_spoken(tmp_path / "y.json") is None
