"""The ``fit`` kind: linear or logistic regression fitted with a chosen optimizer."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, field_validator, model_validator

from shared.jobs.fields import KindParams
from shared.jobs.optimizer_options import OptimizerOptions
from shared.jobs.registry import JobOutput, KindResult, job_kind
from shared.mathcore.fit import fit_model
from shared.mathcore.optimize.rules import RULE_OPTIONS, RULES

MAX_ROWS = 100_000
MAX_FEATURES = 1_000
MAX_CELLS = 1_000_000  # rows × features
# rows × features × iterations: ~1 ns per multiply-add, a few seconds of NumPy.
MAX_WORK = 2_000_000_000

FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
FitMethod = Literal[
    "gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam",
    "newton", "bfgs", "cg", "lbfgs", "nelder_mead",
]  # fmt: skip


class OptimizerSpec(OptimizerOptions):
    """How to fit: the ``optimize`` options plus ``batch_size`` and ``seed``."""

    method: FitMethod = "gd"
    batch_size: int | None = Field(default=None, ge=1, le=MAX_ROWS)
    seed: int = Field(default=0, ge=0, le=2**32 - 1)

    @model_validator(mode="after")
    def _check(self) -> Self:
        given = {k for k, v in self.method_options().items() if v is not None}
        allowed = set(RULE_OPTIONS.get(self.method, ()))
        if given - allowed:
            raise ValueError(f"{self.method} takes no option {', '.join(sorted(given - allowed))}")
        if self.batch_size is not None and self.method not in RULES:
            raise ValueError(f"batch_size applies to {', '.join(RULES)}, not {self.method}")
        return self


class FitParams(KindParams):
    """Params of a fit job, as in the contract (plus ``test_fraction``)."""

    model: Literal["linear", "logistic"]
    X: list[list[FiniteFloat]] = Field(min_length=2, max_length=MAX_ROWS)
    y: list[FiniteFloat] = Field(min_length=2, max_length=MAX_ROWS)
    optimizer: OptimizerSpec = Field(default_factory=OptimizerSpec)
    l1: float = Field(default=0.0, ge=0, le=1e6, allow_inf_nan=False)
    l2: float = Field(default=0.0, ge=0, le=1e6, allow_inf_nan=False)
    test_fraction: float = Field(default=0.0, ge=0, le=0.9)

    @field_validator("optimizer", mode="before")
    @classmethod
    def _method_name(cls, value):
        # "optimizer": "adam" is short for {"method": "adam"}.
        return {"method": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check(self) -> Self:
        features = len(self.X[0])
        if not 1 <= features <= MAX_FEATURES:
            raise ValueError(f"each row of X needs 1 to {MAX_FEATURES} features")
        if any(len(row) != features for row in self.X):
            raise ValueError("every row of X must have the same number of features")
        if len(self.y) != len(self.X):
            raise ValueError("y needs one value per row of X")
        cells = len(self.X) * features
        if cells > MAX_CELLS:
            raise ValueError(f"X may hold at most {MAX_CELLS:,} numbers (rows x features)")
        if cells * max(self.optimizer.max_iter, 1) > MAX_WORK:
            raise ValueError(
                f"rows x features x max_iter may be at most {MAX_WORK:,}: lower max_iter"
            )
        if self.model == "logistic" and any(v not in (0.0, 1.0) for v in self.y):
            raise ValueError("logistic regression needs labels y in {0, 1}")
        if self.test_fraction and len(self.y) - max(1, round(len(self.y) * self.test_fraction)) < 2:
            raise ValueError("the held-out split leaves fewer than 2 training rows")
        return self


class FitResult(KindResult):
    """The fitted model, its training curve and its metrics."""

    coefficients: list[float | None]
    intercept: float | None
    loss_history: list[float | None] = Field(description="training loss after each iteration")
    metrics: dict[str, float | None] = Field(description="on the training set")
    test_metrics: dict[str, float | None] | None = Field(
        default=None, description="on the held-out set, when there is one"
    )
    model: str
    method: str
    iterations: int
    converged: bool
    stop_reason: str = Field(description="tol, max_iter or diverged (or stalled)")


@job_kind("fit", title="Fit a regression model", params=FitParams, result=FitResult)
def run_fit(params: FitParams) -> JobOutput:
    """Fit a regression model and report coefficients, loss history and metrics."""
    spec = params.optimizer
    result = fit_model(
        params.model,
        params.X,
        params.y,
        spec.method,
        learning_rate=spec.learning_rate,
        max_iter=spec.max_iter,
        tol=spec.tol,
        batch_size=spec.batch_size,
        seed=spec.seed,
        l1=params.l1,
        l2=params.l2,
        test_fraction=params.test_fraction,
        **spec.method_options(),
    )
    return JobOutput(result=result.to_dict())
