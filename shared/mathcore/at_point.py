"""Values of derivatives at a point: numeric by evaluation, exact within the job's budget.

``numeric`` comes from mpmath evaluation of the expressions, compiled once
with their common subexpressions shared (``lambdify(..., cse=True)``), never
from simplifying an exact substitution, so a value at a point never hangs.
The exact ``value`` is the substitution simplified within the job's work
budget, or None when no short closed form turns up in time.

A derivative's value is *defined* where the function is differentiable. The
function itself must be defined there (ln(x)' = 1/x has no value at −1). Where
the formula has a kink (``Abs``, ``sign``, ``Max``, ``Min``, ``Heaviside``,
``relu``, a ``Piecewise``, ... whose switch sits at the point), the value is
decided by one-sided limits: f′(p) exists iff f is continuous at p and the
one-sided limits of f′ agree (then f′(p) is that limit, by the mean value
theorem) — never by a convention such as Heaviside(0) = 1/2.
"""

from __future__ import annotations

import logging
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import mpmath
import sympy
from sympy.core.function import AppliedUndef

from shared.mathcore.budget import BudgetExceeded, time_budget
from shared.mathcore.checks.evaluate import RealEvaluator
from shared.mathcore.mlfunctions import relu, step
from shared.mathcore.realroot import cbrt
from shared.mathcore.simplifier import node_count, simplest
from shared.mathcore.symbols import as_expr

logger = logging.getLogger(__name__)

DPS = 40  # decimal digits for numeric values: floats need 17, cancellation eats the rest
# An exact value longer than this is no closed form a reader wants: null, numeric given.
MAX_EXACT_OPS = 80
# A power of numbers with more digits than this is no closed form a reader wants either,
# and writing it out (x^(x^8) at 9.9) can outlast the job.
MAX_EXACT_DIGITS = 100
# A root of a number with more digits than this is left unbuilt: SymPy factors the
# number looking for perfect powers (0.5 s a job for 50 digits).
MAX_ROOT_DIGITS = 20
# A switch argument this close to 0 at the point may sit exactly on it.
KINK_TOL = mpmath.mpf(10) ** -25
# Functions whose derivative jumps (or fails) where their argument is 0.
_SWITCHES = (sympy.Abs, sympy.sign, sympy.Heaviside, sympy.DiracDelta, relu, step)

Point = Mapping[sympy.Symbol, sympy.Expr]


@dataclass(frozen=True)
class PointValue:
    """A value at a point: ``defined`` is None when it could not be decided in time."""

    value: sympy.Expr | None
    numeric: float | None
    defined: bool | None
    reason: str | None = None
    simplified: bool = True


def _dirac(u):
    return mpmath.nan if u == 0 else mpmath.mpf(0)


@lru_cache(maxsize=256)
def _compiled(exprs: tuple[sympy.Expr, ...], symbols: tuple[sympy.Symbol, ...]):
    return sympy.lambdify(
        symbols, list(exprs), modules=[{"DiracDelta": _dirac}, "mpmath"], cse=True
    )


def _as_real(value) -> mpmath.mpf | None:
    """``value`` as a finite real mpmath number, or None (complex, infinite, nan)."""
    if isinstance(value, mpmath.mpc):
        if value.imag != 0:
            return None
        value = value.real
    try:
        number = mpmath.mpf(value)
    except (TypeError, ValueError):
        return None
    if not mpmath.isfinite(number):
        return None
    return number


def to_float(value: mpmath.mpf | None) -> float | None:
    """A real value as a float, or None when it is None or beyond a float's range."""
    if value is None or abs(value) > sys.float_info.max:
        return None
    return float(value)


def _as_float(value) -> float | None:
    return to_float(_as_real(value))


def _evaluated(expr: sympy.Expr, point: Point) -> mpmath.mpf | None:
    try:
        return _as_real(sympy.N(substitute(expr, point), DPS))
    except TooManyDigits:
        return None


