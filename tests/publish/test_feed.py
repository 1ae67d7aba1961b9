import dataclasses
import datetime as dt
import email.utils
import io
import itertools
import json
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import podcastparser
import pytest
import webvtt

import enews_audio.publish as publish_package
from enews_audio.audio import AudioSettings, assemble, read_chapters
from enews_audio.errors import PublishError
from enews_audio.model import (
    Article,
    Chapter,
    Cue,
    Edition,
    Episode,
    Issue,
    Page,
    PageScript,
    Part,
    Utterance,
)
from enews_audio.publish import PublishSettings, absolutize_feed, paper_slug, publish_issue
from enews_audio.publish.feed import NAMESPACES, chapter_list, clock
from support.tones import tone

PAPER = "山城晚报"
DAY1 = dt.date(2025, 12, 30)
DAY2 = dt.date(2025, 12, 31)


def make_issue(date: dt.date, pages: int = 3) -> Issue:
    names = ["要闻", "城事", "副刊", "体育"]
    return Issue(
        PAPER,
        date,
        tuple(
            Page(
                f"A{n:02d}",
                names[n - 1],
                tuple(
                    Article(f"{names[n - 1]}第{k}条：江岸灯火{date.day}日", ("正文。",))
                    for k in range(1, n + 2)
                ),
            )
            for n in range(1, pages + 1)
        ),
    )


def write_episodes(paper_dir: Path, issue: Issue, filler: bytes = b"\xff\xfb") -> list[Episode]:
    """Fake episode files (any bytes will do: this stage never decodes audio), sizes differing per page."""
    issue_dir = paper_dir / issue.date.isoformat()
    issue_dir.mkdir(parents=True, exist_ok=True)
    episodes = []
    for index, page in enumerate(issue.pages):
        data = filler * (100 + 37 * index)
        (issue_dir / f"{page.slug}.mp3").write_bytes(data)
        duration = 61.4 + 10 * index
        chapters = (Chapter(0.0, 5.0, "开场"), Chapter(5.0, duration, page.articles[0].title))
        cues = (Cue(0.35, 4.6, f"{page.code}版，{page.name}。"), Cue(5.0, 9.5, page.articles[0].title))
        episodes.append(Episode(page, f"{page.slug}.mp3", duration, len(data), chapters, cues))
    return episodes


def publish(paper_dir: Path, issue: Issue, settings: PublishSettings | None = None, **kw) -> Path:
    return publish_issue(
        paper_dir, issue, write_episodes(paper_dir, issue, **kw), settings or PublishSettings()
    )


