import re
import shutil
import tomllib

import edge_tts.voices
import pytest

from enews_audio.errors import EngineUnavailableError, SpeechError, UnknownVoiceError
from enews_audio.resources import voices_dir
from enews_audio.speech import VoiceInfo, list_voices
from enews_audio.speech.edge import EdgeEngine
from enews_audio.speech.engine import Voice
from enews_audio.speech.voices import edge_voices, snapshot_path
from fake_edge import FakeEdge, Fault, closed_url, use_loopback

SHIPPED = voices_dir()


@pytest.fixture
def voices(tmp_path, monkeypatch):
    """A private copy of the voices folder, so a refresh can't touch the repository's snapshot."""
    folder = tmp_path / "voices"
    shutil.copytree(SHIPPED, folder, ignore=shutil.ignore_patterns("*.bin", "*.json"))
    monkeypatch.setenv("ENEWS_VOICES_DIR", str(folder))
    use_loopback(monkeypatch)
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


def test_refresh_writes_the_live_chinese_voices_and_keeps_notes_written_by_hand(voices, monkeypatch):
    before = {v.name: v.notes for v in edge_voices()}
    with FakeEdge() as fake:
        monkeypatch.setattr(edge_tts.voices, "VOICE_LIST", fake.voices_url)
        listed = list_voices(refresh=True)
    edge = {v.name: v for v in listed if v.engine == "edge"}
    assert set(edge) == {"zh-CN-XiaoxiaoNeural", "zh-CN-YunyangNeural", "zh-CN-YunfanNeural"}
    assert edge["zh-CN-XiaoxiaoNeural"].notes == before["zh-CN-XiaoxiaoNeural"]
    assert edge["zh-CN-YunfanNeural"].notes == "Sports, Bright"  # new: notes from the service's tags
    assert edge["zh-CN-YunfanNeural"].gender == "male"
    assert {v.name for v in edge_voices()} == set(edge)  # written, and read back the same
    data = tomllib.loads(snapshot_path().read_text(encoding="utf-8"))
    assert len(data["voice"]) == 3
    assert not list(voices.glob(".*.tmp"))
    EdgeEngine(Voice("zh-CN-YunfanNeural"))  # usable at once


@pytest.mark.parametrize("where", ["refused", "closed"])
def test_a_failed_refresh_is_one_line_and_keeps_the_snapshot(voices, monkeypatch, where):
    before = snapshot_path().read_bytes()
    with FakeEdge(faults=[Fault.UNAVAILABLE] * 3) as fake:
        url = fake.voices_url if where == "refused" else closed_url().replace("ws://", "http://")
        monkeypatch.setattr(edge_tts.voices, "VOICE_LIST", url)
        with pytest.raises(EngineUnavailableError, match=r"^edge-tts voice list") as caught:
            list_voices(refresh=True)
    assert "\n" not in str(caught.value)
    # The status as a word of its own: a random port such as 127.0.0.1:34503 must not count as "503".
    assert bool(re.search(r"(?<![\d:])503\b", str(caught.value))) == (where == "refused")
    assert snapshot_path().read_bytes() == before
