"""Expressions out: the canonical plain form, LaTeX, and exact/numeric values.

PROVISIONAL: the parser's owner replaces the internals of ``to_plain`` so its
output always parses back with ``parse_expression``; the signatures stay.
"""

from __future__ import annotations

import math

import sympy


def to_plain(expr: sympy.Basic) -> str:
    """Return the canonical plain form of ``expr``, which parses back to it."""
    return sympy.sstr(expr)


def to_latex(expr: sympy.Basic) -> str:
    """Return ``expr`` as LaTeX."""
    return sympy.latex(expr)


def to_float(expr: sympy.Basic) -> float | None:
    """Return ``expr`` as a finite or infinite float, or None when not real."""
    try:
        value = complex(sympy.N(expr, 17))
    except (TypeError, ValueError):
        return None
    if value.imag != 0 and abs(value.imag) > 1e-12 * max(1.0, abs(value.real)):
        return None
    real = value.real
    return real if not math.isnan(real) else None
