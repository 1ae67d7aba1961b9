"""Show a script and lint findings as plain text, so an editor can proof-read before a build."""

from __future__ import annotations

from collections import defaultdict

from enews_audio.model import Script, Utterance
from enews_audio.text.lint import Finding


def format_script(script: Script, spoken: bool = False) -> str:
    """Per page, every utterance numbered with its part; with ``spoken`` also what the voice will say."""
    issue = script.issue
    lines = [f"{issue.paper} {issue.date.isoformat()}"]
    for page in script.pages:
        lines.append(f"\n== {page.page.code}版 {page.page.name} ({len(page.utterances)} utterances) ==")
        width = len(str(len(page.utterances)))
        for number, u in enumerate(page.utterances, 1):
            label = f"{number:>{width}} {_place(u):<11}"
            lines.append(f"{label} {u.display}")
            if spoken and u.spoken != u.display:
                lines.append(f"{'':{len(label)}} → {u.spoken}")
    return "\n".join(lines) + "\n"


def _place(u: Utterance) -> str:
    return f"[{u.part.value}]" if u.article is None else f"[{u.part.value} {u.article + 1}]"


def format_findings(findings: list[Finding]) -> str:
    """One line per risky word and reason, with every place it occurs (page, article, utterance number)."""
    places: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for f in findings:
        places[f.word, f.kind, f.detail].append(f"{f.page} 《{f.article}》 #{f.sentence}")
    lines = [
        f"{kind:<9} {word}  ({detail}): {', '.join(dict.fromkeys(where))}"
        for (word, kind, detail), where in places.items()
    ]
    return "\n".join(lines) + ("\n" if lines else "")
