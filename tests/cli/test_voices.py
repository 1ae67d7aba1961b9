"""`enews-audio voices`: both engines' voices and the presets, from the snapshot, without the network."""

from __future__ import annotations

import socket

import pytest

from enews_audio import speech

from .conftest import cli


@pytest.fixture
def no_network(monkeypatch):
    """Any connection beyond 127.0.0.1 fails the test."""
    connect = socket.socket.connect

    def loopback_only(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if host not in {"127.0.0.1", "::1", "localhost"} and self.family != socket.AF_UNIX:
            raise AssertionError(f"network call to {address}")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", loopback_only)


def test_voices_lists_both_engines_and_the_presets_from_the_snapshot(no_network):
    result = cli("voices", env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "zh-CN-XiaoxiaoNeural" in result.stdout
    assert "zf_xiaobei" in result.stdout
    names = speech.preset_names()
    assert {"news", "slow", "fast"} <= set(names)
    (presets,) = [line for line in result.stdout.splitlines() if "--preset" in line]
    for name in names:
        assert name in presets


def test_voices_names_are_whole_in_an_80_column_terminal(no_network):
    result = cli("voices", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    for voice in speech.list_voices(False):
        assert voice.name in result.stdout, voice.name
