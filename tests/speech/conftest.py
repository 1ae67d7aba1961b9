"""Speech tests reach edge-tts only on 127.0.0.1, and point the project at a service through its own seam."""

from collections.abc import Callable

import pytest

from enews_audio.speech.edge import URL_ENV
from fake_edge import use_loopback


@pytest.fixture(autouse=True)
def edge_url(monkeypatch) -> Callable[[str], None]:
    """No proxy and no ``$ENEWS_EDGE_URL`` from outside; ``edge_url(fake.url)`` points whatever the test
    builds afterwards (engines, ``select_engine``, the voice list refresh) at that service, by
    ``$ENEWS_EDGE_URL``. Never by writing edge-tts's globals: only ``speech/edge.py`` does that."""
    use_loopback(monkeypatch)
    monkeypatch.delenv(URL_ENV, raising=False)
    return lambda url: monkeypatch.setenv(URL_ENV, url)
