"""The safe expression parser of mlcalc: text to SymPy, with our own grammar.

User text never reaches ``eval``, ``exec``, ``sympify``, ``parse_expr`` or
``parse_latex``: a tokenizer (``tokenizer.py``, or ``latex_parser.py`` for
LaTeX) turns it into tokens, a recursive-descent grammar (``grammar.py``)
reads them, and ``expr_builder.py`` builds each SymPy object after checking
it stays within the bounds of ``parse_limits.py``. The syntax and its edge
cases are documented in ``grammar.py`` and ``tokenizer.py``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Literal

import sympy

from shared.mathcore.budget import once_per_job
from shared.mathcore.parsing.errors import ParseError
from shared.mathcore.parsing.expr_builder import ExprBuilder
from shared.mathcore.parsing.grammar import Grammar
from shared.mathcore.parsing.limits import ParseLimits
from shared.mathcore.parsing.reading import Declared
from shared.mathcore.parsing.tokenizer import tokenize

__all__ = ["ParseError", "ParseLimits", "parse_equation", "parse_expression"]

Syntax = Literal["plain", "latex"]


def _grammar(
    text: str,
    declared: Declared,
    syntax: Syntax,
    limits: ParseLimits,
) -> Grammar:
    if not isinstance(text, str):
        raise ParseError("not a string", 0, expected="an expression as text")
    if len(text) > limits.max_length:
        raise ParseError(
            "input too long",
            limits.max_length,
            reason=f"{len(text):,} characters, the limit is {limits.max_length:,}",
        )
    if syntax == "plain":
        tokens = tokenize(text, limits.max_literal_digits)
    elif syntax == "latex":
        from shared.mathcore.parsing.latex import tokenize_latex

        tokens = tokenize_latex(text, limits.max_literal_digits)
    else:
        raise ValueError(f"unknown syntax {syntax!r}: use 'plain' or 'latex'")
    if tokens[0].kind.name == "EOF":
        raise ParseError("empty expression", 0, expected="an expression")
    return Grammar(tokens, ExprBuilder(limits), declared, limits, latex=syntax == "latex")


def _run(method, evaluate: bool):  # noqa: ANN001, ANN202 - a bound Grammar method
    try:
        with sympy.evaluate(evaluate):
            return method()
    except RecursionError:
        # The depth bound keeps well inside Python's stack; this is a last resort
        # for a caller that is already deep in its own stack.
        raise ParseError(
            "nested too deeply", 0, reason="the expression is nested too deeply"
        ) from None


def parse_expression(
    text: str,
    variables: Sequence[str] | None = None,
    syntax: Syntax = "plain",
    evaluate: bool = True,
    functions: Sequence[str] | None = None,
    data: Collection[str] | None = None,
    **limits: int,
) -> sympy.Expr:
    """Parse ``text`` into a SymPy expression whose symbols are real.

    ``variables`` are the job's declared variables: they stay whole (``lr``)
    and win over constants of the same name. ``functions`` are generic
    function names besides ``f``, ``g``, ``h``; ``data`` the names of data
    columns (read as ``DataColumn`` symbols, only inside ``sum``/``mean``).
    ``evaluate=False`` keeps the written form (``2/4`` stays ``2/4``).
    ``limits`` override the bounds of ``ParseLimits`` (``max_length=...``).
    Raises ParseError.

    >>> parse_expression("2xy + sin^2 x")
    2*x*y + sin(x)**2
    >>> parse_expression("f(g(x))"), parse_expression("mean((w x - y)^2)", data=["x", "y"])
    (f(g(x)), mean((w*x - y)**2))
    """
    key = (
        "parse",
        str(text),
        tuple(variables or ()),
        syntax,
        evaluate,
        tuple(functions or ()),
        tuple(sorted(data or ())),
        tuple(sorted(limits.items())),
    )

    def parse() -> sympy.Expr:
        declared = Declared.of(variables, functions, data)
        grammar = _grammar(text, declared, syntax, ParseLimits.with_overrides(limits))
        return _run(grammar.expression, evaluate)

    if not isinstance(text, str):
        return parse()  # refused by _grammar, with its message
    # Validation and the run read the same params: one parse per job.
    return once_per_job(key, parse)


def parse_equation(
    text: str,
    variables: Sequence[str] | None = None,
    syntax: Syntax = "plain",
    functions: Sequence[str] | None = None,
    **limits: int,
) -> tuple[sympy.Expr, sympy.Expr]:
    """Parse ``lhs = rhs`` into its two sides; text without ``=`` is a ParseError.

    >>> parse_equation("x^2 + y^2 = 25", ["x", "y"])
    (x**2 + y**2, 25)
    """
    declared = Declared.of(variables, functions)
    grammar = _grammar(text, declared, syntax, ParseLimits.with_overrides(limits))
    return _run(grammar.equation, True)
