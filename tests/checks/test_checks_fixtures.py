"""Run every row of fixtures/check_fixtures.csv through check_answer.

Each row is (test, expected, answer, options, verdict, mistake, reason): the
verdict (and the mistake code, where one is given) was decided by hand, for the
reason in its row, not by running the checker.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from shared.mathcore.checks import TESTS, check_answer

FIXTURES = Path(__file__).parent / "fixtures" / "check_fixtures.csv"
ROWS = list(csv.DictReader(FIXTURES.open(newline="", encoding="utf-8")))


def test_the_suite_is_large_and_covers_every_test() -> None:
    assert len(ROWS) >= 300
    assert {row["test"] for row in ROWS} == set(TESTS)
    assert all(row["reason"].strip() for row in ROWS)
    assert {row["verdict"] for row in ROWS} == {"correct", "incorrect", "undecided"}


@pytest.mark.parametrize(
    "row", ROWS, ids=[f"{i + 2}-{row['test']}-{row['answer']}" for i, row in enumerate(ROWS)]
)
def test_fixture_row(row: dict[str, str]) -> None:
    options = json.loads(row["options"])
    outcome = check_answer(row["answer"], row["expected"], row["test"], **options)
    if row["verdict"] == "undecided":
        assert not outcome.decided, outcome
        assert not outcome.correct
    else:
        assert outcome.decided, outcome
        assert outcome.correct == (row["verdict"] == "correct"), (row["reason"], outcome)
    if row["mistake"]:
        assert outcome.mistake == row["mistake"], (row["reason"], outcome)
