"""The written form of an expression, for the ``identical_form`` test.

The evaluating parse (and SymPy itself, even unevaluated) writes ``a/b`` as
``a*b^(-1)``, so a quotient and a negative power, or ``0.5`` and ``1/2``,
cannot be told apart afterwards. :class:`FormBuilder` is a builder for the
parser's grammar that builds a *form key* instead of a SymPy object: a
canonical tuple that keeps what was typed and forgets only the order of terms
and factors and the grouping of sums and products (the contract's
"identical form"). Conventions, those of STACK's ``EqualComAss`` test:

* ``a/b`` is the product of ``a`` and the reciprocal of ``b``: ``(a*b)/c``
  and ``a*(b/c)`` share a key, ``a^2/b^3`` and ``a^2*b^(-3)`` do not, nor do
  ``1/2*1/x`` and ``1/(2x)`` (two reciprocals are not one of a product).
* A minus sign is a factor: ``x*(-y)``, ``-x*y`` and ``-(x*y)`` share a key,
  ``x/(-y)`` and ``-(x/y)`` do not; ``a - b`` is ``a + (-b)``.
* No arithmetic: ``2/4`` is not ``1/2``, ``1*x`` is not ``x``, ``x^1`` is
  not ``x``, ``4.0`` is not ``4``, ``sqrt(3)`` is not ``3^(1/2)``.
* ``e^x`` and ``exp(x)`` are one form (two spellings of one function).

A SymPy expression (an expected answer solved by the service) has no typed
form: its form is that of the text the service shows for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import sympy

from shared.mathcore.parsing.expr_builder import ExprBuilder
from shared.mathcore.printing import to_plain


class Form(tuple):
    """A form key. It equals the int ``-1`` when it is ``-1`` as typed, which is
    how the grammar recognises ``sin^-1 x`` as the inverse sine."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, int) and not isinstance(other, bool):
            return tuple.__eq__(self, _int_form(other))
        return tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = tuple.__hash__


def _node(*items) -> Form:
    return Form(items)


_MINUS = _node("-")


def _int_form(n: int) -> Form:
    if n < 0:
        return _node("*", tuple(sorted((_MINUS, _node("n", -n)), key=repr)))
    return _node("n", n)


def _factors(form: Form) -> list[Form]:
    return list(form[1]) if form[0] == "*" else [form]


def _terms(form: Form) -> list[Form]:
    return list(form[1]) if form[0] == "+" else [form]


def _product(factors: list[Form]) -> Form:
    if len(factors) == 1:
        return factors[0]
    return _node("*", tuple(sorted(factors, key=repr)))


class FormBuilder(ExprBuilder):
    """Builds form keys (see the module docstring) instead of SymPy objects.

    Used only on text the evaluating parser has already read, so the guards
    against huge numbers are not needed here: nothing is computed.
    """

    def number(self, text: str, pos: int) -> Form:
        self._tick(pos)
        if "." in text or "e" in text.lower():
            value = Fraction(text)  # exact, as the evaluating parser reads it
            return _node("d", value.numerator, value.denominator)
        return _node("n", int(text))

    def symbol(self, name: str, pos: int) -> Form:
        self._tick(pos)
        return _node("s", name)

    def column(self, name: str, pos: int) -> Form:
        self._tick(pos)
        return _node("col", name)

    def constant(self, name: str, pos: int) -> Form:
        self._tick(pos)
        return _node("c", name)

    def generic(self, name: str, args: Sequence[Form], pos: int) -> Form:
        self._tick(pos)
        return _node("g", name, tuple(args))

    def add(self, a: Form, b: Form, pos: int) -> Form:
        self._tick(pos)
        return _node("+", tuple(sorted(_terms(a) + _terms(b), key=repr)))

    def neg(self, a: Form, pos: int) -> Form:
        self._tick(pos)
        return _product([_MINUS, *_factors(a)])

    def mul(self, a: Form, b: Form, pos: int) -> Form:
        self._tick(pos)
        return _product(_factors(a) + _factors(b))

    def div(self, a: Form, b: Form, pos: int) -> Form:
        self._tick(pos)
        return _product([*_factors(a), _node("/", b)])

    def pow(self, base: Form, exp: Form, pos: int) -> Form:
        self._tick(pos)
        return _node("^", base, exp)

    def call(self, name: str, args: Sequence[Form], pos: int) -> Form:
        self._tick(pos)
        if name == "exp":
            return self.pow(_node("c", "E"), args[0], pos)
        return _node("fn", name, tuple(args))


def written_form(
    source: str | sympy.Basic,
    variables: Sequence[str] | None = None,
    syntax: str = "plain",
) -> Form:
    """The form key of ``source`` as written (a SymPy object: as the service prints it).

    Raises the parser's ParseError on unreadable text.

    >>> written_form("a^2/b^3") == written_form("a^2*b^(-3)")
    False
    >>> written_form("(a*b)/c") == written_form("a*(b/c)")
    True
    """
    from shared.mathcore.parsing import parser  # the parser may load late

    if isinstance(source, sympy.Basic):
        source, syntax = to_plain(source), "plain"
    grammar = parser._grammar(
        source,
        parser.Declared.of(variables, None, None),
        syntax,  # type: ignore[arg-type]
        parser.ParseLimits.with_overrides({}),
    )
    grammar.builder = FormBuilder(grammar.limits)
    return parser._run(grammar.expression, False)


def same_form(
    answer: str | sympy.Basic,
    expected: str | sympy.Basic,
    variables: Sequence[str] | None = None,
    syntax: str = "plain",
) -> bool:
    """True when both are written the same up to order and grouping (no arithmetic)."""
    return written_form(answer, variables, syntax) == written_form(expected, variables, syntax)
