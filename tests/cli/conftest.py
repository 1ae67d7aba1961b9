"""What the tests of every command share: run the CLI, and the one-line error a user sees."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from enews_audio.cli import app

runner = CliRunner()
SAMPLE = Path(__file__).parents[2] / "examples" / "sample-issue"


def cli(*args: object, **kwargs):
    """Run ``enews-audio ARGS`` in-process; every argument is passed as text."""
    return runner.invoke(app, [str(a) for a in args], **kwargs)


def fake_build(source: object, out: object, *extra: object):
    """``enews-audio build SOURCE --engine fake -o OUT EXTRA…``: the whole pipeline with silent clips."""
    return cli("build", source, "--engine", "fake", "-o", out, *extra)


def one_line_error(result, code: int, *named: str) -> str:
    """The failure a user sees: exit ``code`` and a single ``error:`` line naming what is wrong."""
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for name in named:
        assert name in lines[0], lines[0]
    assert "Traceback" not in result.output
    return lines[0]


def refused(result, option: str) -> None:
    """A bad option value: exit 2 before any work, naming the option (typer's box or our one line)."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert option in result.stderr, result.stderr
    assert "Traceback" not in result.output
