"""The functions of neural networks as SymPy functions with textbook derivatives.

``sigmoid``, ``relu``, ``softplus`` and ``logsumexp`` (n-ary) are SymPy
``Function`` subclasses, so ``sympy.diff`` applies their rules:

* σ′(x) = σ(x)(1 − σ(x)), with σ(x) = 1/(1 + e^(−x));
* relu′(x) = step(x), where ``step`` is 1 for x > 0, 0 for x < 0 and
  *undefined* (NaN) at 0: relu has no derivative at its kink, and the contract
  forbids a convention such as Heaviside(0) = 1/2;
* softplus′(x) = σ(x), with softplus(x) = log(1 + e^x);
* ∂/∂aᵢ logsumexp(a₁, ..., aₙ) = exp(aᵢ − logsumexp(a₁, ..., aₙ)) (the softmax).

Each evaluates numerically through mpmath at any precision (``evalf``) with
the overflow-free formulas, rewrites to elementary functions
(``rewrite(sympy.exp)``, ``rewrite(sympy.Max)`` for relu, ``rewrite(sympy.Piecewise)``)
and carries a numeric implementation (``_imp_``) that ``sympy.lambdify``
picks up for every module: floats use ``math``, NumPy arrays use NumPy
(vectorised), mpmath numbers use mpmath. So the compiled objectives of
``optimize/compile.py`` work unchanged.

The class names are lowercase because SymPy prints a function by its class
name, and the printed form must read back.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy
from sympy.core.function import ArgumentIndexError

__all__ = [
    "ML_FUNCTIONS",
    "logsumexp",
    "relu",
    "sigmoid",
    "softplus",
    "step",
    "torch_subgradients",
]


def _mp_eval(args: tuple[sympy.Expr, ...], prec: int, fn) -> sympy.Expr | None:
    """Evaluate ``fn`` on the mpmath values of ``args`` at ``prec`` bits, or None
    when an argument is not a number (SymPy's ``_eval_evalf`` protocol)."""
    try:
        values = [a._to_mpmath(prec + 10) for a in args]
    except (ValueError, TypeError, AttributeError):
        return None
    with mpmath.workprec(prec + 10):
        value = fn(*values)
    return sympy.Expr._from_mpmath(value, prec)


def latex_power(text: str, exp: str | None) -> str:
    """LaTeX of a function raised to ``exp`` (SymPy's printer passes powers of functions in)."""
    return text if exp is None else rf"\left({text}\right)^{{{exp}}}"


def _is_mp(x) -> bool:
    return isinstance(x, mpmath.mpf | mpmath.mpc)


# --- numeric implementations (used by lambdify) --------------------------------


def sigmoid_numeric(x):
    """σ(x) for a float, a NumPy array or an mpmath number, without overflow.

    >>> sigmoid_numeric(0.0), float(sigmoid_numeric(np.array([-800.0]))[0])
    (0.5, 0.0)
    """
    if _is_mp(x):
        return 1 / (1 + mpmath.exp(-x))
    if isinstance(x, float | int):
        if x >= 0:
            return 1.0 / (1.0 + math.exp(-x))
        z = math.exp(x)  # x < 0: e^x cannot overflow
        return z / (1.0 + z)
    x = np.asarray(x, dtype=float)
    z = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def softplus_numeric(x):
    """log(1 + e^x) for a float, a NumPy array or an mpmath number, without overflow.

    >>> round(softplus_numeric(0.0), 12), softplus_numeric(1000.0)
    (0.69314718056, 1000.0)
    """
    if _is_mp(x):
        return mpmath.log1p(mpmath.exp(x))
    if isinstance(x, float | int):
        return max(x, 0.0) + math.log1p(math.exp(-abs(x)))
    x = np.asarray(x, dtype=float)
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def relu_numeric(x):
    """max(0, x) for a float, a NumPy array or an mpmath number (NaN stays NaN)."""
    if _is_mp(x):
        return x if x > 0 else mpmath.mpf(0)
    if isinstance(x, float | int):
        return x if x > 0 or x != x else 0.0
    return np.maximum(np.asarray(x, dtype=float), 0.0)


def step_numeric(x):
    """1 for x > 0, 0 for x < 0, NaN at 0 (relu′: undefined at its kink)."""
    if _is_mp(x):
        return mpmath.mpf(1) if x > 0 else mpmath.mpf(0) if x < 0 else mpmath.nan
    if isinstance(x, float | int):
        return 1.0 if x > 0 else 0.0 if x < 0 else math.nan
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, 1.0, np.where(x < 0, 0.0, np.nan))


