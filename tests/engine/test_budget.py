"""Time budgets stop work that runs long, even inside code that swallows errors."""

from __future__ import annotations

import time

import pytest

from shared.mathcore.budget import BUDGETS, BudgetExceeded, job_budget, optional_work, time_budget

# Each guarded block would spin for 5 s (50 s in all for the loop) if its budget
# did not fire: a bound well below that tells "stopped" from "ran on" even on
# a loaded machine, where exact timings mean nothing.
HANG = 4.0


def spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_budget_interrupts_a_long_block():
    started = time.monotonic()
    with pytest.raises(BudgetExceeded), time_budget(0.2):
        spin(5)
    assert time.monotonic() - started < HANG


def test_budget_survives_a_swallowing_except():
    started = time.monotonic()
    with pytest.raises(BudgetExceeded), time_budget(0.2):
        for _ in range(100):
            try:
                spin(5)
            except Exception:  # noqa: BLE001 - like SymPy's broad handlers
                pass
    assert time.monotonic() - started < HANG


def test_inner_budget_never_extends_outer():
    started = time.monotonic()
    with pytest.raises(BudgetExceeded), time_budget(0.3):
        try:
            with time_budget(10):
                spin(5)
        except BudgetExceeded:
            raise
    assert time.monotonic() - started < HANG


def test_block_within_budget_finishes():
    with time_budget(1.0):
        spin(0.05)


class SlowFinalizer:
    def __del__(self):
        spin(0.3)


def test_an_alarm_during_a_finalizer_fires_after_it():
    # Raised inside __del__, the exception would be "unraisable": printed and
    # lost (pytest turns that warning into an error). It must arrive after.
    started = time.monotonic()
    with pytest.raises(BudgetExceeded), time_budget(0.1):
        obj = SlowFinalizer()
        del obj  # __del__ runs 0.3 s, past the 0.1 s budget
        spin(5)
    assert time.monotonic() - started < HANG


def test_an_alarm_during_a_collection_fires_after_it():
    import gc

    started = time.monotonic()
    a, b = SlowFinalizer(), SlowFinalizer()
    a.other, b.other = b, a  # a cycle: only a collection frees it
    del a, b
    with pytest.raises(BudgetExceeded), time_budget(0.1):
        gc.collect()  # 0.6 s of finalizers, past the budget
        spin(5)
    assert time.monotonic() - started < HANG


def test_no_budget_extends_past_the_jobs_time_limit():
    started = time.monotonic()
    with job_budget(0.3), pytest.raises(BudgetExceeded), time_budget(10):
        spin(5)
    assert time.monotonic() - started < HANG


def test_optional_work_draws_on_one_budget_per_job():
    with job_budget(2.0, work_fraction=0.25) as job:  # 0.5 s for optional work
        stopped = 0
        started = time.monotonic()
        for _ in range(10):
            try:
                with optional_work(0.3):
                    spin(5)
            except BudgetExceeded:
                stopped += 1
        elapsed = time.monotonic() - started
    assert stopped == 10
    assert elapsed < HANG
    assert job.ran_out


def test_a_per_call_cap_alone_does_not_spend_the_job():
    with job_budget(20.0) as job:
        with pytest.raises(BudgetExceeded), optional_work(0.1):
            spin(5)
        assert not job.ran_out
        assert job.work_left() > 4.0


def test_budgets_are_named_in_one_table():
    assert BUDGETS["simplify"] > 0
    with pytest.raises(KeyError):
        time_budget("no such budget").__enter__()
