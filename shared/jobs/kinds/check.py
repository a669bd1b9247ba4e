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
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shared.jobs.fields import (
    ExpressionText,
    FunctionNames,
    KindParams,
    Syntax,
    VariableName,
    parse_field,
)
from shared.jobs.registry import (
    JobInputError,
    JobOutput,
    KindResult,
    get_kind,
    job_kind,
    load_kinds,
    reuse_allowed,
)
from shared.mathcore.checks import TESTS, check_answer

MAX_ENTRIES = 100
TestName = Literal[TESTS]  # type: ignore[valid-type]
PointSet = Literal[
    "critical_points", "local_min", "local_max", "saddle", "global_min", "global_max"
]
Scalar = ExpressionText | int | float
AnswerEntry = Scalar | dict[VariableName, Scalar] | list[Scalar]


class ProblemSpec(KindParams):
    """A problem whose solution is the expected answer: any kind with a
    ``check_problem`` hook (derivative, gradient, extrema)."""

    kind: str = Field(max_length=32)
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
    ties: Literal["all", "any"] = Field(
        default="all",
        description="for a global extremum attained at several points: 'all' expects every"
        " one of them, 'any' accepts any one",
    )
    functions: FunctionNames | None = Field(
        default=None, description="generic function names besides f, g, h, e.g. ['phi']"
    )
    expected: ExpressionText | None = None
    problem: ProblemSpec | None = None
    # The entry limit is for lists only: a string answer is as long as any expression.
    answer: ExpressionText | Annotated[list[AnswerEntry], Field(max_length=MAX_ENTRIES)]

    @field_validator("expected")
    @classmethod
    def _parses(cls, text: str | None, info: ValidationInfo) -> str | None:
        if text is not None:
            data = info.data
            parse_field(
                text,
                variables=data.get("variables"),
                syntax=data.get("syntax", "plain"),
                functions=data.get("functions"),
            )
        return text

    @field_validator("problem")
    @classmethod
    def _problem_params_valid(cls, problem: ProblemSpec | None) -> ProblemSpec | None:
        if problem is None:
            return None
        kind = get_kind(problem.kind)
        if kind is None or kind.check_problem is None:
            checkable = sorted(n for n, k in load_kinds().items() if k.check_problem)
            raise ValueError(
                f"problems of kind {problem.kind!r} cannot be checked; "
                f"one of {', '.join(checkable)}"
            )
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


class CheckResult(KindResult):
    """The verdict: the contract's ``correct``, ``expected``, ``feedback`` and more."""

    correct: bool
    expected: Any = Field(description="the expected answer (expression, list or points)")
    feedback: str
    mistake: str | None = Field(default=None, description="code of a recognised mistake")
    score: float = Field(default=0.0, description="partial credit in [0, 1]")
    decided: bool = Field(default=True, description="false when the checker could not tell")
    valid: bool = Field(
        default=True,
        description="false when the answer could not be read or was not understood"
        " (details.position: where)",
    )
    test: str
    problem_result: dict[str, Any] | None = Field(
        default=None, description="the solved problem's result, with 'problem'"
    )


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


CSV_COLUMNS = {
    "correct": lambda params, result: (
        "" if "correct" not in result else str(bool(result["correct"])).lower()
    ),
    "score": lambda params, result: _cell(result.get("score")),
    "answer": lambda params, result: _cell(params.get("answer")),
    "expected": lambda params, result: _cell(result.get("expected")),
    "feedback": lambda params, result: _cell(result.get("feedback")),
    "mistake": lambda params, result: _cell(result.get("mistake")),
    "valid": lambda params, result: (
        "" if "valid" not in result else str(bool(result["valid"])).lower()
    ),
}


@job_kind(
    "check",
    title="Check an answer",
    params=CheckParams,
    result=CheckResult,
    csv_columns=CSV_COLUMNS,
)
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
            functions=params.functions,
        ).to_dict()
    else:
        problem_params, result = _solve(params.problem)
        outcome = get_kind(params.problem.kind).check_problem(params, problem_params, result)
        outcome["problem_result"] = result
    outcome["test"] = params.test
    return JobOutput(result=outcome)