def real_values(exprs: Sequence[sympy.Expr], point: Point) -> list[mpmath.mpf | None]:
    """Each of ``exprs`` at ``point`` in mpmath, or None where it is not real and finite.

    A tree walk first (``RealEvaluator.values``: shared subexpressions computed
    once, no code generated, which cost more than the rest of a small job);
    whatever it refuses (a complex intermediate, lost digits, a value past its
    range, a function it has no rule for) is compiled and evaluated as before.
    A value may be far beyond a float's range (exp(1000)) and still be a value.
    """
    exprs = [as_expr(e) for e in exprs]
    numbers = {s: as_expr(v) for s, v in point.items()}
    with mpmath.workdps(DPS):
        at = {s: mpmath.mpf(sympy.N(v, DPS + 10)) for s, v in numbers.items() if v.is_number}
    walked = RealEvaluator(DPS).values(exprs, at) if len(at) == len(point) else [None] * len(exprs)
    refused = [e for e, v in zip(exprs, walked, strict=True) if v is None]
    if not refused:
        return walked
    compiled = iter(_compiled_values(refused, point))
    return [v if v is not None else next(compiled) for v in walked]


def _compiled_values(exprs: Sequence[sympy.Expr], point: Point) -> list[mpmath.mpf | None]:
    """``real_values`` by lambdify: the expressions compiled together (CSE), in mpmath."""
    symbols = tuple(sorted(point, key=lambda s: s.name))
    exprs = tuple(as_expr(e) for e in exprs)
    if any(e.free_symbols - set(point) or e.has(sympy.zoo, sympy.nan) for e in exprs):
        # A symbol without a value has no number (the kinds refuse such points);
        # zoo and nan have none either (and no code to compile).
        return [
            None
            if e.free_symbols - set(point) or e.has(sympy.zoo, sympy.nan)
            else _compiled_values([e], point)[0]
            for e in exprs
        ]
    with mpmath.workdps(DPS):
        args = [mpmath.mpf(sympy.N(point[s], DPS + 10)) for s in symbols]
        try:
            return [_as_real(v) for v in _compiled(exprs, symbols)(*args)]
        except (ArithmeticError, ValueError, TypeError):
            if len(exprs) == 1:
                return [None]
        except (KeyError, NameError, SyntaxError, NotImplementedError):
            # No code for a function here (or no printer for a node, an
            # unevaluated Derivative): SymPy's own evaluation instead.
            return [_evaluated(e, point) for e in exprs]
    # One expression failed (a division by zero): evaluate each on its own.
    return [_compiled_values([e], point)[0] for e in exprs]


def numeric_values(exprs: Sequence[sympy.Expr], point: Point) -> list[float | None]:
    """Each of ``exprs`` at ``point`` as a float, or None where it is not real and
    finite or lies beyond a float's range.

    >>> x = sympy.Symbol("x", real=True)
    >>> numeric_values([sympy.log(x), 1 / x, sympy.sqrt(x), sympy.exp(1000 * x)], {x: -1})
    [None, -1.0, None, 0.0]
    """
    return [to_float(v) for v in real_values(exprs, point)]


def _beyond_float(value: mpmath.mpf, exact: sympy.Expr | None) -> str:
    where = "; 'value' gives it exactly" if exact is not None else ""
    return f"the value, about {mpmath.nstr(value, 3)}, is beyond a float's range{where}"


class TooManyDigits(ValueError):
    """An exact substitution would build a number too long to be worth computing."""


def _largest_digits(number: sympy.Expr) -> float:
    """Digits of the largest integer written in a number (numerators, denominators)."""
    largest = max(
        (abs(int(n)) for r in number.atoms(sympy.Rational) for n in (r.p, r.q)), default=1
    )
    return math.log10(largest) if largest > 1 else 0.0


def _too_long(node: sympy.Basic, args: Sequence[sympy.Basic]) -> bool:
    """Whether building ``node`` from numeric ``args`` means a huge number or a hard root."""
    if isinstance(node, cbrt):
        return args[0].is_number and _largest_digits(args[0]) > MAX_ROOT_DIGITS
    if not isinstance(node, sympy.Pow):
        return False
    base, exponent = args
    if not (exponent.is_Rational and base.is_number):
        return False
    digits = _largest_digits(base)
    if not exponent.is_Integer and digits > MAX_ROOT_DIGITS:
        return True
    return abs(float(exponent)) * digits > MAX_EXACT_DIGITS


