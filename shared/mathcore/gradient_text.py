"""The printer of gradient, Hessian and Jacobian steps: words and formulas for each record.

``gradient.py`` records what it computed (``StepRecord`` with SymPy facts);
this table says it in English and LaTeX, as ``derivative/render.py`` does for
derivative rules.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from shared.mathcore.printing import to_latex, to_plain
from shared.mathcore.steps import StepPrinter

UNSIMPLIFIED = " (left unsimplified: the job's time for simplifying ran out)"


def _point(point: Sequence[sympy.Expr]) -> str:
    return "(" + ", ".join(to_plain(v) for v in point) + ")"


def _vector(values: Sequence[sympy.Expr | None]) -> str:
    shown = (r"\text{undefined}" if v is None else to_latex(v) for v in values)
    return r"\left(" + ", ".join(shown) + r"\right)"


def matrix_latex(rows: Sequence[Sequence[sympy.Expr]]) -> str:
    """A matrix in LaTeX from its entries (each printed once, from the printing cache)."""
    body = r" \\ ".join(" & ".join(to_latex(e) for e in row) for row in rows)
    return r"\left[\begin{matrix}" + body + r"\end{matrix}\right]"


def _partial_symbol(var: sympy.Symbol, name: str = "f") -> str:
    return rf"\frac{{\partial {name}}}{{\partial {sympy.latex(var)}}}"


def _note(simplified: bool) -> str:
    return "" if simplified else UNSIMPLIFIED


def _partial_text(var, result, k=None, simplified=True) -> str:  # noqa: ARG001
    if k is not None:
        return f"Differentiate f{k} with respect to {var}.{_note(simplified)}"
    return (
        f"Differentiate with respect to {var}, holding the other variables constant."
        f"{_note(simplified)}"
    )


def _second_partial_text(first, second, result, simplified=True) -> str:  # noqa: ARG001
    symmetric = " (the mixed partials agree, so H is symmetric)" if first != second else ""
    return f"Differentiate ∂f/∂{first} with respect to {second}{symmetric}.{_note(simplified)}"


def _matrix(rows) -> str:
    """A matrix of plain strings as it reads in text: [[2, 2], [2, 6]]."""
    return "[" + ", ".join("[" + ", ".join(str(v) for v in row) + "]" for row in rows) + "]"


def _hessian_at_text(point, matrix, eigenvalues, definiteness) -> str:
    text = f"At {_point(point)} the Hessian is {_matrix(matrix)}"
    if eigenvalues is None:
        return text + "."
    shown = ", ".join(f"{v:.6g}" for v in eigenvalues)
    return f"{text}; its eigenvalues are {shown}, so it is {definiteness.replace('_', ' ')}."


def _descent_text(zero: bool, direction=None) -> str:  # noqa: ARG001
    if zero:
        return (
            "The gradient is zero here: the point is critical and no direction of "
            "steepest descent exists."
        )
    return "f decreases fastest along -∇f; dividing by the norm gives the unit direction."


WORDING = {
    "partial_derivative": _partial_text,
    "gradient": lambda partials: "Collect the partial derivatives into the gradient vector.",
    "evaluate": lambda point, values, reasons=(): (
        f"Substitute the point {_point(point)} into each partial derivative."
        + "".join(f" {reason}." for reason in reasons)
    ),
    "norm": lambda norm: "The norm is the square root of the sum of the squared components.",
    "descent_direction": _descent_text,
    "hessian": lambda matrix: "The Hessian holds every second partial derivative.",
    "second_partial": _second_partial_text,
    "hessian_at": _hessian_at_text,
    "jacobian_row": lambda k, row: f"Row {k} of the Jacobian is the gradient of f{k}.",
    "jacobian_evaluate": lambda point, matrix: f"Substitute the point {_point(point)}.",
}

LATEX = {
    "partial_derivative": lambda var, result, k=None, simplified=True: (
        f"{_partial_symbol(var, 'f' if k is None else f'f_{{{k}}}')} = {to_latex(result)}"
    ),
    "gradient": lambda partials: r"\nabla f = " + _vector(partials),
    "evaluate": lambda point, values, reasons=(): rf"\nabla f{_point(point)} = " + _vector(values),
    "norm": lambda norm: (
        r"\lVert \nabla f \rVert = "
        + (to_latex(norm) if isinstance(norm, sympy.Basic) else f"{norm:.15g}")
    ),
    "descent_direction": lambda zero, direction=None: (
        "" if zero else r"-\frac{\nabla f}{\lVert \nabla f \rVert} = " + _vector(direction)
    ),
    "hessian": lambda matrix: "H = " + matrix_latex(matrix.tolist()),
    "second_partial": lambda first, second, result, simplified=True: (
        rf"\frac{{\partial^2 f}}{{\partial {sympy.latex(second)}\partial {sympy.latex(first)}}}"
        f" = {to_latex(result)}"
    ),
    "hessian_at": lambda point, matrix, eigenvalues, definiteness: (
        f"H{_point(point)} = "
        + r"\begin{pmatrix}"
        + r" \\ ".join(" & ".join(row) for row in matrix)
        + r"\end{pmatrix}"
    ),
    "jacobian_row": lambda k, row: rf"\nabla f_{{{k}}} = " + _vector(row),
    "jacobian_evaluate": lambda point, matrix: "J = " + matrix_latex(matrix.tolist()),
}

PRINTER = StepPrinter(WORDING, LATEX)
