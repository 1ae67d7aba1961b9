"""What serve refuses: every way out of the folder, hidden names, oversized requests; what it never waits for."""

import pytest
from served import SECRET, raw


@pytest.mark.parametrize(
    "target",
    [
        "/../outside/secret.txt",
        "/paper/../../outside/secret.txt",
        "/%2e%2e/outside/secret.txt",
        "/paper/%2E%2E/%2e%2e/outside/secret.txt",
        "/..%2foutside%2fsecret.txt",
        "/paper/..%5c..%5coutside%5csecret.txt",
        "/paper/escape.txt",
        "/paper/elsewhere/secret.txt",
        "//" + "x/../../outside/secret.txt",
        "http://localhost/../outside/secret.txt",
        "/.cache/clip.mp3",
        "/paper/%00a01.mp3",
    ],
)
def test_nothing_outside_the_folder_or_hidden_is_reachable(server, target):
    answer = raw(server, target)
    status = int(answer.split(b" ", 2)[1])
    assert status in {400, 403, 404}, answer[:200]
    assert SECRET.encode() not in answer and b"cached" not in answer


def test_an_absolute_filesystem_path_stays_inside_the_folder(server, root):
    answer = raw(server, "/" + str(root / "paper" / "a01.vtt").lstrip("/"))
    assert int(answer.split(b" ", 2)[1]) == 404
