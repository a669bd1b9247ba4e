"""Backpropagation on a computation graph: reverse- and forward-mode differentiation.

``build_graph`` turns a parsed expression into nodes (one per distinct
subexpression), ``backprop`` runs the forward pass and then the reverse
(adjoints) or forward (tangents) pass on floats, ``backprop_result`` and
``backprop_steps`` present the run as the contract's result and steps.
"""

from shared.mathcore.backprop.graph import Graph, Node, UnsupportedOperation, build_graph
from shared.mathcore.backprop.ops import Undefined
from shared.mathcore.backprop.passes import EvaluationError
from shared.mathcore.backprop.present import backprop_result, backprop_steps
from shared.mathcore.backprop.run import BackpropRun, backprop

__all__ = [
    "BackpropRun",
    "EvaluationError",
    "Graph",
    "Node",
    "Undefined",
    "UnsupportedOperation",
    "backprop",
    "backprop_result",
    "backprop_steps",
    "build_graph",
]
