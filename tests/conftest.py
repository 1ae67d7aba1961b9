"""Its presence puts ``tests/`` on sys.path (pytest's default "prepend" import mode), so test files
anywhere below can ``from fake_edge import FakeEdge``."""

import pytest


@pytest.fixture(autouse=True)
def _own_user_data(tmp_path_factory, monkeypatch):
    """A user data folder of the test's own (also for the builds it runs as subprocesses), so no test reads a
    voice list refreshed on this machine or writes one there."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))