def logsumexp_numeric(*xs):
    """log(Σ e^(xᵢ)) for floats, NumPy arrays (elementwise) or mpmath numbers."""
    if any(_is_mp(x) for x in xs):
        m = max(xs)
        return m + mpmath.log(mpmath.fsum(mpmath.exp(x - m) for x in xs))
    if all(isinstance(x, float | int) for x in xs):
        m = max(xs)
        if math.isinf(m):
            return m  # all -inf, or one +inf: the shift below would give nan
        return m + math.log(math.fsum(math.exp(x - m) for x in xs))
    arrays = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in xs))
    m = np.maximum.reduce(arrays)
    safe = np.where(np.isinf(m), 0.0, m)
    total = sum(np.exp(a - safe) for a in arrays)
    with np.errstate(divide="ignore"):
        return np.where(np.isinf(m), m, safe + np.log(total))


# --- SymPy functions -------------------------------------------------------------


class sigmoid(sympy.Function):  # noqa: N801 (printed by class name)
    """σ(x) = 1/(1 + e^(−x)); σ′ = σ(1 − σ).

    >>> x = sympy.Symbol("x", real=True)
    >>> sympy.diff(sigmoid(x), x)
    (1 - sigmoid(x))*sigmoid(x)
    >>> sigmoid(0), sigmoid(2).evalf(15)
    (1/2, 0.880797077977882)
    """

    nargs = 1
    _imp_ = staticmethod(sigmoid_numeric)

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sympy.S.Half
        if x is sympy.S.Infinity:
            return sympy.S.One
        if x is sympy.S.NegativeInfinity:
            return sympy.S.Zero
        if x is sympy.S.NaN:
            return sympy.S.NaN
        return None

    def fdiff(self, argindex=1):
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return self * (1 - self)

    def _eval_evalf(self, prec):
        return _mp_eval(self.args, prec, lambda t: 1 / (1 + mpmath.exp(-t)))

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sympy.exp(-x))

    _eval_rewrite_as_tractable = _eval_rewrite_as_exp

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return self.args[0].is_real  # sigma(-oo) = 0: finite arguments only

    def _latex(self, printer, exp=None):
        text = rf"\sigma\left({printer._print(self.args[0])}\right)"
        return latex_power(text, exp)


class softplus(sympy.Function):  # noqa: N801
    """softplus(x) = log(1 + e^x); softplus′ = σ.

    >>> x = sympy.Symbol("x", real=True)
    >>> sympy.diff(softplus(x), x)
    sigmoid(x)
    """

    nargs = 1
    _imp_ = staticmethod(softplus_numeric)

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sympy.log(2)
        if x is sympy.S.Infinity:
            return sympy.S.Infinity
        if x is sympy.S.NegativeInfinity:
            return sympy.S.Zero
        if x is sympy.S.NaN:
            return sympy.S.NaN
        return None

    def fdiff(self, argindex=1):
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return sigmoid(self.args[0])

    def _eval_evalf(self, prec):
        return _mp_eval(self.args, prec, lambda t: mpmath.log1p(mpmath.exp(t)))

    def _eval_rewrite_as_log(self, x, **kwargs):
        return sympy.log(1 + sympy.exp(x))

    _eval_rewrite_as_exp = _eval_rewrite_as_log
    _eval_rewrite_as_tractable = _eval_rewrite_as_log

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return self.args[0].is_real  # softplus(-oo) = 0: finite arguments only

    def _latex(self, printer, exp=None):
        text = rf"\operatorname{{softplus}}\left({printer._print(self.args[0])}\right)"
        return latex_power(text, exp)


class step(sympy.Function):  # noqa: N801
    """relu′: 1 for x > 0, 0 for x < 0, undefined (NaN) at 0.

    Its own derivative is ``DiracDelta`` (as for SymPy's ``Heaviside``): zero
    away from 0, and no value at 0.

    >>> step(2), step(-3), step(0)
    (1, 0, nan)
    """

    nargs = 1
    _imp_ = staticmethod(step_numeric)

    @classmethod
    def eval(cls, x):
        if x is sympy.S.NaN or x.is_zero:
            return sympy.S.NaN
        if x.is_extended_positive:
            return sympy.S.One
        if x.is_extended_negative:
            return sympy.S.Zero
        return None

    def fdiff(self, argindex=1):
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return sympy.DiracDelta(self.args[0])

    def _eval_evalf(self, prec):
        return _mp_eval(self.args, prec, step_numeric)

    def _eval_rewrite_as_Heaviside(self, x, **kwargs):
        return sympy.Heaviside(x, sympy.S.NaN)

    def _eval_rewrite_as_Piecewise(self, x, **kwargs):
        return sympy.Piecewise((1, x > 0), (0, x < 0), (sympy.S.NaN, True))

    def _eval_is_real(self):
        # Undefined at 0, so real only where the argument is known non-zero.
        arg = self.args[0]
        return True if arg.is_extended_real and arg.is_zero is False else None

    def _latex(self, printer, exp=None):
        text = rf"\operatorname{{step}}\left({printer._print(self.args[0])}\right)"
        return latex_power(text, exp)