def parse(feed: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(feed.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def gpodder(feed: Path, url: str = "https://example.org/audio/feed.xml") -> dict:
    return podcastparser.parse(url, io.BytesIO(feed.read_bytes()))


def test_public_names_are_exactly_the_api():
    assert sorted(publish_package.__all__) == [
        "FEED_NAME",
        "FEED_NAMES",
        "PublishSettings",
        "absolutize_feed",
        "is_feed",
        "paper_slug",
        "publish_issue",
        "relative_links_warning",
        "withdraw_pages",
    ]
    assert all(hasattr(publish_package, name) for name in publish_package.__all__)


def test_feed_parses_with_feedparser_and_declares_namespaces(tmp_path):
    paper_dir = tmp_path / paper_slug(PAPER)
    feed = publish(paper_dir, make_issue(DAY2))
    assert feed == paper_dir / "feed.xml"
    parsed = parse(feed)
    assert parsed.version == "rss20"
    assert set(NAMESPACES.values()) <= set(parsed.namespaces.values())
    assert parsed.feed.title == f"{PAPER}·有声版"
    assert parsed.feed.language == "zh-cn"
    assert parsed.feed.author == PAPER
    assert parsed.feed.tags[0].term == "News"
    # Apple wants true/false; feedparser only maps the old yes/clean, so read the element itself.
    explicit = ET.parse(feed).getroot().find("channel/{http://www.itunes.com/dtds/podcast-1.0.dtd}explicit")
    assert explicit.text == "false"
    assert parsed.feed.generator == "enews-audio"
    assert [e.title for e in parsed.entries] == [
        f"{PAPER} 2025年12月31日 A01版 要闻",
        f"{PAPER} 2025年12月31日 A02版 城事",
        f"{PAPER} 2025年12月31日 A03版 副刊",
    ]
    assert all(len(e.enclosures) == 1 and e.enclosures[0].type == "audio/mpeg" for e in parsed.entries)
    assert [e.itunes_duration for e in parsed.entries] == ["61", "71", "81"]
    assert {e.itunes_episodetype for e in parsed.entries} == {"full"}


def test_every_item_survives_podcastparser_with_length_of_the_file(tmp_path):
    paper_dir = tmp_path / "p"
    issue = make_issue(DAY2)
    publish(paper_dir, issue)
    episodes = gpodder(paper_dir / "feed.xml")["episodes"]
    assert len(episodes) == len(issue.pages)
    for episode in episodes:
        [enclosure] = episode["enclosures"]
        name = enclosure["url"].rsplit("/", 1)[-1]
        assert enclosure["file_size"] == (paper_dir / DAY2.isoformat() / name).stat().st_size
        assert enclosure["mime_type"] == "audio/mpeg"
        assert episode["guid"] and episode["total_time"] > 0


def test_guid_is_stable_across_publishes_and_distinct_per_page(tmp_path):
    paper_dir = tmp_path / "p"
    publish(paper_dir, make_issue(DAY2))
    first = [e.id for e in parse(paper_dir / "feed.xml").entries]
    publish(paper_dir, make_issue(DAY2), filler=b"\x00")  # rebuilt with different audio
    again = [e.id for e in parse(paper_dir / "feed.xml").entries if DAY2.isoformat() in e.enclosures[0].href]
    assert again == first
    assert len(set(first)) == len(first)
    publish(tmp_path / "other", make_issue(DAY2))  # same paper published elsewhere: same GUIDs
    assert [e.id for e in parse(tmp_path / "other" / "feed.xml").entries] == first
    publish(paper_dir, make_issue(DAY1))
    assert len({e.id for e in parse(paper_dir / "feed.xml").entries}) == 6


def test_guid_is_not_a_permalink(tmp_path):
    publish(tmp_path, make_issue(DAY2))
    guids = ET.parse(tmp_path / "feed.xml").getroot().iter("guid")
    assert {g.get("isPermaLink") for g in guids} == {"false"}


def test_pubdates_are_distinct_rfc2822_and_list_pages_in_order(tmp_path):
    publish(tmp_path, make_issue(DAY1))
    publish(tmp_path, make_issue(DAY2))
    root = ET.parse(tmp_path / "feed.xml").getroot()
    stamps = [email.utils.parsedate_to_datetime(d.text) for d in root.iter("pubDate")]
    assert len(set(stamps)) == len(stamps) == 6
    assert stamps == sorted(stamps, reverse=True)  # items newest first, and newest first = A01 first
    assert stamps[0].date() == DAY2 and stamps[0].utcoffset() == dt.timedelta(hours=8)
    codes = [e.title.split()[2] for e in parse(tmp_path / "feed.xml").entries]
    assert codes == ["A01版", "A02版", "A03版"] * 2


def test_republishing_replaces_the_issue_and_a_new_issue_adds_items(tmp_path):
    publish(tmp_path, make_issue(DAY2))
    publish(tmp_path, make_issue(DAY2), filler=b"\x01\x02\x03")
    entries = parse(tmp_path / "feed.xml").entries
    assert len(entries) == 3
    assert int(entries[0].enclosures[0].length) == (tmp_path / DAY2.isoformat() / "a01.mp3").stat().st_size
    publish(tmp_path, make_issue(DAY2, pages=2))  # a rebuild with fewer pages drops the missing page
    assert len(parse(tmp_path / "feed.xml").entries) == 2
    publish(tmp_path, make_issue(DAY1, pages=4))
    entries = parse(tmp_path / "feed.xml").entries
    assert len(entries) == 6
    assert [e.title.split()[1] for e in entries] == ["2025年12月31日"] * 2 + ["2025年12月30日"] * 4


def test_length_is_read_from_disk_not_from_the_record(tmp_path):
    publish(tmp_path, make_issue(DAY1))
    replaced = tmp_path / DAY1.isoformat() / "a02.mp3"
    replaced.write_bytes(b"re-encoded" * 999)
    publish(tmp_path, make_issue(DAY2))
    lengths = {
        e.enclosures[0].href: int(e.enclosures[0].length) for e in parse(tmp_path / "feed.xml").entries
    }
    assert lengths[f"{DAY1.isoformat()}/a02.mp3"] == replaced.stat().st_size


def test_keep_limits_the_feed_but_not_the_files(tmp_path):
    settings = PublishSettings(keep=1)
    publish(tmp_path, make_issue(DAY2), settings)
    publish(tmp_path, make_issue(DAY1), settings)  # an older issue published later still loses
    entries = parse(tmp_path / "feed.xml").entries
    assert {e.enclosures[0].href.split("/")[0] for e in entries} == {DAY2.isoformat()}
    assert (tmp_path / DAY1.isoformat() / "build.json").exists()
    assert (tmp_path / DAY1.isoformat() / "a01.mp3").exists()
    with pytest.raises(ValueError):
        PublishSettings(keep=0)


@pytest.mark.parametrize("base_url", ["https://example.org/audio/", "https://example.org/audio"])
def test_base_url_joins_into_absolute_urls(tmp_path, base_url):
    publish(tmp_path, make_issue(DAY2), PublishSettings(base_url=base_url))
    parsed = parse(tmp_path / "feed.xml")
    assert parsed.entries[0].enclosures[0].href == "https://example.org/audio/2025-12-31/a01.mp3"
    assert parsed.feed.link == "https://example.org/audio/"
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == ["https://example.org/audio/feed.xml"]
    assert parsed.feed.podcast_guid
    episodes = gpodder(tmp_path / "feed.xml", url="https://elsewhere.example/x.xml")["episodes"]
    assert episodes[0]["enclosures"][0]["url"] == "https://example.org/audio/2025-12-31/a01.mp3"


def test_empty_base_url_gives_relative_urls(tmp_path):
    publish(tmp_path, make_issue(DAY2))
    root = ET.parse(tmp_path / "feed.xml").getroot()
    assert root.find("channel/item/enclosure").get("url") == "2025-12-31/a01.mp3"
    assert root.find("channel/link").text == "."
    assert root.find("channel/{http://www.w3.org/2005/Atom}link") is None
    # A client resolves them against wherever it fetched the feed from.
    episodes = gpodder(tmp_path / "feed.xml", url="https://example.org/shan/feed.xml")["episodes"]
    assert episodes[0]["enclosures"][0]["url"] == "https://example.org/shan/2025-12-31/a01.mp3"


def test_settings_override_channel_fields(tmp_path):
    settings = PublishSettings(title="江城夜读", author="编辑部", language="zh-tw", category="Daily News")
    publish(tmp_path, make_issue(DAY2), settings)
    feed = parse(tmp_path / "feed.xml").feed
    assert (feed.title, feed.author, feed.language, feed.tags[0].term) == (
        "江城夜读",
        "编辑部",
        "zh-tw",
        "Daily News",
    )


def test_description_lists_chapter_start_times_within_4000_bytes(tmp_path):
    publish(tmp_path, make_issue(DAY2))
    entries = parse(tmp_path / "feed.xml").entries
    headline = make_issue(DAY2).pages[1].articles[0].title
    assert entries[1].description.splitlines() == ["00:00 本版导读", f"00:05 {headline}"]
    assert [p for p in entries[1].content[0].value.split("</p>") if p] == [
        "<p>00:00 本版导读",
        f"<p>00:05 {headline}",
    ]
    many = [
        Chapter(0.0, 1.0, "开场"),
        *(Chapter(n * 61.5, n * 61.5 + 61.5, f"第{n}篇：" + "长江上游生态保护" * 8) for n in range(1, 60)),
    ]
    text = chapter_list(many, ["本版导读", *(c.title for c in many[1:])])
    assert len(text.encode("utf-8")) <= 4000
    lines = text.splitlines()
    assert (
        lines[0] == "00:00 本版导读"
        and lines[1].startswith("01:01 第1篇")
        and lines[2].startswith("02:03 第2篇")
    )
    assert lines[-1] == f"……另有{60 - (len(lines) - 1)}个章节"


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0.0, "00:00"),
        (12.99, "00:12"),
        (59.5, "00:59"),
        (61.0, "01:01"),
        (3599.9, "59:59"),
        (3600.0, "01:00:00"),
        (3725.4, "01:02:05"),
    ],
)
def test_chapter_marks_never_run_ahead_and_show_hours_past_an_hour(seconds, shown):
    assert clock(seconds) == shown


