"""STACK's answer-test fixtures, converted: an independent oracle for ``check_answer``.

fixtures/stack_fixtures.csv holds rows of STACK's own test table
(maths/moodle-qtype_stack, tests/fixtures/answertestfixtures.class.php) whose
meaning carries over: AlgEquiv -> equivalent, EqualComAss (and CasEqual where
the verdicts agree) -> identical_form, NumRelative/NumAbsolute -> numeric
(STACK's default tolerance 0.05), Int -> up_to_constant, Expanded ->
expanded, FacForm -> factored, written in mlcalc's syntax (``%pi`` -> ``pi``,
``lg`` -> ``log10``/``log(x, b)``, ``epsilon[0]`` -> ``epsilon_0``). Maxima-only
rows (predicates, complex numbers, sets, lists, equations, inequalities,
``assume``, units, matrices, rule options) are left out. ``stack_verdict`` is
STACK's; a row that mlcalc deliberately judges differently gives
``our_verdict`` and says why in ``note``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from shared.mathcore.checks import check_answer

FIXTURES = Path(__file__).parent / "fixtures" / "stack_fixtures.csv"
ROWS = list(csv.DictReader(FIXTURES.open(newline="", encoding="utf-8")))


def test_the_table_is_whole() -> None:
    assert len(ROWS) >= 300
    assert {r["test"] for r in ROWS} == {
        "equivalent", "identical_form", "numeric", "up_to_constant", "expanded", "factored"
    }  # fmt: skip
    for row in ROWS:
        assert row["source"].split(" ")[0].rstrip(":") in {
            "AlgEquiv", "EqualComAss", "CasEqual", "NumRelative", "NumAbsolute", "Int",
            "Expanded", "FacForm",
        }  # fmt: skip
        assert row["stack_verdict"] in {"correct", "incorrect"}
        if row["our_verdict"]:
            assert row["our_verdict"] != row["stack_verdict"] and row["note"].strip(), row
    differing = sum(bool(r["our_verdict"]) for r in ROWS)
    assert differing <= len(ROWS) // 10  # the differences are exceptions, each explained


@pytest.mark.parametrize(
    "row", ROWS, ids=[f"{i + 2}-{r['test']}-{r['answer'][:40]}" for i, r in enumerate(ROWS)]
)
def test_stack_row(row: dict[str, str]) -> None:
    verdict = row["our_verdict"] or row["stack_verdict"]
    options = json.loads(row["options"])
    outcome = check_answer(row["answer"], row["expected"], row["test"], **options)
    assert outcome.decided, (row["source"], outcome)
    assert outcome.correct == (verdict == "correct"), (row["source"], row["note"], outcome)