def substitute(expr: sympy.Expr, point: Point) -> sympy.Expr:
    """``expr`` at ``point``, exactly, node by node.

    Raises TooManyDigits before a power of numbers with more than
    MAX_EXACT_DIGITS digits is built (SymPy would write it out in full), or a
    root of a number longer than MAX_ROOT_DIGITS (SymPy would factor it).

    >>> x = sympy.Symbol("x", real=True)
    >>> substitute(x**2 + 1, {x: sympy.Rational(1, 2)})
    5/4
    >>> substitute(x ** (x**4), {x: sympy.Rational(99, 10)})
    Traceback (most recent call last):
    ...
    shared.mathcore.at_point.TooManyDigits: a power of numbers has too many digits
    """
    point = {name: as_expr(value) for name, value in point.items()}
    names = set(point)
    done: dict[sympy.Basic, sympy.Basic] = {}

    def walk(node: sympy.Basic) -> sympy.Basic:
        if node in done:
            return done[node]
        if node in point:
            out = point[node]
        elif not node.args or not (node.free_symbols & names):
            out = node
        else:
            args = [walk(a) for a in node.args]
            if _too_long(node, args):
                raise TooManyDigits("a power of numbers has too many digits")
            out = node.func(*args)
        done[node] = out
        return out

    return walk(expr)


def exact_value(expr: sympy.Expr, point: Point) -> tuple[sympy.Expr | None, bool]:
    """``expr`` at ``point`` in a short closed form found within the job's budget.

    Returns (value or None, whether simplification ran to completion).

    >>> x = sympy.Symbol("x", real=True)
    >>> exact_value(x**2 + 2*x, {x: sympy.Rational(1, 2)})
    (5/4, True)
    """
    try:
        value = substitute(expr, point)
    except TooManyDigits:
        return None, True
    if node_count(value) > 3 * MAX_EXACT_OPS:
        return None, True  # rewriting rarely shortens it that much: not worth the time
    complete = True
    if not value.atoms(sympy.Function):
        # Algebraic numbers (radicals) may shorten; values of exp, tanh, ... at
        # decimals took the rewriters 0.1 s each and came back as they went in.
        value, complete = simplest(value, budget="exact_value")
    if value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo) or value.free_symbols:
        return None, complete
    # count_ops costs more than the rest here; a number leaf counts at most 3 ops.
    if 3 * node_count(value) > MAX_EXACT_OPS and sympy.count_ops(value) > MAX_EXACT_OPS:
        return None, complete
    return value, complete


def _switch_arguments(expr: sympy.Expr) -> list[sympy.Expr]:
    """Expressions whose zero is a switch of ``expr`` (differences of Max/Min arguments)."""
    out = []
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, _SWITCHES):
            out.append(node.args[0])
        elif isinstance(node, sympy.Max | sympy.Min):
            args = node.args
            out.extend(a - b for i, a in enumerate(args) for b in args[i + 1 :])
        elif isinstance(node, sympy.floor | sympy.ceiling):
            out.append(sympy.sin(sympy.pi * node.args[0]))
        elif isinstance(node, sympy.Piecewise):
            for _, condition in node.args:
                out.extend(r.lhs - r.rhs for r in condition.atoms(sympy.core.relational.Relational))
    return out


class OffTheReals(ValueError):
    """A switch's argument is not real at the point (abs(acosh(x)) at x < 1)."""


def on_a_switch(exprs: Sequence[sympy.Expr], point: Point) -> bool:
    """Whether a switch of ``exprs`` (a kink, a jump, a piece's boundary) may sit at ``point``.

    Raises OffTheReals when a switch's argument is not real there: abs() of a
    complex number is real, but the function is not defined on the reals.
    """
    arguments = [a for e in exprs for a in _switch_arguments(e)]
    if not arguments:
        return False
    on = False
    with mpmath.workdps(DPS):
        for value in real_values(arguments, point):
            if value is None:
                raise OffTheReals("a switch's argument is not real at the point")
            on = on or abs(value) <= KINK_TOL
    return on


def _side_sign(u: sympy.Expr, var: sympy.Symbol, point: Point, side: int) -> int:
    """The sign of ``u`` just to one side of the point along ``var`` (0: identically 0)."""
    signs = set()
    with mpmath.workdps(60):
        for k in (12, 16, 20):
            shifted = dict(point)
            shifted[var] = point[var] + side * sympy.Rational(1, 10**k)
            value = real_values([u], shifted)[0]
            if value is None:
                raise ValueError("the switch is not real beside the point")
            signs.add((value > 0) - (value < 0))
    if len(signs) != 1:
        raise ValueError("the switch changes sign ever closer to the point")
    return signs.pop()


