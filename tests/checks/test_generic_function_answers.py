"""Answers with generic functions (f, g, phi; f', f_1, f_12) are decided, as STACK
decides answers with arbitrary functions: right forms are correct, and the usual
slips (a lost inner derivative, a wrong partial, a sign) are not equivalent,
never "could not decide". Each wrong answer below is wrong by construction: it
differs from the expected one for f = sin, which the test checks independently.
"""

from __future__ import annotations

import pytest
import sympy

from shared.mathcore.checks import check_answer
from shared.mathcore.parsing.parser import parse_expression
from shared.mathcore.symbols import generic_order, variable

x, y = variable("x"), variable("y")

# (expected, right answers, wrong answers)
CASES = [
    ("f'(g(x))*g'(x)", ["g'(x) f'(g(x))"], ["f'(g(x))", "f'(x) g'(x)", "-f'(g(x))*g'(x)"]),
    ("2x f'(x^2)", ["f'(x^2)*2*x", "x*(2 f'(x^2))"], ["f'(x^2)", "2x f(x^2)", "2 f'(x^2)"]),
    ("x f'(x) + f(x)", ["f(x) + x f'(x)"], ["x f'(x)", "f'(x)", "x f(x) + f'(x)"]),
    (
        "f''(x) g(x) + 2 f'(x) g'(x) + f(x) g''(x)",
        ["f(x) g''(x) + 2g'(x)f'(x) + g(x)f''(x)"],
        ["f''(x) g(x) + f'(x) g'(x) + f(x) g''(x)", "f''(x) g''(x)"],
    ),
    (
        "f_1(x, x^2) + 2x f_2(x, x^2)",
        ["2*x*f_2(x, x^2) + f_1(x, x^2)"],
        [
            "f_1(x, x^2) + f_2(x, x^2)",
            "f_1(x, x^2) + 2x f_1(x, x^2)",
            "2x f_1(x, x^2) + f_2(x, x^2)",
        ],
    ),
    ("y f_1(x y, y)", ["f_1(x*y, y)*y"], ["f_1(x y, y)", "y f_2(x y, y)", "x f_1(x y, y)"]),
    ("f_12(x, y)", ["f_21(x, y)"], ["f_11(x, y)", "f_1(x, y) f_2(x, y)"]),
]


def concrete(text: str) -> sympy.Expr:
    """The expression with every generic function replaced by sin (an independent oracle)."""
    expr = parse_expression(text)
    u = [sympy.Dummy(f"u{i}") for i in range(3)]

    def replace(call):
        n = len(call.args)
        base = sum(u[:n]) if n > 1 else u[0]
        partials = getattr(call.func, "generic_partials", "")
        by = [u[int(i) - 1] for i in partials] if partials else [u[0]] * generic_order(call.func)[1]
        body = sympy.sin(base + sum((i + 1) * ui**2 for i, ui in enumerate(u[:n])))
        body = sympy.diff(body, *by) if by else body  # diff() with no symbol would take d/du0
        return body.subs(dict(zip(u[:n], call.args, strict=False)), simultaneous=True)

    return expr.replace(lambda e: generic_order(getattr(e, "func", None)) is not None, replace)


def differ(a: str, b: str) -> bool:
    gap = concrete(a) - concrete(b)
    return any(abs(float(gap.subs({x: t, y: 0.7 - t}))) > 1e-9 for t in (0.3, -1.1, 1.7))


@pytest.mark.parametrize(("expected", "right", "wrong"), CASES, ids=[c[0] for c in CASES])
def test_generic_function_answers_are_decided(expected, right, wrong):
    for answer in right:
        outcome = check_answer(answer, expected, "equivalent").to_dict()
        assert outcome["correct"] is True, (answer, outcome["feedback"])
    for answer in wrong:
        assert differ(answer, expected), f"the test's own wrong answer {answer} is not wrong"
        outcome = check_answer(answer, expected, "equivalent").to_dict()
        assert outcome["correct"] is False, (answer, outcome["feedback"])
        assert "could not decide" not in outcome["feedback"].lower(), (answer, outcome)


def test_check_jobs_with_declared_functions():
    """``functions`` declares generic names for check jobs and the problems they grade."""
    from shared.jobs.registry import get_kind
    from shared.mathcore.budget import job_budget

    kind = get_kind("check")

    def run(params):
        with job_budget(30.0):
            return kind.run(kind.params_model.model_validate(params)).result

    out = run({"expected": "phi'(x^2)*2x", "answer": "2x phi'(x^2)", "functions": ["phi"]})
    assert out["correct"] is True
    out = run({"expected": "phi'(x^2)*2x", "answer": "phi'(x^2)", "functions": ["phi"]})
    assert out["correct"] is False and out["decided"] is True
    derivative = {"kind": "derivative", "params": {"expression": "phi(x^2)", "functions": ["phi"]}}
    out = run({"problem": derivative, "answer": "2 x phi'(x^2)", "functions": ["phi"]})
    assert out["correct"] is True
    out = run({"problem": derivative, "answer": "phi'(x^2)", "functions": ["phi"]})
    assert out["correct"] is False and out["decided"] is True
    gradient = {"kind": "gradient", "params": {"expression": "f(x y, y)"}}
    out = run({"problem": gradient, "answer": ["y f_1(x y, y)", "x f_1(x y, y) + f_2(x y, y)"]})
    assert out["correct"] is True
    out = run({"problem": gradient, "answer": ["f_1(x y, y)", "x f_1(x y, y) + f_2(x y, y)"]})
    assert out["correct"] is False and out["score"] == 0.5
