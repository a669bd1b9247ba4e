"""A backpropagation run as the contract's result (graph, value, gradient) and steps.

Steps: the graph, the forward pass (one substep per node), the backward pass
(one substep per node, from the output back, each with a substep per
consumer giving its local derivative) or the tangent pass (one substep per
node, each with a substep per input), then the gradient or the directional
derivative. Records are built here; ``wording.py`` words them.
"""

from __future__ import annotations

import math
from typing import Any

from shared.mathcore.backprop.labels import Names, name_nodes, op_latex, op_text
from shared.mathcore.backprop.ops import OPS, Number, Undefined
from shared.mathcore.backprop.run import BackpropRun
from shared.mathcore.backprop.wording import PRINTER, num
from shared.mathcore.steps import Step, StepRecord


def _float(value: Number) -> float | None:
    """A number for JSON: None where undefined or past the floating-point range."""
    return None if isinstance(value, Undefined) or not math.isfinite(value) else value


def backprop_result(run: BackpropRun, names: Names | None = None) -> dict[str, Any]:
    """Return the contract's ``backprop`` result of ``run``."""
    names = names or name_nodes(run.graph)
    key = "adjoint" if run.mode == "reverse" else "tangent"
    nodes = []
    for node in run.graph.nodes:
        derivative = run.derivatives[node.index]
        entry = {
            "id": names.ids[node.index],
            "op": node.op,
            "inputs": [names.ids[i] for i in node.inputs],
            "expression": names.expression[node.index],
            "latex": names.expression_latex[node.index],
            "value": run.forward.values[node.index],
            key: _float(derivative),
            "local_derivatives": [_float(p) for p in run.forward.local[node.index]],
        }
        if isinstance(derivative, Undefined):
            entry["undefined"] = derivative.reason
        nodes.append(entry)
    result: dict[str, Any] = {
        "mode": run.mode,
        "value": run.value,
        "graph": {"output": names.ids[run.graph.output], "nodes": nodes},
        "node_count": len(nodes),
        "kinks": [
            {
                "node": names.ids[i],
                "expression": names.expression[i],
                "reason": next(p.reason for p in run.forward.local[i] if isinstance(p, Undefined)),
            }
            for i in run.forward.at_kink(run.graph)
            if run.graph.nodes[i].op in OPS and _reaches_variable(run, i)
        ],
    }
    if run.gradient is not None:
        result["gradient"] = {name: _float(p) for name, p in run.gradient.items()}
        undefined = {n: p.reason for n, p in run.gradient.items() if isinstance(p, Undefined)}
        if undefined:
            result["gradient_undefined"] = undefined
    if run.directional is not None:
        result["direction"] = run.direction
        result["directional"] = _float(run.directional)
        if isinstance(run.directional, Undefined):
            result["directional_undefined"] = run.directional.reason
    return result


def _reaches_variable(run: BackpropRun, index: int) -> bool:
    """Whether a kink matters: an undefined slope toward a non-constant input."""
    node = run.graph.nodes[index]
    return any(
        isinstance(p, Undefined) and run.graph.nodes[i].op != "const"
        for i, p in zip(node.inputs, run.forward.local[index], strict=True)
    )


def backprop_steps(run: BackpropRun, names: Names | None = None) -> list[Step]:
    """Return the steps of ``run``: graph, forward pass, backward or tangent pass, answer."""
    names = names or name_nodes(run.graph)
    graph = run.graph
    shared = [n for n in graph.nodes if n.op not in ("var", "const") and len(n.consumers) > 1]
    records = [
        StepRecord(
            "computation-graph",
            {
                "nodes": len(graph.nodes),
                "inputs": sum(n.op == "var" for n in graph.nodes),
                "constants": sum(n.op == "const" for n in graph.nodes),
                "shared": [(names.text[n.index], len(n.consumers)) for n in shared],
            },
            before=names.expression[-1],
            after=names.text[-1],
        ),
        StepRecord(
            "forward-pass",
            {"output": names.text[-1], "value": run.value},
            before=names.expression[-1],
            after=num(run.value),
            substeps=tuple(_forward_record(run, names, n.index) for n in graph.nodes),
        ),
    ]
    if run.mode == "reverse":
        order = reversed(graph.nodes)
        records.append(
            StepRecord(
                "backward-pass",
                {"output": names.text[-1]},
                substeps=tuple(_adjoint_record(run, names, n.index) for n in order),
            )
        )
        records.append(
            StepRecord(
                "gradient",
                {"gradient": run.gradient},
                after="(" + ", ".join(num(p) for p in run.gradient.values()) + ")",
            )
        )
    else:
        records.append(
            StepRecord(
                "tangent-pass",
                {"direction": run.direction},
                substeps=tuple(_tangent_record(run, names, n.index) for n in graph.nodes),
            )
        )
        records.append(
            StepRecord(
                "directional",
                {"output": names.text[-1], "direction": run.direction, "value": run.directional},
                after=num(run.directional),
            )
        )
    return PRINTER.render_all(records)


