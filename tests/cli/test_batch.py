"""`enews-audio batch` as an operator meets it: a papers file, one broken entry, a rerun that resumes."""

from __future__ import annotations

from collections import Counter

import pytest

from enews_audio import pipeline, speech
from enews_audio.cli.report import summary_rows
from enews_audio.model import Progress
from enews_audio.pipeline import batch
from enews_audio.publish import paper_slug
from enews_audio.speech.cache import clip_key
from enews_audio.speech.edge import EdgeEngine
from enews_audio.speech.engine import Voice
from support.fake_edge import FakeEdge, Fault, closed_address
from support.papers import PAPERS, papers_file, write_issue
from support.s3_server import objects, s3_bucket, unreachable

from .conftest import cli


@pytest.fixture
def two_good_one_broken(tmp_path):
    for folder, (paper, date) in PAPERS.items():
        write_issue(tmp_path, folder, paper, date)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "a.txt").write_bytes("电子报阅读机".encode("utf-16"))  # not UTF-8
    return papers_file(tmp_path, 'source = "bay"', 'source = "broken"', 'source = "river"')


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error: ")]


def test_a_broken_entry_is_named_and_the_others_are_published(tmp_path, two_good_one_broken, monkeypatch):
    monkeypatch.setenv("COLUMNS", "150")  # the summary table on one line per paper
    out = tmp_path / "out"
    result = cli("batch", two_good_one_broken, "-o", out)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    (line,) = error_lines(result)
    assert line.startswith("error: paper[1] broken: ") and "UTF-8" in line
    assert "3 paper(s): 2 built, 1 failed" in result.stdout
    for paper, date in PAPERS.values():
        issue_dir = out / paper_slug(paper) / date
        assert sorted(p.name for p in issue_dir.glob("*.mp3")) == ["a01.mp3", "a02.mp3"]
        assert (out / paper_slug(paper) / "feed.xml").is_file()
        assert f"{paper} {date}" in result.stdout


def test_an_unreachable_site_fails_its_paper_alone(tmp_path):
    write_issue(tmp_path, "bay", *PAPERS["bay"])
    site = closed_address() + "/paperindex.htm"
    papers = papers_file(tmp_path, f'source = "{site}"\nfetch_delay = 0', 'source = "bay"')
    result = cli("batch", papers, "-o", tmp_path / "out")
    assert result.exit_code == 1, result.output
    (line,) = error_lines(result)
    assert line.startswith(f"error: paper[0] {site}: ")
    assert "1 built, 1 failed" in result.stdout
    assert (tmp_path / "out" / paper_slug(PAPERS["bay"][0]) / "feed.xml").is_file()


