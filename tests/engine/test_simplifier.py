"""The one simplifier: shorter equal forms, within per-call caps and the job's work budget."""

from __future__ import annotations

import threading
import time

import sympy
from sympy import cos, csc, exp, sec, sin, tan

from shared.mathcore.budget import job_budget
from shared.mathcore.simplifier import simplest
from shared.mathcore.symbols import variable
from tests.derivative.steps_oracle import check_equal

x = variable("x")

# About 8 s for sympy.simplify without a budget.
BIG = sympy.diff(
    sympy.tan(sin(x) ** 2 + cos(x)) ** 3 / (1 + exp(sin(x) * cos(x))) + sec(x**2) * csc(x), x
)


def test_chosen_form_is_never_longer_than_the_raw_form():
    for expr in (x / (x + 1), x * exp(-x) * cos(x), (x + 1) ** 3 / (x + 1), tan(x) * cos(x)):
        raw = sympy.diff(expr, x)
        chosen = simplest(raw).expr
        assert sympy.count_ops(chosen) <= sympy.count_ops(raw)
        assert check_equal(chosen, raw, main=x).status == "ok"


def test_simplification_respects_its_per_call_cap():
    started = time.monotonic()
    chosen, complete = simplest(BIG, thorough=True, budget=0.05)
    assert time.monotonic() - started < 1.5
    assert complete  # a per-call cap is not the job's budget running out
    assert check_equal(chosen, BIG, main=x).status == "ok"


def test_a_spent_job_budget_returns_the_raw_form_and_says_so():
    with job_budget(10.0, work_fraction=0.0) as job:
        started = time.monotonic()
        chosen, complete = simplest(BIG, thorough=True)
    assert time.monotonic() - started < 0.5
    assert (chosen, complete) == (BIG, False)
    assert job.ran_out


def test_per_call_caps_add_up_to_at_most_the_job_budget():
    # Ten 0.3 s simplifications of a slow form within a 0.4 s work budget.
    with job_budget(1.6, work_fraction=0.25) as job:
        started = time.monotonic()
        outcomes = [simplest(BIG + k, thorough=True) for k in range(10)]
        elapsed = time.monotonic() - started
    assert elapsed < 0.4 + 0.5  # the budget, plus the cheap checks between calls
    assert job.spent <= 0.4 + 0.1
    assert not outcomes[-1].complete
    for k, (chosen, _) in enumerate(outcomes):
        assert check_equal(chosen, BIG + k, main=x).status == "ok"


def test_thorough_simplification_in_a_thread_uses_fast_forms_only(monkeypatch):
    calls = []
    real_simplify = sympy.simplify

    def recording_simplify(expr, *args, **kwargs):
        calls.append(threading.current_thread().name)
        return real_simplify(expr, *args, **kwargs)

    monkeypatch.setattr(sympy, "simplify", recording_simplify)
    raw = sympy.diff(x * exp(-x) * cos(x), x)
    out = {}
    worker = threading.Thread(
        target=lambda: out.setdefault("chosen", simplest(raw, thorough=True).expr)
    )
    worker.start()
    worker.join(timeout=30)
    assert calls == []  # unguarded by a budget outside the main thread: not tried
    assert check_equal(out["chosen"], raw, main=x).status == "ok"
    simplest(raw, thorough=True)
    assert calls == [threading.main_thread().name]
