"""Chapter arithmetic (pure) and the ID3v2.3 CHAP/CTOC round trip."""

from __future__ import annotations

import datetime as dt

import lameenc
import pytest
from mutagen.id3 import ID3

from enews_audio.audio.chapters import plan_chapters, read_chapters, write_tags
from enews_audio.model import Article, Chapter, Page, PageScript, Part, Utterance

PAGE = Page(
    "B02",
    "文化",
    (
        Article("古镇 灯会开幕", ("元宵前夜，古镇的石桥挂满了花灯。",)),
        Article("社区图书角", ("楼下的旧车库改成了图书角。",)),
        Article("少年合唱团获奖", ("合唱团在省赛中拿到金奖。",)),
    ),
)


def line(part: Part, article: int | None, text: str = "一句话。") -> Utterance:
    return Utterance(text, text, part, article)


def test_opening_then_one_chapter_per_article():
    script = PageScript(
        PAGE,
        (
            line(Part.OPENING, None),
            line(Part.HEADER, 0),
            line(Part.BODY, 0),
            line(Part.HEADER, 1),
            line(Part.HEADER, 2),
            line(Part.BODY, 2),
        ),
    )
    chapters = plan_chapters(script, [0.3, 2.0, 3.5, 6.0, 8.25, 9.0], duration=12.0)
    assert chapters == (
        Chapter(0.0, 2.0, "B02版 文化"),
        Chapter(2.0, 6.0, "古镇 灯会开幕"),
        Chapter(6.0, 8.25, "社区图书角"),
        Chapter(8.25, 12.0, "少年合唱团获奖"),
    )


def test_first_article_starts_at_zero_when_there_is_no_opening():
    script = PageScript(PAGE, (line(Part.HEADER, 0), line(Part.BODY, 0), line(Part.HEADER, 1)))
    chapters = plan_chapters(script, [0.3, 1.0, 2.0], duration=3.0)
    assert [c.title for c in chapters] == ["古镇 灯会开幕", "社区图书角"]
    assert chapters[0].start == 0.0


def test_closing_lines_belong_to_the_last_chapter():
    script = PageScript(PAGE, (line(Part.OPENING, None), line(Part.HEADER, 2), line(Part.CLOSING, None)))
    chapters = plan_chapters(script, [0.3, 1.0, 4.0], duration=5.5)
    assert [c.title for c in chapters] == ["B02版 文化", "少年合唱团获奖"]
    assert chapters[-1] == Chapter(1.0, 5.5, "少年合唱团获奖")


def test_an_article_returning_later_gets_no_second_chapter():
    script = PageScript(PAGE, (line(Part.HEADER, 0), line(Part.HEADER, 1), line(Part.CAPTION, 0)))
    chapters = plan_chapters(script, [0.0, 1.0, 2.0], duration=3.0)
    assert [c.title for c in chapters] == ["古镇 灯会开幕", "社区图书角"]
    assert chapters[-1].end == 3.0


def test_a_page_of_opening_lines_only_is_one_chapter():
    script = PageScript(PAGE, (line(Part.OPENING, None), line(Part.CLOSING, None)))
    assert plan_chapters(script, [0.3, 1.0], duration=2.0) == (Chapter(0.0, 2.0, "B02版 文化"),)


def test_start_times_must_match_utterances():
    script = PageScript(PAGE, (line(Part.HEADER, 0),))
    with pytest.raises(ValueError, match="start times"):
        plan_chapters(script, [0.0, 1.0], duration=2.0)


@pytest.fixture
def silent_mp3(tmp_path):
    encoder = lameenc.Encoder()
    encoder.set_channels(1)
    encoder.set_in_sample_rate(24000)
    encoder.set_bit_rate(64)
    path = tmp_path / "b02.mp3"
    path.write_bytes(bytes(encoder.encode(bytes(2 * 24000 * 3)) + encoder.flush()))
    return path


def test_tags_round_trip_in_table_of_contents_order(silent_mp3):
    chapters = [
        Chapter(0.0, 0.75, "B02版 文化"),
        Chapter(0.75, 1.5, "古镇 灯会开幕"),
        Chapter(1.5, 3.0, "社区图书角"),
    ]
    write_tags(
        silent_mp3,
        chapters,
        title="B02 文化",
        album="晨光日报",
        artist="晨光日报社",
        date=dt.date(2025, 6, 21),
    )
    assert read_chapters(silent_mp3) == chapters
    tags = ID3(silent_mp3, translate=False)
    assert tags.version == (2, 3, 0)
    assert sorted(f.element_id for f in tags.getall("CHAP")) == ["chp0", "chp1", "chp2"]
    assert tags.getall("CTOC")[0].child_element_ids == ["chp0", "chp1", "chp2"]
    assert "TDRC" not in tags  # a v2.4 frame: written as TYER + TDAT instead
    assert (str(tags["TYER"]), str(tags["TDAT"])) == ("2025", "2106")


def test_chapter_frames_are_stored_in_time_order(silent_mp3):
    # Longest title first: mutagen on its own stores frames shortest first, and ffmpeg lists them as stored.
    titles = ["少年合唱团在省赛中获得金奖", "社区图书角", "灯会"]
    chapters = [Chapter(0.0, 1.0, titles[0]), Chapter(1.0, 2.0, titles[1]), Chapter(2.0, 3.0, titles[2])]
    write_tags(
        silent_mp3, chapters, title="B02", album="晨光日报", artist="晨光日报社", date=dt.date(2025, 6, 21)
    )
    data = silent_mp3.read_bytes()
    positions = [data.index(t.encode("utf-16-le")) for t in titles]
    assert positions == sorted(positions)
    assert read_chapters(silent_mp3) == chapters


def test_read_chapters_of_an_untagged_file_is_empty(silent_mp3):
    assert read_chapters(silent_mp3) == []
