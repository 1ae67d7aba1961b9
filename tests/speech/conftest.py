"""Speech tests reach edge-tts only on 127.0.0.1, and point the project at a service through its own seam."""

import pytest


@pytest.fixture(autouse=True)
def _loopback_only(edge_url):
    """Every speech test runs as under ``edge_url`` (tests/conftest.py), whether it names a service or not."""
