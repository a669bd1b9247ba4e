"""The optimizer options that ``optimize`` and ``fit`` share, named as in torch.optim."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.jobs.fields import KindParams
from shared.mathcore.optimize import METHODS

MAX_ITER = 100_000
Method = Literal[METHODS]  # type: ignore[valid-type]


class OptimizerOptions(KindParams):
    """Method, learning rate, stopping and each step rule's own options."""

    method: Method = "gd"
    learning_rate: float | None = Field(default=None, gt=0, le=1e6, allow_inf_nan=False)
    max_iter: int = Field(default=1000, ge=0, le=MAX_ITER)
    tol: float = Field(default=1e-6, ge=0, allow_inf_nan=False)
    momentum: float | None = Field(default=None, ge=0, lt=1)
    eps: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    alpha: float | None = Field(default=None, ge=0, le=1)
    beta1: float | None = Field(default=None, ge=0, lt=1)
    beta2: float | None = Field(default=None, ge=0, lt=1)

    def run_options(self) -> dict[str, float | int | None]:
        """Learning rate, stopping and the rule's options, as the engine's keywords."""
        return dict(
            learning_rate=self.learning_rate,
            max_iter=self.max_iter,
            tol=self.tol,
            **self.method_options(),
        )

    def method_options(self) -> dict[str, float | None]:
        """The step rule's own options, None where not given."""
        return {
            "momentum": self.momentum,
            "eps": self.eps,
            "alpha": self.alpha,
            "beta1": self.beta1,
            "beta2": self.beta2,
        }
