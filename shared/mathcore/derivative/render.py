"""The printer: turn a rule tree into steps with English text and LaTeX.

A :class:`StepNode` keeps the SymPy objects of a step (what it starts from,
what it gives, and what kind of claim it makes), so the tests check exactly
what a reader sees; ``to_dict`` turns it into the contract's STEP shape.
Nothing here computes a derivative: results come from ``Rule.result()``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import sympy
from sympy.core.function import AppliedUndef

from shared.mathcore.derivative import ml_rules as ml
from shared.mathcore.derivative import rules as r
from shared.mathcore.printing import to_latex, to_plain
from shared.mathcore.reductions import DataColumn, RowMean
from shared.mathcore.steps import make_step
from shared.mathcore.symbols import generic_order

# What a step claims about (before, after): "derivative": after = d(before)/d(var);
# "equal": after = before; "equation": an equation rewritten into an equivalent one.
DERIVATIVE, EQUAL, EQUATION = "derivative", "equal", "equation"
# (old, new) pairs applied in order to what is printed, never to what is checked.
Display = Sequence[tuple[sympy.Basic, sympy.Basic]]


@dataclass(frozen=True)
class StepNode:
    """One step of a trace, with its SymPy objects kept for checking."""

    rule: str
    text: str
    before: sympy.Basic
    after: sympy.Basic
    kind: str
    var: sympy.Symbol | None
    substeps: tuple[StepNode, ...] = ()
    partial: bool = False
    simplified: bool | None = None  # False: the job's work budget stopped simplifying

    def to_dict(self, display: Display = ()) -> dict:
        """Return the contract's STEP dict; ``display`` renames objects for print (y(x) → y)."""
        before = _shown(self.before, display)
        after = _shown(self.after, display)
        if self.kind == DERIVATIVE:
            op = (
                rf"\frac{{\partial}}{{\partial {to_latex(self.var)}}}"
                if self.partial
                else rf"\frac{{d}}{{d{to_latex(self.var)}}}"
            )
            latex = rf"{op}\left[{_latex(before)}\right] = {_latex(after)}"
        elif self.kind == EQUAL:
            latex = f"{_latex(before)} = {_latex(after)}"
        else:
            latex = rf"{_latex(before)} \quad\Longrightarrow\quad {_latex(after)}"
        return make_step(
            self.rule,
            self.text,
            before=_plain(before),
            after=_plain(after),
            latex=latex,
            substeps=[s.to_dict(display) for s in self.substeps],
            simplified=self.simplified,
        )


def iter_nodes(nodes: tuple[StepNode, ...] | list[StepNode]) -> Iterator[StepNode]:
    """Yield every node, substeps included, depth first in reading order."""
    for node in nodes:
        yield node
        yield from iter_nodes(node.substeps)


def _shown(expr: sympy.Basic, display: Display) -> sympy.Basic:
    if not display:
        return expr
    # In the given order: Derivative(y(x), x) is renamed before y(x) alone.
    return expr.subs(list(display))


def _plain(expr: sympy.Basic) -> str:
    if isinstance(expr, sympy.Equality):
        return f"{to_plain(expr.lhs)} = {to_plain(expr.rhs)}"
    return to_plain(expr)


def _latex(expr: sympy.Basic) -> str:
    if isinstance(expr, sympy.Equality):
        return f"{to_latex(expr.lhs)} = {to_latex(expr.rhs)}"
    return to_latex(expr)


def render_rule(rule: r.Rule, partial: bool = False, display: Display = ()) -> StepNode:
    """Return the step (with substeps) that explains ``rule``."""
    # f(u) in a chain rule is a function of u alone: an ordinary derivative.
    children = tuple(
        render_rule(child, partial and child.var == rule.var, display) for child in rule.children()
    )
    return StepNode(
        rule=rule.code,
        text=rule_text(rule, display),
        before=rule.expr,
        after=rule.result(),
        kind=DERIVATIVE,
        var=rule.var,
        substeps=children,
        partial=partial,
    )


_FAMILY = {
    r.TrigRule: "Trigonometric derivative",
    r.InverseTrigRule: "Inverse trigonometric derivative",
    r.HyperbolicRule: "Hyperbolic derivative",
    r.InverseHyperbolicRule: "Inverse hyperbolic derivative",
}