def test_corrupt_record_of_another_issue_raises_and_leaves_the_feed(tmp_path):
    publish(tmp_path, make_issue(DAY1))
    before = (tmp_path / "feed.xml").read_bytes()
    broken = tmp_path / "2025-12-29" / "build.json"
    broken.parent.mkdir()
    broken.write_text('{"format": 1, "paper": "山城', encoding="utf-8")
    with pytest.raises(PublishError) as raised:
        publish(tmp_path, make_issue(DAY2))
    assert str(broken) in str(raised.value) and "\n" not in str(raised.value)
    assert (tmp_path / "feed.xml").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_missing_episode_file_of_a_kept_issue_raises(tmp_path):
    publish(tmp_path, make_issue(DAY1))
    (tmp_path / DAY1.isoformat() / "a03.mp3").unlink()
    with pytest.raises(PublishError, match=r"a03\.mp3"):
        publish(tmp_path, make_issue(DAY2))


def test_guid_recipe_is_pinned(tmp_path):
    # Changing the namespace or the key would re-announce every published episode as new in apps.
    publish(tmp_path, make_issue(DAY2))
    namespace = uuid.UUID("6f3c0a52-3d8e-4b7a-9c61-2f0d5e8a4b17")
    expected = [str(uuid.uuid5(namespace, f"山城晚报/2025-12-31/A0{n}")) for n in (1, 2, 3)]
    assert [e.id for e in parse(tmp_path / "feed.xml").entries] == expected


ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"


