"""Gradients, Hessians and Jacobians, exact and at a point, with their steps.

∇f = (∂f/∂x₁, …, ∂f/∂xₙ); H_ij = ∂²f/∂xᵢ∂xⱼ; J_ij = ∂fᵢ/∂xⱼ. Each partial
derivative is one step; when the derivative tracer is available its rule-by-rule
steps are attached as substeps.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy

from shared.mathcore.budget import BudgetExceeded, time_budget
from shared.mathcore.printing import to_float, to_latex, to_plain
from shared.mathcore.symbols import as_expr

logger = logging.getLogger(__name__)

Step = dict[str, Any]

SIMPLIFY_SECONDS = 2.0
EIGEN_SECONDS = 2.0
# Eigenvalues closer to zero than this (relative to the largest) count as zero
# only when the exact determinant confirms it; see _definiteness.
EIG_RTOL = 1e-10


def make_step(
    rule: str, text: str, before: str = "", after: str = "", latex: str = "", substeps=None
) -> Step:
    """Return one STEP dict of the contract."""
    return {
        "rule": rule,
        "text": text,
        "before": before,
        "after": after,
        "latex": latex,
        "substeps": list(substeps or []),
    }


def tidy(expr: sympy.Expr, seconds: float = SIMPLIFY_SECONDS) -> sympy.Expr:
    """Simplify ``expr`` within a time budget; keep it as it is when time runs out."""
    try:
        with time_budget(seconds):
            simpler = sympy.simplify(expr)
    except BudgetExceeded:
        return expr
    # simplify may return a longer form (e.g. factored sums), or turn sign(x)
    # into a Piecewise that hides where the expression is undefined; keep the
    # original then.
    if simpler.has(sympy.Piecewise) and not expr.has(sympy.Piecewise):
        return expr
    return simpler if sympy.count_ops(simpler) <= sympy.count_ops(expr) else expr


def partial_derivative(expr: sympy.Expr, var: sympy.Symbol) -> tuple[sympy.Expr, list[Step]]:
    """∂f/∂x: differentiate in x holding the other variables constant.

    Returns the derivative and the traced rule steps (empty when the tracer is
    not available or cannot trace ``expr``).
    """
    try:
        from shared.mathcore.derivative import derivative_trace  # written by another helper
    except ImportError:
        derivative_trace = None
    if derivative_trace is not None:
        try:
            trace = derivative_trace(expr, [var])
            result = trace.result
            if isinstance(result, sympy.Expr) and tidy(result - sympy.diff(expr, var)) == 0:
                return tidy(result), list(trace.steps)
        except Exception:  # noqa: BLE001 - the tracer is optional; sympy.diff is the oracle
            logger.warning("derivative_trace failed on %s", expr, exc_info=True)
    return tidy(sympy.diff(expr, var)), []


def _partial_symbol(var: sympy.Symbol, name: str = "f") -> str:
    return rf"\frac{{\partial {name}}}{{\partial {sympy.latex(var)}}}"


def _exact_at(expr: sympy.Expr, at: dict[sympy.Symbol, sympy.Expr]) -> sympy.Expr:
    return tidy(expr.subs(at))


def _definiteness(matrix: sympy.Matrix, eigenvalues: np.ndarray) -> str:
    """Name the definiteness of a symmetric matrix from its eigenvalue signs.

    A numerically tiny eigenvalue counts as zero only when det = 0 exactly, so
    rounding never turns a definite matrix into a semidefinite one.
    """
    scale = max(1.0, float(np.max(np.abs(eigenvalues)))) if eigenvalues.size else 1.0
    det_zero = tidy(matrix.det()) == 0
    signs = []
    for lam in eigenvalues:
        if abs(lam) <= EIG_RTOL * scale and det_zero:
            signs.append(0)
        else:
            signs.append(1 if lam > 0 else -1)
    if all(s == 0 for s in signs):
        return "zero"
    if 1 in signs and -1 in signs:
        return "indefinite"
    if 0 in signs:
        return "positive_semidefinite" if 1 in signs else "negative_semidefinite"
    return "positive_definite" if signs[0] == 1 else "negative_definite"


def numeric_matrix(matrix: sympy.Matrix) -> np.ndarray | None:
    """Return the float matrix of an exact numeric matrix, or None if not real."""
    values = [[to_float(entry) for entry in row] for row in matrix.tolist()]
    if any(v is None or not math.isfinite(v) for row in values for v in row):
        return None
    return np.array(values, dtype=float)


def hessian_at_point(hessian: sympy.Matrix, at: dict[sympy.Symbol, sympy.Expr]) -> dict[str, Any]:
    """The Hessian at a point: matrix, eigenvalues and definiteness.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> hessian_at_point(sympy.hessian(x**2 - y**2, [x, y]), {x: 0, y: 0})["definiteness"]
    'indefinite'
    """
    exact = hessian.subs(at).applyfunc(tidy)
    numeric = numeric_matrix(exact)
    out: dict[str, Any] = {"matrix": [[to_plain(e) for e in row] for row in exact.tolist()]}
    if numeric is None:
        out.update(matrix_numeric=None, eigenvalues=None, definiteness=None)
        return out
    eigenvalues = np.linalg.eigvalsh(numeric)
    out["matrix_numeric"] = numeric.tolist()
    out["eigenvalues"] = [float(v) for v in eigenvalues]
    out["eigenvalues_exact"] = _exact_eigenvalues(exact)
    out["definiteness"] = _definiteness(exact, eigenvalues)
    return out


def _exact_eigenvalues(matrix: sympy.Matrix) -> list[str] | None:
    if matrix.shape[0] > 3:
        return None  # characteristic polynomials past degree 3 rarely have nice roots
    try:
        with time_budget(EIGEN_SECONDS):
            eig = matrix.eigenvals(multiple=True)
            eig = sorted((tidy(e) for e in eig), key=lambda e: to_float(e) or 0.0)
    except (BudgetExceeded, NotImplementedError, TypeError):
        return None
    return [to_plain(e) for e in eig]


def _point_text(variables: Sequence[sympy.Symbol], at: dict[sympy.Symbol, sympy.Expr]) -> str:
    return "(" + ", ".join(to_plain(as_expr(at[v])) for v in variables) + ")"


def gradient_result(
    expr: sympy.Expr,
    variables: Sequence[sympy.Symbol],
    at: dict[sympy.Symbol, sympy.Expr] | None = None,
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
    steps: list[Step] = []
    partials: list[sympy.Expr] = []
    for var in variables:
        partial, substeps = partial_derivative(expr, var)
        partials.append(partial)
        steps.append(
            make_step(
                "partial_derivative",
                f"Differentiate with respect to {var}, holding the other variables constant.",
                before=to_plain(expr),
                after=to_plain(partial),
                latex=f"{_partial_symbol(var)} = {to_latex(partial)}",
                substeps=substeps,
            )
        )
    result: dict[str, Any] = {
        "variables": [str(v) for v in variables],
        "gradient": [to_plain(p) for p in partials],
        "gradient_latex": [to_latex(p) for p in partials],
    }
    grad_latex = r"\nabla f = \left(" + ", ".join(to_latex(p) for p in partials) + r"\right)"
    steps.append(
        make_step(
            "gradient",
            "Collect the partial derivatives into the gradient vector.",
            before=to_plain(expr),
            after="(" + ", ".join(result["gradient"]) + ")",
            latex=grad_latex,
        )
    )
    if at is not None:
        steps.extend(_gradient_at(result, partials, variables, at))
    if hessian:
        steps.extend(_hessian_part(result, partials, variables, at))
    return result, steps


def _gradient_at(
    result: dict[str, Any],
    partials: list[sympy.Expr],
    variables: list[sympy.Symbol],
    at: dict[sympy.Symbol, sympy.Expr],
) -> list[Step]:
    """Fill the at-point fields: exact and numeric value, norm, steepest descent."""
    values = [_exact_at(p, at) for p in partials]
    numeric = [to_float(v) for v in values]
    norm_exact = tidy(sympy.sqrt(sum(v**2 for v in values)))
    norm = to_float(norm_exact)
    result["at_value"] = [to_plain(v) for v in values]
    result["at_numeric"] = numeric
    result["norm_exact"] = to_plain(norm_exact)
    result["norm"] = norm
    point = _point_text(variables, at)
    steps = [
        make_step(
            "evaluate",
            f"Substitute the point {point} into each partial derivative.",
            before="(" + ", ".join(result["gradient"]) + ")",
            after="(" + ", ".join(result["at_value"]) + ")",
            latex=rf"\nabla f{point} = \left(" + ", ".join(map(to_latex, values)) + r"\right)",
        ),
        make_step(
            "norm",
            "The norm is the square root of the sum of the squared components.",
            before="(" + ", ".join(result["at_value"]) + ")",
            after=result["norm_exact"],
            latex=r"\lVert \nabla f \rVert = " + to_latex(norm_exact),
        ),
    ]
    if norm is None or any(v is None for v in numeric):
        result["descent_direction"] = None
        return steps
    if norm == 0:
        result["descent_direction"] = None
        steps.append(
            make_step(
                "descent_direction",
                "The gradient is zero here: the point is critical and no direction of "
                "steepest descent exists.",
            )
        )
        return steps
    direction = [tidy(-v / norm_exact) for v in values]
    result["descent_direction"] = [to_float(d) for d in direction]
    result["descent_direction_exact"] = [to_plain(d) for d in direction]
    steps.append(
        make_step(
            "descent_direction",
            "f decreases fastest along -∇f; dividing by the norm gives the unit direction.",
            before="(" + ", ".join(result["at_value"]) + ")",
            after="(" + ", ".join(result["descent_direction_exact"]) + ")",
            latex=r"-\frac{\nabla f}{\lVert \nabla f \rVert} = \left("
            + ", ".join(map(to_latex, direction))
            + r"\right)",
        )
    )
    return steps


def _hessian_part(
    result: dict[str, Any],
    partials: list[sympy.Expr],
    variables: list[sympy.Symbol],
    at: dict[sympy.Symbol, sympy.Expr] | None,
) -> list[Step]:
    """Fill ``hessian`` (and ``hessian_at`` at a point): H_ij = ∂²f/∂xᵢ∂xⱼ."""
    n = len(variables)
    entries: dict[tuple[int, int], sympy.Expr] = {}
    substeps = []
    for i in range(n):
        for j in range(i, n):
            entries[i, j] = entries[j, i] = tidy(sympy.diff(partials[i], variables[j]))
            substeps.append(
                make_step(
                    "partial_derivative",
                    f"Differentiate ∂f/∂{variables[i]} with respect to {variables[j]}"
                    + (" (the mixed partials agree, so H is symmetric)." if i != j else "."),
                    before=to_plain(partials[i]),
                    after=to_plain(entries[i, j]),
                    latex=rf"\frac{{\partial^2 f}}{{\partial {sympy.latex(variables[j])}"
                    rf"\partial {sympy.latex(variables[i])}}} = {to_latex(entries[i, j])}",
                )
            )
    matrix = sympy.Matrix(n, n, lambda i, j: entries[i, j])
    result["hessian"] = [[to_plain(e) for e in row] for row in matrix.tolist()]
    result["hessian_latex"] = to_latex(matrix)
    steps = [
        make_step(
            "hessian",
            "The Hessian holds every second partial derivative.",
            after=str(result["hessian"]),
            latex="H = " + to_latex(matrix),
            substeps=substeps,
        )
    ]
    if at is not None:
        info = hessian_at_point(matrix, at)
        result["hessian_at"] = info
        point = _point_text(variables, at)
        text = f"At {point} the Hessian is {info['matrix']}"
        if info["eigenvalues"] is not None:
            text += (
                f"; its eigenvalues are {', '.join(f'{v:.6g}' for v in info['eigenvalues'])}, "
                f"so it is {info['definiteness'].replace('_', ' ')}."
            )
        steps.append(
            make_step(
                "hessian_at",
                text,
                before=str(result["hessian"]),
                after=str(info["matrix"]),
                latex=f"H{point} = " + to_latex(matrix.subs(at)),
            )
        )
    return steps


def jacobian_result(
    exprs: Sequence[sympy.Expr],
    variables: Sequence[sympy.Symbol],
    at: dict[sympy.Symbol, sympy.Expr] | None = None,
) -> tuple[dict[str, Any], list[Step]]:
    """J_ij = ∂fᵢ/∂xⱼ for a list of expressions, optionally at a point.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> jacobian_result([x*y, x + y], [x, y])[0]["jacobian"]
    [['y', 'x'], ['1', '1']]
    """
    variables = list(variables)
    rows: list[list[sympy.Expr]] = []
    steps: list[Step] = []
    for k, fk in enumerate(exprs, start=1):
        row_steps = []
        row = []
        for var in variables:
            partial, substeps = partial_derivative(fk, var)
            row.append(partial)
            row_steps.append(
                make_step(
                    "partial_derivative",
                    f"Differentiate f{k} with respect to {var}.",
                    before=to_plain(fk),
                    after=to_plain(partial),
                    latex=f"{_partial_symbol(var, f'f_{{{k}}}')} = {to_latex(partial)}",
                    substeps=substeps,
                )
            )
        rows.append(row)
        steps.append(
            make_step(
                "jacobian_row",
                f"Row {k} of the Jacobian is the gradient of f{k}.",
                before=to_plain(fk),
                after="(" + ", ".join(to_plain(p) for p in row) + ")",
                substeps=row_steps,
            )
        )
    matrix = sympy.Matrix(rows)
    result: dict[str, Any] = {
        "variables": [str(v) for v in variables],
        "jacobian": [[to_plain(e) for e in row] for row in rows],
        "jacobian_latex": to_latex(matrix),
    }
    square = matrix.shape[0] == matrix.shape[1]
    if square:
        det = tidy(matrix.det())
        result["determinant"] = to_plain(det)
    if at is not None:
        exact = matrix.subs(at).applyfunc(tidy)
        result["at_value"] = [[to_plain(e) for e in row] for row in exact.tolist()]
        result["at_numeric"] = [[to_float(e) for e in row] for row in exact.tolist()]
        if square:
            det_at = tidy(exact.det())
            result["determinant_at"] = to_plain(det_at)
            result["determinant_at_numeric"] = to_float(det_at)
        steps.append(
            make_step(
                "evaluate",
                f"Substitute the point {_point_text(variables, at)}.",
                before=str(result["jacobian"]),
                after=str(result["at_value"]),
                latex="J = " + to_latex(exact),
            )
        )
    return result, steps
