"""Independent oracles for backprop tests: mpmath at 30 digits, numeric differentiation.

``MP_OPS`` is this test suite's own mpmath version of every graph op, written
from the textbook definitions (not from the engine's tables); local
derivatives come from ``mp.diff`` on it, never from a derivative formula.
"""

from __future__ import annotations

import math

import mpmath
from mpmath import mp

mp.dps = 30


def _sigmoid(u):
    return 1 / (1 + mpmath.exp(-u))


MP_OPS = {
    "add": lambda *a: mpmath.fsum(a),
    "mul": lambda *a: mpmath.fprod(a),
    "neg": lambda a: -a,
    "pow": lambda a, b: a**b,
    "exp": mpmath.exp,
    "log": mpmath.log,
    "sin": mpmath.sin,
    "cos": mpmath.cos,
    "tan": mpmath.tan,
    "cot": mpmath.cot,
    "sec": mpmath.sec,
    "csc": mpmath.csc,
    "asin": mpmath.asin,
    "acos": mpmath.acos,
    "atan": mpmath.atan,
    "sinh": mpmath.sinh,
    "cosh": mpmath.cosh,
    "tanh": mpmath.tanh,
    "asinh": mpmath.asinh,
    "acosh": mpmath.acosh,
    "atanh": mpmath.atanh,
    "erf": mpmath.erf,
    "erfc": mpmath.erfc,
    "gamma": mpmath.gamma,
    "sigmoid": _sigmoid,
    "softplus": lambda u: mpmath.log(1 + mpmath.exp(u)),
    "relu": lambda u: max(u, 0),
    "abs": abs,
    "max": lambda *a: max(a),
    "min": lambda *a: min(a),
    "logsumexp": lambda *a: mpmath.log(mpmath.fsum(mpmath.exp(v) for v in a)),
    "floor": mpmath.floor,
    "cbrt": lambda u: mpmath.sign(u) * mpmath.cbrt(abs(u)),
    "atan2": mpmath.atan2,
}


def close(a: float, b, rel: float = 1e-9, abs_: float = 1e-11) -> bool:
    """Whether the engine's float ``a`` matches the oracle's value ``b``."""
    if isinstance(b, mpmath.mpc):
        assert b.imag == 0, b
        b = b.real
    b = float(b)
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def partials(f, point: list[float]) -> list:
    """Every partial derivative of ``f(*point)`` by mpmath's numeric differentiation."""
    n = len(point)
    args = [mpmath.mpf(v) for v in point]
    return [mp.diff(f, args, tuple(int(k == i) for k in range(n))) for i in range(n)]


def local_partials(op: str, args: list[float]) -> list:
    """∂op/∂(each input) at ``args``, numerically."""
    return partials(MP_OPS[op], args)
