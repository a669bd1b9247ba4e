"""The ``check`` kind: is a student's answer right, and if not, what went wrong.

The expected answer is given (``expected``) or solved here from a ``problem``
(a derivative, gradient or extrema job's kind and params). The student's
answer is not parsed at validation: an unreadable answer is a result with
feedback ("could not read"), not a refused job, so one typo does not sink a
batch of a class's answers.
"""

from __future__ import annotations

import functools
import json
from typing import Any, Literal, Self

import sympy
from pydantic import (
    BaseModel,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shared.jobs.fields import ExpressionText, KindParams, Syntax, VariableName, parse_field
from shared.jobs.registry import JobInputError, JobOutput, get_kind, job_kind, reuse_allowed
from shared.mathcore.checks import TESTS, check_answer, check_list, check_points
from shared.mathcore.checks.lists import points_from_text, split_top_level
from shared.mathcore.symbols import variable

MAX_ENTRIES = 100
TestName = Literal[TESTS]  # type: ignore[valid-type]
PointSet = Literal[
    "critical_points", "local_min", "local_max", "saddle", "global_min", "global_max"
]
Scalar = ExpressionText | int | float
AnswerEntry = Scalar | dict[VariableName, Scalar] | list[Scalar]


class ProblemSpec(KindParams):
    kind: Literal["derivative", "gradient", "extrema"]
    params: dict[str, Any]


class CheckParams(KindParams):
    """Params of a check job, as in the contract."""

    syntax: Syntax = "plain"
    variables: list[VariableName] | None = Field(default=None, max_length=20)
    test: TestName = "equivalent"
    rtol: float | None = Field(default=None, ge=0, le=1)
    atol: float | None = Field(default=None, ge=0)
    points: PointSet = Field(
        default="critical_points", description="for extrema problems: which points to compare"
    )
    expected: ExpressionText | None = None
    problem: ProblemSpec | None = None
    answer: ExpressionText | list[AnswerEntry] = Field(max_length=MAX_ENTRIES)

    @field_validator("expected")
    @classmethod
    def _parses(cls, text: str | None, info: ValidationInfo) -> str | None:
        if text is not None:
            data = info.data
            parse_field(text, variables=data.get("variables"), syntax=data.get("syntax", "plain"))
        return text

    @field_validator("problem")
    @classmethod
    def _problem_params_valid(cls, problem: ProblemSpec | None) -> ProblemSpec | None:
        if problem is None:
            return None
        kind = get_kind(problem.kind)
        if kind is None:
            raise ValueError(f"problems of kind {problem.kind!r} are not available")
        try:
            kind.params_model.model_validate(problem.params)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValueError(f"problem.params.{where}: {first['msg']}") from None
        return problem

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.expected is None) == (self.problem is None):
            raise ValueError("give either 'expected' or 'problem', not both or neither")
        if self.expected is not None and not isinstance(self.answer, str):
            raise ValueError("with 'expected', the answer is one expression (a string)")
        return self


def _solve(problem: ProblemSpec) -> tuple[BaseModel, dict[str, Any]]:
    kind = get_kind(problem.kind)
    if kind is None:  # validated already; a worker without the kind is misdeployed
        raise JobInputError("Problem kind unavailable", f"no {problem.kind!r} solver here")
    problem_params = kind.params_model.model_validate(problem.params)
    if not reuse_allowed.get():
        return problem_params, kind.run(problem_params).result
    canonical = json.dumps(problem_params.model_dump(mode="json"), sort_keys=True)
    return problem_params, _solved(problem.kind, canonical)


