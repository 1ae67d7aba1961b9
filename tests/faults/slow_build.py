"""A build that holds its paper's lock until the test says: ``python slow_build.py SOURCE OUT GATE``.

Speaking its first sentence, it creates ``GATE.started`` (the lock is held from then on) and waits until
``GATE`` exists; then it finishes as an ordinary build with the fake engine.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for support

from enews_audio.speech.fake import FakeEngine, silent_clip
from support.builds import build
from support.builds import settings as build_settings


def main() -> None:
    source, out, gate = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])

    def held(text: str):
        gate.with_suffix(".started").touch()
        while not gate.exists():
            time.sleep(0.02)
        return silent_clip(text)

    build(source, FakeEngine(held), build_settings(out_dir=out))


if __name__ == "__main__":
    main()
