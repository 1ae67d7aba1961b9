"""Its presence puts ``tests/`` on sys.path (pytest's default "prepend" import mode), so test files
anywhere below can ``from fake_edge import FakeEdge``."""

import contextlib
import resource
import signal
from collections.abc import Callable

import pytest

from enews_audio.speech.edge import URL_ENV
from support.fake_edge import use_loopback


@pytest.fixture(autouse=True)
def _own_user_data(tmp_path_factory, monkeypatch):
    """A user data folder of the test's own (also for the builds it runs as subprocesses), so no test reads a
    voice list refreshed on this machine or writes one there."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))


@pytest.fixture
def edge_url(monkeypatch) -> Callable[[str], None]:
    """No proxy and no ``$ENEWS_EDGE_URL`` from outside; ``edge_url(fake.url)`` points whatever the test
    builds afterwards (engines, ``select_engine``, the voice list refresh, a batch) at that service, by
    ``$ENEWS_EDGE_URL``. Never by writing edge-tts's globals: only ``speech/edge.py`` does that."""
    use_loopback(monkeypatch)
    monkeypatch.delenv(URL_ENV, raising=False)
    return lambda url: monkeypatch.setenv(URL_ENV, url)


@pytest.fixture
def full_disk():
    """``with full_disk(n):`` writes of this process past ``n`` bytes of a file fail as on a full disk.

    The real failure through the real system calls (EFBIG, "File too large", from RLIMIT_FSIZE), where
    permissions can't be used to make one: the tests may run as root.
    """

    @contextlib.contextmanager
    def limited(nbytes: int):
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # else the kernel kills the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, hard))
        try:
            yield
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
            signal.signal(signal.SIGXFSZ, previous)

    return limited


@pytest.fixture(scope="session")
def voice_pool():
    """Two voice worker processes × one thread, kept for the session: the tests that run the real offline
    voice through workers share them, and so load the model once per worker."""
    from enews_audio.speech.machine import PoolShape
    from enews_audio.speech.pool import VoicePool

    pool = VoicePool(PoolShape(2, 1))
    yield pool
    pool.close()