def test_chapters_json_and_transcript_sit_beside_each_episode_and_items_link_them(tmp_path):
    issue = make_issue(DAY2)
    publish(tmp_path, issue, PublishSettings(base_url="https://example.org/audio/"))
    issue_dir = tmp_path / DAY2.isoformat()
    entries = parse(tmp_path / "feed.xml").entries
    for page, entry in zip(issue.pages, entries, strict=True):
        chapters_url = f"https://example.org/audio/2025-12-31/{page.slug}.chapters.json"
        transcript_url = f"https://example.org/audio/2025-12-31/{page.slug}.vtt"
        assert entry.podcast_chapters == {"url": chapters_url, "type": "application/json+chapters"}
        assert entry.podcast_transcript == {"url": transcript_url, "type": "text/vtt", "language": "zh-cn"}
        data = json.loads((issue_dir / f"{page.slug}.chapters.json").read_text(encoding="utf-8"))
        assert [c["title"] for c in data["chapters"]] == ["开场", page.articles[0].title]
        vtt = (issue_dir / f"{page.slug}.vtt").read_text(encoding="utf-8")
        assert vtt.startswith("WEBVTT") and f"{page.code}版，{page.name}。" in vtt
        assert (issue_dir / f"{page.slug}.vtt").stat().st_mode & 0o777 == 0o644
    record = json.loads((issue_dir / "build.json").read_text(encoding="utf-8"))
    assert record["pages"][0]["chapters_file"] == "a01.chapters.json"
    assert record["pages"][0]["transcript_file"] == "a01.vtt"


def test_psc_chapters_are_read_by_feedparser_and_gpodder(tmp_path):
    publish(tmp_path, make_issue(DAY2))
    entries = parse(tmp_path / "feed.xml").entries
    episodes = gpodder(tmp_path / "feed.xml")["episodes"]
    for entry, episode in zip(entries, episodes, strict=True):
        psc = entry.psc_chapters
        assert psc["version"] == "1.2"
        assert [c["start"] for c in psc["chapters"]] == ["00:00:00.000", "00:00:05.000"]
        assert [c["title"] for c in episode["chapters"]] == [c["title"] for c in psc["chapters"]]
        assert [c["start"] for c in episode["chapters"]] == [0, 5]


def test_an_episode_without_cues_gets_no_transcript(tmp_path):
    issue = make_issue(DAY2, pages=1)
    (episode,) = write_episodes(tmp_path, issue)
    publish_issue(tmp_path, issue, [dataclasses.replace(episode, cues=())], PublishSettings())
    assert not (tmp_path / DAY2.isoformat() / "a01.vtt").exists()
    (entry,) = parse(tmp_path / "feed.xml").entries
    assert "podcast_transcript" not in entry and "podcast_chapters" in entry


