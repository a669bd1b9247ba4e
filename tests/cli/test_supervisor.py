"""The supervisor of ``mlcalc serve`` on real processes: a hung child (alive,
but showing no sign of life) is killed and started again; one still starting,
or showing life, is left alone."""

from __future__ import annotations

import os
import signal
import sys
import time

from services.supervisor import SignOfLife, Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]


def _run_until(supervisor: Supervisor, done, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "the supervisor did not act in time"
        supervisor.poll()
        time.sleep(0.05)


def test_a_child_that_stops_showing_life_is_restarted():
    alive = {"now": True}
    life = SignOfLife(lambda: alive["now"], grace=30.0, every=0.1, failures=2)
    supervisor = Supervisor([("worker", SLEEPER)], {"worker": life})
    supervisor.start()
    try:
        (child,) = supervisor.children
        first = child.process.pid
        _run_until(supervisor, lambda: child.seen_alive, 5)
        os.kill(first, signal.SIGSTOP)  # hung: running, but no longer answering
        alive["now"] = False
        _run_until(supervisor, lambda: child.process.pid != first, 10)
        assert child.process.poll() is None  # the replacement runs
        alive["now"] = True
        # A replacement that shows life is left alone.
        for _ in range(20):
            supervisor.poll()
            time.sleep(0.05)
        assert child.process.poll() is None and child.exits == 1
    finally:
        supervisor.stop(timeout=5)


def test_a_child_still_starting_gets_its_grace_then_is_restarted():
    life = SignOfLife(lambda: False, grace=1.0, every=0.1)
    supervisor = Supervisor([("api", SLEEPER), ("beat", SLEEPER)], {"api": life})
    supervisor.start()
    try:
        api, beat = supervisor.children
        first, beat_pid = api.process.pid, beat.process.pid
        started = time.monotonic()
        _run_until(supervisor, lambda: api.process.pid != first, 10)
        assert time.monotonic() - started >= 1.0  # never before its grace
        assert beat.process.pid == beat_pid and beat.process.poll() is None  # others untouched
    finally:
        supervisor.stop(timeout=5)


def test_a_failing_check_counts_as_no_sign_of_life():
    def broken() -> bool:
        raise OSError("connection refused")

    life = SignOfLife(broken, grace=0.2, every=0.05)
    supervisor = Supervisor([("api", SLEEPER)], {"api": life})
    supervisor.start()
    try:
        (api,) = supervisor.children
        first = api.process.pid
        _run_until(supervisor, lambda: api.process.pid != first, 10)
    finally:
        supervisor.stop(timeout=5)
