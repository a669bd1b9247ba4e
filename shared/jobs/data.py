"""``data`` in job params: data columns beside the variables, and values over every row.

Kinds that take ``data`` (derivative, gradient, optimize) declare the field
as ``fields.DataColumns``, parse the expression with the column names (a
column may appear only inside ``sum``/``mean``), keep columns out of their
variables, and compute values at a point over all rows with NumPy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import sympy

from shared.mathcore.printing import to_float
from shared.mathcore.reductions import compile_with_data, data_columns, validate_data


def column_names(data: Mapping[str, Sequence[float]] | None) -> list[str] | None:
    """The data column names to parse with (None without data)."""
    return list(data) if data else None


def check_not_variables(names: Sequence[str], data: Mapping | None) -> None:
    """A name is a variable or a data column, not both (ValueError)."""
    both = sorted(set(names) & set(data or ()))
    if both:
        raise ValueError(f"{', '.join(both)}: both a variable and a data column")


def free_variables(expr: sympy.Basic) -> set[sympy.Symbol]:
    """The expression's symbols that are not data columns."""
    return expr.free_symbols - data_columns(expr)


def data_arrays(data: Mapping[str, Sequence[float]] | None) -> dict[str, np.ndarray] | None:
    """The columns as float arrays for the engine (None without data)."""
    return validate_data(data) if data else None


def values_over_rows(
    exprs: Sequence[sympy.Expr],
    point: Mapping[sympy.Symbol, sympy.Expr],
    arrays: Mapping[str, np.ndarray],
) -> list[float | None]:
    """Each expression at ``point``, its sums and means taken over every row;
    None where the value is not a finite number (e.g. relu′ at 0 in some row).

    >>> from shared.mathcore.reductions import RowMean, column
    >>> w = sympy.Symbol("w", real=True)
    >>> values_over_rows([RowMean(w * column("x"))], {w: 2}, {"x": np.array([1.0, 2.0])})
    [3.0]
    """
    symbols = sorted(point, key=lambda s: s.name)
    evaluate = compile_with_data(symbols, list(exprs), arrays)
    values = evaluate(*[to_float(point[s]) for s in symbols])
    return [v if math.isfinite(v) else None for v in values]
