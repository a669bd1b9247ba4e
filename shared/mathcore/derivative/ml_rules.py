"""Rules for the functions of neural networks, kinks and data reductions.

Same shape as ``rules.py`` (immutable values, one ``result()``): the sigmoid,
softplus, relu and step, the real cube root, logsumexp, max/min and the
reductions ``sum``/``mean`` over data rows. Where a derivative does not exist
(relu at 0, max where its arguments tie) the result holds ``step`` of the
difference, which is undefined (NaN) there: never a convention such as
Heaviside(0) = 1/2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import sympy

from shared.mathcore.derivative.rules import Rule
from shared.mathcore.mlfunctions import relu, sigmoid, softplus, step
from shared.mathcore.realroot import cbrt


@dataclass(frozen=True)
class SigmoidRule(Rule):
    """d/dx σ(x) = σ(x)·(1 − σ(x))"""

    code: ClassVar[str] = "sigmoid"

    def result(self) -> sympy.Expr:
        s = sigmoid(self.var)
        return s * (1 - s)


@dataclass(frozen=True)
class SoftplusRule(Rule):
    """d/dx softplus(x) = σ(x)"""

    code: ClassVar[str] = "softplus"

    def result(self) -> sympy.Expr:
        return sigmoid(self.var)


@dataclass(frozen=True)
class ReluRule(Rule):
    """d/dx relu(x) = step(x): 1 for x > 0, 0 for x < 0, undefined at 0"""

    code: ClassVar[str] = "relu"

    def result(self) -> sympy.Expr:
        return step(self.var)


@dataclass(frozen=True)
class StepRule(Rule):
    """d/dx step(x) = 0 for x ≠ 0 (DiracDelta(x)); no derivative at 0"""

    code: ClassVar[str] = "step"

    def result(self) -> sympy.Expr:
        return sympy.DiracDelta(self.var)


@dataclass(frozen=True)
class CubeRootRule(Rule):
    """d/dx cbrt(x) = 1/(3·cbrt(x)²) (the real cube root; undefined at 0)"""

    code: ClassVar[str] = "cube_root"

    def result(self) -> sympy.Expr:
        return 1 / (3 * cbrt(self.var) ** 2)


@dataclass(frozen=True)
class LogSumExpRule(Rule):
    """d/dx logsumexp(a₁, …, aₙ) = Σᵢ softmaxᵢ·aᵢ', softmaxᵢ = exp(aᵢ − logsumexp(a))"""

    steps: tuple[Rule, ...]  # one per argument
    code: ClassVar[str] = "logsumexp"

    def result(self) -> sympy.Expr:
        pairs = zip(self.expr.args, self.steps, strict=True)
        return sympy.Add(*(sympy.exp(a - self.expr) * s.result() for a, s in pairs))

    def children(self) -> tuple[Rule, ...]:
        return self.steps


@dataclass(frozen=True)
class MaxMinRule(Rule):
    """d/dx max(f₁, …, fₙ) = fᵢ' where fᵢ is the largest (smallest for min); undefined at a tie"""

    steps: tuple[Rule, ...]  # one per argument
    code: ClassVar[str] = "max_min"

    @property
    def is_max(self) -> bool:
        return isinstance(self.expr, sympy.Max)

    def result(self) -> sympy.Expr:
        args = self.expr.args
        terms = []
        for i, s in enumerate(self.steps):
            # step(fᵢ − fⱼ) is 1 where fᵢ wins, 0 where it loses, undefined at a tie.
            sign = 1 if self.is_max else -1
            wins = [step(sign * (args[i] - args[j])) for j in range(len(args)) if j != i]
            terms.append(sympy.Mul(s.result(), *wins))
        return sympy.Add(*terms)

    def children(self) -> tuple[Rule, ...]:
        return self.steps


@dataclass(frozen=True)
class ReductionRule(Rule):
    """d/dw mean(E) = mean(dE/dw), d/dw sum(E) = sum(dE/dw): the derivative passes through"""

    step: Rule  # differentiates E, row by row
    code: ClassVar[str] = "reduction"

    def result(self) -> sympy.Expr:
        # Common factors together, as the contract prints it: mean(2*x*(b + w*x - y)),
        # not mean(x*(2*b + 2*w*x - 2*y)); the simplifier does not look inside a reduction.
        return type(self.expr)(sympy.factor_terms(self.step.result()))

    def children(self) -> tuple[Rule, ...]:
        return (self.step,)


ML_TABLE: dict[type, type[Rule]] = {
    sigmoid: SigmoidRule,
    softplus: SoftplusRule,
    relu: ReluRule,
    step: StepRule,
    cbrt: CubeRootRule,
}
"""One-argument functions whose rule is stated for f(x); f(g(x)) goes through the chain rule."""
