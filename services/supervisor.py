"""Keep the one-command run alive: a small process supervisor for ``mlcalc serve``.

Each child (the API, the worker, the recovery beat) runs in its own process
group. When one exits, whatever it left behind in its group (a worker's pool
children, say) is killed and the child alone is started again, within a
second the first time and with a growing pause (up to 30 s) while it keeps
dying young; the others, the API above all, are never stopped with it.
SIGTERM or SIGINT stops every child and returns.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

FIRST_PAUSE = 0.5  # seconds before the first restart
MAX_PAUSE = 30.0
STEADY_AFTER = 30.0  # a child that lived this long restarts at FIRST_PAUSE again
POLL_EVERY = 0.2


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

    def __init__(self, commands: Sequence[tuple[str, list[str]]]) -> None:
        self.children = [Child(name, list(command)) for name, command in commands]
        self.stopping = False

    def start(self) -> None:
        for child in self.children:
            self._spawn(child)

    def _spawn(self, child: Child) -> None:
        child.process = subprocess.Popen(child.command, preexec_fn=_die_with_parent)
        child.started_at = time.monotonic()
        child.restart_at = None
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