class relu(sympy.Function):  # noqa: N801
    """relu(x) = max(0, x); relu′ = step (undefined at 0).

    >>> x = sympy.Symbol("x", real=True)
    >>> sympy.diff(relu(x), x), relu(x).rewrite(sympy.Max)
    (step(x), Max(0, x))
    """

    nargs = 1
    _imp_ = staticmethod(relu_numeric)

    @classmethod
    def eval(cls, x):
        if x is sympy.S.NaN:
            return sympy.S.NaN
        if x.is_extended_nonnegative:
            return x
        if x.is_extended_nonpositive:
            return sympy.S.Zero
        return None

    def fdiff(self, argindex=1):
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return step(self.args[0])

    def _eval_evalf(self, prec):
        return _mp_eval(self.args, prec, relu_numeric)

    def _eval_rewrite_as_Max(self, x, **kwargs):
        return sympy.Max(0, x)

    def _eval_rewrite_as_Piecewise(self, x, **kwargs):
        return sympy.Piecewise((x, x > 0), (0, True))

    def _eval_rewrite_as_Heaviside(self, x, **kwargs):
        return x * sympy.Heaviside(x)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_nonnegative(self):
        return True if self.args[0].is_extended_real else None

    def _latex(self, printer, exp=None):
        text = rf"\operatorname{{relu}}\left({printer._print(self.args[0])}\right)"
        return latex_power(text, exp)


class logsumexp(sympy.Function):  # noqa: N801
    """logsumexp(a₁, ..., aₙ) = log(Σ e^(aᵢ)); ∂/∂aᵢ = exp(aᵢ − logsumexp(a)) (softmax).

    Arguments are kept in SymPy's canonical order (the function is symmetric),
    and one argument is itself.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> sympy.diff(logsumexp(x, y), x)
    exp(x - logsumexp(x, y))
    >>> logsumexp(x)
    x
    """

    _imp_ = staticmethod(logsumexp_numeric)

    @classmethod
    def eval(cls, *args):
        if not args:
            raise TypeError("logsumexp takes at least one argument")
        if len(args) == 1:
            return args[0]
        if any(a is sympy.S.NaN for a in args):
            return sympy.S.NaN
        ordered = sorted(args, key=sympy.default_sort_key)
        if list(args) != ordered:
            return cls(*ordered)
        return None

    def fdiff(self, argindex=1):
        if not 1 <= argindex <= len(self.args):
            raise ArgumentIndexError(self, argindex)
        return sympy.exp(self.args[argindex - 1] - self)

    def _eval_evalf(self, prec):
        return _mp_eval(self.args, prec, logsumexp_numeric)

    def _eval_rewrite_as_log(self, *args, **kwargs):
        return sympy.log(sympy.Add(*(sympy.exp(a) for a in args)))

    _eval_rewrite_as_exp = _eval_rewrite_as_log
    _eval_rewrite_as_tractable = _eval_rewrite_as_log

    def _eval_is_real(self):
        return True if all(a.is_extended_real for a in self.args) else None

    def _latex(self, printer, exp=None):
        args = ", ".join(printer._print(a) for a in self.args)
        text = rf"\operatorname{{logsumexp}}\left({args}\right)"
        return latex_power(text, exp)


def torch_subgradients(expr: sympy.Expr) -> sympy.Expr:
    """Replace step(u) by PyTorch's subgradient at the kink, relu′(0) = 0, for optimizers.

    A derivative shown to a user keeps ``step`` (undefined at 0); an optimizer
    that lands exactly on a kink needs a number there, and uses the one
    ``torch.nn.functional.relu`` uses.

    >>> x = sympy.Symbol("x", real=True)
    >>> float(sympy.lambdify([x], torch_subgradients(sympy.diff(relu(x), x)), "math")(0.0))
    0.0
    """
    return expr.replace(lambda e: isinstance(e, step), lambda e: sympy.Heaviside(e.args[0], 0))


KINK_CONVENTION = (
    "at a kink the derivative is the subgradient torch.autograd uses: relu'(0) = 0, "
    "|x|' at 0 = 0, and max/min split it evenly between tied arguments (1/2 each)"
)


def has_kink(expr: sympy.Expr) -> bool:
    """Whether ``expr`` has a function with a kink (relu, step, |x|, sign, max, min).

    >>> x = sympy.Symbol("x", real=True)
    >>> has_kink(relu(x) + x**2), has_kink(sigmoid(x))
    (True, False)
    """
    return expr.has(relu, step, sympy.Abs, sympy.sign, sympy.Max, sympy.Min, sympy.Heaviside)


# Name -> class, as the parser and printer know them.
ML_FUNCTIONS: dict[str, type[sympy.Function]] = {
    "sigmoid": sigmoid,
    "relu": relu,
    "softplus": softplus,
    "logsumexp": logsumexp,
    "step": step,
}
