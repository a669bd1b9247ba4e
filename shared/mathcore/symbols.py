"""How the engine names variables: every symbol is real, as in ML calculus."""

from __future__ import annotations

import sympy


def variable(name: str) -> sympy.Symbol:
    """Return the engine's symbol for ``name`` (real-valued).

    >>> variable("x").is_real
    True
    """
    return sympy.Symbol(name, real=True)
