"""Matchers: pick the rule that differentiates an expression and build its tree.

``build_rule(expr, var)`` never raises for a SymPy expression: what no rule of
ours covers becomes a ``FallbackRule`` (SymPy's own derivative, named as such).
Function rules (exp, ln, sin, …) are stated for ``f(x)``; a function of
anything else goes through ``ChainRule`` with a fresh name ``u`` for the inner
function, so every step reads like a textbook line.
"""

from __future__ import annotations

import sympy
from sympy.core.function import AppliedUndef, ArgumentIndexError

from shared.mathcore.derivative.ml_rules import ML_TABLE, LogSumExpRule, MaxMinRule, ReductionRule
from shared.mathcore.derivative.rules import (
    HYPERBOLIC,
    INVERSE_HYPERBOLIC,
    INVERSE_TRIG,
    TRIG,
    AbsRule,
    ChainRule,
    ConstantMultipleRule,
    ConstantRule,
    ExponentialRule,
    ExpRule,
    FallbackRule,
    GenericFunctionRule,
    HyperbolicRule,
    InverseHyperbolicRule,
    InverseTrigRule,
    LogarithmicDifferentiationRule,
    LogRule,
    PowerRule,
    ProductRule,
    QuotientRule,
    Rule,
    SignRule,
    SumRule,
    TrigRule,
)
from shared.mathcore.mlfunctions import logsumexp
from shared.mathcore.reductions import RowMean, RowSum
from shared.mathcore.symbols import as_expr, generic_order

_TABLE_RULES: dict[type, type[Rule]] = {
    **{f: TrigRule for f in TRIG},
    **{f: InverseTrigRule for f in INVERSE_TRIG},
    **{f: HyperbolicRule for f in HYPERBOLIC},
    **{f: InverseHyperbolicRule for f in INVERSE_HYPERBOLIC},
}
_U_NAMES = ("u", "v", "w", "s", "t")


def build_rule(expr: sympy.Expr, var: sympy.Symbol) -> Rule:
    """Return the rule tree proving d(expr)/d(var).

    >>> x = sympy.Symbol("x", real=True)
    >>> build_rule(sympy.sin(x**2), x).result()
    2*x*cos(x**2)
    """
    return _match(as_expr(expr), var, frozenset())


def _match(expr: sympy.Expr, var: sympy.Symbol, taken: frozenset[str]) -> Rule:
    if not expr.has(var):
        return ConstantRule(expr, var)
    try:
        if expr == var:
            return PowerRule(expr, var, var, sympy.Integer(1))
        if expr.is_Add:
            terms = expr.as_ordered_terms()  # the order the printed sum reads in
            return SumRule(expr, var, tuple(_match(t, var, taken) for t in terms))
        if expr.is_Mul:
            return _match_mul(expr, var, taken)
        if expr.is_Pow:
            return _match_pow(expr, var, taken)
        if isinstance(expr, sympy.exp):
            return _function_rule(expr, var, taken, 0, lambda u: ExpRule(sympy.exp(u), u))
        if isinstance(expr, sympy.log) and len(expr.args) == 1:
            return _function_rule(expr, var, taken, 0, lambda u: LogRule(sympy.log(u), u, sympy.E))
        if isinstance(expr, sympy.Abs):
            return _function_rule(expr, var, taken, 0, lambda u: AbsRule(sympy.Abs(u), u))
        if isinstance(expr, sympy.sign):
            # SymPy leaves d/dx sign(u) unevaluated unless u is known real; the
            # real odd roots (|u|^(1/5)·sign(u)) need it for any u.
            return _function_rule(expr, var, taken, 0, lambda u: SignRule(sympy.sign(u), u))
        rule_type = _TABLE_RULES.get(type(expr))
        if rule_type is not None:
            func = type(expr)
            return _function_rule(expr, var, taken, 0, lambda u: rule_type(func(u), u, func))
        ml_rule = ML_TABLE.get(type(expr))
        if ml_rule is not None:
            func = type(expr)
            return _function_rule(expr, var, taken, 0, lambda u: ml_rule(func(u), u))
        if isinstance(expr, logsumexp | sympy.Max | sympy.Min):
            steps = tuple(_match(a, var, taken) for a in expr.args)
            rule = LogSumExpRule if isinstance(expr, logsumexp) else MaxMinRule
            return rule(expr, var, steps)
        if isinstance(expr, RowMean | RowSum):
            return ReductionRule(expr, var, _match(expr.args[0], var, taken))
        if isinstance(expr, sympy.Function) and not isinstance(expr, sympy.Piecewise):
            return _match_generic(expr, var, taken)
    except (ArgumentIndexError, NotImplementedError, TypeError, ValueError):
        # A function whose fdiff or evaluation refuses this input: SymPy decides.
        pass
    return FallbackRule(expr, var)


def _fresh_u(expr: sympy.Expr, taken: frozenset[str]) -> sympy.Symbol:
    """A name for the inner function that clashes with nothing in sight."""
    used = taken | {s.name for s in expr.free_symbols}
    used |= {f.func.__name__ for f in expr.atoms(AppliedUndef)}  # y(x) in implicit steps
    for name in _U_NAMES:
        if name not in used:
            return sympy.Symbol(name, real=True)
    i = 1
    while f"u_{i}" in used:
        i += 1
    return sympy.Symbol(f"u_{i}", real=True)


