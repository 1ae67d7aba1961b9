import re
import shutil
import tomllib

import pytest

from enews_audio.errors import EngineUnavailableError, SpeechError, UnknownVoiceError
from enews_audio.resources import user_data_dir, voices_dir
from enews_audio.speech.edge import EdgeEngine
from enews_audio.speech.engine import Voice
from enews_audio.speech.select import list_voices
from enews_audio.speech.voices import VoiceInfo, edge_voices, refreshed_path, shipped_path, snapshot_path
from support.fake_edge import FakeEdge, Fault, closed_url

SHIPPED = voices_dir()


@pytest.fixture
def voices(tmp_path, monkeypatch):
    """A private copy of the voices folder, so a test can't touch the repository's snapshot."""
    folder = tmp_path / "voices"
    shutil.copytree(SHIPPED, folder, ignore=shutil.ignore_patterns("*.bin", "*.json"))
    monkeypatch.setenv("ENEWS_VOICES_DIR", str(folder))
    return folder


def test_the_shipped_snapshot_lists_chinese_edge_voices_with_every_field():
    listed = edge_voices()
    assert {v.name for v in listed} >= {"zh-CN-XiaoxiaoNeural", "zh-CN-YunyangNeural"}
    for v in listed:
        assert v.engine == "edge" and v.gender in {"female", "male"}
        assert v.name.startswith(v.locale) and v.locale.startswith("zh-")
        assert v.notes
    assert not any("Multilingual" in v.name for v in listed)  # Azure-only: no audio through edge


def test_list_voices_has_edge_then_offline_voices():
    listed = list_voices()
    engines = [v.engine for v in listed]
    assert engines == sorted(engines)  # "edge" < "offline": all edge voices first
    offline = [v for v in listed if v.engine == "offline"]
    assert "zf_xiaobei" in {v.name for v in offline}
    assert all(isinstance(v, VoiceInfo) and v.locale == "zh-CN" for v in offline)
    assert {v.gender for v in offline if v.name.startswith("zm_")} <= {"male"}


def test_edge_voices_are_validated_against_the_snapshot_read_at_run_time(voices):
    (voices / "edge-voices.toml").write_text(
        '[[voice]]\nname = "zh-CN-YunjianNeural"\ngender = "male"\nlocale = "zh-CN"\nnotes = ""\n',
        encoding="utf-8",
    )
    EdgeEngine(Voice("zh-CN-YunjianNeural"))
    with pytest.raises(UnknownVoiceError, match="zh-CN-XiaoxiaoNeural"):
        EdgeEngine(Voice("zh-CN-XiaoxiaoNeural"))


@pytest.mark.parametrize("content", ["[[voice]\nname=", '[[voice]]\ngender = "male"\n', "title = 1\n"])
def test_a_damaged_snapshot_is_one_line_naming_the_file(voices, content):
    (voices / "edge-voices.toml").write_text(content, encoding="utf-8")
    with pytest.raises(SpeechError) as caught:
        edge_voices()
    message = str(caught.value)
    assert str(voices / "edge-voices.toml") in message and "\n" not in message


def test_refresh_writes_the_live_chinese_voices_to_the_users_folder_and_keeps_notes(voices, edge_url):
    shipped = shipped_path().read_bytes()
    before = {v.name: v.notes for v in edge_voices()}
    with FakeEdge() as fake:
        edge_url(fake.url)  # the voice list is fetched from beside the speech endpoint
        listed = list_voices(refresh=True)
        assert fake.count == 1
    edge = {v.name: v for v in listed if v.engine == "edge"}
    assert set(edge) == {"zh-CN-XiaoxiaoNeural", "zh-CN-YunyangNeural", "zh-CN-YunfanNeural"}
    assert edge["zh-CN-XiaoxiaoNeural"].notes == before["zh-CN-XiaoxiaoNeural"]
    assert edge["zh-CN-YunfanNeural"].notes == "Sports, Bright"  # new: notes from the service's tags
    assert edge["zh-CN-YunfanNeural"].gender == "male"
    assert snapshot_path() == refreshed_path() == user_data_dir() / "edge-voices.toml"
    assert {v.name for v in edge_voices()} == set(edge)  # written, and read back the same
    data = tomllib.loads(snapshot_path().read_text(encoding="utf-8"))
    assert len(data["voice"]) == 3
    assert not list(refreshed_path().parent.glob(".*.tmp"))
    assert shipped_path().read_bytes() == shipped  # the installed package is never written
    EdgeEngine(Voice("zh-CN-YunfanNeural"))  # usable at once


def test_the_users_list_overlays_the_shipped_one_and_its_notes_survive_the_next_refresh(voices, edge_url):
    refreshed_path().parent.mkdir(parents=True)
    refreshed_path().write_text(
        '[[voice]]\nname = "zh-CN-YunfanNeural"\ngender = "male"\nlocale = "zh-CN"\nnotes = "体育，我写的"\n',
        encoding="utf-8",
    )
    assert [v.name for v in edge_voices()] == ["zh-CN-YunfanNeural"]
    with pytest.raises(UnknownVoiceError):
        EdgeEngine(Voice("zh-CN-YunjianNeural"))  # shipped, but not in the list in effect
    with FakeEdge() as fake:
        edge_url(fake.url)
        edge = {v.name: v.notes for v in list_voices(refresh=True) if v.engine == "edge"}
    assert edge["zh-CN-YunfanNeural"] == "体育，我写的"


def test_a_damaged_user_list_is_one_line_naming_it_and_a_refresh_repairs_it(voices, edge_url):
    refreshed_path().parent.mkdir(parents=True)
    refreshed_path().write_text("[[voice]\nname=", encoding="utf-8")
    with pytest.raises(SpeechError, match="--refresh") as caught:
        edge_voices()
    assert str(refreshed_path()) in str(caught.value) and "\n" not in str(caught.value)
    with FakeEdge() as fake:
        edge_url(fake.url)
        list_voices(refresh=True)
    assert len(edge_voices()) == 3


@pytest.mark.parametrize("where", ["refused", "closed"])
def test_a_failed_refresh_is_one_line_and_keeps_the_list(voices, edge_url, where):
    before = snapshot_path().read_bytes()
    with FakeEdge(faults=[Fault.UNAVAILABLE] * 3) as fake:
        edge_url(fake.url if where == "refused" else closed_url())
        with pytest.raises(EngineUnavailableError, match=r"^edge-tts voice list") as caught:
            list_voices(refresh=True)
    assert "\n" not in str(caught.value)
    # The status as a word of its own: a random port such as 127.0.0.1:34503 must not count as "503".
    assert bool(re.search(r"(?<![\d:])503\b", str(caught.value))) == (where == "refused")
    assert snapshot_path().read_bytes() == before
    assert not refreshed_path().exists()