def test_a_side_file_gone_from_a_kept_issue_raises(tmp_path):
    publish(tmp_path, make_issue(DAY1))
    (tmp_path / DAY1.isoformat() / "a02.vtt").unlink()
    with pytest.raises(PublishError, match=r"a02\.vtt"):
        publish(tmp_path, make_issue(DAY2))


def test_channel_has_owner_lock_and_nested_category(tmp_path):
    settings = PublishSettings(
        base_url="https://example.org/audio/",
        author="山城晚报社",
        owner_email="audio@example.org",
        category="News/Daily News",
        description="山城晚报每日有声版。",
    )
    publish(tmp_path, make_issue(DAY2), settings)
    channel = ET.parse(tmp_path / "feed.xml").getroot().find("channel")
    owner = channel.find(f"{ITUNES}owner")
    assert owner.find(f"{ITUNES}name").text == "山城晚报社"
    assert owner.find(f"{ITUNES}email").text == "audio@example.org"
    locked = channel.find(f"{PODCAST}locked")
    assert (locked.text, locked.get("owner")) == ("yes", "audio@example.org")
    (category,) = channel.findall(f"{ITUNES}category")
    assert category.get("text") == "News"
    assert [c.get("text") for c in category.findall(f"{ITUNES}category")] == ["Daily News"]
    feed = parse(tmp_path / "feed.xml").feed
    assert feed.podcast_guid == str(
        uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "example.org/audio/feed.xml")
    )
    assert feed.subtitle == "山城晚报每日有声版。"
    assert feed.publisher_detail.email == "audio@example.org"
    with pytest.raises(ValueError, match="owner email"):
        PublishSettings(owner_email="not an address")


def test_unlocked_feed_says_no(tmp_path):
    publish(tmp_path, make_issue(DAY2), PublishSettings(locked=False))
    assert parse(tmp_path / "feed.xml").feed.podcast_locked == "no"


@pytest.mark.parametrize(("name", "kind"), [("cover.jpg", "JPEG"), ("cover.png", "PNG")])
def test_supplied_artwork_becomes_the_channel_image(tmp_path, name, kind):
    from PIL import Image

    art = tmp_path / "art" / f"mine.{kind.lower()}"
    art.parent.mkdir()
    Image.new("RGB", (1400, 1400), (200, 30, 30)).save(art, kind)
    paper_dir = tmp_path / "paper"
    paper_dir.mkdir()
    tmp_path = paper_dir
    publish(tmp_path, make_issue(DAY2), PublishSettings(base_url="https://example.org/audio/", artwork=art))
    parsed = parse(tmp_path / "feed.xml")
    assert parsed.feed.image.href == f"https://example.org/audio/{name}"
    channel = ET.parse(tmp_path / "feed.xml").getroot().find("channel")
    assert channel.find(f"{ITUNES}image").get("href") == f"https://example.org/audio/{name}"
    assert channel.find("image/url").text == f"https://example.org/audio/{name}"
    assert channel.find("image/title").text == channel.find("title").text
    assert gpodder(tmp_path / "feed.xml")["cover_url"] == f"https://example.org/audio/{name}"


def test_without_artwork_a_cover_is_drawn_and_linked(tmp_path):
    publish(tmp_path, make_issue(DAY2))
    channel = ET.parse(tmp_path / "feed.xml").getroot().find("channel")
    assert (tmp_path / "cover.jpg").is_file()
    assert channel.find(f"{ITUNES}image").get("href") == "cover.jpg"