def test_every_problem_of_the_file_is_one_line_naming_its_entry_and_nothing_is_built(tmp_path):
    write_issue(tmp_path, "bay", *PAPERS["bay"])
    papers = tmp_path / "papers.toml"
    papers.write_text(
        "\n".join([
            "colour = 1",            # 1
            "[defaults]",            # 2
            'engine = "fake"',       # 3
            "[[paper]]",             # 4
            'source = "nowhere"',    # 5
            "[[paper]]",             # 6
            'source = "bay"',        # 7
            "rate = 500",            # 8
            "[[paper]]",             # 9
            'sauce = "bay"',         # 10
            "[[paper]]",             # 11
            'source = "bay"',        # 12
            'out = "elsewhere"',     # 13
            'preset = "brisk"',      # 14
        ]) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    result = cli("batch", papers, "-o", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = error_lines(result)
    assert len(lines) == len(result.stderr.strip().splitlines()) == 6, result.stderr
    expected = [  # paper[0]'s missing source is not among them: it would fail that paper alone
        "papers.toml:1: colour: unknown key",
        "papers.toml:8: paper[1].rate: 500 is outside -50..100",
        "papers.toml:10: paper[2].sauce: unknown key",
        "papers.toml:13: paper[3].out: set for the whole batch, with -o/--out",
        "papers.toml:14: paper[3].preset: --preset: no preset 'brisk'",
        "papers.toml:12: paper[3].source: paper[1] already builds",
    ]
    for line, start in zip(lines, expected, strict=True):
        assert start in line, (start, line)
    assert not (tmp_path / "out").exists()


def test_a_source_that_has_not_arrived_fails_its_paper_alone_and_the_others_are_built(tmp_path):
    for folder, (paper, date) in PAPERS.items():
        write_issue(tmp_path, folder, paper, date)
    papers = papers_file(tmp_path, 'source = "bay"', 'source = "late-export"', 'source = "river"')
    result = cli("batch", papers, "-o", tmp_path / "out")
    assert result.exit_code == 1, result.output
    (line,) = error_lines(result)
    assert line.startswith("error: paper[1] late-export: no issue at ") and line.endswith(
        "no such file or folder"
    )
    assert "3 paper(s): 2 built, 1 failed" in result.stdout
    for paper, _ in PAPERS.values():
        assert (tmp_path / "out" / paper_slug(paper) / "feed.xml").is_file()


def test_a_problem_in_defaults_is_told_once(tmp_path):
    write_issue(tmp_path, "bay", *PAPERS["bay"])
    papers = papers_file(
        tmp_path, 'source = "bay"', 'source = "bay"\ndate = 2026-01-02', defaults='engine = "loud"'
    )
    result = cli("batch", papers)
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert line.endswith(
        "papers.toml:2: defaults.engine: unknown engine 'loud' (choose from auto, edge, offline, fake)"
    )


def test_papers_with_the_same_voice_share_one_engine_of_the_runs_speaker(tmp_path):
    for folder, (paper, date) in PAPERS.items():
        write_issue(tmp_path, folder, paper, date)
    write_issue(tmp_path, "slow", "山城晚报", "2026-01-03")
    papers = papers_file(tmp_path, 'source = "bay"', 'source = "slow"\nvoice = "fake"', 'source = "river"')
    seen: list[Progress] = []
    with speech.Speaker() as speaker:
        report = pipeline.run(
            batch.load_batch(papers, tmp_path / "out").entries, speaker, on_progress=seen.append
        )
        engines = {id(speaker.engine(pipeline.prepare(p.entry.options).voice)) for p in report.papers}
    assert report.ok
    assert len(engines) == 1  # the three papers' voices are one: one engine, made once
    papers_seen = [p for p in seen if p.stage == "papers"]
    assert [(p.done, p.total) for p in papers_seen] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    speech_seen = [p for p in seen if p.stage == "speech"]
    made_clips = sum(p.report.made for p in report.papers)
    assert speech_seen[-1].done == speech_seen[-1].total == made_clips  # summed over the three papers
    assert max(p.total for p in speech_seen) == made_clips > max(p.report.made for p in report.papers)


def test_a_rerun_after_a_partial_failure_makes_only_what_is_missing(tmp_path, edge_url):
    """Sentences the service refused fail their paper; the rerun asks for exactly those, nothing else."""
    for folder, (paper, date) in PAPERS.items():
        write_issue(tmp_path, folder, paper, date)
    papers = papers_file(
        tmp_path, 'source = "bay"', 'source = "river"', defaults='engine = "edge"\nattempts = 1'
    )
    out = tmp_path / "out"
    identity = EdgeEngine(Voice("zh-CN-XiaoxiaoNeural")).identity
    clips = out / ".cache" / "clips"

    with FakeEdge() as fake:
        edge_url(fake.url)
        fake.fail_next(Fault.UNAVAILABLE, times=2)  # the first two requests: the first paper's
        first = cli("batch", papers, "-o", out)
        assert first.exit_code == 1, first.output
        (line,) = error_lines(first)
        assert line.startswith("error: paper[0] bay: ") and "sentence(s) could not be spoken" in line
        bay, river = (out / paper_slug(PAPERS[f][0]) / PAPERS[f][1] for f in ("bay", "river"))
        assert sorted(p.name for p in river.glob("*.mp3")) == ["a01.mp3", "a02.mp3"]
        published = {p: p.stat().st_mtime_ns for p in river.glob("*.mp3")}
        cached = {p.stem for p in clips.rglob("*.clip")}
        asked_before = len(fake.requests)

        second = cli("batch", papers, "-o", out)
        assert second.exit_code == 0, second.output
        asked = Counter(fake.texts[asked_before:])
        assert asked and set(asked.values()) == {1}  # what was refused (texts may be shared), once each
        assert not {clip_key(identity, t) for t in asked} & cached  # and nothing that was already made
        assert {p.stem for p in clips.rglob("*.clip")} == cached | {clip_key(identity, t) for t in asked}
        assert sorted(p.name for p in bay.glob("*.mp3")) == ["a01.mp3", "a02.mp3"]
        assert {p: p.stat().st_mtime_ns for p in river.glob("*.mp3")} == published  # not re-encoded
        rows = {row[0]: row for row in summary_rows(run(batch.load_batch(papers, out)))}
        assert [rows[f"{p} {d}"][3] for p, d in PAPERS.values()] == ["0", "0"]  # a third run makes nothing


def test_clips_go_to_an_s3_clip_store_and_a_rerun_takes_them_from_there(tmp_path, monkeypatch):
    pytest.importorskip("s3fs")
    monkeypatch.setenv("COLUMNS", "150")
    for folder, (paper, date) in PAPERS.items():
        write_issue(tmp_path, folder, paper, date)
    papers = papers_file(tmp_path, 'source = "bay"', 'source = "river"')
    out = tmp_path / "out"
    with s3_bucket(monkeypatch) as endpoint:
        first = cli("batch", papers, "-o", out, "--clip-store", "s3://clips/enews")
        assert first.exit_code == 0, first.output
        stored = objects(endpoint)
        made = sum(p.report.made for p in run(batch.load_batch(papers, tmp_path / "again")).papers)
        assert len(stored) == made > 0 and all(k.startswith("enews/") for k in stored)
        assert not (out / ".cache" / "clips").exists()

        second = cli("batch", papers, "-o", tmp_path / "elsewhere", "--clip-store", "s3://clips/enews")
        assert second.exit_code == 0, second.output
        assert objects(endpoint) == stored
        for paper, date in PAPERS.values():
            assert f"{paper} {date}" in second.stdout
        assert [line.split("│")[4].strip() for line in second.stdout.splitlines() if "日报" in line] == [
            "0",
            "0",
        ]


def test_a_clip_store_that_cannot_be_reached_is_one_line_before_anything_is_built(tmp_path, monkeypatch):
    pytest.importorskip("s3fs")
    write_issue(tmp_path, "bay", *PAPERS["bay"])
    unreachable(monkeypatch)
    result = cli(
        "batch",
        papers_file(tmp_path, 'source = "bay"'),
        "-o",
        tmp_path / "out",
        "--clip-store",
        "s3://clips/x",
    )
    (line,) = error_lines(result)
    assert result.exit_code == 2
    assert line.startswith("error: --clip-store: clip store s3://clips/x: cannot read: ")
    assert not (tmp_path / "out").exists()


def run(loaded: batch.Batch) -> pipeline.BatchReport:
    """The batch built as ``enews-audio batch`` builds it, in this process."""
    with speech.Speaker() as speaker:
        return pipeline.run(loaded.entries, speaker)
