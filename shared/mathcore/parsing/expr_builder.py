"""Build SymPy objects for the parsers, refusing work that would blow up.

SymPy evaluates eagerly: ``Pow(9, 387420489)`` starts computing a number of
370 million digits the moment it is constructed, ``sqrt(10^9999 + 1)`` tries
to factor its argument, and ``exp(10^9 * log(2))`` becomes ``2^(10^9)``. So
every operation is built here, after a cheap estimate of what SymPy is about
to do, and refused with a ParseError (at the operator's position) when the
estimate passes a bound of :class:`ParseLimits`. Both parsers share this
layer, so the bounds live in one place. Estimates are conservative: a power
of a constant whose exact value would have more digits than allowed is
refused even where SymPy would have kept it symbolic (``pi^(10^5)``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import sympy

from shared.mathcore.mlfunctions import ML_FUNCTIONS
from shared.mathcore.parsing.errors import ParseError
from shared.mathcore.parsing.limits import ParseLimits
from shared.mathcore.realroot import cbrt, real_power
from shared.mathcore.reductions import REDUCTIONS, column
from shared.mathcore.symbols import generic_function, variable

_CONSTANTS = {
    "pi": sympy.pi,
    "E": sympy.E,
    "oo": sympy.oo,
    "zoo": sympy.zoo,
    "nan": sympy.nan,
    "EulerGamma": sympy.EulerGamma,
    "GoldenRatio": sympy.GoldenRatio,
    "Catalan": sympy.Catalan,
    "I": sympy.I,
}
_SIMPLE = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "cot": sympy.cot,
    "sec": sympy.sec, "csc": sympy.csc, "asin": sympy.asin, "acos": sympy.acos,
    "atan": sympy.atan, "acot": sympy.acot, "asec": sympy.asec, "acsc": sympy.acsc,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh, "coth": sympy.coth,
    "sech": sympy.sech, "csch": sympy.csch, "asinh": sympy.asinh, "acosh": sympy.acosh,
    "atanh": sympy.atanh, "acoth": sympy.acoth, "asech": sympy.asech, "acsch": sympy.acsch,
    "ln": sympy.log, "abs": sympy.Abs, "sign": sympy.sign, "floor": sympy.floor,
    "ceil": sympy.ceiling, "erf": sympy.erf, "erfc": sympy.erfc,
    "Heaviside": sympy.Heaviside, "DiracDelta": sympy.DiracDelta, "atan2": sympy.atan2,
}  # fmt: skip
_LOG10_2 = math.log10(2)


def _log10_int(n: int) -> float:
    """log10(|n|), 0 for 0: cheap for huge ints (no float overflow)."""
    n = abs(n)
    if n == 0:
        return 0.0
    bits = n.bit_length()
    if bits < 1000:
        return math.log10(n)
    return bits * _LOG10_2


def _rational_digits(r: sympy.Rational) -> float:
    """Digits of the larger of numerator and denominator."""
    return max(_log10_int(int(r.p)), _log10_int(int(r.q)))


class ExprBuilder:
    """Guarded constructors; one instance per parse (it counts nodes)."""

    def __init__(self, limits: ParseLimits) -> None:
        self.limits = limits
        self.nodes = 0

    # -- bookkeeping ---------------------------------------------------------
    def _tick(self, pos: int) -> None:
        self.nodes += 1
        if self.nodes > self.limits.max_nodes:
            raise ParseError(
                "expression too large",
                pos,
                reason=f"more than {self.limits.max_nodes} numbers, names and operations",
            )

    def _checked(self, expr: sympy.Expr, pos: int) -> sympy.Expr:
        """Refuse a result holding a number past the digit bound (shallow: args only)."""
        for item in (expr, *expr.args):
            if not isinstance(item, sympy.Rational):
                continue
            digits = _rational_digits(item)
            if digits > self.limits.max_number_digits:
                raise self._too_big(pos, math.log10(max(digits, 1.0)))
        return expr

    def _too_big(self, pos: int, digits_log10: float) -> ParseError:
        """``digits_log10`` is log10 of the number of digits the result would have."""
        if digits_log10 < 15:
            size = f"about {10**digits_log10:,.0f} digits"
        elif math.isfinite(digits_log10):
            size = f"about 10^{digits_log10:.0f} digits"
        else:
            size = "too many digits to estimate"
        return ParseError(
            "number too large",
            pos,
            reason=f"the result would have {size} (limit {self.limits.max_number_digits:,})",
        )

    # -- leaves ----------------------------------------------------------------
    def number(self, text: str, pos: int) -> sympy.Expr:
        """Exact value of a literal: ``0.1`` is 1/10, ``2.5E4`` is 25000."""
        self._tick(pos)
        mantissa, exponent = text, 0
        for marker in "eE":
            if marker in text:
                mantissa, exp_text = text.split(marker)
                exponent = int(exp_text)
                break
        whole, _, frac = mantissa.partition(".")
        digits = int((whole or "0") + frac)
        exponent -= len(frac)
        if abs(exponent) > self.limits.max_number_digits:
            raise self._too_big(pos, math.log10(abs(exponent)))
        if exponent >= 0:
            value = sympy.Integer(digits * 10**exponent)
        else:
            value = sympy.Rational(digits, 10**-exponent)
        return self._checked(value, pos)

    def symbol(self, name: str, pos: int) -> sympy.Expr:
        self._tick(pos)
        return variable(name)

    def column(self, name: str, pos: int) -> sympy.Expr:
        """A data column (stands for every row; only inside sum/mean)."""
        self._tick(pos)
        return column(name)

    def generic(
        self, name: str, args: Sequence[sympy.Expr], pos: int, partials: str = ""
    ) -> sympy.Expr:
        """A generic function applied, ``f(x)``; ``name`` may carry primes (``f'``),
        ``partials`` the argument indices of a partial (``f_12(x, y)``)."""
        self._tick(pos)
        return generic_function(name, partials)(*args)

    def constant(self, name: str, pos: int) -> sympy.Expr:
        self._tick(pos)
        return _CONSTANTS[name]

    # -- arithmetic --------------------------------------------------------------
    def add(self, a: sympy.Expr, b: sympy.Expr, pos: int) -> sympy.Expr:
        self._tick(pos)
        return self._checked(sympy.Add(a, b), pos)

    def neg(self, a: sympy.Expr, pos: int) -> sympy.Expr:
        self._tick(pos)
        if isinstance(a, sympy.Number):
            return -a  # a literal -2 is the number -2, also when not evaluating
        return sympy.Mul(sympy.S.NegativeOne, a)

    def sub(self, a: sympy.Expr, b: sympy.Expr, pos: int) -> sympy.Expr:
        return self.add(a, self.neg(b, pos), pos)

    def mul(self, a: sympy.Expr, b: sympy.Expr, pos: int) -> sympy.Expr:
        self._tick(pos)
        return self._checked(sympy.Mul(a, b), pos)

    def div(self, a: sympy.Expr, b: sympy.Expr, pos: int) -> sympy.Expr:
        if b.is_zero and b.is_number:
            raise ParseError("division by zero", pos, reason="the divisor is 0")
        return self.mul(a, self.pow(b, sympy.S.NegativeOne, pos), pos)

    def pow(self, base: sympy.Expr, exp: sympy.Expr, pos: int) -> sympy.Expr:
        """base^exp, refused when SymPy would compute a huge number or factor one."""
        self._tick(pos)
        self._guard_power(base, exp, pos)
        if base.is_zero and base.is_number and exp.is_number and exp.is_negative:
            raise ParseError("division by zero", pos, reason="0 to a negative power")
        if base == sympy.E:  # e^x is exp(x) also when not evaluating: one form for e^x and exp(x)
            return self._checked(sympy.exp(exp), pos)
        return self._checked(real_power(base, exp), pos)

    def _guard_power(self, base: sympy.Expr, exp: sympy.Expr, pos: int) -> None:
        if not (exp.is_Integer or exp.free_symbols):
            self._guard_roots(base, exp, pos)
        if exp.free_symbols:
            return
        exp_log = self._log10_magnitude(exp)
        if exp_log is None:
            return  # oo, nan, complex: SymPy answers these symbolically
        if base.free_symbols:
            if exp_log > math.log10(self.limits.max_symbolic_exponent):
                raise ParseError(
                    "exponent too large",
                    pos,
                    reason="exponents of variables are limited to "
                    f"{self.limits.max_symbolic_exponent:,}",
                )
            return
        base_size = self._size_of_constant(base)
        if base_size <= 0:
            return
        digits_log = exp_log + math.log10(base_size)
        if digits_log > math.log10(self.limits.max_number_digits):
            raise self._too_big(pos, digits_log)

    def _guard_roots(self, base: sympy.Expr, exp: sympy.Expr, pos: int) -> None:
        """A non-integer power makes SymPy factor the integers inside: keep them small."""
        for part in (base, exp):
            for r in part.atoms(sympy.Rational):
                if _rational_digits(r) > self.limits.max_root_digits:
                    raise ParseError(
                        "number too large for a root",
                        pos,
                        reason="roots and non-integer powers take numbers of at most "
                        f"{self.limits.max_root_digits} digits",
                    )

    def _log10_magnitude(self, value: sympy.Expr) -> float | None:
        """log10|value| of a constant, None when not a finite number (-inf for 0)."""
        if isinstance(value, sympy.Rational):
            if value.is_zero:
                return -math.inf
            return _log10_int(int(value.p)) - _log10_int(int(value.q))
        if value.has(sympy.oo, sympy.zoo, sympy.nan):
            return None
        try:
            approx = complex(sympy.N(value, 15))
        except Exception:  # noqa: BLE001 - an estimate that fails is treated as huge
            return math.inf
        size = abs(approx)
        if math.isnan(size):
            return None
        if math.isinf(size):
            return math.inf
        return math.log10(size) if size > 0 else -math.inf

    def _size_of_constant(self, base: sympy.Expr) -> float:
        """How many digits per unit of exponent an exact power of ``base`` may take."""
        if isinstance(base, sympy.Rational):
            return _rational_digits(base)
        size = 0.0
        for r in base.atoms(sympy.Rational):
            size = max(size, _rational_digits(r))
        magnitude = self._log10_magnitude(base)
        if magnitude is not None and math.isfinite(magnitude):
            size = max(size, abs(magnitude))
        return size

    # -- functions ---------------------------------------------------------------
    def call(self, name: str, args: Sequence[sympy.Expr], pos: int) -> sympy.Expr:
        """Apply the canonical function ``name`` (see ``names.FUNCTIONS``)."""
        self._tick(pos)
        if name in _SIMPLE:
            return self._checked(_SIMPLE[name](*args), pos)
        x = args[0]
        if name == "exp":
            return self.pow(sympy.E, x, pos)
        if name == "log":
            if len(args) == 1:
                return sympy.log(x)
            return self._log(x, args[1], pos)
        if name == "log10":
            return self._log(x, sympy.Integer(10), pos)
        if name == "log2":
            return self._log(x, sympy.Integer(2), pos)
        if name == "sqrt":
            return self.pow(x, sympy.S.Half, pos)
        if name == "cbrt":
            return cbrt(x)
        if name == "root":
            return self.pow(x, self.div(sympy.S.One, args[1], pos), pos)
        if name in ("factorial", "gamma"):
            self._guard_factorial(x, pos)
            return (sympy.factorial if name == "factorial" else sympy.gamma)(x)
        if name == "digamma":
            self._guard_factorial(x, pos)
            return sympy.polygamma(0, x)
        if name == "polygamma":
            self._guard_factorial(args[0], pos)
            self._guard_factorial(args[1], pos)
            return sympy.polygamma(args[0], args[1])
        if name in ML_FUNCTIONS:
            return ML_FUNCTIONS[name](*args)
        if name in REDUCTIONS:
            return REDUCTIONS[name](x)
        if name == "min":
            return sympy.Min(*args)
        if name == "max":
            return sympy.Max(*args)
        raise ParseError(f"unknown function '{name}'", pos, reason="not a supported function")

    def _log(self, x: sympy.Expr, base: sympy.Expr, pos: int) -> sympy.Expr:
        """log_b(x) = ln(x)/ln(b); SymPy makes log(8, 2) exactly 3."""
        if base.is_number and (base.is_zero or base == 1):
            raise ParseError("invalid logarithm base", pos, reason="the base must not be 0 or 1")
        return self._checked(sympy.log(x, base), pos)

    def _guard_factorial(self, x: sympy.Expr, pos: int) -> None:
        if x.free_symbols:
            return
        magnitude = self._log10_magnitude(x)
        if magnitude is not None and magnitude > math.log10(self.limits.max_factorial):
            raise ParseError(
                "argument too large",
                pos,
                reason="factorial, gamma and polygamma take numbers up to "
                f"{self.limits.max_factorial:,}",
            )
