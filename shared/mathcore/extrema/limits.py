"""One-sided limits of f at the open ends of its domain, exact or estimated."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import sympy

from shared.mathcore.budget import BudgetExceeded, time_budget
from shared.mathcore.extrema.domain import numeric_function
from shared.mathcore.printing import to_plain

logger = logging.getLogger(__name__)

LIMIT_SECONDS = 3.0


@dataclass(frozen=True)
class EndLimit:
    """What f approaches at an open end: ``low``/``high`` bound the values f
    comes arbitrarily close to there (equal for a limit; an oscillation gives
    its bounds)."""

    where: str  # words: "x → 0⁺", "x → ∞"
    low: sympy.Expr
    high: sympy.Expr
    exact: bool

    @property
    def text(self) -> str:
        if self.low == self.high:
            return f"f → {to_plain(self.low)}"
        return f"f oscillates between {to_plain(self.low)} and {to_plain(self.high)}"


def end_limit(f: sympy.Expr, x: sympy.Symbol, end: sympy.Expr, side: str) -> EndLimit:
    """lim f as x → end from inside: side "+" approaches from the right."""
    where = f"{x} → {to_plain(end)}" + ("" if end.is_infinite else ("⁺" if side == "+" else "⁻"))
    try:
        with time_budget(LIMIT_SECONDS):
            if end.is_infinite:
                value = sympy.limit(f, x, end)
            else:
                value = sympy.limit(f, x, end, side)
        if isinstance(value, sympy.AccumBounds):
            return EndLimit(where, value.min, value.max, True)
        if value.is_extended_real and not value.has(sympy.zoo, sympy.nan, sympy.Limit):
            return EndLimit(where, value, value, True)
    except (BudgetExceeded, NotImplementedError, ValueError, TypeError, RecursionError):
        logger.info("limit of %s at %s failed", f, end)
    return _numeric_limit(f, x, end, side, where)


def _numeric_limit(f: sympy.Expr, x: sympy.Symbol, end: sympy.Expr, side: str, where: str):
    """Estimate the limit from values ever closer to the end (not a proof)."""
    fn = numeric_function(f, x)
    if end.is_infinite:
        sign = 1.0 if end.is_extended_positive else -1.0
        xs = [sign * 10.0**k for k in range(2, 16)]
    else:
        e = float(end)
        direction = 1.0 if side == "+" else -1.0
        xs = [e + direction * 10.0 ** (-k) * max(1.0, abs(e)) for k in range(2, 15)]
    ys = fn(np.array(xs))
    tail = ys[-4:]
    if np.all(np.isfinite(tail)):
        if np.all(tail > 1e10) and np.all(np.diff(tail) > 0):
            value: sympy.Expr = sympy.oo
        elif np.all(tail < -1e10) and np.all(np.diff(tail) < 0):
            value = -sympy.oo
        else:
            value = sympy.Float(float(tail[-1]))
        return EndLimit(where, value, value, False)
    finite = ys[np.isfinite(ys)]
    if finite.size == 0:
        return EndLimit(where, -sympy.oo, sympy.oo, False)
    low, high = float(finite.min()), float(finite.max())
    return EndLimit(
        where,
        sympy.Float(low) if math.isfinite(low) else -sympy.oo,
        sympy.Float(high) if math.isfinite(high) else sympy.oo,
        False,
    )
