"""Keep the one-command run alive: a small process supervisor for ``mlcalc serve``.

Each child (the API, the worker, the recovery beat) runs in its own process
group. When one exits, whatever it left behind in its group (a worker's pool
children, say) is killed and the child alone is started again, within a
second the first time and with a growing pause (up to 30 s) while it keeps
dying young; the others, the API above all, are never stopped with it.
A child may also have a sign of life (the worker's alive file, the API's
``/healthz``): one that has shown none for a while is hung, and is killed and
started again the same way. SIGTERM or SIGINT stops every child and returns.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

FIRST_PAUSE = 0.5  # seconds before the first restart
MAX_PAUSE = 30.0
STEADY_AFTER = 30.0  # a child that lived this long restarts at FIRST_PAUSE again
POLL_EVERY = 0.2


@dataclass(frozen=True)
class SignOfLife:
    """How to tell that a running child is not hung."""

    check: Callable[[], bool]  # True while the child shows life
    grace: float = 90.0  # seconds a start may take before its first sign of life
    every: float = 5.0  # seconds between checks
    failures: int = 1  # consecutive failed checks that mean hung


def beat_command(schedule: Path, log_level: str) -> list[str]:
    """The recovery schedule as a process of its own (``celery beat``)."""
    schedule.parent.mkdir(parents=True, exist_ok=True)
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "workers.celery_app",
        "beat",
        "--schedule",
        str(schedule),
        "--loglevel",
        log_level,
    ]


@dataclass
class Child:
    """One supervised command and its current process."""

    name: str
    command: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    pause: float = FIRST_PAUSE
    restart_at: float | None = None
    exits: int = 0
    life: SignOfLife | None = None
    next_check: float = 0.0
    failed_checks: int = 0
    seen_alive: bool = False  # since its last start


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM if the supervisor itself dies (Linux)."""
    os.setsid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except OSError:
            pass


class Supervisor:
    """Start children, restart any that exits, stop them all on request."""

    def __init__(
        self,
        commands: Sequence[tuple[str, list[str]]],
        life: dict[str, SignOfLife] | None = None,
    ) -> None:
        life = life or {}
        self.children = [
            Child(name, list(command), life=life.get(name)) for name, command in commands
        ]
        self.stopping = False

    def start(self) -> None:
        for child in self.children:
            self._spawn(child)

    def _spawn(self, child: Child) -> None:
        child.process = subprocess.Popen(child.command, preexec_fn=_die_with_parent)
        child.started_at = time.monotonic()
        child.restart_at = None
        child.failed_checks = 0
        child.seen_alive = False
        child.next_check = child.started_at
        logger.info("started %s (pid %d)", child.name, child.process.pid)

    def poll(self) -> None:
        """Notice exited children and restart those whose pause is over."""
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at and not self.stopping:
                    self._spawn(child)
                continue
            code = child.process.poll() if child.process else None
            if code is None:
                self._check_life(child, now)
                continue
            _kill_group(child.process.pid, signal.SIGKILL)  # its orphans (pool, beat)
            lived = now - child.started_at
            young_again = child.exits > 0 and lived < STEADY_AFTER
            child.pause = min(MAX_PAUSE, child.pause * 2) if young_again else FIRST_PAUSE
            child.exits += 1
            child.restart_at = now + child.pause
            logger.warning(
                "%s exited with code %s after %.1f s; restarting in %.1f s",
                child.name,
                code,
                lived,
                child.pause,
            )

    def _check_life(self, child: Child, now: float) -> None:
        """Kill a running child that has shown no sign of life (the exit path restarts it)."""
        life = child.life
        if life is None or now < child.next_check or self.stopping:
            return
        child.next_check = now + life.every
        try:
            alive = life.check()
        except Exception:  # noqa: BLE001 - a check that fails is no sign of life
            alive = False
        if alive:
            child.seen_alive, child.failed_checks = True, 0
            return
        if not child.seen_alive and now - child.started_at < life.grace:
            return  # still starting (imports, warm-up, migrations)
        child.failed_checks += 1
        if child.failed_checks >= life.failures:
            logger.warning(
                "%s shows no sign of life (%d failed checks); killing it to restart it",
                child.name,
                child.failed_checks,
            )
            _kill_group(child.process.pid, signal.SIGKILL)

    def run(self) -> int:
        """Supervise until SIGTERM/SIGINT; then stop every child. Returns 0."""
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

        def request_stop(signum, frame):  # noqa: ARG001
            self.stopping = True

        for sig in previous:
            signal.signal(sig, request_stop)
        try:
            self.start()
            while not self.stopping:
                self.poll()
                time.sleep(POLL_EVERY)
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM every child's group, wait, then SIGKILL what is left."""
        self.stopping = True
        running = [c.process for c in self.children if c.process and c.process.poll() is None]
        for process in running:
            _kill_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for child in self.children:
            if child.process is not None:
                _kill_group(child.process.pid, signal.SIGKILL)
                if child.process.poll() is None:
                    child.process.wait(timeout=5)


def _kill_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass
