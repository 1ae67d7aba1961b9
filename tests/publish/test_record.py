import datetime as dt
import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from enews_audio.errors import PublishError
from enews_audio.model import Article, Chapter, Cue, Episode, Issue, Page
from enews_audio.publish.record import make_record, read_record, read_records, write_record

BUILT = dt.datetime(2025, 12, 31, 5, 30, tzinfo=dt.UTC)


def sample(tmp_path: Path, date: dt.date = dt.date(2025, 12, 31)) -> tuple[Path, Issue, list[Episode]]:
    pages = (
        Page("A01", "要闻", (Article("雾都新港首航", ("正文。",)), Article("夜市延时到凌晨", ("正文。",)))),
        Page("A02", "城事", (Article("老街换上新路灯", ("正文。",)),)),
    )
    issue = Issue("山城晚报", date, pages)
    issue_dir = tmp_path / date.isoformat()
    issue_dir.mkdir(parents=True)
    episodes = []
    for index, page in enumerate(pages):
        data = bytes(range(256)) * (index + 3)
        (issue_dir / f"{page.slug}.mp3").write_bytes(data)
        chapters = (Chapter(0.0, 3.25, "开场"), Chapter(3.25, 42.5 + index, page.articles[0].title))
        episodes.append(Episode(page, f"{page.slug}.mp3", 42.5 + index, len(data), chapters))
    return issue_dir, issue, episodes


def test_record_round_trips_through_build_json(tmp_path):
    issue_dir, issue, episodes = sample(tmp_path)
    record = make_record(issue_dir, issue, episodes, built_at=BUILT, extra={"clips": 57, "failures": ["A03"]})
    write_record(issue_dir / "build.json", record)
    assert read_record(issue_dir / "build.json") == record
    text = (issue_dir / "build.json").read_text(encoding="utf-8")
    assert "雾都新港首航" in text and "\n  " in text  # readable: not \u-escaped, indented
    data = json.loads(text)
    assert (data["clips"], data["failures"]) == (57, ["A03"])
    assert data["pages"][0]["chapters"][1] == [3.25, 42.5, "雾都新港首航"]
    assert data["pages"][0]["articles"] == ["雾都新港首航", "夜市延时到凌晨"]


def test_size_and_hash_come_from_the_file(tmp_path):
    issue_dir, issue, episodes = sample(tmp_path)
    (issue_dir / "a02.mp3").write_bytes(b"longer than the episode said" * 50)
    record = make_record(issue_dir, issue, episodes, built_at=BUILT)
    on_disk = (issue_dir / "a02.mp3").read_bytes()
    assert record.pages[1].size == len(on_disk) != episodes[1].size
    assert record.pages[1].sha256 == hashlib.sha256(on_disk).hexdigest()


def test_pages_follow_the_printed_order(tmp_path):
    issue_dir, issue, episodes = sample(tmp_path)
    record = make_record(issue_dir, issue, list(reversed(episodes)), built_at=BUILT)
    assert [p.code for p in record.pages] == [p.code for p in issue.pages]


def test_bad_inputs_are_programmer_errors(tmp_path):
    issue_dir, issue, episodes = sample(tmp_path)
    with pytest.raises(ValueError, match="pages"):
        make_record(issue_dir, issue, episodes, built_at=BUILT, extra={"pages": []})
    with pytest.raises(ValueError, match="more than one"):
        make_record(issue_dir, issue, [episodes[0], episodes[0]], built_at=BUILT)
    stray = Episode(Page("B01", "国际", ()), "b01.mp3", 10.0, 1, ())
    with pytest.raises(ValueError, match="B01"):
        make_record(issue_dir, issue, [stray], built_at=BUILT)


def test_missing_episode_file_is_a_publish_error(tmp_path):
    issue_dir, issue, episodes = sample(tmp_path)
    (issue_dir / "a01.mp3").unlink()
    with pytest.raises(PublishError, match=r"a01\.mp3"):
        make_record(issue_dir, issue, episodes, built_at=BUILT)


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # cut short
        lambda text: text.replace('"paper"', '"papier"'),  # missing key
        lambda text: text.replace('"format": 1', '"format": 9'),
        lambda text: text.replace('"size": 768', '"size": "768"'),
        lambda text: text.replace('"a01.mp3"', '"../a01.mp3"'),
        lambda text: text.replace("+00:00", ""),  # naive time
        lambda text: text.replace("[\n          0.0,", "[\n          99.0,", 1),  # chapter ends before start
        lambda text: "[]",
    ],
)
def test_broken_record_is_one_line_naming_the_file(tmp_path, damage):
    issue_dir, issue, episodes = sample(tmp_path)
    path = issue_dir / "build.json"
    write_record(path, make_record(issue_dir, issue, episodes, built_at=BUILT))
    damaged = damage(path.read_text(encoding="utf-8"))
    assert damaged != path.read_text(encoding="utf-8")
    path.write_text(damaged, encoding="utf-8")
    with pytest.raises(PublishError) as raised:
        read_record(path)
    assert str(path) in str(raised.value) and "\n" not in str(raised.value)


def test_records_are_read_newest_first_and_must_match_their_folder(tmp_path):
    for day in (30, 31, 29):
        issue_dir, issue, episodes = sample(tmp_path, dt.date(2025, 12, day))
        write_record(issue_dir / "build.json", make_record(issue_dir, issue, episodes, built_at=BUILT))
    assert [r.date.day for r in read_records(tmp_path)] == [31, 30, 29]
    (tmp_path / "2025-12-28").mkdir()
    (tmp_path / "2025-12-29" / "build.json").rename(tmp_path / "2025-12-28" / "build.json")
    with pytest.raises(PublishError, match="2025-12-28"):
        read_records(tmp_path)


def test_side_files_are_named_after_the_episode_and_recorded(tmp_path):
    issue_dir, issue, episodes = sample(tmp_path)
    with_cues = [replace(episodes[0], cues=(Cue(0.3, 1.0, "开场。"),)), episodes[1]]
    record = make_record(issue_dir, issue, with_cues, built_at=BUILT)
    assert (record.pages[0].chapters_file, record.pages[0].transcript_file) == (
        "a01.chapters.json",
        "a01.vtt",
    )
    assert (record.pages[1].chapters_file, record.pages[1].transcript_file) == ("a02.chapters.json", "")
    write_record(issue_dir / "build.json", record)
    assert read_record(issue_dir / "build.json") == record


def test_a_record_from_before_transcripts_still_reads(tmp_path):
    issue_dir, issue, episodes = sample(tmp_path)
    path = issue_dir / "build.json"
    write_record(path, make_record(issue_dir, issue, episodes, built_at=BUILT))
    data = json.loads(path.read_text(encoding="utf-8"))
    for page in data["pages"]:
        page.pop("chapters_file")
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert {page.chapters_file for page in read_record(path).pages} == {""}


@pytest.mark.parametrize("key", ["chapters_file", "transcript_file"])
def test_a_side_file_outside_the_issue_folder_is_refused(tmp_path, key):
    issue_dir, issue, episodes = sample(tmp_path)
    path = issue_dir / "build.json"
    write_record(path, make_record(issue_dir, issue, episodes, built_at=BUILT))
    data = json.loads(path.read_text(encoding="utf-8"))
    data["pages"][0][key] = "../../feed.xml"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(PublishError, match=key):
        read_record(path)


def with_slow(issue_dir: Path, episodes: list[Episode]) -> list[Episode]:
    slow = []
    for episode in episodes:
        path = issue_dir / episode.path.replace(".mp3", ".slow.mp3")
        path.write_bytes(b"slow" * (100 + len(slow)))
        chapters = tuple(Chapter(c.start * 1.2, c.end * 1.2, c.title) for c in episode.chapters)
        slow.append(replace(episode, path=path.name, duration=episode.duration * 1.2, chapters=chapters))
    return slow


def test_slow_edition_and_editions_round_trip(tmp_path):
    issue_dir, issue, episodes = sample(tmp_path)
    slow = with_slow(issue_dir, episodes)
    record = replace(
        make_record(issue_dir, issue, episodes, built_at=BUILT, slow=slow[:1]), daisy="daisy.zip", usb="usb"
    )
    assert record.pages[0].slow.file == "a01.slow.mp3" and record.pages[1].slow is None
    assert record.pages[0].slow.size == (issue_dir / "a01.slow.mp3").stat().st_size
    assert record.pages[0].slow.chapters_file == "a01.slow.chapters.json"
    assert record.pages[0].slow.duration == pytest.approx(51.0)
    write_record(issue_dir / "build.json", record)
    assert read_record(issue_dir / "build.json") == record
    data = json.loads((issue_dir / "build.json").read_text(encoding="utf-8"))
    assert data["editions"] == {"daisy": "daisy.zip", "usb": "usb"} and "slow" not in data["pages"][1]


def test_a_record_without_editions_has_none(tmp_path):
    issue_dir, issue, episodes = sample(tmp_path)
    write_record(issue_dir / "build.json", make_record(issue_dir, issue, episodes, built_at=BUILT))
    record = read_record(issue_dir / "build.json")
    assert (record.daisy, record.usb) == ("", "")
    assert "editions" not in json.loads((issue_dir / "build.json").read_text(encoding="utf-8"))


def test_slow_episodes_need_their_page(tmp_path):
    issue_dir, issue, episodes = sample(tmp_path)
    slow = with_slow(issue_dir, episodes)
    with pytest.raises(ValueError, match="A02"):
        make_record(issue_dir, issue, episodes[:1], built_at=BUILT, slow=slow)
    with pytest.raises(ValueError, match="editions"):
        make_record(issue_dir, issue, episodes, built_at=BUILT, extra={"editions": {}})


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data["pages"][0].update(slow=["a01.slow.mp3"]),
        lambda data: data["pages"][0]["slow"].update(file="../x.mp3"),
        lambda data: data["pages"][0]["slow"].pop("sha256"),
        lambda data: data.update(editions={"daisy": "../../elsewhere.zip"}),
        lambda data: data.update(editions=["daisy"]),
    ],
)
def test_a_broken_slow_edition_or_editions_entry_is_refused(tmp_path, damage):
    issue_dir, issue, episodes = sample(tmp_path)
    path = issue_dir / "build.json"
    record = make_record(issue_dir, issue, episodes, built_at=BUILT, slow=with_slow(issue_dir, episodes))
    write_record(path, replace(record, daisy="daisy.zip"))
    data = json.loads(path.read_text(encoding="utf-8"))
    damage(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(PublishError) as raised:
        read_record(path)
    assert str(path) in str(raised.value) and "\n" not in str(raised.value)
