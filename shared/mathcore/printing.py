"""Expressions out: the canonical plain form, LaTeX, and numeric values.

The plain form is what ``parse_expression`` reads back to the same
expression (structurally equal for evaluated expressions): ``^`` for powers,
an explicit ``*`` for every product, ``sqrt``, ``abs(x)``, ``exp(x)``,
``log(x)`` (natural), ``e``, ``pi``, ``oo``. Terms and factors come in SymPy's
canonical order, so the output is deterministic. Floats print in their
shortest decimal form and read back as exact rationals. A symbol named like
a constant or a function (a variable ``e``) reads back as that variable only
when declared again. Objects the parser has no syntax for (``Piecewise``,
``Derivative``) fall back to SymPy's own string.
"""

from __future__ import annotations

import math
from functools import lru_cache

import sympy
from sympy.core.function import UndefinedFunction
from sympy.printing.latex import LatexPrinter

ADD, NEG, MUL, POW, ATOM = 10, 15, 20, 30, 40

_FUNCTION_NAMES = {
    "Abs": "abs",
    "ceiling": "ceil",
    "Max": "max",
    "Min": "min",
    "RowSum": "sum",
    "RowMean": "mean",
}
_CONSTANT_NAMES = {
    sympy.pi: "pi",
    sympy.E: "e",
    sympy.oo: "oo",
    -sympy.oo: "-oo",
    sympy.zoo: "zoo",
    sympy.nan: "nan",
    sympy.EulerGamma: "EulerGamma",
    sympy.GoldenRatio: "GoldenRatio",
    sympy.Catalan: "Catalan",
    sympy.I: "I",
}


# A step prints the forms its substeps printed (a rule's result is part of its
# parent's), and printing a large expression costs milliseconds: print each once.
@lru_cache(maxsize=4096)
def to_plain(expr: sympy.Basic) -> str:
    """Return the canonical plain form of ``expr``, which parses back to it.

    >>> x = sympy.Symbol("x", real=True)
    >>> to_plain(x**2 / 2 - sympy.sqrt(x) * sympy.exp(-x))
    '-sqrt(x)*exp(-x) + x^2/2'
    """
    if isinstance(expr, sympy.Equality):
        return f"{to_plain(expr.lhs)} = {to_plain(expr.rhs)}"
    if isinstance(expr, bool) or not isinstance(expr, sympy.Basic | int | float):
        raise TypeError(f"to_plain takes a SymPy expression, not {type(expr).__name__}")
    if isinstance(expr, int):
        expr = sympy.Integer(expr)
    elif isinstance(expr, float):
        expr = sympy.Float(expr)
    return _plain(expr)[0]


class _LatexPrinter(LatexPrinter):
    """SymPy's LaTeX, with generic functions as textbooks write them: f'(x)."""

    def _print_Function(self, expr, exp=None):
        if not isinstance(expr.func, UndefinedFunction):
            return super()._print_Function(expr, exp)
        partials = getattr(expr.func, "generic_partials", "")
        name = expr.func.generic_base if partials else expr.func.__name__
        base = name.rstrip("'")
        primes = name[len(base) :] + (f"_{{{partials}}}" if partials else "")
        if base in _GREEK_LATEX:
            head = "\\" + base
        elif len(base) == 1:
            head = base
        else:
            head = rf"\operatorname{{{base}}}"
        args = ", ".join(self._print(a) for a in expr.args)
        text = rf"{head}{primes}\left({args}\right)"
        return rf"\left({text}\right)^{{{exp}}}" if exp is not None else text


_GREEK_LATEX = frozenset(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi rho sigma tau"
    " upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split()
)


@lru_cache(maxsize=4096)
def to_latex(expr: sympy.Basic) -> str:
    """Return ``expr`` as LaTeX that the LaTeX parser reads back.

    >>> from shared.mathcore.symbols import generic_function, variable
    >>> x, y = variable("x"), variable("y")
    >>> print(to_latex(generic_function("f'")(x)), to_latex(generic_function("f", "12")(x, y)))
    f'\\left(x\\right) f_{12}\\left(x, y\\right)
    """
    return _LatexPrinter().doprint(expr)


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


def _wrap(printed: tuple[str, int], minimum: int) -> str:
    """Parenthesise a printed part whose precedence is below ``minimum``."""
    text, prec = printed
    return f"({text})" if prec < minimum else text


