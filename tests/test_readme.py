"""The README's first two commands set themselves up on a fresh machine (a venv in the checkout, made or
reused, nothing activated: Debian's Python refuses pip outside one), and ``.ci/run`` runs the second as is."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]


def readme_commands() -> list[str]:
    block = re.search(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert block, "README.md opens with a sh block of commands"
    return block[1].strip().splitlines()


def test_each_command_makes_or_reuses_the_venv_and_runs_from_it():
    commands = readme_commands()
    assert len(commands) == 2
    for command in commands:
        first, *rest = command.split(" && ")
        assert first == "python3 -m venv .venv", command
        assert rest and all(step.startswith(".venv/bin/") for step in rest), command
    assert commands[1].endswith("-m pytest")


def test_ci_runs_the_readme_test_command_verbatim():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    steps = [line for line in script.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert steps[-1] == readme_commands()[1]
    assert not any("activate" in step for step in steps)
