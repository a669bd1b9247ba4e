"""How the engine names variables: every symbol is real, as in ML calculus."""

from __future__ import annotations

import sympy


def variable(name: str) -> sympy.Symbol:
    """Return the engine's symbol for ``name`` (real-valued).

    >>> variable("x").is_real
    True
    """
    return sympy.Symbol(name, real=True)


def as_expr(value: sympy.Basic | int | float) -> sympy.Basic:
    """Return ``value`` as a SymPy object, never parsing text.

    SymPy's ``sympify`` would evaluate a string as Python code, so the engine
    converts only numbers and SymPy objects, and refuses anything else.

    >>> as_expr(2) + as_expr(0.5)
    2.50000000000000
    """
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not an expression")
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, float):
        return sympy.Float(value)
    raise TypeError(f"expected a SymPy expression or a number, not {type(value).__name__}")
