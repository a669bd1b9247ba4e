"""Names of graph nodes, and each node's operation written with its inputs' names.

A variable is its own name, a constant its value, an operation ``h1``, ``h2``,
... in topological order (another letter when a variable is already called
``h3``). Ids are the same except that constants get ``c1``, ``c2``, ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.mathcore.backprop.graph import Graph
from shared.mathcore.printing import to_latex, to_plain

_LATEX_FUNCTIONS = {
    "sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh", "coth",
    "exp", "log", "arcsin", "arccos", "arctan", "max", "min",
}  # fmt: skip
_SHOWN = {"heaviside": "Heaviside", "dirac_delta": "DiracDelta"}


@dataclass(frozen=True)
class Names:
    """Per node: the id in the result, the name in text and LaTeX, and its expression
    (canonical plain form and LaTeX, printed once: printing is the slow part)."""

    ids: list[str]
    text: list[str]
    latex: list[str]
    expression: list[str]
    expression_latex: list[str]


def _prefix(preferred: str, taken: set[str]) -> str:
    for letter in (preferred, "v", "u", "t", "q"):
        if not any(re.fullmatch(rf"{letter}\d+", name) for name in taken):
            return letter
    return preferred + "_"


def name_nodes(graph: Graph) -> Names:
    """Return the ids and display names of every node of ``graph``."""
    taken = {n.expr.name for n in graph.nodes if n.op == "var"}
    h, c = _prefix("h", taken), _prefix("c", taken)
    ids, text, latex = [], [], []
    ops = consts = 0
    for node in graph.nodes:
        if node.op == "var":
            ids.append(node.expr.name)
            text.append(node.expr.name)
            latex.append(to_latex(node.expr))
        elif node.op == "const":
            consts += 1
            ids.append(f"{c}{consts}")
            text.append(to_plain(node.expr))
            latex.append(to_latex(node.expr))
        else:
            ops += 1
            ids.append(f"{h}{ops}")
            text.append(f"{h}{ops}")
            latex.append(f"{h}_{{{ops}}}")
    expression = [to_plain(node.expr) for node in graph.nodes]
    expression_latex = [to_latex(node.expr) for node in graph.nodes]
    return Names(ids, text, latex, expression, expression_latex)


def _atom(label: str) -> str:
    return label if re.fullmatch(r"[\w.]+", label) else f"({label})"


def op_text(op: str, u: list[str]) -> str:
    """The operation applied to its inputs' names, in plain text: ``h1*x``, ``tanh(h2)``."""
    if op == "add":
        return " + ".join(u)
    if op == "neg":
        return f"-{_atom(u[0])}"
    if op == "mul":
        return "*".join(_atom(a) for a in u)
    if op == "pow":
        return f"{_atom(u[0])}^{_atom(u[1])}"
    return f"{_SHOWN.get(op, op)}({', '.join(u)})"


def op_latex(op: str, u: list[str]) -> str:
    """The operation applied to its inputs' LaTeX names."""
    if op == "add":
        return " + ".join(u)
    if op == "neg":
        return f"-{u[0]}"
    if op == "mul":
        return r" \cdot ".join(u)
    if op == "pow":
        return f"{{{u[0]}}}^{{{u[1]}}}"
    if op == "abs":
        return rf"\left|{u[0]}\right|"
    if op == "sigmoid":
        return rf"\sigma\left({u[0]}\right)"
    name = rf"\{op}" if op in _LATEX_FUNCTIONS else rf"\operatorname{{{_SHOWN.get(op, op)}}}"
    return rf"{name}\left({', '.join(u)}\right)"
