"""The ``fit`` kind: linear or logistic regression fitted with a chosen optimizer."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, field_validator, model_validator

from shared.jobs.fields import KindParams
from shared.jobs.optimizer_options import OptimizerOptions
from shared.jobs.registry import JobOutput, KindResult, job_kind
from shared.mathcore.fit import FitData, prepare_data, train
from shared.mathcore.optimize.rules import RULES
from shared.mathcore.optimize.runner import check_method

MAX_ROWS = 100_000
MAX_FEATURES = 1_000
MAX_CELLS = 1_000_000  # rows × features
# rows × features × iterations: ~1 ns per multiply-add, a few seconds of NumPy.
MAX_WORK = 2_000_000_000

FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
TestFraction = Annotated[float, Field(ge=0, le=0.9)]


class OptimizerSpec(OptimizerOptions):
    """How to fit: the ``optimize`` options plus ``batch_size`` and ``seed``."""

    batch_size: int | None = Field(default=None, ge=1, le=MAX_ROWS)
    seed: int = Field(default=0, ge=0, le=2**32 - 1)

    @model_validator(mode="after")
    def _check(self) -> Self:
        check_method(self.method, False, self.method_options())
        if self.batch_size is not None and self.method not in RULES:
            raise ValueError(f"batch_size applies to {', '.join(RULES)}, not {self.method}")
        return self


Rows = list[list[FiniteFloat]]


def check_rows(X: Rows, y: list[float], model: str, features: int | None = None) -> int:
    """Refuse ragged rows, a y of the wrong length or labels logistic cannot take."""
    features = len(X[0]) if features is None else features
    if not 1 <= features <= MAX_FEATURES:
        raise ValueError(f"each row of X needs 1 to {MAX_FEATURES} features")
    if any(len(row) != features for row in X):
        raise ValueError(f"every row of X must have the same number of features ({features})")
    if len(y) != len(X):
        raise ValueError("y needs one value per row of X")
    if model == "logistic" and any(v not in (0.0, 1.0) for v in y):
        raise ValueError("logistic regression needs labels y in {0, 1}")
    return features


class FitStart(KindParams):
    """Initial coefficients (one per feature) and intercept."""

    coefficients: list[FiniteFloat] = Field(min_length=1, max_length=MAX_FEATURES)
    intercept: FiniteFloat = 0.0


class HeldOutSet(KindParams):
    """An explicit held-out set: rows X and targets y, never trained on."""

    X: Rows = Field(min_length=1, max_length=MAX_ROWS)
    y: list[FiniteFloat] = Field(min_length=1, max_length=MAX_ROWS)


class FitParams(KindParams):
    """Params of a fit job, as in the contract (plus ``test_fraction``, a
    random held-out share of the rows drawn from the optimizer's seed)."""

    model: Literal["linear", "logistic"]
    X: list[list[FiniteFloat]] = Field(min_length=2, max_length=MAX_ROWS)
    y: list[FiniteFloat] = Field(min_length=2, max_length=MAX_ROWS)
    optimizer: OptimizerSpec = Field(default_factory=OptimizerSpec)
    l1: float = Field(default=0.0, ge=0, le=1e6, allow_inf_nan=False)
    l2: float = Field(default=0.0, ge=0, le=1e6, allow_inf_nan=False)
    test_fraction: TestFraction = 0.0
    start: FitStart | None = None
    test: HeldOutSet | None = None

    @field_validator("optimizer", mode="before")
    @classmethod
    def _method_name(cls, value):
        # "optimizer": "adam" is short for {"method": "adam"}.
        return {"method": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check(self) -> Self:
        features = check_rows(self.X, self.y, self.model)
        cells = len(self.X) * features
        if self.test is not None:
            if self.test_fraction:
                raise ValueError("give either 'test' or 'test_fraction', not both")
            try:
                check_rows(self.test.X, self.test.y, self.model, features)
            except ValueError as exc:
                raise ValueError(f"test: {exc}") from None
            cells += len(self.test.X) * features
        if cells > MAX_CELLS:
            raise ValueError(f"X may hold at most {MAX_CELLS:,} numbers (rows x features)")
        if len(self.X) * features * max(self.optimizer.max_iter, 1) > MAX_WORK:
            raise ValueError(
                f"rows x features x max_iter may be at most {MAX_WORK:,}: lower max_iter"
            )
        if self.start is not None and len(self.start.coefficients) != features:
            raise ValueError(f"start needs {features} coefficients, one per feature")
        check_test_fraction(len(self.y), self.test_fraction)
        return self


def check_test_fraction(rows: int, test_fraction: float) -> None:
    """Refuse a held-out share that leaves fewer than 2 training rows."""
    if test_fraction and rows - max(1, round(rows * test_fraction)) < 2:
        raise ValueError("the held-out split leaves fewer than 2 training rows")


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
    stop_reason: str = Field(description="tol, max_iter or diverged")
    test_size: int | None = None
    diverged_at: int | None = Field(default=None, description="the epoch it diverged at")


def fit_data(params: FitParams) -> FitData:
    """The params' data, validated and converted once."""
    test = params.test
    return prepare_data(
        params.model,
        params.X,
        params.y,
        test.X if test is not None else None,
        test.y if test is not None else None,
    )


def train_options(params: FitParams) -> dict:
    """The keyword arguments of ``train`` for these params (all but the data)."""
    spec = params.optimizer
    start = params.start
    return dict(
        batch_size=spec.batch_size,
        seed=spec.seed,
        l1=params.l1,
        l2=params.l2,
        test_fraction=params.test_fraction,
        start=None if start is None else [*start.coefficients, start.intercept],
        **spec.run_options(),
    )


@job_kind("fit", title="Fit a regression model", params=FitParams, result=FitResult)
def run_fit(params: FitParams) -> JobOutput:
    """Fit a regression model and report coefficients, loss history and metrics."""
    result = train(fit_data(params), params.optimizer.method, **train_options(params))
    return JobOutput(result=result.to_dict())
