"""Differentiation rules as small immutable values: inputs, sub-rules, one result.

Each rule holds the expression it differentiates (``expr``), the variable
(``var``) and the sub-rules it relies on; ``result()`` computes d(expr)/d(var)
from those sub-rules alone. Matching (which rule applies) lives in
``matchers.py`` and wording in ``render.py``, after SymPy's ``manualintegrate``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

import sympy


@dataclass(frozen=True)
class Rule:
    """A derivation of ``d(expr)/d(var)``."""

    expr: sympy.Expr
    var: sympy.Symbol
    code: ClassVar[str] = ""

    def result(self) -> sympy.Expr:
        """Return the derivative this rule proves."""
        raise NotImplementedError

    def children(self) -> tuple[Rule, ...]:
        """Return the sub-rules, in the order a reader meets them."""
        return ()


@dataclass(frozen=True)
class ConstantRule(Rule):
    """d/dx[c] = 0"""

    code: ClassVar[str] = "constant"

    def result(self) -> sympy.Expr:
        return sympy.Integer(0)


@dataclass(frozen=True)
class ConstantMultipleRule(Rule):
    """d/dx[c·f] = c·f'"""

    constant: sympy.Expr
    other: sympy.Expr
    step: Rule
    code: ClassVar[str] = "constant_multiple"

    def result(self) -> sympy.Expr:
        return self.constant * self.step.result()

    def children(self) -> tuple[Rule, ...]:
        return (self.step,)


@dataclass(frozen=True)
class SumRule(Rule):
    """d/dx[f ± g] = f' ± g'"""

    steps: tuple[Rule, ...]
    code: ClassVar[str] = "sum"

    def result(self) -> sympy.Expr:
        return sympy.Add(*(step.result() for step in self.steps))

    def children(self) -> tuple[Rule, ...]:
        return self.steps


@dataclass(frozen=True)
class PowerRule(Rule):
    """d/dx[x^n] = n·x^(n-1)"""

    base: sympy.Expr
    exponent: sympy.Expr
    code: ClassVar[str] = "power"

    def result(self) -> sympy.Expr:
        return self.exponent * self.base ** (self.exponent - 1)


@dataclass(frozen=True)
class ProductRule(Rule):
    """d/dx[f1·f2·…·fn] = Σ_i f_i'·Π_{j≠i} f_j"""

    factors: tuple[sympy.Expr, ...]
    steps: tuple[Rule, ...]
    code: ClassVar[str] = "product"

    def result(self) -> sympy.Expr:
        terms = []
        for i, step in enumerate(self.steps):
            others = self.factors[:i] + self.factors[i + 1 :]
            terms.append(sympy.Mul(step.result(), *others))
        return sympy.Add(*terms)

    def children(self) -> tuple[Rule, ...]:
        return self.steps


@dataclass(frozen=True)
class QuotientRule(Rule):
    """d/dx[f/g] = (f'·g - f·g')/g^2"""

    numerator: sympy.Expr
    denominator: sympy.Expr
    numerator_step: Rule
    denominator_step: Rule
    code: ClassVar[str] = "quotient"

    def result(self) -> sympy.Expr:
        f, g = self.numerator, self.denominator
        df, dg = self.numerator_step.result(), self.denominator_step.result()
        return (df * g - f * dg) / g**2

    def children(self) -> tuple[Rule, ...]:
        return (self.numerator_step, self.denominator_step)


@dataclass(frozen=True)
class ChainRule(Rule):
    """d/dx[f(g(x))] = f'(g(x))·g'(x), written with u = g(x)"""

    u: sympy.Symbol
    inner: sympy.Expr
    outer_step: Rule  # differentiates f(u) with respect to u
    inner_step: Rule  # differentiates g(x) with respect to x
    code: ClassVar[str] = "chain"

    def result(self) -> sympy.Expr:
        outer = self.outer_step.result().xreplace({self.u: self.inner})
        return outer * self.inner_step.result()

    def children(self) -> tuple[Rule, ...]:
        return (self.outer_step, self.inner_step)


@dataclass(frozen=True)
class ExpRule(Rule):
    """d/dx[e^x] = e^x"""

    code: ClassVar[str] = "exp"

    def result(self) -> sympy.Expr:
        return sympy.exp(self.var)


@dataclass(frozen=True)
class ExponentialRule(Rule):
    """d/dx[a^x] = a^x·ln(a)"""

    base: sympy.Expr
    code: ClassVar[str] = "exponential"

    def result(self) -> sympy.Expr:
        return self.base**self.var * sympy.log(self.base)


@dataclass(frozen=True)
class LogRule(Rule):
    """d/dx[log_b(x)] = 1/(x·ln(b)); for ln, b = e and d/dx[ln(x)] = 1/x"""

    base: sympy.Expr  # sympy.E for the natural logarithm
    code: ClassVar[str] = "log"

    def result(self) -> sympy.Expr:
        return 1 / (self.var * sympy.log(self.base))


