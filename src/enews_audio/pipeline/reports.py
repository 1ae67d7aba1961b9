"""The operator's side of listeners' 读错了 reports (``enews-audio reports``).

Each open report is shown with what the voice was given for the sentence (its spoken form and, for the
offline voice, the pinyin it now gets, the paper's lexicon included), lint's findings for it and a
suggested lexicon entry. Accepting one writes the entry into the paper's own lexicon file (``[paper]
lexicon`` in enews-audio.toml), which every build of the paper loads, and closes the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import tomlkit
from tomlkit.exceptions import TOMLKitError

from enews_audio import text
from enews_audio.atomic import replacing
from enews_audio.chars import HAN
from enews_audio.errors import EnewsError, PublishError, UsageError
from enews_audio.pinyin import RUN, read_run
from enews_audio.pipeline.config import load_config
from enews_audio.pipeline.settings import paper_lexicon
from enews_audio.publish.record import RECORD_NAME, read_record
from enews_audio.publish.reports import Report, close_report, read_reports
from enews_audio.speech.select import DEFAULT_VOICES
from enews_audio.text.lint import sentence_risks, usual_reading

_SYLLABLE = re.compile(r"[a-zv]{1,6}[1-5]")
_HAN_RUN = re.compile(f"[{RUN}]+")
_NOTE_WORD = re.compile(f"[{HAN}]{{2,}}")
_NEW_LEXICON = (
    "# This paper's own lexicon: listeners' reports accepted with `enews-audio reports --accept`.\n"
)


@dataclass(frozen=True, slots=True)
class ReportView:
    report: Report
    engine: str  # whose lexicon and lint apply: "offline" or "edge", as the issue was built
    spoken: str  # what the voice was given (the printed text when the build did not keep it)
    pinyin: str  # the offline voice's syllables for it, with today's lexicon; "" for edge
    findings: tuple[tuple[str, str, str], ...]  # lint's (word, kind, detail)
    suggestion: str  # "word=reading" for --accept, or ""


def open_reports(out: Path, config: Path | None = None) -> tuple[list[ReportView], list[str]]:
    """The open reports under ``out``, newest first, and a line per stored line that had to be skipped.

    ``config`` is the paper's enews-audio.toml (default ./enews-audio.toml when present): its lexicon is
    applied to the pinyin and lint shown, so an accepted fix shows at once.
    """
    reports, problems = read_reports(out)
    extra = tuple(paper_lexicon(load_config(config).paper))
    views = [_view(out, report, extra) for report in reversed(reports) if not report.done]
    return views, problems


def accept(out: Path, number: int, entry: str, config: Path | None = None) -> Path:
    """Write ``entry`` ("word=reading": tone3 pinyin, or a same-sounding word) into the paper's lexicon
    (made if absent), then close report ``number``; returns the lexicon file."""
    report = _open_report(out, number)
    word, sep, reading = entry.partition("=")
    word, reading = word.strip(), " ".join(reading.split())
    if not sep or not word or not reading:
        raise UsageError(
            f"--accept: give the entry as 'word=reading' (like '天台县=tian1 tai1 xian4'), not {entry!r}"
        )
    loaded = load_config(config)
    if loaded.path is None or loaded.paper.lexicon is None:
        where = loaded.path or "no enews-audio.toml here (--config names the paper's)"
        raise UsageError(f'{where}: [paper] names no lexicon to write to: add lexicon = "lexicon.toml"')
    path = loaded.paper.lexicon
    pinyin = all(_SYLLABLE.fullmatch(s) for s in reading.split())
    _add_entry(path, "pinyin" if pinyin else "substitutions", word, reading)
    close_report(out, report, f"accepted: {word}={reading}")
    return path


def dismiss(out: Path, number: int) -> None:
    close_report(out, _open_report(out, number), "dismissed")


def _open_report(out: Path, number: int) -> Report:
    reports, _problems = read_reports(out)
    found = next((r for r in reports if r.number == number), None)
    if found is None:
        raise UsageError(f"no report #{number} in {out}")
    if found.done:
        raise UsageError(f"report #{number} is already closed ({found.done})")
    return found


def _add_entry(path: Path, table: str, word: str, reading: str) -> None:
    """``word = "reading"`` under ``[table]`` of the lexicon at ``path``, keeping its comments and order;
    the file is checked as a build would read it before it replaces the old one."""
    try:
        doc = tomlkit.parse(path.read_text(encoding="utf-8") if path.is_file() else _NEW_LEXICON)
        section = doc.get(table)
        if section is None:
            section = tomlkit.table()
            doc.add(table, section)
        section[word] = reading
        data = tomlkit.dumps(doc)
    except (OSError, UnicodeDecodeError, TOMLKitError) as exc:
        raise UsageError(f"can't update lexicon {path}: {exc}") from exc
    try:
        with replacing(path) as tmp:
            tmp.write_text(data, encoding="utf-8")
            try:
                text.load_lexicon("offline", DEFAULT_VOICES["offline"], [tmp])
            except EnewsError as exc:
                raise UsageError(str(exc).replace(str(tmp), str(path))) from None
    except OSError as exc:
        raise UsageError(f"can't write lexicon {path}: {exc.strerror or exc}") from exc


def _view(out: Path, report: Report, extra: tuple[Path, ...]) -> ReportView:
    engine, voice = _voice(out / report.slug / report.issue / RECORD_NAME)
    lexicon = _lexicon(engine, voice, extra)
    spoken = report.spoken or report.printed
    pinyin = ""
    if engine == "offline":
        pinyin = " | ".join(
            " ".join(s or "?" for _, syllables in read_run(run, lexicon.pinyin) for s in syllables)
            for run in _HAN_RUN.findall(spoken)
        )
    findings = tuple(sentence_risks(spoken, engine, lexicon.pinyin))
    suggestion = _suggest(report.note, spoken, engine, findings, lexicon)
    return ReportView(report, engine, spoken, pinyin, findings, suggestion)


def _suggest(
    note: str, spoken: str, engine: str, findings: tuple[tuple[str, str, str], ...], lexicon: text.Lexicon
) -> str:
    """An entry to start from: the first word lint doubts, else the longest word of the note that the
    sentence holds. For the offline voice with the reading it should likely have; for edge, a
    same-sounding word is the operator's to choose."""
    words = [(w, kind == "name") for w, kind, _ in findings if kind in {"reading", "name", "watch"}]
    words += [(w, False) for w in _shared_words(note, spoken) if w not in lexicon.pinyin]
    if not words:
        return ""
    word, name = words[0]
    return f"{word}={usual_reading(word, name=name)}" if engine == "offline" else f"{word}=…"