def _branch(expr: sympy.Expr, var: sympy.Symbol, point: Point, side: int) -> sympy.Expr:
    """``expr`` with each switch replaced by the branch it takes just to one side."""

    def sgn(u):
        return _side_sign(u, var, point, side)

    def pick(node):
        if isinstance(node, sympy.Piecewise):
            beside = dict(point)
            beside[var] = point[var] + side * sympy.Rational(1, 10**20)
            for piece, condition in node.args:
                truth = condition.xreplace(beside)
                if truth not in (sympy.true, sympy.false):
                    raise ValueError("a piece's condition is not decided beside the point")
                if truth is sympy.true:
                    return piece
            raise ValueError("no piece applies beside the point")
        u = node.args[0]
        if isinstance(node, sympy.Abs):
            return sgn(u) * u
        if isinstance(node, sympy.sign):
            return sympy.Integer(sgn(u))
        if isinstance(node, sympy.Heaviside | step):
            return sympy.Integer(1 if sgn(u) > 0 else 0)
        if isinstance(node, sympy.DiracDelta):
            return sympy.Integer(0) if sgn(u) != 0 else node
        if isinstance(node, relu):
            return u if sgn(u) > 0 else sympy.Integer(0)
        args = node.args  # Max or Min: the argument that wins beside the point
        better = (
            (lambda a, b: sgn(a - b) > 0)
            if isinstance(node, sympy.Max)
            else (lambda a, b: sgn(a - b) < 0)
        )
        winner = args[0]
        for arg in args[1:]:
            if better(arg, winner):
                winner = arg
        return winner

    switches = (*_SWITCHES, sympy.Max, sympy.Min, sympy.Piecewise)
    return expr.replace(lambda n: isinstance(n, switches), pick)


def _one_sided(expr: sympy.Expr, var: sympy.Symbol, point: Point) -> tuple[sympy.Expr, ...]:
    """The limits of ``expr`` at the point from the left and the right, along ``var``."""
    others = {s: v for s, v in point.items() if s != var}
    along = substitute(expr, others)
    limits = []
    with time_budget("limit"):
        for side, direction in ((-1, "-"), (1, "+")):
            try:
                smooth = _branch(along, var, point, side)
            except ValueError:
                smooth = along
            value = as_expr(substitute(smooth, {var: point[var]}))
            if value.has(sympy.nan) or value.has(sympy.Piecewise) or smooth is along:
                value = sympy.limit(smooth, var, point[var], direction)
            limits.append(value)
    return tuple(limits)


