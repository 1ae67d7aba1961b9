"""The data flows one way: a stage never imports a later one, and only pipeline/cli compose stages."""

import ast
from pathlib import Path

import pytest

import enews_audio

PACKAGE = Path(enews_audio.__file__).parent
STAGES = ["sources", "text", "speech", "audio", "publish"]


def _imports(path: Path) -> set[str]:
    package = ["enews_audio", *path.parent.relative_to(PACKAGE).parts]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            names |= {f"{module}.{a.name}" for a in node.names}
    return {n for n in names if n.startswith("enews_audio.")}


@pytest.mark.parametrize("stage", STAGES)
def test_a_stage_imports_no_other_stage(stage):
    others = {f"enews_audio.{s}" for s in STAGES if s != stage}
    for path in (PACKAGE / stage).rglob("*.py"):
        for name in _imports(path):
            assert not any(name == o or name.startswith(o + ".") for o in others), (
                f"{path.name} imports {name}"
            )


# asyncio only where the work is concurrent I/O by nature: speech (many clips in flight to a service) and
# serve (an HTTP server, many players each holding a connection). Everywhere else code stays synchronous.
ASYNC_PACKAGES = {"speech", "serve"}


def test_asyncio_stays_inside_speech_and_serve():
    for path in PACKAGE.rglob("*.py"):
        if path.relative_to(PACKAGE).parts[0] in ASYNC_PACKAGES:
            continue
        source = path.read_text(encoding="utf-8")
        assert "import asyncio" not in source and "async def" not in source, path


@pytest.mark.parametrize(
    ("stage", "public"),
    [
        ("sources", {"load_issue", "FetchSettings"}),
        (
            "text",
            {
                "to_script",
                "TextSettings",
                "chinese_number",
                "load_lexicon",
                "Lexicon",
                "lint",
                "Finding",
                "format_script",
                "format_findings",
            },
        ),
        ("audio", {"assemble", "AudioSettings", "read_chapters", "EpisodeMemo", "fingerprint"}),
        (
            "publish",
            {
                "publish_issue",
                "PublishSettings",
                "paper_slug",
                "absolutize_feed",
                "FEED_NAME",
                "withdraw_pages",
            },
        ),
        (
            "speech",
            {
                "ENGINES",
                "PLACEHOLDER_TEXT",
                "Engine",
                "FakeEngine",
                "Pauses",
                "Preset",
                "SpeechResult",
                "SpeechSettings",
                "Voice",
                "VoiceInfo",
                "close_engine",
                "list_voices",
                "load_preset",
                "placeholder_clip",
                "preset_names",
                "select_engine",
                "synthesize",
            },
        ),
    ],
)
def test_each_stage_exports_what_callers_use(stage, public):
    module = __import__(f"enews_audio.{stage}", fromlist=["__all__"])
    assert set(module.__all__) == public
    assert all(hasattr(module, name) for name in public)
