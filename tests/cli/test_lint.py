"""`enews-audio lint`: words the chosen voice may misread, with their place."""

from __future__ import annotations

from pathlib import Path

from enews_audio import text
from enews_audio.sources import load_issue

from .conftest import cli

EXPORT = """电子报阅读机
2026-04-08
星期三
当前报纸名称:{paper}

{title}

日期:04-07
字号:
版面:{page}版:{name}   上一篇    下一篇

  记者 林舟

{body}
"""


def _export(folder: Path, title: str, body: str) -> Path:
    """A folder holding one reader export of an A03 page; ``body`` has a paragraph per line."""
    folder.mkdir(parents=True, exist_ok=True)
    paragraphs = "\n\n".join(f"  {p}" for p in body.split("\n"))
    text = EXPORT.format(paper="滨江日报", title=title, page="A03", name="城事", body=paragraphs)
    (folder / "a03-1.txt").write_text(text, encoding="utf-8")
    return folder


def _risky_issue(tmp_path: Path) -> Path:
    return _export(
        tmp_path / "risky",
        "朝天门航线加密",
        "本周起，记者曾国强随首班船出发。\n旅客可在App上预约值机。",
    )


def test_lint_lists_a_name_and_a_latin_word_with_their_place(tmp_path):
    source = _risky_issue(tmp_path)
    issue = load_issue(source)
    findings = text.lint(issue, text.TextSettings(lexicon=text.load_lexicon("offline", "")))
    kinds = {(f.word, f.kind) for f in findings}
    assert {("曾国强", "name"), ("App", "latin")} <= kinds
    result = cli("lint", source)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for f in findings:
        (line,) = [line for line in lines if line.split()[:2] == [f.kind, f.word]]
        assert f"{f.page} 《{f.article}》 #{f.sentence}" in line
    assert lines[-1] == f"{len(findings)} finding(s)"


def test_lint_leaves_out_a_word_the_user_lexicon_reads(tmp_path):
    source = _risky_issue(tmp_path)
    lexicon = tmp_path / "names.toml"
    lexicon.write_text('[pinyin]\n"曾国强" = "zeng1 guo2 qiang2"\n', encoding="utf-8")
    result = cli("lint", source, "--lexicon", lexicon)
    assert result.exit_code == 0, result.output
    kinds_and_words = [line.split()[:2] for line in result.stdout.splitlines()]
    assert ["name", "曾国强"] not in kinds_and_words
    assert ["latin", "App"] in kinds_and_words


def test_lint_for_edge_lists_the_curated_place_names(tmp_path):
    result = cli("lint", _risky_issue(tmp_path), "--engine", "edge")
    assert result.exit_code == 0, result.output
    kinds_and_words = [line.split()[:2] for line in result.stdout.splitlines()]
    assert ["watch", "朝天门"] in kinds_and_words
    assert ["latin", "App"] not in kinds_and_words  # Microsoft's voices read English words


def test_lint_of_a_clean_issue_says_so(tmp_path):
    source = _export(tmp_path / "clean", "春风拂过湖面", "湖边的柳树发芽了。")
    result = cli("lint", source)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "0 finding(s)"
