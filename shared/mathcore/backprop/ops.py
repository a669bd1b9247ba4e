"""The operations of a computation graph: value and local derivatives, on floats.

Each :class:`Op` computes its value from its inputs' values and its local
derivatives ∂y/∂uₖ (numbers, evaluated at the point). No SymPy here: these
run once per node in the hot path. Where a local derivative does not exist
(relu and |u| at 0, max where its arguments tie, the jump of floor, an
infinite slope such as √u at 0), it is an :class:`Undefined` with the reason,
never a convention such as relu′(0) = 0.

Kinks are decided by the caller (``passes.py``), which may settle a value
that is only numerically at a kink with the exact point; an op receives the
decision as ``state``: for ``"zero"`` ops the sign of the input (0 at the
kink), for ``"integer"`` ops 0 at an integer (else 1), for ``"tie"`` ops the
indices of the inputs tied for the extreme.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import mpmath

# Outside an op's domain, math raises these; passes turn them into a reason.
DOMAIN_ERRORS = (ValueError, OverflowError, ZeroDivisionError, TypeError)


@dataclass(frozen=True)
class Undefined:
    """A derivative that does not exist here, and why.

    ``kind``: ``"kink"`` (one-sided slopes exist and are bounded: relu, |u|,
    max), ``"jump"`` (the op is not continuous here), ``"infinite"`` (an
    infinite slope, √u at 0) or ``"domain"`` (no derivative in that input).
    """

    reason: str
    kind: str = "kink"


Number = float | Undefined


@dataclass(frozen=True)
class Op:
    """One operation: ``value(*args)``, ``partials(args, y, state)`` and how to word them.

    ``formula(k, u)`` words ∂y/∂uₖ with the inputs' labels ``u``; ``kink`` is
    None (smooth), ``"zero"``, ``"integer"`` or ``"tie"``; ``lipschitz`` says
    whether the op is continuous with bounded slopes at its kinks (then
    ``one_sided(args, y, state, tangents)`` gives its directional derivative
    there) or jumps.
    """

    name: str
    value: Callable[..., float]
    partials: Callable[[Sequence[float], float, object], tuple[Number, ...]]
    formula: Callable[[int, Sequence[str]], str]
    kink: str | None = None
    lipschitz: bool = True
    one_sided: Callable[[Sequence[float], float, object, Sequence[float]], Number] | None = None


def _slope(fn: Callable[..., float], what: str) -> Callable[..., Number]:
    """Wrap a derivative formula: a division by zero or overflow is an infinite slope."""

    def partial(*args: float) -> Number:
        try:
            value = fn(*args)
        except DOMAIN_ERRORS:
            return Undefined(f"the slope of {what} is infinite here", "infinite")
        if not math.isfinite(value):
            return Undefined(f"the slope of {what} is infinite here", "infinite")
        return value

    return partial


def _unary(name: str, value: Callable[[float], float], slope, text: str) -> Op:
    """A smooth function of one input; ``slope(u, y)`` is its derivative."""
    checked = _slope(slope, f"{name}")
    return Op(
        name=name,
        value=value,
        partials=lambda a, y, s: (checked(a[0], y),),
        formula=lambda k, u: text.format(u=u[0]),
    )


def sigmoid(u: float) -> float:
    """σ(u) = 1/(1 + e^(−u)), without overflow for large |u|."""
    if u >= 0:
        return 1.0 / (1.0 + math.exp(-u))
    z = math.exp(u)
    return z / (1.0 + z)


def softplus(u: float) -> float:
    """ln(1 + e^u), without overflow for large u."""
    return max(u, 0.0) + math.log1p(math.exp(-abs(u)))


def _logsumexp(*args: float) -> float:
    m = max(args)
    return m + math.log(math.fsum(math.exp(a - m) for a in args))


def _real(value: complex | float) -> float:
    if isinstance(value, complex):
        raise ValueError("not a real number")
    return float(value)


def _pow(a: float, b: float) -> float:
    if a < 0 and not float(b).is_integer():
        raise ValueError("a negative number to a non-integer power is not real")
    return _real(a**b)


def _pow_partials(args: Sequence[float], y: float, state: object) -> tuple[Number, Number]:
    a, b = args
    if b == 0:
        d_base: Number = 0.0
    elif a == 0 and b < 1:
        d_base = Undefined(
            "the slope of a power with exponent below 1 is infinite at 0", "infinite"
        )
    else:
        d_base = _slope(lambda: b * _pow(a, b - 1), "the power")()
    if a > 0:
        d_exp: Number = y * math.log(a)
    elif a == 0 and b > 0:
        d_exp = 0.0  # 0^b = 0 for every b > 0 nearby
    else:
        d_exp = Undefined("a power of a number ≤ 0 has no derivative in its exponent", "domain")
    return d_base, d_exp


def _power_slope(u: Sequence[str]) -> str:
    """b*a^(b - 1) in words, worked out for a whole-number exponent: 2*h1, -h1^(-2)."""
    base, exponent = u
    try:
        n = int(exponent)
    except ValueError:
        return f"{exponent}*{base}^({exponent} - 1)"
    power = base if n - 1 == 1 else f"{base}^{n - 1}" if n > 1 else f"{base}^({n - 1})"
    return power if n == 1 else f"-{power}" if n == -1 else f"{n}*{power}"


def _mul_partials(args: Sequence[float], y: float, state: object) -> tuple[float, ...]:
    # The product of the other factors, not y/uₖ: a factor may be 0.
    return tuple(math.prod(args[:k] + args[k + 1 :]) for k in range(len(args)))


def _kinked(op: str, where: str) -> Undefined:
    return Undefined(f"{op} has no derivative {where}")


def _zero_kink(name: str, right: float, left: float, value) -> Op:
    """A function with slope ``right`` for u > 0 and ``left`` for u < 0 (relu, |u|)."""

    def partials(a, y, sign):
        if sign == 0:
            return (_kinked(name, "at 0"),)
        return (right if sign > 0 else left,)

    def one_sided(a, y, sign, t):
        return right * t[0] if t[0] >= 0 else left * t[0]

    return Op(
        name=name,
        value=value,
        partials=partials,
        formula=lambda k, u: f"{right:g} if {u[0]} > 0, {left:g} if {u[0]} < 0",
        kink="zero",
        one_sided=one_sided,
    )


def _jump(name: str, value, kink: str, where: str) -> Op:
    """A piecewise-constant function: slope 0, except at its jumps where it has none."""

    def partials(a, y, state):
        if state == 0:
            undefined = Undefined(f"{name} jumps {where}: it is not even continuous there", "jump")
            return (undefined,) + (0.0,) * (len(a) - 1)
        return (0.0,) * len(a)

    return Op(
        name=name,
        value=value,
        partials=partials,
        formula=lambda k, u: "0 (constant between its jumps)",
        kink=kink,
        lipschitz=False,
    )


def _extreme(name: str, pick: Callable) -> Op:
    """max or min of n inputs: slope 1 for the extreme one, 0 for the others."""

    def partials(a, y, tied):
        if len(tied) == 1:
            return tuple(1.0 if k == tied[0] else 0.0 for k in range(len(a)))
        undefined = _kinked(name, "where its arguments tie")
        return tuple(undefined if k in tied else 0.0 for k in range(len(a)))

    def one_sided(a, y, tied, t):
        return pick(t[k] for k in tied)

    return Op(
        name=name,
        value=pick,
        partials=partials,
        formula=lambda k, u: f"1 if {u[k]} is the {name}imum, else 0",
        kink="tie",
        one_sided=one_sided,
    )


def _heaviside(u: float, h0: float = 0.5) -> float:
    # SymPy's Heaviside(0) is 1/2 unless a second argument says otherwise.
    return 1.0 if u > 0 else 0.0 if u < 0 else h0


def _dirac(u: float, k: float = 0.0) -> float:
    if u == 0:
        raise ValueError("DiracDelta has no value at 0")
    return 0.0


def _step(u: float) -> float:
    if u == 0:
        raise ValueError("step (relu's slope) has no value at 0")
    return 1.0 if u > 0 else 0.0


def _sign(u: float) -> float:
    return float((u > 0) - (u < 0))


def _acot(u: float) -> float:
    # SymPy's acot(u) = atan(1/u), with acot(0) = π/2: it jumps at 0.
    return math.pi / 2 if u == 0 else math.atan(1 / u)


def _polygamma(n: float, x: float) -> float:
    return _real(float(mpmath.polygamma(int(n), x)))


def _polygamma_partials(a, y, state):
    n, x = a
    if not float(n).is_integer() or n < 0:
        raise ValueError("polygamma's order must be a whole number ≥ 0")
    return (
        Undefined("polygamma's order is a whole number: no derivative in it", "domain"),
        _slope(lambda: float(mpmath.polygamma(int(n) + 1, x)), "polygamma")(),
    )


def _atan2_partials(a, y, state):
    v, u = a  # SymPy's atan2(y, x)
    r2 = u * u + v * v
    if v == 0 and u < 0:
        undefined = Undefined("atan2 jumps across the negative x-axis", "jump")
        return undefined, undefined
    return u / r2, -v / r2


def _atan2(v: float, u: float) -> float:
    if v == 0 and u == 0:
        raise ValueError("atan2(0, 0) is undefined")
    if v == 0 and u < 0:
        return math.pi  # SymPy's value on the cut; math.atan2(-0.0, u) would give -pi
    return math.atan2(v, u)


def _cbrt(u: float) -> float:
    """The real cube root (the parser reads x^(1/3) so): cbrt(−8) = −2."""
    return math.copysign(abs(u) ** (1 / 3), u)


def _digamma(u: float) -> float:
    return float(mpmath.digamma(u))


_UNARY = [
    ("exp", math.exp, lambda u, y: y, "exp({u})"),
    ("log", math.log, lambda u, y: 1 / u, "1/{u}"),
    ("sin", math.sin, lambda u, y: math.cos(u), "cos({u})"),
    ("cos", math.cos, lambda u, y: -math.sin(u), "-sin({u})"),
    ("tan", math.tan, lambda u, y: 1 + y * y, "1 + tan({u})^2"),
    ("cot", lambda u: 1 / math.tan(u), lambda u, y: -(1 + y * y), "-(1 + cot({u})^2)"),
    ("sec", lambda u: 1 / math.cos(u), lambda u, y: y * math.tan(u), "sec({u})*tan({u})"),
    ("csc", lambda u: 1 / math.sin(u), lambda u, y: -y / math.tan(u), "-csc({u})*cot({u})"),
    ("asin", math.asin, lambda u, y: 1 / math.sqrt(1 - u * u), "1/sqrt(1 - {u}^2)"),
    ("acos", math.acos, lambda u, y: -1 / math.sqrt(1 - u * u), "-1/sqrt(1 - {u}^2)"),
    ("atan", math.atan, lambda u, y: 1 / (1 + u * u), "1/(1 + {u}^2)"),
    (
        "asec",
        lambda u: math.acos(1 / u),
        lambda u, y: 1 / (u * u * math.sqrt(1 - 1 / (u * u))),
        "1/({u}^2*sqrt(1 - 1/{u}^2))",
    ),
    (
        "acsc",
        lambda u: math.asin(1 / u),
        lambda u, y: -1 / (u * u * math.sqrt(1 - 1 / (u * u))),
        "-1/({u}^2*sqrt(1 - 1/{u}^2))",
    ),
    ("sinh", math.sinh, lambda u, y: math.cosh(u), "cosh({u})"),
    ("cosh", math.cosh, lambda u, y: math.sinh(u), "sinh({u})"),
    ("tanh", math.tanh, lambda u, y: 1 - y * y, "1 - tanh({u})^2"),
    ("coth", lambda u: 1 / math.tanh(u), lambda u, y: 1 - y * y, "1 - coth({u})^2"),
    ("sech", lambda u: 1 / math.cosh(u), lambda u, y: -y * math.tanh(u), "-sech({u})*tanh({u})"),
    (
        "csch",
        lambda u: 1 / math.sinh(u),
        lambda u, y: -y / math.tanh(u),
        "-csch({u})*coth({u})",
    ),
    ("asinh", math.asinh, lambda u, y: 1 / math.sqrt(u * u + 1), "1/sqrt({u}^2 + 1)"),
    ("acosh", math.acosh, lambda u, y: 1 / math.sqrt(u * u - 1), "1/sqrt({u}^2 - 1)"),
    ("atanh", math.atanh, lambda u, y: 1 / (1 - u * u), "1/(1 - {u}^2)"),
    ("acoth", lambda u: math.atanh(1 / u), lambda u, y: 1 / (1 - u * u), "1/(1 - {u}^2)"),
    (
        "asech",
        lambda u: math.acosh(1 / u),
        lambda u, y: -1 / (u * math.sqrt(1 - u * u)),
        "-1/({u}*sqrt(1 - {u}^2))",
    ),
    (
        "acsch",
        lambda u: math.asinh(1 / u),
        lambda u, y: -1 / (abs(u) * math.sqrt(1 + u * u)),
        "-1/(|{u}|*sqrt(1 + {u}^2))",
    ),
    (
        "erf",
        math.erf,
        lambda u, y: 2 / math.sqrt(math.pi) * math.exp(-u * u),
        "2/sqrt(pi)*exp(-{u}^2)",
    ),
    (
        "erfc",
        math.erfc,
        lambda u, y: -2 / math.sqrt(math.pi) * math.exp(-u * u),
        "-2/sqrt(pi)*exp(-{u}^2)",
    ),
    ("gamma", math.gamma, lambda u, y: y * _digamma(u), "gamma({u})*digamma({u})"),
    (
        "factorial",
        lambda u: math.gamma(u + 1),
        lambda u, y: y * _digamma(u + 1),
        "gamma({u} + 1)*digamma({u} + 1)",
    ),
    ("cbrt", _cbrt, lambda u, y: 1 / (3 * y * y), "1/(3*cbrt({u})^2)"),
    ("sigmoid", sigmoid, lambda u, y: y * (1 - y), "sigmoid({u})*(1 - sigmoid({u}))"),
    ("softplus", softplus, lambda u, y: sigmoid(u), "sigmoid({u})"),
]

OPS: dict[str, Op] = {name: _unary(name, v, d, t) for name, v, d, t in _UNARY}
OPS.update(
    {
        "add": Op(
            "add",
            lambda *a: math.fsum(a),
            lambda a, y, s: (1.0,) * len(a),
            lambda k, u: "1",
        ),
        "neg": Op("neg", lambda a: -a, lambda a, y, s: (-1.0,), lambda k, u: "-1"),
        "mul": Op(
            "mul",
            lambda *a: math.prod(a),
            _mul_partials,
            lambda k, u: "*".join(u[:k] + u[k + 1 :]) or "1",
        ),
        "pow": Op(
            "pow",
            _pow,
            _pow_partials,
            lambda k, u: _power_slope(u) if k == 0 else f"{u[0]}^{u[1]}*log({u[0]})",
        ),
        "relu": _zero_kink("relu", 1.0, 0.0, lambda u: max(u, 0.0)),
        "abs": _zero_kink("abs", 1.0, -1.0, abs),
        "max": _extreme("max", max),
        "min": _extreme("min", min),
        "logsumexp": Op(
            "logsumexp",
            _logsumexp,
            lambda a, y, s: tuple(math.exp(v - y) for v in a),
            lambda k, u: f"exp({u[k]} - logsumexp({', '.join(u)}))",
        ),
        "sign": _jump("sign", _sign, "zero", "at 0"),
        "step": _jump("step", _step, "zero", "at 0"),
        "heaviside": _jump("Heaviside", _heaviside, "zero", "at 0"),
        "dirac_delta": _jump("DiracDelta", _dirac, "zero", "at 0"),
        "floor": _jump("floor", lambda u: float(math.floor(u)), "integer", "at whole numbers"),
        "ceiling": _jump("ceiling", lambda u: float(math.ceil(u)), "integer", "at whole numbers"),
        "acot": Op(
            "acot",
            _acot,
            lambda a, y, sign: (
                (Undefined("acot jumps at 0", "jump"),) if sign == 0 else (-1 / (1 + a[0] * a[0]),)
            ),
            lambda k, u: f"-1/(1 + {u[0]}^2)",
            kink="zero",
            lipschitz=False,
        ),
        "atan2": Op(
            "atan2",
            _atan2,
            _atan2_partials,
            lambda k, u: (
                f"{u[1]}/({u[0]}^2 + {u[1]}^2)" if k == 0 else f"-{u[0]}/({u[0]}^2 + {u[1]}^2)"
            ),
        ),
        "polygamma": Op(
            "polygamma",
            _polygamma,
            _polygamma_partials,
            lambda k, u: f"polygamma({u[0]} + 1, {u[1]})",
        ),
    }
)
