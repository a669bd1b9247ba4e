"""Start a measurement cold: no cached SymPy work and no engine cache by expression.

SymPy's cache and the engine's own caches (printed forms, compiled
evaluators, closed forms) would let a repeated run skip work a job for a new
expression must do; every best-of-R measurement starts from here.
"""

from __future__ import annotations

from sympy.core.cache import clear_cache

from shared.mathcore import at_point, printing
from shared.mathcore.extrema import closed_form
from shared.mathcore.optimize import compile as compiled_objectives


def cold() -> None:
    """Clear SymPy's cache and every cache the engine keeps by expression."""
    clear_cache()
    compiled_objectives.clear_cache()
    for cached in (printing.to_plain, printing.to_latex, at_point._compiled):
        cached.cache_clear()
    for name in dir(closed_form):
        cache_clear = getattr(getattr(closed_form, name), "cache_clear", None)
        if cache_clear is not None:
            cache_clear()
