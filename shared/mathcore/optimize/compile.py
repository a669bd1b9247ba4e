"""Objectives compiled once: f, ∇f and (on demand) ∇²f as NumPy/float code.

The symbolic gradient is derived once per expression and compiled with
``lambdify`` (common subexpressions eliminated, so f and ∇f share their work).
Compiled objectives are cached per process, keyed by the expression object
itself: hashing a SymPy tree is cached by SymPy and costs well under a
microsecond, while ``srepr`` keys cost ~300 µs a look-up.

Two callables are kept for f and ∇f together:

* ``fg_float(*x)`` takes plain floats and returns ``[f, g1, ..., gn]``; it is
  generated with the ``math`` module (about 5x cheaper per call than NumPy on
  scalars) and used by single runs.  ``math`` raises where NumPy returns
  inf/nan, so callers treat ``ValueError``/``OverflowError``/
  ``ZeroDivisionError`` as a non-finite value.
* ``fg_array(X)`` takes an ``(n, m)`` array (m points at once) and returns
  ``(f, G)`` with shapes ``(m,)`` and ``(n, m)``: one vectorised evaluation for
  all the starts of a multi-start run.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy

from shared.mathcore.mlfunctions import torch_subgradients
from shared.mathcore.reductions import DataError, compile_with_data

# Errors that mean "this point is outside the function's domain or overflows".
FLOAT_MATH_ERRORS = (ValueError, OverflowError, ZeroDivisionError)

_CACHE_SIZE = 256
_cache: OrderedDict[tuple, CompiledObjective] = OrderedDict()
_cache_lock = threading.Lock()


class CompileError(ValueError):
    """The expression cannot be compiled to numeric code (e.g. unevaluated derivatives)."""


@dataclass
class CompiledObjective:
    """f, ∇f and ∇²f of one expression in fixed variables, as numeric callables."""

    expr: sympy.Expr
    variables: tuple[sympy.Symbol, ...]
    gradient: tuple[sympy.Expr, ...]
    fg_float: Callable[..., list]
    _fg_numpy: Callable[..., list]
    _f_numpy: Callable[..., object]
    _hessian_numpy: Callable[..., list] | None = field(default=None, repr=False)
    hessian_exprs: tuple[tuple[sympy.Expr, ...], ...] | None = field(default=None, repr=False)
    # Data columns the reductions (sum/mean) of ``expr`` run over, or None.
    data: Mapping[str, np.ndarray] | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return len(self.variables)

    def fg_array(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return f (m,) and ∇f (n, m) at the m columns of ``X`` (n, m)."""
        m = X.shape[1]
        with np.errstate(all="ignore"):
            values = self._fg_numpy(*X)
        f = np.empty(m)
        f[:] = values[0]  # broadcasts constants (a gradient entry may be a number)
        G = np.empty((self.n, m))
        for i in range(self.n):
            G[i] = values[i + 1]
        return f, G

    def f_array(self, X: np.ndarray) -> np.ndarray:
        """Return f (m,) at the m columns of ``X`` (n, m)."""
        out = np.empty(X.shape[1])
        with np.errstate(all="ignore"):
            out[:] = self._f_numpy(*X)
        return out

    def hessian_array(self, X: np.ndarray) -> np.ndarray:
        """Return ∇²f as an (m, n, n) stack at the m columns of ``X`` (n, m)."""
        if self._hessian_numpy is None:
            self._compile_hessian()
        n, m = X.shape
        with np.errstate(all="ignore"):
            rows = self._hessian_numpy(*X)
        H = np.empty((m, n, n))
        for i in range(n):
            for j in range(n):
                H[:, i, j] = rows[i][j]
        return H

    def fg_point(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """Return f and ∇f at one point as (float, ndarray); nan outside the domain."""
        try:
            values = self.fg_float(*x.tolist())
            f = float(values[0])
            g = np.array(values[1:], dtype=float)
        except FLOAT_MATH_ERRORS + (TypeError,):
            # TypeError: a complex value (e.g. (-8)**(1/3) in plain Python).
            return float("nan"), np.full(self.n, np.nan)
        return f, g

    def _compile_hessian(self) -> None:
        with _cache_lock:
            if self._hessian_numpy is not None:
                return
            grads = self.gradient
            rows = tuple(
                tuple(_without_dirac(sympy.diff(gi, v)) for v in self.variables) for gi in grads
            )
            self.hessian_exprs = rows
            if self.data is not None:
                n = self.n
                flat = _over_rows(self.variables, [e for row in rows for e in row], self.data)
                self._hessian_numpy = lambda *X: _rows_of(flat(*X), n)
                return
            self._hessian_numpy = _lambdify(self.variables, [list(r) for r in rows], "numpy")


def _without_dirac(expr: sympy.Expr) -> sympy.Expr:
    """A derivative an optimizer can evaluate everywhere, kinks included.

    DiracDelta terms (derivatives of |x|, sign, Heaviside at their kinks) are
    dropped: they vanish everywhere except at the kink itself, where the
    derivative does not exist anyway, and NumPy cannot evaluate them. relu′ =
    step, undefined at 0, takes PyTorch's subgradient there (relu′(0) = 0), so
    a run that lands on a kink goes on as torch would.
    """
    expr = torch_subgradients(expr)
    if not expr.has(sympy.DiracDelta):
        return expr
    return expr.replace(lambda e: isinstance(e, sympy.DiracDelta), lambda e: sympy.S.Zero)


def _lambdify(variables: Sequence[sympy.Symbol], exprs, module: str) -> Callable:
    try:
        fn = sympy.lambdify(list(variables), exprs, modules=module, cse=True)
    except Exception as exc:  # the printer raises various types on unsupported nodes
        raise CompileError(f"cannot compile to numeric code: {exc}") from exc
    if module == "numpy":
        # Unsupported functions only show as NameError when called: probe once.
        probe = [np.full(2, 0.5 + 0.1 * i) for i in range(len(variables))]
        try:
            with np.errstate(all="ignore"):
                fn(*probe)
        except (NameError, AttributeError, TypeError) as exc:
            raise CompileError(f"cannot evaluate numerically: {exc}") from exc
        except (ValueError, ZeroDivisionError, OverflowError):
            pass  # outside the domain at the probe point: the code itself is fine
    return fn


def _check_compilable(exprs: Sequence[sympy.Expr]) -> None:
    for e in exprs:
        if e.has(sympy.Derivative, sympy.Subs, sympy.Integral):
            raise CompileError("the gradient contains an unevaluated derivative or integral")


def _float_variant(variables, exprs, numpy_fn: Callable) -> Callable:
    """Compile with ``math``; fall back to the NumPy code if ``math`` lacks a function."""
    try:
        fn = _lambdify(variables, exprs, "math")
    except CompileError:
        return numpy_fn
    probe = [0.5 + 0.1 * i for i in range(len(variables))]
    try:
        fn(*probe)
    except FLOAT_MATH_ERRORS:
        pass  # outside the domain at the probe point: the code itself is fine
    except Exception:  # NameError/TypeError: a function ``math`` does not have
        return numpy_fn
    return fn


def compile_objective(
    expr: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    data: Mapping[str, np.ndarray] | None = None,
) -> CompiledObjective:
    """Return the compiled f and ∇f of ``expr`` in ``variables``, cached per process.

    With ``data`` (validated columns), the reductions ``sum``/``mean`` of
    ``expr`` run over every row in one NumPy pass per evaluation (not cached:
    the data is the job's own).

    >>> from shared.mathcore.symbols import variable
    >>> x = variable("x")
    >>> obj = compile_objective(x**2, [x])
    >>> obj.fg_float(3.0)
    [9.0, 6.0]
    """
    variables = tuple(variables)
    if data is not None:
        return _compile_over_rows(expr, variables, data)
    key = (expr, variables)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    gradient = tuple(_without_dirac(sympy.diff(expr, v)) for v in variables)
    _check_compilable((expr, *gradient))
    exprs = [expr, *gradient]
    fg_numpy = _lambdify(variables, exprs, "numpy")
    f_numpy = _lambdify(variables, expr, "numpy")
    compiled = CompiledObjective(
        expr=expr,
        variables=variables,
        gradient=gradient,
        fg_float=_float_variant(variables, exprs, fg_numpy),
        _fg_numpy=fg_numpy,
        _f_numpy=f_numpy,
    )
    with _cache_lock:
        _cache[key] = compiled
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return compiled


def _compile_over_rows(
    expr: sympy.Expr, variables: tuple[sympy.Symbol, ...], data: Mapping[str, np.ndarray]
) -> CompiledObjective:
    """f and ∇f with reductions over the rows of ``data``: the cost is linear in the
    rows, and the derivative passes through the reduction (mean(E)' = mean(E'))."""
    gradient = tuple(_without_dirac(sympy.diff(expr, v)) for v in variables)
    _check_compilable((expr, *gradient))
    fg = _over_rows(variables, [expr, *gradient], data)
    f = _over_rows(variables, [expr], data)
    return CompiledObjective(
        expr=expr,
        variables=variables,
        gradient=gradient,
        fg_float=fg,
        _fg_numpy=fg,
        _f_numpy=lambda *X: f(*X)[0],
        data=data,
    )


def _over_rows(variables, exprs, data) -> Callable[..., list]:
    try:
        return compile_with_data(variables, list(exprs), data)
    except DataError as exc:
        raise CompileError(str(exc)) from exc
    except Exception as exc:  # the printer raises various types on unsupported nodes
        raise CompileError(f"cannot compile to numeric code: {exc}") from exc


def _rows_of(flat: list, n: int) -> list[list]:
    return [flat[i * n : (i + 1) * n] for i in range(n)]


def clear_cache() -> None:
    """Forget every compiled objective (tests, memory pressure)."""
    with _cache_lock:
        _cache.clear()
