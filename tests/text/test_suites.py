"""Other projects' Mandarin text-normalisation suites, read by our normalize (data: tests/text/data/tn_*.tsv).

Every case reads as the suite says, or is in the conventions table with our reading and the reason.
"""

import csv
from collections import Counter
from pathlib import Path

import pytest

from enews_audio.text.normalize import normalize

DATA = Path(__file__).parent / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


SUITES = _rows("tn_suites.tsv")
CONVENTIONS = {(row["source"], row["written"]): row for row in _rows("tn_conventions.tsv")}
PASSING = [row for row in SUITES if (row["source"], row["written"]) not in CONVENTIONS]


def _suite(row: dict[str, str]) -> str:
    return row["source"].split(":")[0]


@pytest.mark.parametrize(
    "row", PASSING, ids=lambda row: f"{row['source'].rsplit('/', 1)[-1]}:{row['written']}"
)
def test_suite_case_reads_as_the_suite_says(row):
    assert normalize(row["written"]) == row["spoken"]


@pytest.mark.parametrize(
    "row", CONVENTIONS.values(), ids=lambda row: f"{row['source'].rsplit('/', 1)[-1]}:{row['written']}"
)
def test_convention_difference_reads_as_we_say(row):
    assert row["reason"].strip()
    assert row["ours"] != row["theirs"]
    assert normalize(row["written"]) == row["ours"]


def test_every_convention_is_a_suite_case_with_the_suites_reading():
    cases = {(row["source"], row["written"]): row["spoken"] for row in SUITES}
    for key, row in CONVENTIONS.items():
        assert cases.get(key) == row["theirs"], key


def test_counts_per_suite():
    # NeMo 317, WeTextProcessing 138, cn2an 35 distinct cases; 53 of the 490 are convention differences.
    assert Counter(map(_suite, SUITES)) == {
        "NVIDIA/NeMo-text-processing": 317,
        "wenet-e2e/WeTextProcessing": 138,
        "Ailln/cn2an": 35,
    }
    assert Counter(map(_suite, CONVENTIONS.values())) == {
        "NVIDIA/NeMo-text-processing": 33,
        "wenet-e2e/WeTextProcessing": 17,
        "Ailln/cn2an": 3,
    }
