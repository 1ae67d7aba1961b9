"""``python -m enews_audio`` and the ``enews-audio`` command.

The command line is imported only when it runs: voice worker processes are spawned, and a spawned process
imports its parent's main script first (the ``enews-audio`` script imports this module), which must stay
light, or every worker pays for typer, rich, httpx, Pillow and the rest before loading its voice.
"""


def main() -> None:
    from enews_audio.cli import main as run

    run()


if __name__ == "__main__":
    main()