def rule_text(rule: r.Rule, display: Display = ()) -> str:
    """Plain English for one rule, naming its parts in the canonical plain form."""

    def p(expr: sympy.Basic) -> str:
        return to_plain(_shown(expr, display))

    x = p(rule.var)
    d = f"d/d{x}"
    if isinstance(rule, r.ConstantRule):
        symbols = rule.expr.free_symbols
        held = sorted(s.name for s in symbols if not isinstance(s, DataColumn))
        columns = sorted(s.name for s in symbols if isinstance(s, DataColumn))
        reasons = [f"{', '.join(held)} held constant"] if held else []
        if columns:  # a column is data: fixed numbers, one per row
            kind = "data column" if len(columns) == 1 else "data columns"
            reasons.append(f"the {kind} {', '.join(columns)} fixed")
        if reasons:
            return (
                f"{p(rule.expr)} does not depend on {x} ({'; '.join(reasons)}), "
                "so its derivative is 0."
            )
        return f"The derivative of the constant {p(rule.expr)} is 0."
    if isinstance(rule, r.ConstantMultipleRule):
        return (
            f"Constant multiple rule: take the constant factor {p(rule.constant)} out, "
            f"{d}[c·f] = c·{d}[f], with f = {p(rule.other)}."
        )
    if isinstance(rule, r.SumRule):
        signed = any(t.could_extract_minus_sign() for t in rule.expr.args)
        kind = "sum and difference" if signed else "sum"
        return f"Differentiate term by term ({kind} rule): {d}[f ± g] = {d}[f] ± {d}[g]."
    if isinstance(rule, r.PowerRule):
        return _power_text(rule, d, p)
    if isinstance(rule, r.ProductRule):
        return _product_text(rule, d, p)
    if isinstance(rule, r.QuotientRule):
        return (
            f"Quotient rule: {d}[f/g] = (f'·g - f·g')/g^2, with f = {p(rule.numerator)} "
            f"and g = {p(rule.denominator)}."
        )
    if isinstance(rule, r.ChainRule):
        u = p(rule.u)
        if generic_order(rule.outer_step.expr.func) is not None:  # f(g(x)): f is the outer one
            inner = p(rule.inner)
            return f"Apply the chain rule with {u} = {inner}: {d}[f({u})] = f'({u})·d{u}/d{x}."
        return (
            f"Apply the chain rule with {u} = {p(rule.inner)}: "
            f"{d}[f({u})] = f'({u})·d{u}/d{x}, where f({u}) = {p(rule.outer_step.expr)}."
        )
    if isinstance(rule, r.ExpRule):
        return f"The exponential function is its own derivative: {d}[e^{x}] = e^{x}."
    if isinstance(rule, r.ExponentialRule):
        a = p(rule.base)
        return f"Exponential rule: {d}[a^{x}] = a^{x}·ln(a), with a = {a}."
    if isinstance(rule, r.LogRule):
        if rule.base == sympy.E:
            return f"Natural logarithm: {d}[ln({x})] = 1/{x}."
        b = p(rule.base)
        return f"Logarithm with base {b}: {d}[log_{b}({x})] = 1/({x}·ln({b}))."
    if isinstance(rule, r._TableRule):
        name = rule.function.__name__
        return f"{_FAMILY[type(rule)]}: {d}[{name}({x})] = {p(rule.result())}."
    if isinstance(rule, r.AbsRule):
        return f"Absolute value: {d}|{x}| = {x}/|{x}|, the sign of {x}; it is undefined at {x} = 0."
    if isinstance(rule, r.SignRule):
        return (
            f"Sign: sign({x}) is constant on each side of 0, so {d}[sign({x})] = 0 "
            f"for {x} ≠ 0; it jumps at {x} = 0 and has no derivative there."
        )
    if isinstance(rule, r.LogarithmicDifferentiationRule):
        return (
            f"Both the base {p(rule.base)} and the exponent {p(rule.exponent)} depend on {x}, "
            f"so use logarithmic differentiation: with y = {p(rule.expr)}, "
            f"ln(y) = {p(rule.log_form)}, so y'/y = {d}[{p(rule.log_form)}] "
            f"and y' = y·{d}[{p(rule.log_form)}]."
        )
    ml_text = _ml_text(rule, x, d, p)
    if ml_text is not None:
        return ml_text
    if isinstance(rule, r.GenericFunctionRule) and generic_order(rule.expr.func) is not None:
        name = rule.expr.func.__name__
        return (
            f"{name} is a generic function: its derivative is written {name}', "
            f"so {d}[{p(rule.expr)}] = {p(rule.result())}."
        )
    if isinstance(rule, r.GenericFunctionRule) and isinstance(rule.expr, AppliedUndef):
        name = p(rule.expr)
        return f"{name} depends on {x}: its derivative is {p(rule.result())} = d{name}/d{x}."
    if isinstance(rule, r.GenericFunctionRule):
        name = getattr(rule.expr.func, "__name__", str(rule.expr.func))
        return (
            f"The derivative of {name} (as SymPy defines it): "
            f"{d}[{p(rule.expr)}] = {p(rule.result())}."
        )
    if isinstance(rule, r.FallbackRule):
        name = getattr(rule.expr.func, "__name__", "this expression")
        return (
            f"No step-by-step rule covers {name}; this is SymPy's derivative, in one step: "
            f"{d}[{p(rule.expr)}] = {p(rule.result())}."
        )
    raise TypeError(f"no wording for {type(rule).__name__}")


