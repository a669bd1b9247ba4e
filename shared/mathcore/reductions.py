"""Data columns and the reductions ``sum(E)`` and ``mean(E)`` over their rows.

A job's ``data`` is a set of equal-length numeric columns. In an expression a
data name is a :class:`DataColumn` (a real symbol of its own class, so a
column ``x`` is never the variable ``x``), and it may appear only inside a
reduction: :class:`RowSum` (printed ``sum``) and :class:`RowMean` (printed
``mean``). Derivatives pass through a reduction,
d/dw mean(E) = mean(dE/dw), so results keep it:

>>> w, b = sympy.symbols("w b", real=True)
>>> x, y = column("x"), column("y")
>>> sympy.diff(RowMean((w * x + b - y) ** 2), w)
mean(2*x*(b + w*x - y))

Values are computed over every row, vectorised with NumPy, by the one
compiler :func:`compile_with_data`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import sympy
from sympy.utilities.lambdify import implemented_function

from shared.mathcore.mlfunctions import latex_power

__all__ = [
    "MAX_ROWS",
    "DataColumn",
    "DataError",
    "RowMean",
    "RowSum",
    "column",
    "columns_outside_reductions",
    "compile_with_data",
    "data_columns",
    "validate_data",
]

MAX_ROWS = 100_000


class DataError(ValueError):
    """The data columns are unusable (lengths differ, too many rows, not finite, ...)."""


class DataColumn(sympy.Symbol):
    """A data column: a real symbol that stands for every row of its column."""

    def __new__(cls, name: str):
        return super().__new__(cls, name, real=True)

    def __getnewargs_ex__(self):
        return ((self.name,), {})

    @classmethod
    def class_key(cls):
        # Sort among symbols by name alone, so printed terms read as usual (b + w*x - y).
        return sympy.Symbol.class_key()


def column(name: str) -> DataColumn:
    """Return the symbol of the data column ``name``.

    >>> column("x") == sympy.Symbol("x", real=True)
    False
    """
    return DataColumn(name)


class _Reduction(sympy.Function):
    """A reduction over the rows of the data; derivatives pass through it."""

    nargs = 1
    _plain_name = ""

    def _eval_derivative(self, s):
        # Linear in its argument: d/ds reduce(E) = reduce(dE/ds).
        return type(self)(sympy.diff(self.args[0], s))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _sympystr(self, printer):
        return f"{self._plain_name}({printer._print(self.args[0])})"

    def _latex(self, printer, exp=None):
        text = rf"\operatorname{{{self._plain_name}}}\left({printer._print(self.args[0])}\right)"
        return latex_power(text, exp)


class RowSum(_Reduction):
    """sum(E) = Σ over the rows of E (with no column in E: rows × E)."""

    _plain_name = "sum"

    @classmethod
    def eval(cls, arg):
        if arg.is_zero:
            return sympy.S.Zero
        return None


class RowMean(_Reduction):
    """mean(E) = (1/rows) Σ over the rows of E; E itself when E has no column.

    >>> RowMean(sympy.Symbol("w", real=True) + 1)
    w + 1
    """

    _plain_name = "mean"

    @classmethod
    def eval(cls, arg):
        if not data_columns(arg):
            return arg
        return None


REDUCTIONS: dict[str, type[_Reduction]] = {"sum": RowSum, "mean": RowMean}


def data_columns(expr: sympy.Basic) -> set[DataColumn]:
    """Return the data columns that occur in ``expr``."""
    return {s for s in expr.free_symbols if isinstance(s, DataColumn)}


def columns_outside_reductions(expr: sympy.Basic) -> set[DataColumn]:
    """Return the data columns used outside any ``sum``/``mean`` (an error).

    >>> x = column("x")
    >>> sorted(c.name for c in columns_outside_reductions(x + RowMean(x)))
    ['x']
    """
    if isinstance(expr, _Reduction):
        return set()
    if isinstance(expr, DataColumn):
        return {expr}
    found: set[DataColumn] = set()
    for arg in expr.args:
        found |= columns_outside_reductions(arg)
    return found


def validate_data(data: Mapping[str, Sequence[float]]) -> dict[str, np.ndarray]:
    """Return the columns as float arrays, checked: equal lengths, 1..MAX_ROWS rows, finite.

    >>> validate_data({"x": [1, 2], "y": [3.5, 4]})["y"]
    array([3.5, 4. ])
    """
    columns: dict[str, np.ndarray] = {}
    length = None
    for name, values in data.items():
        try:
            array = np.asarray(values, dtype=float)
        except (TypeError, ValueError) as exc:
            raise DataError(f"data column {name!r} must be a list of numbers") from exc
        if array.ndim != 1:
            raise DataError(f"data column {name!r} must be a flat list of numbers")
        if not 1 <= array.size <= MAX_ROWS:
            raise DataError(f"data column {name!r} must have 1 to {MAX_ROWS} rows")
        if not np.all(np.isfinite(array)):
            raise DataError(f"data column {name!r} has a value that is not a finite number")
        if length is not None and array.size != length:
            raise DataError("data columns must all have the same number of rows")
        length = array.size
        columns[name] = array
    return columns


def _sum_rows(value, rows: np.ndarray):
    value = np.asarray(value, dtype=float)
    if value.shape != rows.shape:
        # A reduced expression without a column (sum(w)) still counts every row.
        value = np.broadcast_to(value, np.broadcast_shapes(value.shape, rows.shape))
    return np.add.reduce(value, axis=0)


def _mean_rows(value, rows: np.ndarray):
    return _sum_rows(value, rows) / rows.shape[0]


_NUMERIC = {
    RowSum: implemented_function("_mlcalc_sum_rows", _sum_rows),
    RowMean: implemented_function("_mlcalc_mean_rows", _mean_rows),
}


def compile_with_data(
    variables: Sequence[sympy.Symbol],
    exprs: sympy.Expr | Sequence[sympy.Expr],
    data: Mapping[str, np.ndarray],
) -> Callable:
    """Compile ``exprs`` (one or a list) with reductions into a vectorised NumPy callable.

    The callable takes one value per variable, each a float or an array of
    shape (m,) (m points at once), and returns a float (or (m,) array) per
    expression, a list when ``exprs`` is a list. Every reduction is computed
    over all rows of ``data`` (validated columns, see :func:`validate_data`)
    in one NumPy pass: the cost is linear in the rows, nothing is expanded.
    Outside the domain the value is nan or inf (NumPy), never an exception.

    >>> w = sympy.Symbol("w", real=True)
    >>> x, y = column("x"), column("y")
    >>> data = validate_data({"x": [1, 2, 3], "y": [2, 4, 6]})
    >>> f = compile_with_data([w], RowMean((w * x - y) ** 2), data)
    >>> f(2.0), f(0.0)
    (0.0, 18.666666666666668)
    >>> f(np.array([0.0, 2.0])).tolist()
    [18.666666666666668, 0.0]
    """
    single = isinstance(exprs, sympy.Basic)
    expr_list = [exprs] if single else list(exprs)
    columns = sorted(set().union(*(data_columns(e) for e in expr_list)), key=lambda c: c.name)
    missing = [c.name for c in columns if c.name not in data]
    if missing:
        raise DataError(f"no data column named {', '.join(map(repr, missing))}")
    rows_symbol = sympy.Dummy("rows")
    numeric = [_with_numeric_reductions(e, rows_symbol) for e in expr_list]
    args = [*variables, *columns, rows_symbol]
    fn = sympy.lambdify(args, numeric, modules="numpy", cse=True)
    column_values = [data[c.name] for c in columns]
    n_rows = len(next(iter(data.values()))) if data else 1
    scalar_rows = np.zeros(n_rows)

    def evaluate(*values):
        if all(isinstance(v, float | int) for v in values):  # one point: the common case
            with np.errstate(all="ignore"):
                results = fn(*values, *column_values, scalar_rows)
            out = [_finish(r, ()) for r in results]
            return out[0] if single else out
        shape = np.broadcast_shapes(*(np.shape(v) for v in values))
        row_shape = (n_rows,) + (1,) * len(shape)
        cols = [c.reshape(row_shape) for c in column_values]
        rows = np.broadcast_to(0.0, row_shape)
        with np.errstate(all="ignore"):
            results = fn(*values, *cols, rows)
        out = [_finish(r, shape) for r in results]
        return out[0] if single else out

    return evaluate


def _finish(value, shape: tuple[int, ...]):
    value = np.asarray(value, dtype=float)
    if not shape:
        return float(value.reshape(-1)[0]) if value.size == 1 else math.nan
    return np.broadcast_to(value, shape).copy()


def _with_numeric_reductions(expr: sympy.Expr, rows_symbol: sympy.Symbol) -> sympy.Expr:
    """Replace each reduction by its NumPy implementation (innermost first)."""
    # factor_terms undoes SymPy's distribution of constants over sums
    # (mean(2*b + 2*w*x - 2*y) back to 2*(b + w*x - y)), so the common row-wise
    # residual is computed once for the loss and every partial derivative.
    return expr.replace(
        lambda e: isinstance(e, _Reduction),
        lambda e: _NUMERIC[type(e)](sympy.factor_terms(e.args[0]), rows_symbol),
    )
