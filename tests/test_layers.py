"""The data flows one way: a stage never imports a later one, and only pipeline/cli compose stages; the
package's root keeps only the shared base.

Imports are counted wherever they stand, inside functions too: a cycle must not hide in a deferred import.
"""

import ast
import graphlib
from pathlib import Path

import pytest

import enews_audio

PACKAGE = Path(enews_audio.__file__).parent
STAGES = ["sources", "text", "speech", "audio", "publish"]
# Modules below the stages, which any stage may import: value types, errors, shared text knowledge, files.
BELOW = ["enews_audio", "atomic", "chars", "errors", "model", "pinyin", "resources", "sealed", "tomlfile"]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(["enews_audio", *(parts[:-1] if parts[-1] == "__init__" else parts)])


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(path: Path) -> set[str]:
    """Every enews_audio module ``path`` imports, at module level or inside a function."""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            submodules = {f"{module}.{a.name}" for a in node.names} & MODULES.keys()
            names |= submodules or {module}
    return {n for n in names if n.split(".")[0] == "enews_audio"}


def _stage_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else None


def test_no_import_cycle_even_through_imports_inside_functions():
    graph = graphlib.TopologicalSorter({name: _imports(path) for name, path in MODULES.items()})
    try:
        graph.prepare()
    except graphlib.CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")


def test_the_modules_below_the_stages_import_no_stage_and_nothing_else():
    for name in BELOW:
        module = "enews_audio" if name == "enews_audio" else f"enews_audio.{name}"
        imported = _imports(MODULES[module])
        assert imported <= {f"enews_audio.{b}" for b in BELOW}, f"{module} imports {imported}"


@pytest.mark.parametrize("stage", STAGES)
def test_a_stage_imports_only_itself_and_what_lies_below(stage):
    below = {"enews_audio", *(f"enews_audio.{b}" for b in BELOW)}
    for name, path in MODULES.items():
        if _stage_of(name) != stage:
            continue
        for imported in _imports(path):
            assert _stage_of(imported) == stage or imported in below, f"{path.name} imports {imported}"


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
                "to_brief",
                "TextSettings",
                "chinese_number",
                "load_lexicon",
                "Lexicon",
                "Pauses",
                "lint",
                "Finding",
                "format_script",
                "format_findings",
            },
        ),
        ("audio", {"assemble", "assemble_or_reuse", "AudioSettings", "preload", "read_chapters"}),
        (
            "publish",
            {
                "publish_issue",
                "PublishSettings",
                "paper_slug",
                "absolutize_feed",
                "is_feed",
                "FEED_NAME",
                "FEED_NAMES",
                "withdraw_pages",
                "relative_links_warning",
            },
        ),
        # What cli and pipeline use; tests and dry runs reach the rest by module (speech.fake.FakeEngine).
        (
            "speech",
            {
                "Engine",
                "EngineSpec",
                "Session",
                "Speaker",
                "SpeechSettings",
                "Executor",
                "list_voices",
                "load_preset",
                "preset_names",
                "select_engine",
            },
        ),
    ],
)
def test_each_stage_exports_what_callers_use(stage, public):
    module = __import__(f"enews_audio.{stage}", fromlist=["__all__"])
    assert set(module.__all__) == public
    assert all(hasattr(module, name) for name in public)


def test_the_root_keeps_only_the_shared_base_and_no_module_grows_past_400_lines():
    root = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in {"__init__", "__main__"})
    assert set(root) == set(BELOW) - {"enews_audio"} and len(root) <= 10, root
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 400
    }
    assert not long


def test_no_runner_chooses_by_an_engines_name_or_probes_it_for_methods():
    """How a voice runs follows what the engine declares (``cpu_bound``, ``resource``, ``warm``)."""
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Compare)
                and isinstance(node.left, ast.Attribute)
                and node.left.attr == "name"
            ):
                owner = ast.unparse(node.left.value)
                assert "engine" not in owner and "spec" not in owner, f"{path.name}: {ast.unparse(node)}"
            if isinstance(node, ast.Call) and ast.unparse(node.func) in {"getattr", "hasattr"}:
                assert "engine" not in ast.unparse(node.args[0]), f"{path.name}: {ast.unparse(node)}"
