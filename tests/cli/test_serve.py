"""`enews-audio serve` as a command (the server itself is tested in tests/test_serve.py)."""

from __future__ import annotations

from .conftest import cli, one_line_error


def test_serve_has_help():
    result = cli("serve", "--help")
    assert result.exit_code == 0
    for option in ("--host", "--port", "--quiet"):
        assert option in result.stdout


def test_serve_a_missing_folder_is_one_line(tmp_path):
    missing = tmp_path / "not-built-yet"
    result = cli("serve", missing, "--port", "0")
    one_line_error(result, 2, "not-built-yet")