def _shared_words(note: str, spoken: str) -> list[str]:
    """Runs of two or more Chinese characters of the note that the sentence holds, longest first
    (a listener writes "江滨读错了" about 江滨路)."""
    found = {
        run[i:j]
        for run in _NOTE_WORD.findall(note)
        for i in range(len(run))
        for j in range(i + 2, len(run) + 1)
        if run[i:j] in spoken
    }
    return sorted(found, key=lambda w: (-len(w), spoken.index(w)))


def _voice(record: Path) -> tuple[str, str]:
    """Whose voice built the issue, from the engine the record names: "edge-tts/<voice>/…", or the
    offline voice ("kokoro…/<voice>/…"; also for the fake engine of dry runs, which has no lexicon)."""
    try:
        identity = str(read_record(record).extra.get("engine", ""))
    except PublishError:
        identity = ""
    parts = identity.split("/")
    engine = "edge" if parts[0] == "edge-tts" else "offline"
    known = parts[0] == "edge-tts" or parts[0].startswith("kokoro")
    return engine, parts[1] if known and len(parts) > 1 else DEFAULT_VOICES[engine]


@cache
def _lexicon(engine: str, voice: str, extra: tuple[Path, ...]) -> text.Lexicon:
    return text.load_lexicon(engine, voice, extra)