@functools.lru_cache(maxsize=2048)
def _solved(kind_name: str, canonical_params: str) -> dict[str, Any]:
    """Solve a problem once per worker process: a class checking the same
    problem (50 answers to one exercise) pays for its solution once."""
    kind = get_kind(kind_name)
    params = kind.params_model.model_validate(json.loads(canonical_params))
    return kind.run(params).result


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _check_derivative(params: CheckParams, problem_params: Any, result: dict) -> dict:
    if not isinstance(params.answer, str):
        raise JobInputError("Answer of the wrong shape", "a derivative answer is one expression")
    names = _problem_names(problem_params)
    original, wrt = None, None
    if getattr(problem_params, "implicit", None) is None:
        f = parse_field(problem_params.expression, variables=names, syntax=problem_params.syntax)
        sequence = [variable(v) for v in (problem_params.variables or [])]
        if not sequence:
            name = problem_params.variable or (
                str(min(f.free_symbols, key=str)) if f.free_symbols else "x"
            )
            sequence = [variable(name)] * problem_params.order
        # Mistakes are named on the last differentiation: d/dx of the one before.
        original = sympy.diff(f, *sequence[:-1]) if len(sequence) > 1 else f
        wrt = sequence[-1]
    outcome = check_answer(
        params.answer,
        result["expression"],
        params.test,
        variables=names or None,
        rtol=params.rtol,
        atol=params.atol,
        problem_kind="derivative",
        original=original,
        wrt=wrt,
        syntax=params.syntax,
    )
    return outcome.to_dict()


def _problem_names(problem_params: Any) -> list[str]:
    names = list(getattr(problem_params, "variables", None) or [])
    single = getattr(problem_params, "variable", None)
    if single and single not in names:
        names.append(single)
    return names


def _answer_list(answer: str | list) -> list[str]:
    if isinstance(answer, str):
        return split_top_level(answer)
    return [_text(a) for a in answer]


def _check_gradient(params: CheckParams, problem_params: Any, result: dict) -> dict:
    names = list(result["variables"])
    f = parse_field(problem_params.expression, variables=names, syntax=problem_params.syntax)
    outcome = check_list(
        _answer_list(params.answer),
        list(result["gradient"]),
        params.test,
        variables=names,
        rtol=params.rtol,
        atol=params.atol,
        problem_kind="gradient",
        original=f,
        wrts=names,
    )
    return outcome.to_dict()


def _expected_points(result: dict, which: str) -> list[dict[str, str]]:
    if which in ("global_min", "global_max"):
        found = result.get(which)
        return [found["point"]] if found else []
    points = result.get("critical_points") or []
    if which != "critical_points":
        points = [p for p in points if p.get("classification") == which]
    return [p["point"] for p in points]


def _answer_points(answer: str | list, names: list[str]) -> list:
    if isinstance(answer, str):
        return points_from_text(answer, len(names))
    out = []
    for entry in answer:
        if isinstance(entry, (dict, list)):
            out.append(entry)
        else:
            out.append([_text(entry)])
    return out


def _check_extrema(params: CheckParams, problem_params: Any, result: dict) -> dict:
    names = _problem_names(problem_params)
    expected = _expected_points(result, params.points)
    try:
        answers = _answer_points(params.answer, names)
        kwargs = {k: v for k, v in (("rtol", params.rtol), ("atol", params.atol)) if v is not None}
        outcome = check_points(answers, expected, names, **kwargs)
    except ValueError as exc:
        return {
            "correct": False,
            "expected": expected,
            "feedback": f"Your answer could not be read: {exc}.",
            "mistake": "unparseable",
            "score": 0.0,
            "decided": True,
        }
    return outcome.to_dict()


_BY_PROBLEM = {
    "derivative": _check_derivative,
    "gradient": _check_gradient,
    "extrema": _check_extrema,
}


@job_kind("check", params=CheckParams)
def run_check(params: CheckParams) -> JobOutput:
    """Check an answer against an expected answer or a problem's solution."""
    if params.problem is None:
        outcome = check_answer(
            params.answer,  # a string: the validator says so
            params.expected,
            params.test,
            variables=params.variables,
            rtol=params.rtol,
            atol=params.atol,
            syntax=params.syntax,
        ).to_dict()
    else:
        problem_params, result = _solve(params.problem)
        outcome = _BY_PROBLEM[params.problem.kind](params, problem_params, result)
        outcome["problem_result"] = result
    outcome["test"] = params.test
    return JobOutput(result=outcome)