def test_id3_json_and_psc_chapters_of_a_real_episode_agree(tmp_path):
    issue = make_issue(DAY2, pages=1)
    (page,) = issue.pages
    lines = [Utterance("A01版，要闻。", "A01版，要闻。", Part.OPENING, None, 0.6)]
    for index, article in enumerate(page.articles):
        lines += [
            Utterance(article.title, article.title, Part.HEADER, index, 0.5),
            Utterance("正文第一句。", "正文第一句。", Part.BODY, index, 0.4),
        ]
    script = PageScript(page, tuple(lines))
    clips = [tone(0.7 + 0.3 * i, 200 + 40 * i) for i in range(len(lines))]
    path = tmp_path / DAY2.isoformat() / "a01.mp3"
    tags = {"title": "要闻", "album": PAPER, "artist": PAPER, "date": DAY2}
    episode = assemble(script, clips, path, AudioSettings(), **tags)
    publish_issue(tmp_path, issue, [episode], PublishSettings(base_url="https://example.org/a/"))

    id3 = [(c.start, c.title) for c in read_chapters(path)]
    data = json.loads((tmp_path / DAY2.isoformat() / "a01.chapters.json").read_text(encoding="utf-8"))
    from_json = [(c["startTime"], c["title"]) for c in data["chapters"]]
    (entry,) = parse(tmp_path / "feed.xml").entries
    from_psc = [(c["start_parsed"].total_seconds(), c["title"]) for c in entry.psc_chapters["chapters"]]
    (gpodder_episode,) = gpodder(tmp_path / "feed.xml", "https://example.org/a/feed.xml")["episodes"]
    from_gpodder = [(c["start"], c["title"]) for c in gpodder_episode["chapters"]]

    titles = ["A01版 要闻", *(a.title for a in page.articles)]
    for source in (id3, from_json, from_psc, from_gpodder):
        assert [title for _, title in source] == titles
    for (a, _), (b, _), (c, _), (d, _) in zip(id3, from_json, from_psc, from_gpodder, strict=True):
        assert abs(a - b) <= 0.5 and abs(a - c) <= 0.5 and abs(b - c) <= 0.5
        assert d == int(c)  # gPodder keeps whole seconds only
    # …and each article's chapter begins at its header as heard (cue times include the encoder delay).
    headers = [episode.cues[i].start for i, u in enumerate(lines) if u.part is Part.HEADER]
    assert [start for start, _ in id3[1:]] == pytest.approx(headers, abs=0.3)

    # The transcript parses, and its cues run in order from the first line to the last.
    assert entry.podcast_transcript["url"] == "https://example.org/a/2025-12-31/a01.vtt"
    captions = webvtt.from_string((tmp_path / DAY2.isoformat() / "a01.vtt").read_text(encoding="utf-8"))
    times = [(vtt_seconds(c.start), vtt_seconds(c.end)) for c in captions]
    assert [c.text for c in captions] == [u.display for u in lines]
    assert times == sorted(times) and all(start < end for start, end in times)
    assert all(end <= start for (_, end), (start, _) in itertools.pairwise(times))
    assert times[0][0] < 0.5 and episode.duration - times[-1][1] == pytest.approx(lines[-1].pause, abs=0.01)


def vtt_seconds(stamp: str) -> float:
    hours, minutes, rest = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


PODCAST = "{https://podcastindex.org/namespace/1.0}"


