"""One-sided limits of f at the open ends of its domain, exact or estimated."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import mpmath
import sympy

from shared.mathcore.budget import BudgetExceeded, time_budget
from shared.mathcore.extrema.bigfloat import big_values
from shared.mathcore.printing import to_plain

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EndLimit:
    """What f approaches at an open end: ``low``/``high`` bound the values f
    comes arbitrarily close to there (equal for a limit; an oscillation gives
    its bounds)."""

    where: str  # words: "x → 0⁺", "x → ∞"
    low: sympy.Expr
    high: sympy.Expr
    exact: bool
    # False when not even an estimate was found (values near the end could not
    # all be computed or trusted in time): low/high are then only the values
    # seen, and no global extremum may be claimed from them.
    known: bool = True

    @property
    def text(self) -> str:
        if self.low == self.high:
            return f"f → {to_plain(self.low)}"
        return f"f oscillates between {to_plain(self.low)} and {to_plain(self.high)}"


def end_limit(f: sympy.Expr, x: sympy.Symbol, end: sympy.Expr, side: str) -> EndLimit:
    """lim f as x → end from inside: side "+" approaches from the right."""
    where = f"{x} → {to_plain(end)}" + ("" if end.is_infinite else ("⁺" if side == "+" else "⁻"))
    try:
        with time_budget("limit"):
            value = _symbolic_limit(f, x, end, side)
        if isinstance(value, sympy.AccumBounds):
            return EndLimit(where, value.min, value.max, True)
        if value.is_extended_real and not value.has(sympy.zoo, sympy.nan, sympy.Limit):
            if _contradicts(value, f, x, end, side):
                # SymPy 1.14 gives lim 2^x = ∞ as x → −∞; trust the numbers then.
                logger.warning(
                    "limit of %s at %s: SymPy says %s, values say otherwise", f, end, value
                )
                return _numeric_limit(f, x, end, side, where)
            return EndLimit(where, value, value, True)
    except (BudgetExceeded, NotImplementedError, ValueError, TypeError, RecursionError):
        logger.info("limit of %s at %s failed", f, end)
    return _numeric_limit(f, x, end, side, where)


def _symbolic_limit(f: sympy.Expr, x: sympy.Symbol, end: sympy.Expr, side: str) -> sympy.Expr:
    """SymPy's limit; an end at −∞ is taken as t → +∞ with x = −t, because
    SymPy 1.14 gets lim a^x wrong as x → −∞ (it answers ∞ for 2^x)."""
    if not end.is_infinite:
        return sympy.limit(f, x, end, side)
    t = sympy.Dummy("t", positive=True)
    sign = 1 if end.is_extended_positive else -1
    return sympy.limit(f.subs(x, sign * t), t, sympy.oo)


def _contradicts(value: sympy.Expr, f, x, end, side) -> bool:
    """A symbolic limit that the values near the end plainly deny: ±∞ while
    the last values do not grow (resp. fall) monotonically, or a finite limit
    while they run past 10¹⁰·(1 + |L|)."""
    tail = [v for v in big_values(f, x, _approach(end, side), trusted=True) if v is not None][-4:]
    if len(tail) < 4:
        return False
    steps = [b - a for a, b in zip(tail, tail[1:], strict=False)]
    if value is sympy.oo:
        return not all(d > 0 for d in steps)
    if value is -sympy.oo:
        return not all(d < 0 for d in steps)
    return bool(abs(tail[-1] - float(value)) > 1e10 * (1 + abs(float(value))))


def _approach(end: sympy.Expr, side: str) -> list[float]:
    """Points ever closer to the end: ±10², …, ±10¹⁵, or end ± 10⁻², …, 10⁻¹⁴."""
    if end.is_infinite:
        sign = 1.0 if end.is_extended_positive else -1.0
        return [sign * 10.0**k for k in range(2, 16)]
    e = float(end)
    direction = 1.0 if side == "+" else -1.0
    return [e + direction * 10.0 ** (-k) * max(1.0, abs(e)) for k in range(2, 15)]


def _clip(value) -> float:
    """A float for reporting: values past the doubles become ±1e300."""
    return float(max(min(value, mpmath.mpf(1e300)), mpmath.mpf(-1e300)))


def _numeric_limit(f: sympy.Expr, x: sympy.Symbol, end: sympy.Expr, side: str, where: str):
    """Estimate the limit from values ever closer to the end (not a proof).

    Evaluated in mpmath, so a value past the range of doubles (e^x at 10¹⁵) is
    a large number, not an overflow mistaken for undefined or for the end.
    """
    ys = big_values(f, x, _approach(end, side), trusted=True)
    tail = ys[-4:]
    if all(v is not None for v in tail):
        steps = [b - a for a, b in zip(tail, tail[1:], strict=False)]
        if all(v > 1e10 for v in tail) and all(d > 0 for d in steps):
            value: sympy.Expr = sympy.oo
        elif all(v < -1e10 for v in tail) and all(d < 0 for d in steps):
            value = -sympy.oo
        else:
            value = sympy.Float(_clip(tail[-1]))
        return EndLimit(where, value, value, False)
    finite = [_clip(v) for v in ys if v is not None]
    if not finite:
        return EndLimit(where, -sympy.oo, sympy.oo, False, known=False)
    return EndLimit(where, sympy.Float(min(finite)), sympy.Float(max(finite)), False, known=False)
