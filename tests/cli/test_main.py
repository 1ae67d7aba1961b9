"""The command as a whole: version, help, and mistakes every command renders as one `error:` line."""

from __future__ import annotations

import pytest

from enews_audio import __version__
from enews_audio.cli import app

from .conftest import SAMPLE, cli, one_line_error, refused


def test_help_explains_every_command_and_option():
    result = cli("--help")
    assert result.exit_code == 0
    assert "build" in result.output
    build_help = cli("build", "--help")
    assert build_help.exit_code == 0
    for option in ("--out", "--engine", "--voice", "--base-url", "--keep"):
        assert option in build_help.output
    for command in app.registered_commands:
        assert command.callback.__doc__, f"{command.name} has no help text"


BAD_LEXICONS = {
    "unknown table": '[substitution]\n"江滨路" = "江边路"\n',
    "bad pinyin": '[pinyin]\n"江滨路" = "jiang1 bin1"\n',
    "not TOML": "[substitutions\n",
}


@pytest.mark.parametrize("command", ["script", "lint", "build"])
@pytest.mark.parametrize("case", [*BAD_LEXICONS, "missing"])
def test_a_bad_lexicon_file_is_one_line_naming_it(tmp_path, command, case):
    lexicon = tmp_path / "my-lexicon.toml"
    if case != "missing":
        lexicon.write_text(BAD_LEXICONS[case], encoding="utf-8")
    out = tmp_path / "out"
    extra = ["--engine", "fake", "-o", out] if command == "build" else []
    result = cli(command, SAMPLE, "--lexicon", lexicon, *extra)
    one_line_error(result, 1, "my-lexicon.toml")
    assert not out.exists()


@pytest.mark.parametrize("command", ["lint", "script"])
def test_an_unknown_engine_for_the_lexicon_is_refused(command):
    refused(cli(command, SAMPLE, "--engine", "ofline"), "--engine")


def test_version_is_the_packages():
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"enews-audio {__version__}"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("build", SAMPLE, "--date", "2025/12/31"), "error: --date: '2025/12/31' is not a date like 2025-12-31"),
        (("build", SAMPLE, "--date", "2025-13-01"), "error: --date: '2025-13-01' is not a date (month must be in 1..12)"),
        (("script", SAMPLE, "--date", "31.12.2025"), "error: --date: '31.12.2025' is not a date like 2025-12-31"),
        (("build", SAMPLE, "--keep", "0"), "error: --keep: must be ≥ 1"),
        (("build", SAMPLE, "--jobs", "two"), "error: --jobs: must be a whole number"),
        (("build", SAMPLE, "--fetch-delay", "-1"), "error: --fetch-delay: must be ≥ 0"),
        (("build", SAMPLE, "--edition", "cassette"), "error: --edition: 'cassette' is not one of 'daisy', 'usb', 'slow'"),
        (("serve", "--port", "70000"), "error: --port: must be ≤ 65535"),
        (("build",), "error: Missing argument 'source'"),
    ],
)  # fmt: skip
def test_a_value_the_command_line_refuses_is_one_error_line_and_exit_2_without_a_usage_block(args, line):
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [line]  # no usage block, no empty line before it
    assert "%Y" not in result.output


def test_an_error_of_a_source_is_its_line_alone_with_no_empty_line_before_it(tmp_path):
    result = cli("build", tmp_path / "nothing-here", "--engine", "fake", "-o", tmp_path / "out")
    assert result.exit_code != 0
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1


def test_the_commands_script_imports_nothing_heavy_until_it_runs():
    """A spawned voice worker imports its parent's main script first: the ``enews-audio`` script's module
    must not bring the command line (typer, rich) or the stages' libraries (httpx, Pillow) with it."""
    import subprocess
    import sys

    heavy = ("typer", "rich", "httpx", "PIL", "enews_audio.cli", "enews_audio.pipeline")
    probe = f"import sys, enews_audio.__main__; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