def _ml_text(rule: r.Rule, x: str, d: str, p) -> str | None:
    """Wording of the rules of ``ml_rules``, or None for another rule."""
    if isinstance(rule, ml.SigmoidRule):
        return (
            f"Sigmoid rule: σ′ = σ(1 − σ), so {d}[sigmoid({x})] = sigmoid({x})·(1 − sigmoid({x}))."
        )
    if isinstance(rule, ml.SoftplusRule):
        return (
            f"Softplus rule: softplus({x}) = ln(1 + e^{x}), so {d}[softplus({x})] = sigmoid({x})."
        )
    if isinstance(rule, ml.ReluRule):
        return (
            f"ReLU rule: {d}[relu({x})] = step({x}), which is 1 for {x} > 0 and 0 for {x} < 0; "
            f"relu has a kink at {x} = 0, where its derivative is undefined."
        )
    if isinstance(rule, ml.StepRule):
        return (
            f"step({x}) is constant on each side of 0 (derivative 0) and jumps at {x} = 0, "
            f"where it has no derivative: {d}[step({x})] = {p(rule.result())}."
        )
    if isinstance(rule, ml.CubeRootRule):
        return (
            f"Cube root rule (the real cube root, cbrt({x}) = {x}^(1/3)): "
            f"{d}[cbrt({x})] = 1/(3·cbrt({x})^2), undefined at {x} = 0."
        )
    if isinstance(rule, ml.LogSumExpRule):
        args = ", ".join(p(a) for a in rule.expr.args)
        return (
            f"logsumexp rule: {d}[logsumexp(a_1, ..., a_n)] = Σ softmax_i·a_i', where "
            f"softmax_i = exp(a_i − logsumexp(a_1, ..., a_n)), with the arguments {args}."
        )
    if isinstance(rule, ml.MaxMinRule):
        name, wins = ("max", "largest") if rule.is_max else ("min", "smallest")
        args = ", ".join(p(a) for a in rule.expr.args)
        return (
            f"{name.capitalize()} rule: the derivative of {name}({args}) is the derivative of "
            f"whichever argument is {wins} (step of the difference: 1 where it wins, 0 where it "
            f"loses); where the arguments tie, {name} has a kink and its derivative is undefined."
        )
    if isinstance(rule, ml.ReductionRule):
        inner = p(rule.expr.args[0])
        if isinstance(rule.expr, RowMean):
            return (
                f"The derivative of a mean is the mean of the derivatives: "
                f"{d}[mean(E)] = mean({d}[E]), row by row, with E = {inner}."
            )
        return (
            f"The derivative of a sum over the rows is the sum of the derivatives: "
            f"{d}[sum(E)] = sum({d}[E]), row by row, with E = {inner}."
        )
    return None


def _power_text(rule: r.PowerRule, d: str, p) -> str:
    x, n = p(rule.base), rule.exponent
    if n == 1:
        return f"The derivative of {x} with respect to {x} is 1."
    shown = p(n)
    note = ""
    if n.is_Rational and not n.is_Integer:
        note = f" (a root is a fractional power: {p(rule.expr)} = {x}^({shown}))"
    elif n.is_negative:
        note = f" (1/{x}^k is {x}^(-k))"
    return f"Power rule{note}: {d}[{x}^n] = n·{x}^(n-1), with n = {shown}."


def _product_text(rule: r.ProductRule, d: str, p) -> str:
    names = [p(f) for f in rule.factors]
    if len(names) == 2:
        return f"Product rule: {d}[f·g] = f'·g + f·g', with f = {names[0]} and g = {names[1]}."
    listed = ", ".join(names)
    return (
        f"Product rule for {len(names)} factors ({listed}): differentiate one factor at a "
        "time, keep the others, and add the results."
    )
