import pytest
from served import make_root

from enews_audio.serve import running


@pytest.fixture
def root(tmp_path):
    return make_root(tmp_path)


@pytest.fixture
def server(root):
    """The base URL of a server for ``root`` on 127.0.0.1, any free port."""
    with running(root, port=0) as url:
        yield url
