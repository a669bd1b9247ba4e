"""How a ``check`` job's answer is read against a problem of each kind.

The kind modules' ``check_problem`` hooks use these: the answer arrives as
the ``check`` params give it (a string, a list, a list of points) and is
shaped here into what the checks engine compares.
"""

from __future__ import annotations

from typing import Any

import sympy

from shared.mathcore.checks import CheckOutcome, check_answer, check_list
from shared.mathcore.checks.lists import points_from_text, split_top_level


def text(value: Any) -> str:
    """An answer entry as the string the parser reads."""
    return value if isinstance(value, str) else str(value)


def problem_names(problem_params: Any) -> list[str]:
    """The variable names a problem declares (``variables`` then ``variable``)."""
    names = list(getattr(problem_params, "variables", None) or [])
    single = getattr(problem_params, "variable", None)
    if single and single not in names:
        names.append(single)
    return names


def answer_list(answer: str | list) -> list[str]:
    """A list answer: ``"2x, 3y"`` or ``["2x", "3y"]``."""
    if isinstance(answer, str):
        return split_top_level(answer)
    return [text(a) for a in answer]


def answer_points(answer: str | list, names: list[str]) -> list:
    """A points answer: ``"(0, 1), (2, 3)"`` or a list of points / dicts / numbers."""
    if isinstance(answer, str):
        return points_from_text(answer, len(names))
    out = []
    for entry in answer:
        if isinstance(entry, (dict, list)):
            out.append(entry)
        else:
            out.append([text(entry)])
    return out


def _expected_value(exact: str | None, numeric: float | None) -> str | sympy.Float | None:
    """The exact value, else the float (a value with no closed form), else None (undefined)."""
    if exact is not None:
        return exact
    if numeric is not None:
        return sympy.Float(numeric, 17)  # a float: compared within a tolerance
    return None


def _undefined(what: str) -> dict:
    feedback = f"The {what} is not defined at the point, so there is no value to check."
    return CheckOutcome(False, "undefined", feedback, "undefined_at_point", 0.0, False).to_dict()


def check_values_at_point(
    check: Any, exact: list[str | None], numeric: list[float | None], what: str, *, single: bool
) -> dict:
    """Grade an answer to a problem asked at a point: the expected answer is the
    value there (one value, or a list for a gradient), not the formula.

    ``exact`` and ``numeric`` are the problem's result values (``value`` and
    ``numeric``, or ``at_value`` and ``at_numeric``).
    """
    expected = [_expected_value(e, n) for e, n in zip(exact, numeric, strict=True)]
    if any(e is None for e in expected):
        return _undefined(what)
    options = {"rtol": check.rtol, "atol": check.atol}
    if not (single and isinstance(check.answer, str)):
        return check_list(answer_list(check.answer), expected, check.test, **options).to_dict()
    outcome = check_answer(check.answer, expected[0], check.test, syntax=check.syntax, **options)
    if not outcome.correct and outcome.decided and _is_formula(check.answer, check.syntax):
        outcome.feedback = (
            f"The value of the {what} at the point was expected, not a formula:"
            " evaluate your answer there."
        )
        outcome.mistake = "expected_a_value"
    return outcome.to_dict()


def _is_formula(answer: str, syntax: str) -> bool:
    from shared.mathcore.parsing.parser import parse_expression  # the parser may load late

    try:
        return bool(parse_expression(answer, syntax=syntax).free_symbols)
    except ValueError:
        return False


def unreadable_points(expected: list, exc: Exception) -> dict:
    """The result for a points answer that cannot be read: a result, not a failure."""
    outcome = CheckOutcome(
        False,
        expected,  # type: ignore[arg-type]
        f"Your answer could not be read: {exc}.",
        "unparseable",
        0.0,
        True,
    )
    position = getattr(exc, "position", None)
    if position is not None:
        outcome.details["position"] = position
    result = outcome.to_dict()
    result["valid"] = False
    return result
