"""The backprop engine against mpmath: gradients, per-node identities, forward mode."""

from __future__ import annotations

import mpmath
import pytest
import sympy

from shared.mathcore.backprop import (
    EvaluationError,
    Undefined,
    UnsupportedOperation,
    backprop,
    backprop_result,
    backprop_steps,
    build_graph,
)
from shared.mathcore.mlfunctions import logsumexp, relu, sigmoid, softplus
from shared.mathcore.parsing.parser import parse_expression
from shared.mathcore.reductions import RowMean, column
from shared.mathcore.symbols import variable
from tests.backprop import network as net
from tests.backprop.oracle import MP_OPS, close, local_partials, partials

x, y, z, w, b = (variable(n) for n in "xyzwb")
E = mpmath.exp
S = MP_OPS["sigmoid"]


def network():
    """The 13-parameter network of ``network.py``, built with the sigmoid function class."""
    p = {name: variable(name) for name in net.PARAMS}
    x1, x2 = (sympy.Rational(repr(t)) for t in net.INPUTS)
    hidden = [sympy.tanh(p[f"w{j}1"] * x1 + p[f"w{j}2"] * x2 + p[f"b{j}"]) for j in (1, 2, 3)]
    out = sigmoid(sum(p[f"v{j}"] * h for j, h in zip((1, 2, 3), hidden, strict=True)) + p["c"])
    return (out - net.TARGET) ** 2, list(p.values()), net.loss, net.VALUES


# (expression, variables in order, mpmath function of them, point)
CASES = [
    (x**2 + 2 * x * y + 3 * y**2, [x, y], lambda x, y: x**2 + 2 * x * y + 3 * y**2, [2, 3]),
    (
        sympy.sin(x) * sympy.exp(y) / (1 + x**2),
        [x, y],
        lambda x, y: mpmath.sin(x) * E(y) / (1 + x**2),
        [0.7, -0.3],
    ),
    (sigmoid(w * x + b), [w, b, x], lambda w, b, x: S(w * x + b), [0.5, -0.2, 1.5]),
    (
        softplus(x * y) - sympy.tanh(x - y) ** 2,
        [x, y],
        lambda x, y: mpmath.log(1 + E(x * y)) - mpmath.tanh(x - y) ** 2,
        [0.4, 1.1],
    ),
    (
        sympy.sqrt(x**2 + y**2 + 1) * sympy.atan(x / y),
        [x, y],
        lambda x, y: mpmath.sqrt(x**2 + y**2 + 1) * mpmath.atan(x / y),
        [1.3, -0.6],
    ),
    (x**y, [x, y], lambda x, y: x**y, [1.5, 2.5]),
    (2**x * sympy.log(x, 2), [x], lambda x: 2**x * mpmath.log(x, 2), [3.1]),
    (
        relu(x - 1) + sympy.Max(x, y) + sympy.Abs(y) + sympy.Min(x, z),
        [x, y, z],
        lambda x, y, z: max(x - 1, 0) + max(x, y) + abs(y) + min(x, z),
        [1.7, -0.4, 0.2],
    ),
    (
        logsumexp(x, y, 2 * z),
        [x, y, z],
        lambda x, y, z: mpmath.log(E(x) + E(y) + E(2 * z)),
        [0.1, -1.0, 0.3],
    ),
    (
        sympy.erf(x) * sympy.asinh(y) + sympy.cosh(x * y) - sympy.acos(x / 2) + sympy.sec(y),
        [x, y],
        lambda x, y: (
            mpmath.erf(x) * mpmath.asinh(y)
            + mpmath.cosh(x * y)
            - mpmath.acos(x / 2)
            + mpmath.sec(y)
        ),
        [0.9, 0.35],
    ),
    (
        sympy.gamma(x) + sympy.cot(x) + sympy.floor(y) * x,
        [x, y],
        lambda x, y: mpmath.gamma(x) + mpmath.cot(x) + mpmath.floor(y) * x,
        [2.3, 1.5],
    ),
    (
        parse_expression("x^(1/3) + cbrt(x y)", ["x", "y"]),
        [x, y],
        lambda x, y: MP_OPS["cbrt"](x) + MP_OPS["cbrt"](x * y),
        [-8, 0.5],
    ),
    (
        sympy.atan2(y, x) + sympy.exp(-(x**2)) / sympy.pi,
        [x, y],
        lambda x, y: mpmath.atan2(y, x) + E(-(x**2)) / mpmath.pi,
        [-0.5, 0.8],
    ),
]


