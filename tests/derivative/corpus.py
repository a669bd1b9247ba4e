"""A fixed, seeded corpus of expressions for the step-by-step derivative checks.

``corpus(n)`` returns n distinct expressions in x (about one in eight also in
a held-constant y), random trees of depth up to 5 over every function the
tracer has a rule for: powers (integer, negative, rational, roots), products,
quotients, e^u, a^u, ln, log_b, the six trigonometric functions and their
inverses, the hyperbolic functions and their inverses, |u|, f^g with both
depending on x, and a few functions only SymPy knows (erf, gamma, LambertW)
or has no rule for (Max, Piecewise).
"""

from __future__ import annotations

import random

import sympy

from shared.mathcore.symbols import variable
from tests.derivative.steps_oracle import points_for, real_value

X = variable("x")
Y = variable("y")
SEED = 20240611
MAX_OPS = 28  # keeps derivatives of depth-5 trees checkable in CI time

_UNARY = (
    sympy.sin,
    sympy.cos,
    sympy.tan,
    sympy.cot,
    sympy.sec,
    sympy.csc,
    sympy.asin,
    sympy.acos,
    sympy.atan,
    sympy.acot,
    sympy.asec,
    sympy.acsc,
    sympy.sinh,
    sympy.cosh,
    sympy.tanh,
    sympy.coth,
    sympy.sech,
    sympy.csch,
    sympy.asinh,
    sympy.acosh,
    sympy.atanh,
    sympy.acoth,
    sympy.asech,
    sympy.acsch,
    sympy.exp,
    sympy.log,
    sympy.sqrt,
    sympy.Abs,
    lambda u: sympy.root(u, 3),
    lambda u: sympy.log(u, 2),
    lambda u: sympy.log(u, 10),
)
_RARE_UNARY = (sympy.erf, sympy.gamma, sympy.LambertW, sympy.loggamma)
_EXPONENTS = (2, 3, 4, -1, -2, sympy.Rational(1, 2), sympy.Rational(3, 2), sympy.Rational(-1, 3))
_CONSTANTS = (2, 3, 5, -1, -4, sympy.Rational(1, 2), sympy.Rational(-3, 4), sympy.pi)


def _leaf(rng: random.Random, with_y: bool) -> sympy.Expr:
    roll = rng.random()
    if with_y and roll < 0.3:
        return Y
    if roll < 0.75:
        return X
    return sympy.sympify(rng.choice(_CONSTANTS))


def _tree(rng: random.Random, depth: int, with_y: bool) -> sympy.Expr:
    if depth == 0 or rng.random() < 0.15:
        return _leaf(rng, with_y)
    roll = rng.random()
    sub = depth - 1
    if roll < 0.40:
        return rng.choice(_UNARY)(_tree(rng, sub, with_y))
    if roll < 0.46:
        return rng.choice(_RARE_UNARY)(_tree(rng, sub, with_y))
    if roll < 0.56:
        return _tree(rng, sub, with_y) + _tree(rng, sub, with_y)
    if roll < 0.62:
        return _tree(rng, sub, with_y) - _tree(rng, sub, with_y)
    if roll < 0.72:
        return _tree(rng, sub, with_y) * _tree(rng, sub, with_y)
    if roll < 0.80:
        return _tree(rng, sub, with_y) / _tree(rng, sub, with_y)
    if roll < 0.88:
        return _tree(rng, sub, with_y) ** rng.choice(_EXPONENTS)
    if roll < 0.93:
        return sympy.sympify(rng.choice((2, 3, sympy.Rational(1, 2), 10))) ** _tree(
            rng, sub, with_y
        )
    if roll < 0.98:
        return _tree(rng, sub, with_y) ** _tree(rng, sub, with_y)  # x^x-like
    if rng.random() < 0.5:
        return sympy.Max(_tree(rng, sub, with_y), _tree(rng, sub, with_y))
    inner = _tree(rng, sub, with_y)
    return sympy.Piecewise((inner, X > 0), (X**2, True))


def _real_somewhere(expr: sympy.Expr) -> bool:
    """Keep expressions a step check can evaluate: real at one sample point."""
    if expr.has(sympy.I):
        return False
    for point in points_for(sorted(expr.free_symbols, key=lambda s: s.name), SEED):
        if real_value(expr, point) is not None:
            return True
    return False


def corpus(n: int = 2000, seed: int = SEED) -> list[sympy.Expr]:
    """Return ``n`` distinct expressions that depend on x, the same on every run."""
    rng = random.Random(seed)
    seen: set[sympy.Expr] = set()
    out: list[sympy.Expr] = []
    while len(out) < n:
        with_y = rng.random() < 0.125
        try:
            expr = _tree(rng, rng.randint(1, 5), with_y)
        except (ValueError, TypeError):
            continue  # e.g. Max of a non-real constant: SymPy refuses to build it
        if not expr.has(X) or expr in seen or expr.has(sympy.zoo, sympy.nan, sympy.oo):
            continue
        if sympy.count_ops(expr) > MAX_OPS or not _real_somewhere(expr):
            continue
        seen.add(expr)
        out.append(expr)
    return out
