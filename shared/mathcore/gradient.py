"""Gradients, Hessians and Jacobians, exact and at a point, with their steps.

∇f = (∂f/∂x₁, …, ∂f/∂xₙ); H_ij = ∂²f/∂xᵢ∂xⱼ; J_ij = ∂fᵢ/∂xⱼ. Each partial
derivative is traced rule by rule (its steps become substeps) and simplified
within the job's one work budget, not per partial: when the budget is spent
the rest stay correct but unsimplified and the result says
``"simplified": false``. Values at a point come from one compiled evaluation
of all the partials with their common subexpressions shared
(``at_point.py``). The steps are records worded by ``gradient_text.py``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import mpmath
import numpy as np
import sympy

from shared.mathcore.at_point import PointValue, exact_value, numeric_values, partial_values
from shared.mathcore.budget import BudgetExceeded, optional_work
from shared.mathcore.derivative import derivative_trace
from shared.mathcore.gradient_text import PRINTER, matrix_latex
from shared.mathcore.printing import to_float, to_latex, to_plain
from shared.mathcore.simplifier import node_count, simplest
from shared.mathcore.steps import Step, StepRecord

logger = logging.getLogger(__name__)

# Eigenvalues closer to zero than this (relative to the largest) count as zero
# only when the exact determinant confirms it; see _definiteness.
EIG_RTOL = 1e-10
# Past this many operations a partial is differentiated without a rule-by-rule
# trace: a trace of a 20-sample loss is thousands of steps no reader follows.
TRACE_MAX_OPS = 120
# Hessian entries past this many nodes are left as differentiated.
HESSIAN_SIMPLIFY_NODES = 60

Point = dict[sympy.Symbol, sympy.Expr]


def partial_derivative(expr: sympy.Expr, var: sympy.Symbol) -> tuple[sympy.Expr, list[Step], bool]:
    """∂f/∂x: differentiate in x holding the other variables constant.

    Returns the derivative (simplified within the job's budget), the traced
    rule steps (none for expressions past ``TRACE_MAX_OPS``) and whether
    simplification ran to completion.
    """
    if sympy.count_ops(expr) <= TRACE_MAX_OPS:
        trace = derivative_trace(expr, [var])
        return trace.result, list(trace.steps), trace.simplified
    result, complete = simplest(sympy.diff(expr, var))
    return result, [], complete


def numeric_matrix(matrix: sympy.Matrix) -> np.ndarray | None:
    """Return the float matrix of an exact numeric matrix, or None if not real."""
    values = [[to_float(entry) for entry in row] for row in matrix.tolist()]
    if any(v is None or not math.isfinite(v) for row in values for v in row):
        return None
    return np.array(values, dtype=float)


def _definiteness(matrix: sympy.Matrix | None, eigenvalues: np.ndarray) -> str | None:
    """Name the definiteness of a symmetric matrix from its eigenvalue signs.

    A float eigenvalue that is tiny (relative to the largest) counts as zero
    only when it stays below 1e-40 computed again at 60 digits from the exact
    entries, so rounding never turns a definite matrix into a semidefinite
    one; without exact entries such a matrix is not named (None).
    """
    scale = max(1.0, float(np.max(np.abs(eigenvalues)))) if eigenvalues.size else 1.0
    signs = [1 if lam > 0 else -1 for lam in eigenvalues]
    if any(abs(lam) <= EIG_RTOL * scale for lam in eigenvalues):
        if matrix is None:
            return None
        with mpmath.workdps(60):
            precise = mpmath.matrix(
                [[mpmath.mpf(sympy.N(e, 70)) for e in row] for row in matrix.tolist()]
            )
            values = sorted(mpmath.eigsy(precise)[0], key=float)
            big = max(mpmath.mpf(1), max(abs(v) for v in values))
            signs = [
                0 if abs(v) <= big * mpmath.mpf(10) ** -40 else (1 if v > 0 else -1) for v in values
            ]
    if all(s == 0 for s in signs):
        return "zero"
    if 1 in signs and -1 in signs:
        return "indefinite"
    if 0 in signs:
        return "positive_semidefinite" if 1 in signs else "negative_semidefinite"
    return "positive_definite" if signs[0] == 1 else "negative_definite"


def hessian_at_point(hessian: sympy.Matrix, at: Point) -> dict[str, Any]:
    """The Hessian at a point: matrix, eigenvalues and definiteness.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> hessian_at_point(sympy.hessian(x**2 - y**2, [x, y]), {x: 0, y: 0})["definiteness"]
    'indefinite'
    """
    n = hessian.shape[0]
    entries = list(hessian)
    numeric = numeric_values(entries, at)
    exact = [exact_value(e, at)[0] for e in entries]
    shown = [[_shown(exact[i * n + j], numeric[i * n + j]) for j in range(n)] for i in range(n)]
    out: dict[str, Any] = {"matrix": shown}
    if any(v is None for v in numeric):
        out.update(matrix_numeric=None, eigenvalues=None, definiteness=None)
        return out
    values = np.array(numeric, dtype=float).reshape(n, n)
    eigenvalues = np.linalg.eigvalsh(values)
    exact_matrix = None if any(e is None for e in exact) else sympy.Matrix(n, n, exact)
    out["matrix_numeric"] = values.tolist()
    out["eigenvalues"] = [float(v) for v in eigenvalues]
    out["eigenvalues_exact"] = _exact_eigenvalues(exact_matrix)
    out["definiteness"] = _definiteness(exact_matrix, eigenvalues)
    return out


def _shown(exact: sympy.Expr | None, numeric: float | None) -> str | None:
    """An entry as an exact string, else its float, else None (undefined)."""
    if exact is not None:
        return to_plain(exact)
    return None if numeric is None else repr(numeric)


def _exact_eigenvalues(matrix: sympy.Matrix | None) -> list[str] | None:
    if matrix is None or matrix.shape[0] > 3:
        return None  # characteristic polynomials past degree 3 rarely have nice roots
    if any(entry.atoms(sympy.Function) for entry in matrix):
        return None  # roots of a cubic in exp(-3/10), tanh(1/2), ... help no reader
    try:
        with optional_work("eigenvalues"):
            eig = matrix.eigenvals(multiple=True)
            eig = sorted((simplest(e).expr for e in eig), key=lambda e: to_float(e) or 0.0)
    except (BudgetExceeded, NotImplementedError, TypeError):
        return None
    return [to_plain(e) for e in eig]


def gradient_result(
    expr: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    at: Point | None = None,
    hessian: bool = False,
) -> tuple[dict[str, Any], list[Step]]:
    """∇f = (∂f/∂x₁, …, ∂f/∂xₙ), optionally at a point and with the Hessian.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> result, steps = gradient_result(x**2 + 2*x*y + 3*y**2, [x, y], {x: 2, y: 3})
    >>> result["at_value"]
    ['10', '22']
    """
    variables = list(variables)
    if at is not None:
        missing = [v for v in variables if v not in at]
        if missing:
            raise ValueError(f"the point gives no value for {', '.join(map(str, missing))}")
    records: list[StepRecord] = []
    partials: list[sympy.Expr] = []
    complete = True
    for var in variables:
        partial, substeps, done = partial_derivative(expr, var)
        complete = complete and done
        partials.append(partial)
        records.append(
            StepRecord(
                "partial_derivative",
                {"var": var, "result": partial, "simplified": done},
                before=expr,
                after=partial,
                substeps=tuple(substeps),
                simplified=None if done else False,
            )
        )
    result: dict[str, Any] = {
        "variables": [str(v) for v in variables],
        "gradient": [to_plain(p) for p in partials],
        "gradient_latex": [to_latex(p) for p in partials],
    }
    records.append(
        StepRecord(
            "gradient",
            {"partials": partials},
            before=expr,
            after="(" + ", ".join(result["gradient"]) + ")",
        )
    )
    if at is not None:
        records.extend(_gradient_at(result, expr, partials, variables, at))
    if hessian:
        hessian_records, hessian_complete = _hessian_part(result, partials, variables, at)
        records.extend(hessian_records)
        complete = complete and hessian_complete
    result["simplified"] = complete
    return result, PRINTER.render_all(records)


def _gradient_at(
    result: dict[str, Any],
    expr: sympy.Expr,
    partials: list[sympy.Expr],
    variables: list[sympy.Symbol],
    at: Point,
) -> list[StepRecord]:
    """Fill the at-point fields: exact and numeric value, norm, steepest descent."""
    values: list[PointValue] = partial_values(expr, partials, variables, at)
    numeric = [v.numeric for v in values]
    exact = [v.value for v in values]
    point = [at[v] for v in variables]
    result["at_value"] = [None if e is None else to_plain(e) for e in exact]
    result["at_numeric"] = numeric
    result["at_defined"] = [v.defined for v in values]
    reasons = [
        f"∂f/∂{var}: {v.reason}" for var, v in zip(variables, values, strict=True) if v.reason
    ]
    if reasons:
        result["at_reasons"] = reasons
    norm = None if any(n is None for n in numeric) else math.sqrt(math.fsum(n * n for n in numeric))
    norm_exact = None
    if norm is not None and all(e is not None for e in exact):
        norm_exact = exact_value(sympy.sqrt(sum(e**2 for e in exact)), {})[0]
    result["norm_exact"] = None if norm_exact is None else to_plain(norm_exact)
    result["norm"] = norm
    shown = "(" + ", ".join(str(v) for v in result["at_value"]) + ")"
    records = [
        StepRecord(
            "evaluate",
            {"point": point, "values": exact, "reasons": reasons},
            before="(" + ", ".join(result["gradient"]) + ")",
            after=shown,
        ),
    ]
    if norm is None:
        result["descent_direction"] = None
        return records
    records.append(
        StepRecord(
            "norm",
            {"norm": norm if norm_exact is None else norm_exact},
            before=shown,
            after=result["norm_exact"] or repr(norm),
        )
    )
    if norm == 0:
        result["descent_direction"] = None
        records.append(StepRecord("descent_direction", {"zero": True}))
        return records
    result["descent_direction"] = [-n / norm for n in numeric]
    direction = None
    if norm_exact is not None:
        direction = [exact_value(-e / norm_exact, {})[0] for e in exact]
        if all(d is not None for d in direction):
            result["descent_direction_exact"] = [to_plain(d) for d in direction]
    if direction is None or any(d is None for d in direction):
        direction = [sympy.Float(d, 15) for d in result["descent_direction"]]
    records.append(
        StepRecord(
            "descent_direction",
            {"zero": False, "direction": direction},
            before=shown,
            after=direction,
        )
    )
    return records


def _second_partial(partial: sympy.Expr, var: sympy.Symbol) -> tuple[sympy.Expr, bool]:
    """∂/∂var of a partial, simplified when small: n(n+1)/2 entries share the job's budget,
    and on ML-sized entries the rewriters cost more than diff and evaluation together."""
    entry = sympy.diff(partial, var)
    if node_count(entry) > HESSIAN_SIMPLIFY_NODES:
        return entry, True
    return simplest(entry)


def _hessian_part(
    result: dict[str, Any],
    partials: list[sympy.Expr],
    variables: list[sympy.Symbol],
    at: Point | None,
) -> tuple[list[StepRecord], bool]:
    """Fill ``hessian`` (and ``hessian_at`` at a point): H_ij = ∂²f/∂xᵢ∂xⱼ."""
    n = len(variables)
    entries: dict[tuple[int, int], sympy.Expr] = {}
    substeps = []
    complete = True
    for i in range(n):
        for j in range(i, n):
            entry, done = _second_partial(partials[i], variables[j])
            complete = complete and done
            entries[i, j] = entries[j, i] = entry
            substeps.append(
                StepRecord(
                    "second_partial",
                    {
                        "first": variables[i],
                        "second": variables[j],
                        "result": entry,
                        "simplified": done,
                    },
                    before=partials[i],
                    after=entry,
                    simplified=None if done else False,
                )
            )
    matrix = sympy.Matrix(n, n, lambda i, j: entries[i, j])
    result["hessian"] = [[to_plain(e) for e in row] for row in matrix.tolist()]
    result["hessian_latex"] = matrix_latex(matrix.tolist())
    records = [
        StepRecord(
            "hessian",
            {"matrix": matrix},
            after=str(result["hessian"]),
            substeps=tuple(substeps),
        )
    ]
    if at is not None:
        info = hessian_at_point(matrix, at)
        result["hessian_at"] = info
        records.append(
            StepRecord(
                "hessian_at",
                {
                    "point": [at[v] for v in variables],
                    "matrix": info["matrix"],
                    "eigenvalues": info["eigenvalues"],
                    "definiteness": info["definiteness"] or "not decided",
                },
                before=str(result["hessian"]),
                after=str(info["matrix"]),
            )
        )
    return records, complete


def jacobian_result(
    exprs: Sequence[sympy.Expr],
    variables: Sequence[sympy.Symbol],
    at: Point | None = None,
) -> tuple[dict[str, Any], list[Step]]:
    """J_ij = ∂fᵢ/∂xⱼ for a list of expressions, optionally at a point.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> jacobian_result([x*y, x + y], [x, y])[0]["jacobian"]
    [['y', 'x'], ['1', '1']]
    """
    variables = list(variables)
    rows: list[list[sympy.Expr]] = []
    records: list[StepRecord] = []
    complete = True
    for k, fk in enumerate(exprs, start=1):
        row_records = []
        row = []
        for var in variables:
            partial, substeps, done = partial_derivative(fk, var)
            complete = complete and done
            row.append(partial)
            row_records.append(
                StepRecord(
                    "partial_derivative",
                    {"var": var, "result": partial, "k": k, "simplified": done},
                    before=fk,
                    after=partial,
                    substeps=tuple(substeps),
                    simplified=None if done else False,
                )
            )
        rows.append(row)
        records.append(
            StepRecord(
                "jacobian_row",
                {"k": k, "row": row},
                before=fk,
                after=row,
                substeps=tuple(row_records),
            )
        )
    matrix = sympy.Matrix(rows)
    result: dict[str, Any] = {
        "variables": [str(v) for v in variables],
        "jacobian": [[to_plain(e) for e in row] for row in rows],
        "jacobian_latex": matrix_latex(rows),
    }
    square = matrix.shape[0] == matrix.shape[1]
    if square:
        det, done = simplest(matrix.det())
        complete = complete and done
        result["determinant"] = to_plain(det)
    if at is not None:
        m, n = matrix.shape
        entries = list(matrix)
        numeric = numeric_values(entries, at)
        exact = [exact_value(e, at)[0] for e in entries]
        result["at_value"] = [[_shown(exact[i * n + j], None) for j in range(n)] for i in range(m)]
        result["at_numeric"] = [[numeric[i * n + j] for j in range(n)] for i in range(m)]
        if square:
            det_value = numeric_values([matrix.det()], at)[0]
            det_exact = (
                exact_value(sympy.Matrix(m, n, exact).det(), {})[0]
                if all(e is not None for e in exact)
                else None
            )
            result["determinant_at"] = None if det_exact is None else to_plain(det_exact)
            result["determinant_at_numeric"] = det_value
        shown = sympy.Matrix(
            m,
            n,
            [
                e if e is not None else sympy.Float(v or sympy.nan, 15)
                for e, v in zip(exact, numeric, strict=True)
            ],
        )
        records.append(
            StepRecord(
                "jacobian_evaluate",
                {"point": [at[v] for v in variables], "matrix": shown},
                before=str(result["jacobian"]),
                after=str(result["at_value"]),
            )
        )
    result["simplified"] = complete
    return result, PRINTER.render_all(records)
