"""Time budgets stop work that runs long, even inside code that swallows errors."""

from __future__ import annotations

import time

import pytest

from shared.mathcore.budget import BudgetExceeded, time_budget


def spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_budget_interrupts_a_long_block():
    started = time.monotonic()
    with pytest.raises(BudgetExceeded), time_budget(0.2):
        spin(5)
    assert time.monotonic() - started < 1.0


def test_budget_survives_a_swallowing_except():
    started = time.monotonic()
    with pytest.raises(BudgetExceeded), time_budget(0.2):
        for _ in range(100):
            try:
                spin(5)
            except Exception:  # noqa: BLE001 - like SymPy's broad handlers
                pass
    assert time.monotonic() - started < 1.0


def test_inner_budget_never_extends_outer():
    started = time.monotonic()
    with pytest.raises(BudgetExceeded), time_budget(0.3):
        try:
            with time_budget(10):
                spin(5)
        except BudgetExceeded:
            raise
    assert time.monotonic() - started < 1.0


def test_block_within_budget_finishes():
    with time_budget(1.0):
        spin(0.05)