def _point(variables, values):
    return {v: sympy.Rational(repr(float(val))) for v, val in zip(variables, values, strict=True)}


@pytest.mark.parametrize(("expr", "variables", "f", "values"), CASES)
def test_gradient_matches_mpmath(expr, variables, f, values):
    run = backprop(expr, _point(variables, values), variables=variables)
    assert close(run.value, f(*[mpmath.mpf(repr(float(v))) for v in values]))
    expected = partials(f, [float(v) for v in values])
    for var, oracle in zip(variables, expected, strict=True):
        assert close(run.gradient[var.name], oracle, rel=1e-8, abs_=1e-10), var


def test_network_gradient_matches_mpmath():
    expr, params, f, values = network()
    run = backprop(expr, _point(params, values), variables=params)
    assert close(run.value, f(*values))
    for var, oracle in zip(params, partials(f, values), strict=True):
        assert close(run.gradient[var.name], oracle, rel=1e-8, abs_=1e-12), var
    assert set(run.gradient) == {p.name for p in params}


@pytest.mark.parametrize(("expr", "variables", "values"), [(c[0], c[1], c[3]) for c in CASES])
def test_every_node_obeys_the_forward_and_adjoint_identities(expr, variables, values):
    run = backprop(expr, _point(variables, values), variables=variables)
    nodes = run.graph.nodes
    value = run.forward.values
    for node in nodes:
        args = [mpmath.mpf(value[i]) for i in node.inputs]
        if node.op == "var":
            continue
        if node.op == "const":
            assert close(value[node.index], sympy.N(node.expr, 30))
            continue
        # forward identity: value = op(inputs' values)
        assert close(value[node.index], MP_OPS[node.op](*args)), node.expr
        # local derivatives: numeric differentiation of the op
        if node.op not in ("floor",):
            oracles = local_partials(node.op, args)
            for mine, oracle in zip(run.forward.local[node.index], oracles, strict=True):
                if isinstance(mine, Undefined):  # only x^c in c for x < 0: not real there
                    assert isinstance(oracle, mpmath.mpc) and oracle.imag != 0
                else:
                    assert close(mine, oracle, rel=1e-8, abs_=1e-10), node.expr
    # adjoint identity: adjoint = Σ over consumers of adjoint × ∂consumer/∂node
    adjoint = run.derivatives
    assert adjoint[run.graph.output] == 1.0
    for node in nodes[:-1]:
        total = mpmath.mpf(0)
        for c in node.consumers:
            consumer = nodes[c]
            args = [mpmath.mpf(value[i]) for i in consumer.inputs]
            slopes = local_partials(consumer.op, args)
            total += sum(
                adjoint[c] * s
                for i, s in zip(consumer.inputs, slopes, strict=True)
                if i == node.index
            )
        if isinstance(adjoint[node.index], Undefined):  # a constant exponent of a negative base
            assert node.op == "const" and total.imag != 0
        else:
            assert close(adjoint[node.index], total, rel=1e-8, abs_=1e-10), node.expr


def test_network_per_node_identities_and_sizes():
    expr, params, _, values = network()
    run = backprop(expr, _point(params, values), variables=params)
    distinct = {node.expr for node in run.graph.nodes}
    assert len(distinct) == len(run.graph.nodes)
    # topological: every input comes before its user
    assert all(i < node.index for node in run.graph.nodes for i in node.inputs)
    ops = [node.op for node in run.graph.nodes]
    assert ops.count("tanh") == 3 and ops.count("sigmoid") == 1