def _same(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Whether two exact numbers are equal: numerically first, then exactly within a budget."""
    if not (_finite_real(a) and _finite_real(b)):
        return a == b
    difference = _as_real(sympy.N(a - b, DPS))
    if difference is None or abs(difference) > 1e-30 * max(1, abs(_as_real(sympy.N(a, DPS)) or 0)):
        return False
    try:
        with time_budget("zero_test"):
            return sympy.simplify(a - b) == 0
    except BudgetExceeded:
        return True  # equal to 40 digits, and no proof otherwise in time


def _finite_real(value: sympy.Expr) -> bool:
    return bool(value.is_finite) and value.is_real is not False and not value.has(sympy.nan)


def _in_terms_of_generic(
    expr: sympy.Expr, stages: Sequence[sympy.Expr], point: Point
) -> PointValue | None:
    """With a generic function (f, f', f_1) in sight, the value stays in its terms:
    ``x*f'(x) + f(x)`` at 1 is ``f'(1) + f(1)``, neither a number nor undefined.

    >>> from shared.mathcore.symbols import generic_function
    >>> x = sympy.Symbol("x", real=True)
    >>> found = _in_terms_of_generic(generic_function("f")(x**2), [], {x: 3})
    >>> found.value, found.numeric, found.defined
    (f(9), None, None)
    """
    names = sorted(
        {
            getattr(f.func, "generic_base", f.func.__name__).rstrip("'")
            for e in (*stages, expr)
            for f in e.atoms(AppliedUndef)
        }
    )
    if not names:
        return None
    try:
        value = substitute(expr, point)
    except TooManyDigits:
        value = None
    which = ", ".join(names)
    return PointValue(
        value,
        None,
        None,
        f"{which} {'is a generic function' if len(names) == 1 else 'are generic functions'}:"
        " the value stays in its terms, with no number",
    )


def derivative_value(
    stages: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol], point: Point
) -> PointValue:
    """The value at ``point`` of ``stages[-1]``, where ``stages[k+1] = ∂stages[k]/∂variables[k]``.

    >>> x = sympy.Symbol("x", real=True)
    >>> derivative_value([sympy.log(x), 1 / x], [x], {x: -1}).defined
    False
    >>> f = sympy.Max(0, x)
    >>> derivative_value([f, sympy.diff(f, x)], [x], {x: 0}).defined
    False
    >>> f = x * sympy.Abs(x)
    >>> derivative_value([f, sympy.diff(f, x)], [x], {x: 0}).value
    0
    """
    generic = _in_terms_of_generic(stages[-1], stages, point)
    if generic is not None:
        return generic
    numeric = real_values(stages, point)
    for k, var in enumerate(variables):
        h, g = stages[k], stages[k + 1]
        if numeric[k] is None:
            what = "the function" if k == 0 else "an earlier derivative"
            return PointValue(None, None, False, f"{what} is not defined at the point")
        try:
            if not on_a_switch([h, g], point):
                continue
        except OffTheReals as exc:
            return PointValue(None, None, False, str(exc))
        try:
            h_left, h_right = _one_sided(h, var, point)
            g_left, g_right = _one_sided(g, var, point)
            h_at = substitute(h, point)
        except (BudgetExceeded, NotImplementedError, ValueError, TypeError) as exc:
            logger.info("one-sided limits undecided at %s: %r", dict(point), exc)
            return PointValue(None, None, None, "the one-sided limits could not be decided in time")
        if not (_same(h_left, h_at) and _same(h_right, h_at)):
            return PointValue(None, None, False, "the function is not continuous there")
        if not (_finite_real(g_left) and _finite_real(g_right)):
            return PointValue(None, None, False, "a one-sided derivative is infinite there")
        if not _same(g_left, g_right):
            return PointValue(None, None, False, "the one-sided derivatives differ (a kink)")
        if k == len(variables) - 1:
            return PointValue(g_left, _as_float(sympy.N(g_left, DPS)), True)
    if numeric[-1] is None:
        return PointValue(None, None, False, "the derivative is not defined at the point")
    return _defined_value(stages[-1], point, numeric[-1])


def _defined_value(expr: sympy.Expr, point: Point, number: mpmath.mpf) -> PointValue:
    """The value of a derivative known to be defined at ``point``, where it is ``number``."""
    value, complete = exact_value(expr, point)
    as_float = to_float(number)
    reason = None if as_float is not None else _beyond_float(number, value)
    return PointValue(value, as_float, True, reason, simplified=complete)


def partial_values(
    f: sympy.Expr, partials: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol], point: Point
) -> list[PointValue]:
    """The value at ``point`` of each ``partials[i] = ∂f/∂variables[i]``.

    Off every switch, all values come from one compiled evaluation (shared
    subexpressions computed once); on a switch each partial is decided by
    :func:`derivative_value`.
    """
    generic = [_in_terms_of_generic(p, [f, p], point) for p in partials]
    if any(g is not None for g in generic):
        return [
            g if g is not None else derivative_value([f, p], [v], point)
            for g, p, v in zip(generic, partials, variables, strict=True)
        ]
    try:
        switched = on_a_switch([f, *partials], point)
    except OffTheReals as exc:
        return [PointValue(None, None, False, str(exc)) for _ in partials]
    if switched:
        return [
            derivative_value([f, p], [v], point) for p, v in zip(partials, variables, strict=True)
        ]
    f_value, *numeric = real_values([f, *partials], point)
    out = []
    for partial, value in zip(partials, numeric, strict=True):
        if f_value is None or value is None:
            what = "the function" if f_value is None else "the derivative"
            out.append(PointValue(None, None, False, f"{what} is not defined at the point"))
            continue
        out.append(_defined_value(partial, point, value))
    return out