def _function_rule(expr, var, taken, index, make_rule) -> Rule:
    """f(x) by its own rule; f(g(x)) by the chain rule with u = g(x)."""
    inner = expr.args[index]
    if inner == var:
        return make_rule(var)
    u = _fresh_u(expr, taken)
    inner_taken = taken | {u.name}
    return ChainRule(expr, var, u, inner, make_rule(u), _match(inner, var, inner_taken))


def _match_generic(expr: sympy.Function, var: sympy.Symbol, taken) -> Rule:
    """Any other SymPy function of one argument that depends on var."""
    dependent = [i for i, arg in enumerate(expr.args) if arg.has(var)]
    if len(dependent) != 1:
        return FallbackRule(expr, var)
    index = dependent[0]
    if (
        isinstance(expr, AppliedUndef)
        and expr.args[index] != var
        and generic_order(expr.func) is None
    ):
        # y(x²): fdiff of an undefined function needs a symbol argument (the
        # generic functions f, g, h of the parser have f' and take any).
        return FallbackRule(expr, var)
    func = expr.func
    args = expr.args

    def make(u: sympy.Symbol) -> Rule:
        applied = func(*args[:index], u, *args[index + 1 :])
        if not isinstance(applied, sympy.Function):
            # re(u) is u for a real u: no function of u is left to differentiate.
            raise NotImplementedError(f"{func}(u) evaluates to {applied}")
        rule = GenericFunctionRule(applied, u, index + 1)
        derivative = rule.result()  # raises ArgumentIndexError when f has no fdiff
        if not isinstance(applied, AppliedUndef) and derivative.has(sympy.Derivative):
            # floor, ceiling, …: SymPy only echoes d/dx back; say so honestly.
            raise NotImplementedError(f"no derivative known for {func}")
        return rule

    return _function_rule(expr, var, taken, index, make)


def _match_pow(expr: sympy.Pow, var: sympy.Symbol, taken) -> Rule:
    base, exponent = expr.args
    if not exponent.has(var):
        return _function_rule(expr, var, taken, 0, lambda u: PowerRule(u**exponent, u, u, exponent))
    if not base.has(var):
        if base == sympy.E:
            return _function_rule(expr, var, taken, 1, lambda u: ExpRule(sympy.exp(u), u))
        return _function_rule(expr, var, taken, 1, lambda u: ExponentialRule(base**u, u, base))
    log_form = exponent * sympy.log(base)
    return LogarithmicDifferentiationRule(
        expr, var, base, exponent, log_form, _match(log_form, var, taken)
    )


def _is_denominator(factor: sympy.Expr) -> bool:
    """x^(-n), written by a reader as 1/x^n (e^(-x) stays in the numerator)."""
    return factor.is_Pow and factor.exp.is_number and bool(factor.exp.is_negative)


def _match_mul(expr: sympy.Mul, var: sympy.Symbol, taken) -> Rule:
    constant, dependent = expr.as_independent(var, as_Add=False)
    if constant != 1:
        log_base = _log_base(constant, dependent, var)
        if log_base is not None:
            c, b = log_base
            log_rule = _log_b_rule(dependent, var, taken, b)
            if c == 1:
                return log_rule
            return ConstantMultipleRule(expr, var, c, log_rule.expr, log_rule)
        return ConstantMultipleRule(expr, var, constant, dependent, _match(dependent, var, taken))
    factors = tuple(dependent.as_ordered_factors())
    if len(factors) == 1:
        return _match(factors[0], var, taken)
    denominators = [f for f in factors if _is_denominator(f)]
    numerators = [f for f in factors if not _is_denominator(f)]
    if denominators and numerators:
        numerator = sympy.Mul(*numerators)
        denominator = sympy.Mul(*(1 / f for f in denominators))
        return QuotientRule(
            expr,
            var,
            numerator,
            denominator,
            _match(numerator, var, taken),
            _match(denominator, var, taken),
        )
    return ProductRule(expr, var, factors, tuple(_match(f, var, taken) for f in factors))


def _log_base(constant, dependent, var) -> tuple[sympy.Expr, sympy.Expr] | None:
    """Spot log_b(u) = ln(u)/ln(b), which SymPy stores as a product."""
    if not isinstance(dependent, sympy.log):
        return None
    for factor in sympy.Mul.make_args(constant):
        if (
            factor.is_Pow
            and factor.exp == -1
            and isinstance(factor.base, sympy.log)
            and factor.base.args[0].is_positive
        ):
            return constant / factor, factor.base.args[0]
    return None


def _log_b_rule(log_expr: sympy.log, var, taken, base) -> Rule:
    """log_b(x) by the log rule, log_b(g(x)) by the chain rule."""
    inner = log_expr.args[0]
    expr = log_expr / sympy.log(base)
    if inner == var:
        return LogRule(expr, var, base)
    u = _fresh_u(expr, taken)
    outer = LogRule(sympy.log(u) / sympy.log(base), u, base)
    return ChainRule(expr, var, u, inner, outer, _match(inner, var, taken | {u.name}))