def _applied(run: BackpropRun, names: Names, index: int) -> tuple[str, str]:
    node = run.graph.nodes[index]
    return (
        op_text(node.op, [names.text[i] for i in node.inputs]),
        op_latex(node.op, [names.latex[i] for i in node.inputs]),
    )


def _forward_record(run: BackpropRun, names: Names, index: int) -> StepRecord:
    node = run.graph.nodes[index]
    value = run.forward.values[index]
    name = names.text[index]
    if node.op in ("var", "const"):
        return StepRecord(
            f"forward-{node.op}",
            {"name": name, "value": value},
            before=names.expression[index],
            after=num(value),
            latex=names.latex[index]
            if node.op == "const"
            else f"{names.latex[index]} = {num(value)}",
        )
    text, latex = _applied(run, names, index)
    args = [run.forward.values[i] for i in node.inputs]
    return StepRecord(
        "forward-node",
        {"name": name, "applied": text, "op": node.op, "args": args, "value": value},
        before=names.expression[index],
        after=num(value),
        latex=f"{names.latex[index]} = {latex} = {num(value)}",
    )


def _local(run: BackpropRun, names: Names, consumer: int, k: int) -> StepRecord:
    """∂consumer/∂(its k-th input), as a formula and a number."""
    node = run.graph.nodes[consumer]
    u = [names.text[i] for i in node.inputs]
    slope = run.forward.local[consumer][k]
    applied, _ = _applied(run, names, consumer)
    return StepRecord(
        "local-derivative",
        {
            "name": names.text[consumer],
            "applied": applied,
            "input": u[k],
            "formula": OPS[node.op].formula(k, u),
            "slope": slope,
        },
        before=names.expression[consumer],
        after=num(slope),
        latex=(
            rf"\frac{{\partial {names.latex[consumer]}}}"
            rf"{{\partial {names.latex[node.inputs[k]]}}} = {num(slope)}"
        ),
    )


def _adjoint_record(run: BackpropRun, names: Names, index: int) -> StepRecord:
    node = run.graph.nodes[index]
    adjoint = run.derivatives[index]
    bar = rf"\bar{{{names.latex[index]}}}"
    if index == run.graph.output:
        return StepRecord(
            "adjoint-seed",
            {"name": names.text[index]},
            before=names.expression[index],
            after="1",
            latex=f"{bar} = 1",
        )
    terms, latex_terms, substeps = [], [], []
    for c in node.consumers:
        consumer = run.graph.nodes[c]
        for k, i in enumerate(consumer.inputs):
            if i != index:
                continue
            terms.append((names.text[c], run.derivatives[c], run.forward.local[c][k]))
            latex_terms.append(
                rf"\bar{{{names.latex[c]}}} \frac{{\partial {names.latex[c]}}}"
                rf"{{\partial {names.latex[index]}}}"
            )
            substeps.append(_local(run, names, c, k))
    if node.op == "const":
        return StepRecord(
            "adjoint-const",
            {"name": names.text[index], "adjoint": adjoint},
            before=names.expression[index],
            after=num(adjoint),
            latex="" if isinstance(adjoint, Undefined) else f"{bar} = {num(adjoint)}",
        )
    facts = {
        "name": names.text[index],
        "op": node.op,
        "terms": terms,
        "adjoint": adjoint,
        "resolved": run.resolved.get(node.expr.name) if node.op == "var" else None,
    }
    return StepRecord(
        "adjoint",
        facts,
        before=names.expression[index],
        after=num(adjoint),
        latex=f"{bar} = {' + '.join(latex_terms) or '0'} = {num(adjoint)}",
        substeps=tuple(substeps),
    )


def _tangent_record(run: BackpropRun, names: Names, index: int) -> StepRecord:
    node = run.graph.nodes[index]
    tangent = run.derivatives[index]
    dot = rf"\dot{{{names.latex[index]}}}"
    if node.op in ("var", "const"):
        return StepRecord(
            f"tangent-{node.op}",
            {"name": names.text[index], "tangent": tangent},
            before=names.expression[index],
            after=num(tangent),
            latex=f"{dot} = {num(tangent)}",
        )
    terms, latex_terms, substeps = [], [], []
    for k, i in enumerate(node.inputs):
        if run.graph.nodes[i].op == "const":
            continue  # a constant's tangent is 0
        terms.append((names.text[i], run.forward.local[index][k], run.derivatives[i]))
        latex_terms.append(
            rf"\frac{{\partial {names.latex[index]}}}{{\partial {names.latex[i]}}}"
            rf" \dot{{{names.latex[i]}}}"
        )
        substeps.append(_local(run, names, index, k))
    return StepRecord(
        "tangent",
        {"name": names.text[index], "terms": terms, "tangent": tangent},
        before=names.expression[index],
        after=num(tangent),
        latex=f"{dot} = {' + '.join(latex_terms) or '0'} = {num(tangent)}",
        substeps=tuple(substeps),
    )