def test_common_subexpressions_are_one_node():
    s = sigmoid(w * x + b)
    expr = s * (1 - s) + 2 * s**2
    run = backprop(expr, {w: 1, x: 2, b: sympy.Rational(-1, 2)})
    sigmoids = [n for n in run.graph.nodes if n.op == "sigmoid"]
    assert len(sigmoids) == 1
    assert len(sigmoids[0].consumers) >= 2
    # its adjoint sums every use: d/ds [s(1 - s) + 2s^2] = 1 + 2s
    s_value = run.forward.values[sigmoids[0].index]
    assert close(run.derivatives[sigmoids[0].index], 1 + 2 * s_value)
    result = backprop_result(run)
    ids = [n["id"] for n in result["graph"]["nodes"]]
    assert len(ids) == len(set(ids))


def test_forward_mode_matches_the_mpmath_directional_derivative():
    expr, params, f, values = network()
    direction = {p.name: (-1) ** i * (i + 1) / 10 for i, p in enumerate(params)}
    run = backprop(
        expr, _point(params, values), mode="forward", direction=direction, variables=params
    )
    d = [direction[p.name] for p in params]

    def along(t):
        return f(*[v + t * di for v, di in zip(values, d, strict=True)])

    assert close(run.directional, mp_diff(along), rel=1e-8, abs_=1e-12)
    # tangents obey the forward identity: tangent = Σ ∂node/∂input × tangent(input)
    nodes, value, tangent = run.graph.nodes, run.forward.values, run.derivatives
    for node in nodes:
        if node.op in ("var", "const"):
            continue
        slopes = local_partials(node.op, [mpmath.mpf(value[i]) for i in node.inputs])
        expected = sum(s * tangent[i] for i, s in zip(node.inputs, slopes, strict=True))
        assert close(tangent[node.index], expected, rel=1e-8, abs_=1e-12)


def mp_diff(g):
    return mpmath.diff(g, mpmath.mpf(0))


def test_forward_mode_default_direction_is_the_first_variable():
    run = backprop(x**2 * y, {x: 3, y: 2}, mode="forward")
    assert run.direction == {"x": 1.0, "y": 0.0}
    assert run.directional == 12.0


@pytest.mark.parametrize(
    ("expr", "point", "expected"),
    [
        # defined: the one-sided derivatives agree, or a kink's slope meets a zero adjoint
        (relu(x) - relu(-x), {x: 0}, {"x": 1.0}),
        (relu(x) ** 2, {x: 0}, {"x": 0.0}),
        (sympy.Abs(x) ** 3, {x: 0}, {"x": 0.0}),
        (sympy.Max(x, y), {x: 2, y: 1}, {"x": 1.0, "y": 0.0}),
        (relu(x - sympy.Rational(1, 10**30)), {x: 0}, {"x": 0.0}),
        # undefined: a kink, a tie, a jump, an infinite slope
        (relu(x), {x: 0}, {"x": None}),
        (sympy.Abs(x) + y, {x: 0, y: 1}, {"x": None, "y": 1.0}),
        (sympy.Max(x, y), {x: 1, y: 1}, {"x": None, "y": None}),
        (relu(3 * x - 1), {x: sympy.Rational(1, 3)}, {"x": None}),
        ((sympy.floor(x) - 1) ** 2, {x: 1}, {"x": None}),
        (sympy.sqrt(x), {x: 0}, {"x": None}),
        (sympy.sqrt(x**2 + y**2), {x: 0, y: 0}, {"x": None, "y": None}),
    ],
)
def test_kinks_are_undefined_never_a_convention(expr, point, expected):
    run = backprop(expr, point)
    for name, value in expected.items():
        partial = run.gradient[name]
        if value is None:
            assert isinstance(partial, Undefined) and partial.reason, name
        else:
            assert partial == value, name
    if any(v is None for v in expected.values()):
        assert run.forward.at_kink(run.graph)


def test_kink_in_forward_mode():
    run = backprop(sympy.Abs(x) + y, {x: 0, y: 0}, mode="forward", direction={"x": 1, "y": 0})
    assert run.directional is not None and not isinstance(run.directional, float)
    run = backprop(sympy.Abs(x) + y, {x: 0, y: 0}, mode="forward", direction={"x": 0, "y": 1})
    assert run.directional == 1.0


