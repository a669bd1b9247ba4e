"""The ``extrema`` kind: critical points, their classification and the global
extrema, in one variable on an interval or in several (optionally on a box)."""

from __future__ import annotations

from typing import Any, Self

from pydantic import Field, ValidationInfo, field_validator, model_validator

from shared.jobs.answers import answer_points, problem_names, unreadable_points
from shared.jobs.fields import (
    ExactNumber,
    ExpressionText,
    KindParams,
    Syntax,
    VariableName,
    parse_field,
    parse_number_field,
)
from shared.jobs.registry import JobInputError, JobOutput, KindResult, job_kind
from shared.mathcore.checks import check_points
from shared.mathcore.extrema import extrema_one_variable, extrema_several
from shared.mathcore.symbols import variable

MAX_VARIABLES = 6


class ExtremaParams(KindParams):
    """Params of an extrema job, as in the contract, plus ``bounds`` (a closed
    box ``{var: [lo, hi]}``) for several variables."""

    syntax: Syntax = "plain"
    variable: VariableName | None = None
    interval: list[ExactNumber] | None = Field(default=None, min_length=2, max_length=2)
    open: bool = False
    variables: list[VariableName] | None = Field(
        default=None, min_length=1, max_length=MAX_VARIABLES
    )
    bounds: dict[VariableName, list[ExactNumber]] | None = Field(
        default=None, max_length=MAX_VARIABLES
    )
    expression: ExpressionText

    @field_validator("expression")
    @classmethod
    def _parses(cls, text: str, info: ValidationInfo) -> str:
        parse_field(text, variables=_names(info.data), syntax=info.data.get("syntax", "plain"))
        return text

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.variable is not None and self.variables is not None:
            raise ValueError("give either 'variable' (with 'interval') or 'variables', not both")
        if self.variables is not None and self.interval is not None:
            raise ValueError("'interval' goes with 'variable'; use 'bounds' for several variables")
        if self.bounds is not None:
            if self.variables is None:
                raise ValueError("'bounds' goes with 'variables'")
            if set(self.bounds) != set(self.variables):
                raise ValueError("'bounds' must give [lower, upper] for every variable")
            if any(len(pair) != 2 for pair in self.bounds.values()):
                raise ValueError("each entry of 'bounds' is [lower, upper]")
        return self


def _names(data: dict) -> list[str]:
    names = list(data.get("variables") or [])
    if data.get("variable"):
        names.append(data["variable"])
    return names


class PointValue(KindResult):
    point: dict[str, str]
    point_numeric: dict[str, float | None]
    value: str
    numeric: float | None


class CriticalPointResult(PointValue):
    classification: str = Field(description="local_min, local_max, saddle, neither or inconclusive")


class GlobalExtremum(PointValue):
    points: list[dict[str, Any]] = Field(
        default_factory=list, description="every point attaining it"
    )


class ExtremaResult(KindResult):
    """Critical points, their classification and the global extrema."""

    critical_points: list[CriticalPointResult]
    global_min: GlobalExtremum | None = Field(description="null where none is attained")
    global_max: GlobalExtremum | None
    method: str = Field(description="symbolic or numeric")
    complete: bool = True
    variables: list[str]


def _expected_points(result: dict, which: str) -> list[dict[str, str]]:
    if which in ("global_min", "global_max"):
        found = result.get(which)
        if not found:
            return []
        # Every point attaining the extremum (ties), as the extrema job reports them.
        return [p["point"] for p in found.get("points") or []] or [found["point"]]
    points = result.get("critical_points") or []
    if which != "critical_points":
        points = [p for p in points if p.get("classification") == which]
    return [p["point"] for p in points]


def _one_of(answers: list, expected: list, names: list[str], kwargs: dict):
    """With ``ties: "any"``: one answer point attaining the extremum is enough."""
    for point in expected:
        outcome = check_points(answers, [point], names, **kwargs)
        if outcome.correct:
            others = len(expected) - 1
            outcome.expected = check_points([], expected, names).expected
            outcome.feedback = (
                f"Correct. The extremum is attained at {others} other point"
                f"{'s' if others > 1 else ''} too."
            )
            return outcome
    return None


def check_extrema_answer(check, problem_params: ExtremaParams, result: dict) -> dict:
    """Grade an answer to an extrema problem: the points of the set ``check.points``.

    A global extremum attained at several points (a tie) expects all of them,
    or any one with ``ties: "any"``.
    """
    names = problem_names(problem_params)
    expected = _expected_points(result, check.points)
    try:
        answers = answer_points(check.answer, names)
        kwargs = {k: v for k, v in (("rtol", check.rtol), ("atol", check.atol)) if v is not None}
        outcome = check_points(answers, expected, names, **kwargs)
        if not outcome.correct and check.ties == "any" and check.points.startswith("global"):
            outcome = _one_of(answers, expected, names, kwargs) or outcome
    except ValueError as exc:
        return unreadable_points(expected, exc)
    return outcome.to_dict()


@job_kind(
    "extrema",
    title="Critical points and extrema",
    params=ExtremaParams,
    result=ExtremaResult,
    check_problem=check_extrema_answer,
)
def run_extrema(params: ExtremaParams) -> JobOutput:
    """Find, classify and compare the critical points; conclude the global extrema."""
    expr = parse_field(params.expression, variables=_names(dict(params)), syntax=params.syntax)
    if params.variables is not None:
        variables = [variable(name) for name in params.variables]
    elif params.variable is not None:
        variables = [variable(params.variable)]
    else:
        variables = sorted(expr.free_symbols, key=lambda s: s.name)
    if not variables:
        raise JobInputError("No variables", "the expression is constant: it has no critical points")
    try:
        if len(variables) == 1 and params.bounds is None:
            a, b = (parse_number_field(v) for v in (params.interval or ["-oo", "oo"]))
            result = extrema_one_variable(expr, variables[0], (a, b), open_=params.open)
        else:
            bounds = None
            if params.bounds is not None:
                bounds = {
                    variable(name): tuple(parse_number_field(v) for v in pair)
                    for name, pair in params.bounds.items()
                }
            result = extrema_several(expr, variables, bounds)
    except ValueError as exc:
        raise JobInputError("Cannot search for extrema", str(exc)) from None
    out = result.to_dict()
    out["variables"] = [str(v) for v in variables]
    return JobOutput(result=out, steps=result.steps)