def _plain(e: sympy.Basic) -> tuple[str, int]:
    """Print ``e``; return the text and the precedence of its outermost operator."""
    if e in _CONSTANT_NAMES:
        text = _CONSTANT_NAMES[e]
        return text, NEG if text.startswith("-") else ATOM
    if isinstance(e, sympy.Integer):
        return _plain_integer(int(e.p))
    if isinstance(e, sympy.Rational):
        if e.p < 0:  # -1/2, never (-1)/2
            return f"-{_plain(-e)[0]}", NEG
        return f"{_wrap(_plain_integer(int(e.p)), MUL)}/{_wrap(_plain_integer(int(e.q)), POW)}", MUL
    if isinstance(e, sympy.Float):
        text = repr(float(e))
        return text, NEG if text.startswith("-") else ATOM
    if isinstance(e, sympy.Symbol):
        return e.name, ATOM
    if isinstance(e, sympy.Add):
        return _plain_sum(e)
    if isinstance(e, sympy.Mul):
        return _plain_product(e)
    if isinstance(e, sympy.Pow):
        return _plain_power(e)
    if isinstance(e, sympy.Max | sympy.Min):
        args = ", ".join(_plain(a)[0] for a in e.args)
        return f"{_FUNCTION_NAMES[type(e).__name__]}({args})", ATOM
    if isinstance(e, sympy.Function):
        name = _FUNCTION_NAMES.get(type(e).__name__, type(e).__name__)
        if isinstance(e, sympy.exp):
            name = "exp"
        args = ", ".join(_plain(a)[0] for a in e.args)
        return f"{name}({args})", ATOM
    return sympy.sstr(e), ATOM  # no plain syntax for it: readable, not parseable


_CHUNK_DIGITS = 100  # the parser's default literal bound (parse_limits.MAX_LITERAL_DIGITS)


def _plain_integer(n: int) -> tuple[str, int]:
    """An integer; past 100 digits as a sum of 100-digit chunks times powers of ten,
    so every literal stays within the parser's bound and it still reads back exactly."""
    if abs(n) < 10**_CHUNK_DIGITS:
        return str(n), NEG if n < 0 else ATOM
    rest, chunks, k = abs(n), [], 0
    while rest:
        rest, chunk = divmod(rest, 10**_CHUNK_DIGITS)
        if chunk:
            chunks.append(f"{chunk}*10^{k * _CHUNK_DIGITS}" if k else str(chunk))
        k += 1
    text = " + ".join(reversed(chunks))
    if n < 0:
        return f"-({text})", NEG
    return text, ADD


def _plain_sum(e: sympy.Add) -> tuple[str, int]:
    parts: list[str] = []
    for term in e.as_ordered_terms():
        text = _wrap(_plain(term), NEG)
        if not parts:
            parts.append(text)
        elif text.startswith("-"):
            parts.append(f"- {text[1:]}")
        else:
            parts.append(f"+ {text}")
    return " ".join(parts), ADD


def _split_product(e: sympy.Basic) -> tuple[int, list[sympy.Basic], list[sympy.Basic]]:
    """Sign, numerator factors and denominator factors of a product."""
    factors = e.as_ordered_factors() if isinstance(e, sympy.Mul) else [e]
    sign, numerator, denominator = 1, [], []
    for factor in factors:
        if isinstance(factor, sympy.Number) and factor.is_negative and factor is not -sympy.oo:
            sign, factor = -sign, -factor
            if factor == 1:  # the -1 of -x is the sign alone
                continue
        if isinstance(factor, sympy.Rational) and not isinstance(factor, sympy.Integer):
            if factor.p != 1:
                numerator.append(sympy.Integer(factor.p))
            denominator.append(sympy.Integer(factor.q))
        elif isinstance(factor, sympy.Pow) and factor.exp.is_Rational and factor.exp.is_negative:
            if factor.exp == -1:
                denominator.append(factor.base)
            else:
                denominator.append(sympy.Pow(factor.base, -factor.exp, evaluate=False))
        else:
            numerator.append(factor)
    return sign, numerator, denominator


def _plain_factors(factors: list[sympy.Basic]) -> str:
    return "*".join(_wrap(_plain(f), MUL + 1 if len(factors) > 1 else MUL) for f in factors)


def _plain_product(e: sympy.Basic) -> tuple[str, int]:
    sign, numerator, denominator = _split_product(e)
    if len(numerator) == 1 and not denominator:
        text, prec = _plain(numerator[0])
        if prec < MUL:
            text = f"({text})"
        body = text
    else:
        body = _plain_factors(numerator) if numerator else "1"
        if denominator:
            if len(denominator) == 1:
                den = _wrap(_plain(denominator[0]), POW)
            else:
                den = f"({_plain_factors(denominator)})"
            body = f"{body}/{den}"
    if sign < 0:
        return f"-{body}", NEG
    return body, MUL if (len(numerator) > 1 or denominator) else _plain(numerator[0])[1]


def _plain_power(e: sympy.Pow) -> tuple[str, int]:
    base, exp = e.base, e.exp
    if exp.is_Rational and exp.is_negative:
        return _plain_product(e)
    if exp == sympy.S.Half:
        return f"sqrt({_plain(base)[0]})", ATOM
    if base == sympy.E:
        return f"exp({_plain(exp)[0]})", ATOM
    base_text = _wrap(_plain(base), POW + 1)
    exp_text, exp_prec = _plain(exp)
    if exp_prec < ATOM or isinstance(exp, sympy.Rational | sympy.Float) and exp.is_negative:
        exp_text = f"({exp_text})"
    return f"{base_text}^{exp_text}", POW