@lru_cache(maxsize=64)
def _x_derivatives(x: sympy.Symbol) -> dict[type, sympy.Expr]:
    """The textbook derivative of each elementary function at x."""
    one_minus_sq = sympy.sqrt(1 - x**2)
    return {
        sympy.sin: sympy.cos(x),
        sympy.cos: -sympy.sin(x),
        sympy.tan: sympy.sec(x) ** 2,
        sympy.cot: -(sympy.csc(x) ** 2),
        sympy.sec: sympy.sec(x) * sympy.tan(x),
        sympy.csc: -sympy.csc(x) * sympy.cot(x),
        sympy.asin: 1 / one_minus_sq,
        sympy.acos: -1 / one_minus_sq,
        sympy.atan: 1 / (1 + x**2),
        sympy.acot: -1 / (1 + x**2),
        sympy.asec: 1 / (sympy.Abs(x) * sympy.sqrt(x**2 - 1)),
        sympy.acsc: -1 / (sympy.Abs(x) * sympy.sqrt(x**2 - 1)),
        sympy.sinh: sympy.cosh(x),
        sympy.cosh: sympy.sinh(x),
        sympy.tanh: sympy.sech(x) ** 2,
        sympy.coth: -(sympy.csch(x) ** 2),
        sympy.sech: -sympy.sech(x) * sympy.tanh(x),
        sympy.csch: -sympy.csch(x) * sympy.coth(x),
        sympy.asinh: 1 / sympy.sqrt(x**2 + 1),
        sympy.acosh: 1 / sympy.sqrt(x**2 - 1),
        sympy.atanh: 1 / (1 - x**2),
        sympy.acoth: 1 / (1 - x**2),
        sympy.asech: -1 / (x * one_minus_sq),
        sympy.acsch: -1 / (sympy.Abs(x) * sympy.sqrt(1 + x**2)),
    }


TRIG = (sympy.sin, sympy.cos, sympy.tan, sympy.cot, sympy.sec, sympy.csc)
INVERSE_TRIG = (sympy.asin, sympy.acos, sympy.atan, sympy.acot, sympy.asec, sympy.acsc)
HYPERBOLIC = (sympy.sinh, sympy.cosh, sympy.tanh, sympy.coth, sympy.sech, sympy.csch)
INVERSE_HYPERBOLIC = (
    sympy.asinh,
    sympy.acosh,
    sympy.atanh,
    sympy.acoth,
    sympy.asech,
    sympy.acsch,
)


@dataclass(frozen=True)
class _TableRule(Rule):
    """d/dx[f(x)] from the table of elementary derivatives."""

    function: type

    def result(self) -> sympy.Expr:
        return _x_derivatives(self.var)[self.function]


@dataclass(frozen=True)
class TrigRule(_TableRule):
    """d/dx sin x = cos x, cos → -sin, tan → sec², cot → -csc², sec → sec·tan, csc → -csc·cot"""

    code: ClassVar[str] = "trig"


@dataclass(frozen=True)
class InverseTrigRule(_TableRule):
    """d/dx asin x = 1/√(1-x²), atan x → 1/(1+x²), asec x → 1/(|x|√(x²-1)), …"""

    code: ClassVar[str] = "inverse_trig"


@dataclass(frozen=True)
class HyperbolicRule(_TableRule):
    """d/dx sinh x = cosh x, cosh → sinh, tanh → sech², coth → -csch², …"""

    code: ClassVar[str] = "hyperbolic"


@dataclass(frozen=True)
class InverseHyperbolicRule(_TableRule):
    """d/dx asinh x = 1/√(x²+1), acosh x → 1/√(x²-1), atanh x → 1/(1-x²), …"""

    code: ClassVar[str] = "inverse_hyperbolic"


@dataclass(frozen=True)
class AbsRule(Rule):
    """d/dx|x| = x/|x| for x ≠ 0 (undefined at 0)"""

    code: ClassVar[str] = "abs"

    def result(self) -> sympy.Expr:
        return self.var / sympy.Abs(self.var)


@dataclass(frozen=True)
class SignRule(Rule):
    """d/dx sign(x) = 0 for x ≠ 0 (a jump at 0: no derivative there)"""

    code: ClassVar[str] = "sign"

    def result(self) -> sympy.Expr:
        return sympy.Integer(0)


@dataclass(frozen=True)
class LogarithmicDifferentiationRule(Rule):
    """y = f^g: ln y = g·ln f, so y' = f^g·d/dx[g·ln f]"""

    base: sympy.Expr
    exponent: sympy.Expr
    log_form: sympy.Expr  # g·ln(f)
    log_step: Rule
    code: ClassVar[str] = "logarithmic_differentiation"

    def result(self) -> sympy.Expr:
        return self.expr * self.log_step.result()

    def children(self) -> tuple[Rule, ...]:
        return (self.log_step,)


@dataclass(frozen=True)
class GenericFunctionRule(Rule):
    """d/dx[f(…, x, …)] = ∂f/∂(argument), SymPy's own derivative of f (``fdiff``)"""

    argindex: int  # 1-based, as Function.fdiff counts
    code: ClassVar[str] = "generic_function"

    def result(self) -> sympy.Expr:
        return self.expr.fdiff(self.argindex)


@dataclass(frozen=True)
class FallbackRule(Rule):
    """d/dx[f] as SymPy computes it, for functions with no rule of ours"""

    code: ClassVar[str] = "sympy_fallback"

    def result(self) -> sympy.Expr:
        return sympy.diff(self.expr, self.var)