def publish_with_slow(
    paper_dir: Path, issue: Issue, settings: PublishSettings | None = None
) -> list[Episode]:
    """Episodes and slow episodes (larger files, 1.25 times as long) of every page, published together."""
    episodes = write_episodes(paper_dir, issue)
    issue_dir = paper_dir / issue.date.isoformat()
    slow = []
    for episode in episodes:
        path = issue_dir / episode.path.replace(".mp3", ".slow.mp3")
        path.write_bytes((issue_dir / episode.path).read_bytes() + b"\xff\xfb" * (30 + episode.size // 4))
        chapters = tuple(Chapter(c.start * 1.25, c.end * 1.25, c.title) for c in episode.chapters)
        slow.append(
            dataclasses.replace(episode, path=path.name, duration=episode.duration * 1.25, chapters=chapters)
        )
    publish_issue(paper_dir, issue, episodes, settings or PublishSettings(), slow=slow)
    return slow


def test_every_item_offers_its_slow_edition_as_an_alternate_enclosure(tmp_path):
    settings = PublishSettings(base_url="https://example.org/a/")
    slow = publish_with_slow(tmp_path, make_issue(DAY2), settings)
    items = ET.parse(tmp_path / "feed.xml").getroot().findall("channel/item")
    assert len(items) == 3
    for item, episode in zip(items, slow, strict=True):
        (alternate,) = item.findall(f"{PODCAST}alternateEnclosure")
        size = (tmp_path / DAY2.isoformat() / episode.path).stat().st_size
        assert alternate.get("title") == "慢速" and alternate.get("type") == "audio/mpeg"
        assert alternate.get("length") == str(size) and alternate.get("lang") == "zh-cn"
        assert int(alternate.get("bitrate")) == round(size * 8 / episode.duration)
        (source,) = alternate.findall(f"{PODCAST}source")
        assert source.get("uri") == f"https://example.org/a/2025-12-31/{episode.path}"
        assert item.find("enclosure").get("url").endswith(episode.path.replace(".slow", ""))


def test_slow_feed_is_a_complete_feed_of_the_slow_episodes(tmp_path):
    settings = PublishSettings(base_url="https://example.org/a/")
    publish_with_slow(tmp_path, make_issue(DAY1), settings)
    slow = publish_with_slow(tmp_path, make_issue(DAY2), settings)
    main = parse(tmp_path / "feed.xml")
    slow_feed = parse(tmp_path / "feed-slow.xml")
    assert slow_feed.feed.title == "山城晚报·有声版（慢速）"
    assert [link.href for link in slow_feed.feed.links if link.rel == "self"] == [
        "https://example.org/a/feed-slow.xml"
    ]
    assert slow_feed.feed.podcast_guid != main.feed.podcast_guid
    assert len(slow_feed.entries) == len(main.entries) == 6
    for plain, slower in zip(main.entries, slow_feed.entries, strict=True):
        assert slower.published == plain.published  # same pubDates, so both list the issue in page order
        assert slower.id != plain.id
        assert slower.title == plain.title + "（慢速）"
        assert slower.enclosures[0].href == plain.enclosures[0].href.replace(".mp3", ".slow.mp3")
    for entry, episode in zip(slow_feed.entries[:3], slow, strict=True):
        assert entry.itunes_duration == str(round(episode.duration))
        assert entry.podcast_chapters["url"].endswith(episode.path.replace(".mp3", ".chapters.json"))
        assert entry.description.splitlines()[1].startswith("00:06 ")  # 5.0 s in the normal edition
    # gPodder, which reads no alternateEnclosure, gets the slow edition from its own feed
    episodes = gpodder(tmp_path / "feed-slow.xml", "https://example.org/a/feed-slow.xml")["episodes"]
    assert [e["enclosures"][0]["url"].rsplit("/", 1)[1] for e in episodes[:3]] == [e.path for e in slow]
    ids = {e["guid"] for e in episodes} | {e["guid"] for e in gpodder(tmp_path / "feed.xml")["episodes"]}
    assert len(ids) == 12


def test_without_a_slow_edition_there_is_no_alternate_and_no_slow_feed(tmp_path):
    publish(tmp_path, make_issue(DAY2))
    assert not list(ET.parse(tmp_path / "feed.xml").getroot().iter(f"{PODCAST}alternateEnclosure"))
    assert not (tmp_path / "feed-slow.xml").exists()


def test_slow_side_files_sit_beside_the_slow_episode(tmp_path):
    slow = publish_with_slow(tmp_path, make_issue(DAY2))
    issue_dir = tmp_path / DAY2.isoformat()
    data = json.loads((issue_dir / "a01.slow.chapters.json").read_text(encoding="utf-8"))
    assert [c["startTime"] for c in data["chapters"]] == [c.start for c in slow[0].chapters]
    assert (issue_dir / "a01.slow.vtt").read_text(encoding="utf-8").startswith("WEBVTT")


def test_editions_are_named_as_a_config_file_names_them():
    assert PublishSettings(editions=frozenset({"daisy", "slow"})).editions == {Edition.DAISY, Edition.SLOW}
    with pytest.raises(ValueError, match="known: daisy, usb, slow"):
        PublishSettings(editions=frozenset({"cassette"}))


def test_a_relative_slow_enclosure_is_made_absolute_for_serve(tmp_path):
    publish_with_slow(tmp_path, make_issue(DAY2))  # no base URL: every link relative
    served = ET.fromstring(absolutize_feed((tmp_path / "feed.xml").read_bytes(), "http://192.0.2.7/paper/"))
    sources = [s.get("uri") for s in served.iter(f"{PODCAST}source")]
    assert sources == [f"http://192.0.2.7/paper/2025-12-31/a0{n}.slow.mp3" for n in (1, 2, 3)]
