"""Evaluate an expression at a point in the reals, with mpmath at a chosen precision.

A tree walk rather than ``lambdify``: it needs no code generation, it can refuse
a point as soon as any subexpression leaves the reals (``sqrt`` of a negative,
``log`` of zero, a pole), and it evaluates at any precision, which lets the
checker tell a true value from one destroyed by cancellation.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence

import mpmath
import sympy
from sympy.core.function import AppliedUndef

from shared.mathcore.symbols import generic_order

# Values past 2**LIMIT_BITS are refused: exp(exp(1000)) would take mpmath hours.
LIMIT_BITS = 200_000
# Arguments of periodic functions past this need huge argument reductions.
LIMIT_TRIG_ARG = mpmath.mpf(10) ** 12


class OutsideDomain(Exception):
    """The expression is not real-valued (or not finite) at this point."""


class LostPrecision(Exception):
    """A sum cancelled past the working precision: its value cannot be trusted.

    Two precisions alone do not catch this: 1 + tanh(-139) is 0 at 30 digits and
    at 45, though the true value is 2e-121.
    """


# A sum must keep this many bits of the working precision, else LostPrecision.
KEPT_BITS = 60


class CannotEvaluate(Exception):
    """The expression holds something with no numeric value (an unknown y(x))."""


def stand_in(name: str, by: Sequence[int], args: Sequence[mpmath.mpf]) -> mpmath.mpf:
    """A generic function's value, as STACK checks answers with arbitrary functions:
    a fixed smooth stand-in per name, F(u) = sin(a·u + b) + c·u (a, b, c per
    argument, from the name), with ``by`` the argument indices (1-based) of the
    derivative taken. f, f', f'' and f_1, f_12 are derivatives of one F, so an
    answer equal for every f is equal here; one that differs here differs.

    >>> u, v = mpmath.mpf("0.3"), mpmath.mpf("-1.2")
    >>> d = mpmath.diff(lambda t: stand_in("f", [], [t]), u)
    >>> bool(abs(d - stand_in("f", [1], [u])) < 1e-12)
    True
    >>> d12 = mpmath.diff(lambda s, t: stand_in("phi", [], [s, t]), (u, v), (1, 1))
    >>> bool(abs(d12 - stand_in("phi", [1, 2], [u, v])) < 1e-10)
    True
    """
    seed = zlib.crc32(name.encode())
    coefficients = []
    for i in range(len(args)):
        a = 0.5 + ((seed >> (3 * i)) % 997) / 997
        c = 0.25 + ((seed >> (3 * i + 11)) % 991) / 991
        coefficients.append((mpmath.mpf(a), mpmath.mpf(c)))
    b = mpmath.mpf(seed % 1009) / 1009
    phase = sum(a * u for (a, _), u in zip(coefficients, args, strict=True)) + b
    order = len(by)
    value = mpmath.sin(phase + order * mpmath.pi / 2)
    for index in by:
        value *= coefficients[index - 1][0]
    if order == 0:
        value += sum(c * u for (_, c), u in zip(coefficients, args, strict=True))
    elif order == 1:
        value += coefficients[by[0] - 1][1]
    return value


def _real(value) -> mpmath.mpf:
    if isinstance(value, mpmath.mpc):
        if value.imag != 0:
            raise OutsideDomain("not real")
        value = value.real
    if not isinstance(value, mpmath.mpf):
        value = mpmath.mpf(value)
    if not mpmath.isfinite(value):
        raise OutsideDomain("not finite")
    if value != 0 and abs(mpmath.mag(value)) > LIMIT_BITS:
        raise OutsideDomain("out of range")
    return value


def _log(u):
    if u <= 0:
        raise OutsideDomain("log of a non-positive number")
    if abs(u - 1) < mpmath.ldexp(1, KEPT_BITS - mpmath.mp.prec):
        # log(1 + tiny) is tiny, but 1 + tiny rounds to 1 first: ln(1 + e^x) at
        # x = -466 is 5e-203, not 0 (softplus gives the true value).
        raise LostPrecision("log of a number too close to 1")
    return mpmath.log(u)


def _in_unit(fn: Callable) -> Callable:
    def guarded(u):
        if abs(u) > 1:
            raise OutsideDomain("outside [-1, 1]")
        return fn(u)

    return guarded


def _periodic(fn: Callable) -> Callable:
    def guarded(u):
        if abs(u) > LIMIT_TRIG_ARG:
            raise OutsideDomain("argument too large")
        return fn(u)

    return guarded


def _exp(u):
    if u > 10**5:
        raise OutsideDomain("out of range")
    return mpmath.exp(u)


def _acosh(u):
    if u < 1:
        raise OutsideDomain("acosh below 1")
    return mpmath.acosh(u)


def _atanh(u):
    if abs(u) >= 1:
        raise OutsideDomain("atanh outside (-1, 1)")
    return mpmath.atanh(u)


def _acoth(u):
    if abs(u) <= 1:
        raise OutsideDomain("acoth inside [-1, 1]")
    return mpmath.acoth(u)


def _asec(u):
    if abs(u) < 1:
        raise OutsideDomain("asec inside (-1, 1)")
    return mpmath.acos(1 / u)


def _acsc(u):
    if abs(u) < 1:
        raise OutsideDomain("acsc inside (-1, 1)")
    return mpmath.asin(1 / u)


def _gamma(u):
    if u <= 0 and u == mpmath.floor(u):
        raise OutsideDomain("pole of gamma")
    return mpmath.gamma(u)


def _heaviside(u, h0=None):
    if u == 0:
        return mpmath.mpf(1) / 2 if h0 is None else h0
    return mpmath.mpf(1) if u > 0 else mpmath.mpf(0)


_ONE_ARG: dict[type, Callable] = {
    sympy.exp: _exp,
    sympy.sin: _periodic(mpmath.sin),
    sympy.cos: _periodic(mpmath.cos),
    sympy.tan: _periodic(mpmath.tan),
    sympy.cot: _periodic(mpmath.cot),
    sympy.sec: _periodic(mpmath.sec),
    sympy.csc: _periodic(mpmath.csc),
    sympy.asin: _in_unit(mpmath.asin),
    sympy.acos: _in_unit(mpmath.acos),
    sympy.atan: mpmath.atan,
    sympy.acot: mpmath.acot,
    sympy.asec: _asec,
    sympy.acsc: _acsc,
    sympy.sinh: mpmath.sinh,
    sympy.cosh: mpmath.cosh,
    sympy.tanh: mpmath.tanh,
    sympy.coth: mpmath.coth,
    sympy.sech: mpmath.sech,
    sympy.csch: mpmath.csch,
    sympy.asinh: mpmath.asinh,
    sympy.acosh: _acosh,
    sympy.atanh: _atanh,
    sympy.acoth: _acoth,
    sympy.Abs: abs,
    sympy.sign: mpmath.sign,
    sympy.floor: mpmath.floor,
    sympy.ceiling: mpmath.ceil,
    sympy.erf: mpmath.erf,
    sympy.erfc: mpmath.erfc,
    sympy.gamma: _gamma,
    sympy.factorial: lambda u: _gamma(u + 1),
}


def _pow(base, exponent):
    if base == 0:
        if exponent > 0:
            return mpmath.mpf(0)
        raise OutsideDomain("division by zero")
    if base < 0 and exponent != mpmath.floor(exponent):
        # SymPy's x**(1/3) is the principal (complex) root for x < 0.
        raise OutsideDomain("fractional power of a negative number")
    if exponent == mpmath.floor(exponent) and abs(exponent) < 10**6:
        return base ** int(exponent)
    if abs(exponent * mpmath.log(abs(base))) > 10**5:
        raise OutsideDomain("out of range")
    return base**exponent


class RealEvaluator:
    """Evaluate SymPy expressions at points, at ``dps`` decimal digits.

    >>> x = sympy.Symbol("x", real=True)
    >>> RealEvaluator(30).value(sympy.sqrt(x), {x: 4})
    mpf('2.0')
    """

    def __init__(self, dps: int) -> None:
        self.dps = dps
        self.prec = int(dps * 3.33) + 8
        self._constants: dict[sympy.Basic, mpmath.mpf] = {}
        self._memo: dict[sympy.Basic, object] | None = None

    def values(
        self, exprs: Sequence[sympy.Basic], point: Mapping[sympy.Symbol, mpmath.mpf]
    ) -> list[mpmath.mpf | None]:
        """Each of ``exprs`` at ``point``, a shared subexpression computed once
        (as a CSE'd program would, with no code to generate); None where one is
        not real, not finite, loses its digits or has nothing to evaluate it.

        >>> x = sympy.Symbol("x", real=True)
        >>> RealEvaluator(30).values([sympy.tanh(x) ** 2, sympy.log(x - 3)], {x: mpmath.mpf(0)})
        [mpf('0.0'), None]
        """
        out: list[mpmath.mpf | None] = []
        with mpmath.workprec(self.prec):
            env = {sym: mpmath.mpf(v) for sym, v in point.items()}
            self._memo = {}
            try:
                for expr in exprs:
                    try:
                        out.append(_real(self._walk(expr, env)))
                    except (OutsideDomain, LostPrecision, CannotEvaluate):
                        out.append(None)
                    except (ZeroDivisionError, ValueError, OverflowError):
                        out.append(None)
            finally:
                self._memo = None
        return out

    def value(self, expr: sympy.Basic, point: Mapping[sympy.Symbol, object]) -> mpmath.mpf:
        """Return ``expr`` at ``point``; raise OutsideDomain or CannotEvaluate."""
        with mpmath.workprec(self.prec):
            env = {sym: mpmath.mpf(v) for sym, v in point.items()}
            try:
                return _real(self._walk(expr, env))
            except ZeroDivisionError as exc:
                raise OutsideDomain("division by zero") from exc
            except (ValueError, OverflowError) as exc:
                raise OutsideDomain(str(exc)) from exc

    def _walk(self, e: sympy.Basic, env: Mapping[sympy.Symbol, mpmath.mpf]):
        memo = self._memo
        if memo is None or not e.args:
            return self._node(e, env)
        if e not in memo:
            memo[e] = self._node(e, env)
        return memo[e]

    def _node(self, e: sympy.Basic, env: Mapping[sympy.Symbol, mpmath.mpf]):
        if e.is_Symbol:
            try:
                return env[e]
            except KeyError as exc:
                raise CannotEvaluate(f"no value for {e}") from exc
        if e.is_Integer:
            return mpmath.mpf(int(e))
        if e.is_Rational:
            return mpmath.mpf(int(e.p)) / int(e.q)
        if e.is_Float:
            return mpmath.mpf(e._mpf_)
        if e.is_Add:
            total = mpmath.mpf(0)
            largest = mpmath.mpf(0)
            for arg in e.args:
                term = _real(self._walk(arg, env))
                total += term
                largest = max(largest, abs(term))
            if largest and abs(total) < mpmath.ldexp(largest, KEPT_BITS - self.prec):
                raise LostPrecision("cancellation in a sum")
            return total
        if e.is_Mul:
            product = mpmath.mpf(1)
            for arg in e.args:
                product *= _real(self._walk(arg, env))
            return product
        if e.is_Pow:
            base = _real(self._walk(e.args[0], env))
            exponent = _real(self._walk(e.args[1], env))
            return _real(_pow(base, exponent))
        fn = _ONE_ARG.get(e.func)
        if fn is not None and len(e.args) == 1:
            return _real(fn(_real(self._walk(e.args[0], env))))
        if isinstance(e, sympy.log):
            if len(e.args) == 2:
                return _log(self._walk(e.args[0], env)) / _log(self._walk(e.args[1], env))
            return _log(_real(self._walk(e.args[0], env)))
        if isinstance(e, (sympy.Max, sympy.Min)):
            values = [_real(self._walk(a, env)) for a in e.args]
            return max(values) if isinstance(e, sympy.Max) else min(values)
        if isinstance(e, sympy.atan2):
            y, x = (_real(self._walk(a, env)) for a in e.args)
            return mpmath.atan2(y, x)
        if isinstance(e, sympy.Heaviside):
            args = [_real(self._walk(a, env)) for a in e.args]
            return _heaviside(*args)
        if isinstance(e, sympy.Piecewise):
            for piece, condition in e.args:
                if self._truth(condition, env):
                    return self._walk(piece, env)
            raise OutsideDomain("no piece applies")
        if e.is_number:
            return self._constant(e)
        generic = generic_order(e.func)
        if generic is not None:
            values = [_real(self._walk(a, env)) for a in e.args]
            partials = getattr(e.func, "generic_partials", "")
            if partials:
                return stand_in(e.func.generic_base, [int(i) for i in partials], values)
            name, primes = generic
            return stand_in(name, [1] * primes, values)
        implementation = getattr(e.func, "_imp_", None)
        if implementation is not None and not isinstance(e, AppliedUndef):
            # sigmoid, relu, softplus, logsumexp, step, cbrt (mlfunctions, realroot):
            # their numeric implementations take mpmath numbers (step(0) is nan: refused).
            return _real(implementation(*(_real(self._walk(a, env)) for a in e.args)))
        raise CannotEvaluate(f"cannot evaluate {type(e).__name__}")

    def _truth(self, condition: sympy.Basic, env) -> bool:
        if condition is sympy.true:
            return True
        if condition is sympy.false:
            return False
        if isinstance(condition, sympy.And):
            return all(self._truth(c, env) for c in condition.args)
        if isinstance(condition, sympy.Or):
            return any(self._truth(c, env) for c in condition.args)
        if isinstance(condition, sympy.Not):
            return not self._truth(condition.args[0], env)
        if isinstance(condition, sympy.core.relational.Relational):
            lhs = _real(self._walk(condition.lhs, env))
            rhs = _real(self._walk(condition.rhs, env))
            ops = {"<": lhs < rhs, "<=": lhs <= rhs, ">": lhs > rhs, ">=": lhs >= rhs}
            ops.update({"==": lhs == rhs, "!=": lhs != rhs})
            if condition.rel_op in ops:
                return bool(ops[condition.rel_op])
        raise CannotEvaluate("condition of unknown form")

    def _constant(self, e: sympy.Basic) -> mpmath.mpf:
        """A subexpression with no symbols (pi, E, an unknown function of numbers)."""
        cached = self._constants.get(e)
        if cached is not None:
            return cached
        value = e.evalf(self.dps + 5)
        if value.is_Float:
            result = mpmath.mpf(value._mpf_)
        else:
            re, im = value.as_real_imag()
            if not (re.is_Float or re.is_zero) or not im.is_zero:
                raise OutsideDomain("not a real number")
            result = mpmath.mpf(re._mpf_) if re.is_Float else mpmath.mpf(0)
        self._constants[e] = result
        return result
