"""Compare two expressions at random points of their common real domain.

Points are drawn at several scales (|v| from 0.01 to 1000, both signs), never at
small integers where unequal expressions often agree (x**2 and 2*x at 2).
Each side is evaluated at two precisions; a value that moves between them has
lost its digits to cancellation and the point is skipped rather than trusted.
Values match when |a - e| <= rtol * max(|a|, |e|) + atol, a relative test
first: an absolute tolerance alone is what lets WeBWorK accept e^(-10x) + c
for e^(-10x), since both sides are tiny wherever x is large.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

import mpmath
import sympy

from shared.mathcore.checks.deadline import check_deadline
from shared.mathcore.checks.evaluate import (
    CannotEvaluate,
    LostPrecision,
    OutsideDomain,
    RealEvaluator,
)

LOW_DPS = 30
HIGH_DPS = 45
# A value that changes by more than this (relative) between the two
# precisions has lost at least 15 digits: skip the point.
STABLE = mpmath.mpf(10) ** -15
# Decade bands for |v|: 10**-2 .. 10**3.
BANDS = (-2, -1, 0, 1, 2)
RTOL_FLOOR = mpmath.mpf(10) ** -20


@dataclass
class PointwiseResult:
    """Outcome of a pointwise comparison.

    verdict: "equal", "different" or "undecided"; ``informative`` counts the
    points where both sides were real and stable; ``counterexample`` is a point
    where they differ, as floats.
    """

    verdict: str
    informative: int = 0
    answer_undefined: int = 0
    expected_undefined: int = 0
    counterexample: dict[str, float] | None = None
    values: tuple[float, float] | None = None
    samples: list[tuple[mpmath.mpf, mpmath.mpf]] = field(default_factory=list)
    reason: str = ""


def sample_value(rng: random.Random, band: int | None = None, sign: int = 0) -> float:
    """A random real of magnitude in the decade ``band``, of ``sign`` (0: either)."""
    band = rng.choice(BANDS) if band is None else band
    magnitude = 10 ** (band + rng.random())
    if sign == 0:
        sign = 1 if rng.random() < 0.5 else -1
    return sign * magnitude


def point_stream(symbols: Sequence[sympy.Symbol], seed_text: str):
    """Yield points (dicts symbol -> float) forever, deterministic in ``seed_text``."""
    seed = int.from_bytes(hashlib.sha256(seed_text.encode()).digest()[:8], "big")
    rng = random.Random(seed)
    k = 0
    while True:
        point = {}
        for j, sym in enumerate(symbols):
            # The first 2 * len(BANDS) points walk every variable through every
            # band with both signs (e^(-10x) + c shows only at large positive
            # x); later points are drawn freely.
            if k < 2 * len(BANDS):
                band = BANDS[(k + j) % len(BANDS)]
                sign = 1 if (k // len(BANDS) + j) % 2 == 0 else -1
                point[sym] = sample_value(rng, band, sign)
            else:
                point[sym] = sample_value(rng)
        yield point
        k += 1


class _TwoPrecision:
    def __init__(self) -> None:
        self.low = RealEvaluator(LOW_DPS)
        self.high = RealEvaluator(HIGH_DPS)

    def value(self, expr: sympy.Basic, point) -> mpmath.mpf | None:
        """The value at ``point``; None outside the real domain; "unstable" on lost digits."""
        try:
            high = self.high.value(expr, point)
        except OutsideDomain:
            return None
        except LostPrecision:
            return "unstable"  # type: ignore[return-value]
        try:
            low = self.low.value(expr, point)
        except (OutsideDomain, LostPrecision):
            # The high precision kept KEPT_BITS through every sum: trust it.
            return high
        if abs(high - low) > STABLE * abs(high):
            return "unstable"  # type: ignore[return-value]
        return high


def values_match(a, e, rtol, atol) -> bool:
    """|a - e| <= rtol * max(|a|, |e|) + atol."""
    return abs(a - e) <= max(rtol, RTOL_FLOOR) * max(abs(a), abs(e)) + atol


def compare_pointwise(
    answer: sympy.Expr,
    expected: sympy.Expr,
    *,
    rtol: float = 1e-10,
    atol: float = 0.0,
    symbols: Sequence[sympy.Symbol] | None = None,
    min_points: int = 6,
    target: int = 12,
    max_attempts: int = 120,
) -> PointwiseResult:
    """Compare ``answer`` and ``expected`` at random points where both are real.

    >>> x = sympy.Symbol("x", real=True)
    >>> compare_pointwise(sympy.sin(2 * x), 2 * sympy.sin(x) * sympy.cos(x)).verdict
    'equal'
    """
    if symbols is None:
        symbols = sorted(answer.free_symbols | expected.free_symbols, key=str)
    symbols = list(symbols)
    if not symbols:
        min_points, target, max_attempts = 1, 1, 1
    evaluator = _TwoPrecision()
    rtol_m, atol_m = mpmath.mpf(rtol), mpmath.mpf(atol)
    result = PointwiseResult(verdict="undecided")
    unstable = 0
    stream = point_stream(symbols, f"{answer}|{expected}")
    try:
        for _ in range(max_attempts):
            check_deadline()
            point = next(stream)
            e_value = evaluator.value(expected, point)
            a_value = evaluator.value(answer, point)
            if e_value is None or a_value is None:
                if e_value is not None:
                    result.answer_undefined += 1
                elif a_value is not None:
                    result.expected_undefined += 1
                continue
            if isinstance(e_value, str) or isinstance(a_value, str):
                unstable += 1
                continue
            result.informative += 1
            result.samples.append((a_value, e_value))
            if not values_match(a_value, e_value, rtol_m, atol_m):
                result.verdict = "different"
                result.counterexample = {str(s): float(v) for s, v in point.items()}
                result.values = (float(a_value), float(e_value))
                result.reason = "the two sides differ at a point where both are defined"
                return result
            if result.informative >= target:
                break
    except CannotEvaluate as exc:
        result.reason = f"cannot evaluate numerically: {exc}"
        return result
    if result.informative >= min_points:
        result.verdict = "equal"
        result.reason = f"equal at {result.informative} points of varied scale"
    elif result.informative == 0 and result.answer_undefined >= min_points:
        result.verdict = "different"
        result.reason = "the answer is not defined where the expected answer is"
    else:
        result.reason = (
            f"only {result.informative} usable points "
            f"({unstable} lost to rounding, {result.answer_undefined + result.expected_undefined}"
            " outside one side's domain)"
        )
    return result
