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


# Partials of a generic function of several arguments are written by argument
# index, f_1(x, y) = ∂f/∂(first argument), f_12 for the mixed second partial.
MAX_GENERIC_ARGS = 9


def _prime_fdiff(self, argindex=1):
    """d/du f(u) = f'(u): the derivative of a generic function keeps its name with a prime.

    With several arguments it is the partial by position, ``f_1(u, v)``."""
    if len(self.args) == 1:
        return generic_function(type(self).__name__ + "'")(self.args[0])
    base = getattr(type(self), "generic_base", None)
    if base is None or len(self.args) > MAX_GENERIC_ARGS:
        return sympy.Function.fdiff(self, argindex)
    partials = "".join(sorted(type(self).generic_partials + str(argindex)))
    return generic_function(base, partials)(*self.args)


def generic_function(name: str, partials: str = "") -> sympy.FunctionClass:
    """Return the engine's generic (undefined, real-valued) function ``name``.

    Its derivative is the function named with one more prime, so the chain
    rule reads as in textbooks and prints in a form that parses back; with
    several arguments, ``partials`` lists the argument indices differentiated
    by (sorted: the partials of a smooth function commute):

    >>> f, g, x, y = generic_function("f"), generic_function("g"), variable("x"), variable("y")
    >>> sympy.diff(f(g(x)), x)
    f'(g(x))*g'(x)
    >>> sympy.diff(f(x, x**2), x)
    2*x*f_2(x, x**2) + f_1(x, x**2)
    >>> sympy.diff(f(x*y, y), x, y)
    y*(x*f_11(x*y, y) + f_12(x*y, y)) + f_1(x*y, y)
    """
    full = f"{name}_{partials}" if partials else name
    return sympy.Function(
        full, real=True, fdiff=_prime_fdiff, generic_base=name, generic_partials=partials
    )


def generic_order(func: type) -> tuple[str, int] | None:
    """Return (name, number of primes) of a function made by ``generic_function``, else None.

    >>> generic_order(generic_function("f''"))
    ('f', 2)
    """
    if not isinstance(func, sympy.core.function.UndefinedFunction):
        return None
    if getattr(func, "fdiff", None) is not _prime_fdiff:
        return None  # an undefined function of someone else (y(x) of implicit steps)
    name = func.__name__
    base = name.rstrip("'")
    return base, len(name) - len(base)