def test_unsupported_and_undefined_fail_with_a_reason():
    f = sympy.Function("f")
    with pytest.raises(UnsupportedOperation, match="generic function"):
        build_graph(f(x) + 1)
    with pytest.raises(UnsupportedOperation, match="mean"):
        build_graph(RowMean((w * column("x") - column("y")) ** 2))
    with pytest.raises(EvaluationError, match="log"):
        backprop(sympy.log(x) + 1, {x: -1})
    with pytest.raises(EvaluationError):
        backprop(1 / x, {x: 0})


def test_node_expressions_read_back_to_their_values():
    expr, params, _, values = network()
    run = backprop(expr, _point(params, values), variables=params)
    result = backprop_result(run)
    names = [p.name for p in params]
    point = _point(params, values)
    for node in result["graph"]["nodes"]:
        parsed = parse_expression(node["expression"], names)
        assert close(node["value"], sympy.N(parsed.xreplace(point), 30))


def test_parsed_textbook_network_of_one_neuron():
    expr = parse_expression("(sigmoid(w x + b) - y)^2", ["w", "b", "x", "y"])
    run = backprop(expr, {w: 2, b: -1, x: 1, y: 1})
    s = 1 / (1 + mpmath.e ** (-1))
    assert close(run.value, (s - 1) ** 2)
    assert close(run.gradient["w"], 2 * (s - 1) * s * (1 - s) * 1)
    assert close(run.gradient["b"], 2 * (s - 1) * s * (1 - s))


def test_steps_follow_the_graph_node_by_node():
    expr, params, _, values = network()
    run = backprop(expr, _point(params, values), variables=params)
    steps = backprop_steps(run)
    graph, forward, backward, answer = steps
    assert [s["rule"] for s in steps] == [
        "computation-graph",
        "forward-pass",
        "backward-pass",
        "gradient",
    ]
    n = len(run.graph.nodes)
    assert len(forward["substeps"]) == n and len(backward["substeps"]) == n
    # the backward pass starts at the output, and each node lists one local
    # derivative per use
    assert backward["substeps"][0]["rule"] == "adjoint-seed"
    edges = {node.index: 0 for node in run.graph.nodes}
    for node in run.graph.nodes:
        for i in node.inputs:
            edges[i] += 1
    for step, node in zip(backward["substeps"], reversed(run.graph.nodes), strict=True):
        if step["rule"] == "adjoint":
            assert len(step["substeps"]) == edges[node.index]
            assert step["text"].startswith("adjoint of ")
    sigmoid_slopes = [
        s["text"]
        for step in backward["substeps"]
        for s in step["substeps"]
        if "= sigmoid(" in s["text"]
    ]
    assert sigmoid_slopes and "*(1 - sigmoid(" in sigmoid_slopes[0]
    for name in ("w11", "c"):
        assert f"∂f/∂{name} = " in answer["text"]


def test_tangent_steps():
    run = backprop(sympy.sin(x) * y, {x: 0, y: 2}, mode="forward", direction={"x": 1, "y": 0})
    steps = backprop_steps(run)
    assert [s["rule"] for s in steps][-2:] == ["tangent-pass", "directional"]
    assert len(steps[2]["substeps"]) == len(run.graph.nodes)
    assert steps[-1]["after"] == "2"


def test_sigma_typed_twice_is_one_node():
    expr = parse_expression("σ(z)(1 - σ(z)) + relu(z - 1)", ["z"])
    z = variable("z")
    run = backprop(expr, {z: sympy.Rational(1, 2)})
    ops = [node.op for node in run.graph.nodes]
    assert ops.count("sigmoid") == 1 and ops.count("relu") == 1
    s = 1 / (1 + mpmath.exp(-0.5))
    assert close(run.gradient["z"], s * (1 - s) * (1 - 2 * s))  # relu(z - 1) is flat here
