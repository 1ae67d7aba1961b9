import asyncio

import pytest

from enews_audio.errors import EngineUnavailableError
from enews_audio.speech import load_preset, select_engine
from support.fake_edge import FakeEdge, closed_address


def test_the_endpoint_comes_from_the_environment(edge_url):
    with FakeEdge() as fake:
        edge_url(fake.url)
        engine = select_engine("edge")
        asyncio.run(engine.synthesize("晚上好。"))
        assert fake.texts == ["晚上好。"]


def test_a_proxy_is_used_for_every_request():
    proxy = closed_address()
    with FakeEdge() as fake:
        engine = select_engine("edge", edge_url=fake.url, proxy=proxy)
        assert engine.proxy == proxy
        with pytest.raises(EngineUnavailableError, match=r"proxy unreachable: 127\.0\.0\.1:\d+"):
            asyncio.run(engine.synthesize("晚上好。"))
        assert fake.count == 0  # nothing went around the proxy


def test_auto_probes_through_the_proxy_and_falls_back_to_the_presets_offline_voice():
    proxy = closed_address()
    told = []
    with FakeEdge() as fake:
        engine = select_engine(
            "auto", preset=load_preset("slow"), edge_url=fake.url, proxy=proxy, on_choice=told.append
        )
        assert fake.count == 0
    assert engine.name == "offline"
    assert engine.identity.split("/")[1] == load_preset("slow").voice_for("offline")
    assert told == ["engine: offline (the edge-tts service did not answer)"]


def test_auto_uses_the_presets_edge_voice_when_the_service_answers():
    told = []
    with FakeEdge() as fake:
        engine = select_engine("auto", preset=load_preset("news"), edge_url=fake.url, on_choice=told.append)
        assert fake.requests[0].voice == load_preset("news").voice_for("edge")
    assert engine.identity.startswith(f"edge-tts/{load_preset('news').voice_for('edge')}/rate+0%")
    assert told == ["engine: edge (the edge-tts service answered)"]
