import datetime as dt
import shutil

from enews_audio.audio import AudioSettings, assemble, assemble_or_reuse
from enews_audio.audio.reuse import EpisodeMemo, fingerprint
from enews_audio.model import Article, Page, PageScript, Part, Utterance
from enews_audio.speech.fake import silent_clip

PAGE = Page("A02", "经济", (Article(title="港口吞吐量创新高", paragraphs=("一月到十月，港口吞吐量增长。",)),))
SCRIPT = PageScript(
    PAGE,
    (
        Utterance("A02版，经济。", "A零二版，经济。", Part.OPENING),
        Utterance("港口吞吐量创新高", "港口吞吐量创新高。", Part.HEADER, article=0),
        Utterance("一月到十月，港口吞吐量增长。", "一月到十月，港口吞吐量增长。", Part.BODY, article=0),
    ),
)
CLIPS = [silent_clip(u.spoken) for u in SCRIPT.utterances]
TAGS = ("山城晚报 2025年12月31日 A02版 经济", "山城晚报", dt.date(2025, 12, 31))
SETTINGS = AudioSettings(loudness=None)


def _published(tmp_path):
    staged = tmp_path / "staging" / "a02.mp3"
    episode = assemble(
        SCRIPT, CLIPS, staged, SETTINGS, title=TAGS[0], album=TAGS[1], artist=TAGS[1], date=TAGS[2]
    )
    memo = EpisodeMemo(tmp_path / "memo")
    key = fingerprint(SCRIPT, CLIPS, SETTINGS, TAGS)
    memo.put(key, episode, staged)
    published = tmp_path / "issue" / "a02.mp3"
    published.parent.mkdir()
    shutil.move(staged, published)
    return memo, key, episode, published


def test_the_same_inputs_give_back_the_published_episode(tmp_path):
    memo, key, episode, published = _published(tmp_path)
    again = memo.get(key, published, PAGE)
    assert again == episode


def test_any_change_of_input_changes_the_fingerprint():
    key = fingerprint(SCRIPT, CLIPS, SETTINGS, TAGS)
    louder = AudioSettings(loudness=-16.0)
    other_clip = [*CLIPS[:-1], silent_clip("不同的句子，长度也不同。")]
    paused = PageScript(
        PAGE,
        (
            *SCRIPT.utterances[:-1],
            Utterance(
                "一月到十月，港口吞吐量增长。",
                "一月到十月，港口吞吐量增长。",
                Part.BODY,
                article=0,
                pause=1.0,
            ),
        ),
    )
    assert (
        len(
            {
                key,
                fingerprint(SCRIPT, CLIPS, louder, TAGS),
                fingerprint(SCRIPT, other_clip, SETTINGS, TAGS),
                fingerprint(paused, CLIPS, SETTINGS, TAGS),
                fingerprint(SCRIPT, CLIPS, SETTINGS, (*TAGS[:2], dt.date(2026, 1, 1))),
            }
        )
        == 5
    )


def test_a_changed_or_missing_published_file_is_not_reused(tmp_path):
    memo, key, _episode, published = _published(tmp_path)
    published.write_bytes(published.read_bytes()[:-100])
    assert memo.get(key, published, PAGE) is None
    published.unlink()
    assert memo.get(key, published, PAGE) is None
    assert memo.get("0" * 64, published, PAGE) is None


def test_assemble_or_reuse_makes_a_new_page_and_gives_back_an_unchanged_one_without_writing(tmp_path):
    def made(published):
        staged = tmp_path / "staging" / "a02.mp3"
        episode = assemble_or_reuse(
            SCRIPT, CLIPS, SETTINGS, paper=TAGS[1], date=TAGS[2], published=published, staged=staged,
            memo=tmp_path / "memo",
        )  # fmt: skip
        return episode, staged

    published = tmp_path / "issue" / "a02.mp3"
    first, staged = made(published)
    assert staged.is_file() and not published.exists()  # the caller puts it in place
    published.parent.mkdir()
    shutil.move(staged, published)
    again, staged = made(published)
    assert again == first and not staged.exists()  # reused: nothing assembled
    assert first == EpisodeMemo(tmp_path / "memo").get(
        fingerprint(SCRIPT, CLIPS, SETTINGS, TAGS), published, PAGE
    )
