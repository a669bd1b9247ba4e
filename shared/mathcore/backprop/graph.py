"""Build the computation graph of a SymPy expression: one node per distinct subexpression.

SymPy keeps equal subexpressions equal (and hashable), so a dictionary from
subexpression to node merges them: ``σ(z)`` used twice is one node with two
consumers. Nodes come in topological order (every input before the nodes
that use it). A subexpression without symbols (``2``, ``pi``, ``1/log(2)``)
is one ``const`` leaf. SymPy is used here only, once per job; the passes
that follow run on floats.

>>> from shared.mathcore.symbols import variable
>>> x = variable("x")
>>> graph = build_graph(sympy.sin(x) * sympy.sin(x) + sympy.sin(x))
>>> [node.op for node in graph.nodes]
['var', 'sin', 'const', 'pow', 'add']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy
from sympy.core.function import AppliedUndef

from shared.mathcore.backprop.ops import OPS

# SymPy class names that differ from the op name.
_OP_NAMES = {
    "Abs": "abs",
    "Max": "max",
    "Min": "min",
    "Heaviside": "heaviside",
    "DiracDelta": "dirac_delta",
}
# Reductions over data rows: a graph takes one number per symbol.
_REDUCTIONS = {"RowSum": "sum", "RowMean": "mean"}


class UnsupportedOperation(ValueError):
    """The expression holds an operation the graph cannot evaluate; says which."""


@dataclass
class Node:
    """One node: ``op`` applied to the nodes at ``inputs`` (indices into the graph)."""

    index: int
    op: str
    inputs: tuple[int, ...]
    expr: sympy.Expr
    constant: float | None = None  # the value of a ``const`` node
    consumers: list[int] = field(default_factory=list)


@dataclass
class Graph:
    """Nodes in topological order; ``output`` is the last one."""

    nodes: list[Node]
    variables: tuple[sympy.Symbol, ...]

    @property
    def output(self) -> int:
        return len(self.nodes) - 1

    def var_index(self) -> dict[str, int]:
        """Return the node index of each variable, by name."""
        return {n.expr.name: n.index for n in self.nodes if n.op == "var"}


def op_of(expr: sympy.Expr) -> tuple[str, tuple[sympy.Expr, ...]]:
    """Return the op name of ``expr`` and its inputs (UnsupportedOperation if none)."""
    if isinstance(expr, sympy.Symbol):
        return "var", ()
    if not expr.free_symbols:
        return "const", ()
    if isinstance(expr, sympy.Add):
        return "add", expr.args
    if isinstance(expr, sympy.Mul):
        if len(expr.args) == 2 and expr.args[0] == sympy.S.NegativeOne:
            return "neg", (expr.args[1],)
        return "mul", expr.args
    if isinstance(expr, sympy.Pow):
        return "pow", expr.args
    name = type(expr).__name__
    if name in _REDUCTIONS:
        raise UnsupportedOperation(
            f"{_REDUCTIONS[name]}(...) reduces over data rows; a computation graph takes one "
            "number per symbol"
        )
    if isinstance(expr, AppliedUndef):
        raise UnsupportedOperation(
            f"{name} is a generic function with no formula, so it has no value at a point"
        )
    op = _OP_NAMES.get(name, name)
    if op in OPS and expr.args:
        return op, expr.args
    raise UnsupportedOperation(f"the computation graph has no rule for {name}")


def build_graph(expr: sympy.Expr, variables: tuple[sympy.Symbol, ...] | None = None) -> Graph:
    """Return the graph of ``expr``, inputs first; ``variables`` orders the var nodes' report."""
    index: dict[sympy.Expr, int] = {}
    nodes: list[Node] = []
    # Iterative post-order walk: deep expressions must not hit the recursion limit.
    stack: list[tuple[sympy.Expr, bool]] = [(expr, False)]
    while stack:
        current, expanded = stack.pop()
        if current in index:
            continue
        op, args = op_of(current)
        if not expanded and args:
            stack.append((current, True))
            stack.extend((a, False) for a in reversed(args) if a not in index)
            continue
        node = Node(len(nodes), op, tuple(index[a] for a in args), current)
        if op == "const":
            node.constant = _constant_value(current)
        index[current] = node.index
        nodes.append(node)
    for node in nodes:
        for i in node.inputs:
            if node.index not in nodes[i].consumers:
                nodes[i].consumers.append(node.index)
    found = sorted((n.expr for n in nodes if n.op == "var"), key=lambda s: natural_key(s.name))
    if variables is not None:
        found = list(variables) + [s for s in found if s not in variables]
    return Graph(nodes, tuple(found))


def _constant_value(expr: sympy.Expr) -> float:
    value = complex(sympy.N(expr, 17))
    if value.imag != 0 or value.real != value.real or abs(value.real) == float("inf"):
        raise UnsupportedOperation(f"the constant {expr} is not a finite real number")
    return value.real


def natural_key(name: str) -> list:
    """Sort key that puts w2 before w10.

    >>> sorted(["w10", "w2", "b"], key=natural_key)
    ['b', 'w2', 'w10']
    """
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]
