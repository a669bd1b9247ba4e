"""Reading untrusted params under a wall-clock budget, in pre-forked validator processes.

Parsing bounds the size of an expression but not SymPy's automatic
evaluation while it is built: a product of six ``sqrt(10^499+k)`` (89
characters) took 12 s to validate and longer ones ran for CPU-minutes in the
API's request threads, until no thread was left for ``/healthz``. A thread
cannot be interrupted, so validation runs in a small pool of processes
forked from a warm fork server (SymPy and every kind already imported). A
call that overruns its budget has its process killed and replaced, and
raises :class:`TooExpensive` (the API answers 422 "too expensive to read").
One caller (an API key, or an address) may hold at most ``per_subject``
validators at once: its further requests wait their turn while its reads
are quick, and are refused at once (:class:`TooManyInFlight`, a 429) while
they are slow, so one client's slow inputs cannot take every validator or
every request thread; when all
validators stay busy past the budget the call raises :class:`ValidatorsBusy`
(a 503 with Retry-After).

The function run must be importable at module level (it is sent by name);
an exception it raises is rebuilt and raised here (type, args and attributes).
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import queue
import resource
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any

logger = logging.getLogger(__name__)


class BudgetError(Exception):
    """Validation did not run to an answer."""


class TooExpensive(BudgetError):
    """The input took longer than its budget (or more memory than allowed) to read."""

    def __init__(self, budget: float) -> None:
        super().__init__(f"the input is too expensive to read (over {budget:g} s)")
        self.budget = budget


class ValidatorsBusy(BudgetError):
    """No validator came free in time."""


class TooManyInFlight(BudgetError):
    """This caller already has its share of validators at work."""


def _serve(conn: Connection, plugins: tuple[str, ...], memory_limit_mb: int) -> None:
    """A validator process: run (function, args) requests until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory_limit_mb > 0:
        limit = memory_limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    from shared.jobs.registry import load_kinds

    load_kinds(plugins)
    while True:
        try:
            function, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = pickle.dumps((True, function(*args)))
        except Exception as exc:  # every failure goes back to the caller
            try:
                reply = pickle.dumps((False, (type(exc), exc.args, vars(exc))))
            except Exception:  # an exception that cannot travel: send its text
                error = RuntimeError(f"validation failed: {exc!r}")
                reply = pickle.dumps((False, (RuntimeError, error.args, {})))
        conn.send_bytes(reply)


def _rebuild(cls: type[Exception], args: tuple, state: dict) -> Exception:
    """The exception a validator raised, rebuilt without calling its __init__
    (whose signature need not match its args)."""
    exc = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(state)
    return exc


class _Validator:
    def __init__(self, context, plugins: tuple[str, ...], memory_limit_mb: int) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child, plugins, memory_limit_mb), daemon=True
        )
        self.process.start()
        child.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class ValidatorPool:
    """``size`` validator processes; ``call`` runs a function in one under a budget."""

    def __init__(
        self,
        size: int = 3,
        budget: float = 2.0,
        per_job: float = 0.02,
        per_subject: int = 2,
        plugins: tuple[str, ...] = (),
        memory_limit_mb: int = 1024,
        preload: tuple[str, ...] = (),
    ) -> None:
        self.size = size
        self.budget = budget
        self.per_job = per_job
        self.per_subject = per_subject
        self.plugins = tuple(plugins)
        self.memory_limit_mb = memory_limit_mb
        self.preload = tuple(preload)  # modules of the functions called, imported warm
        self._idle: queue.Queue[_Validator] = queue.Queue()
        self._all: set[_Validator] = set()
        self._lock = threading.Lock()
        self._started = threading.Event()
        self._running: dict[str, list[float]] = {}  # subject -> start times
        self._freed = threading.Condition()
        # Legitimate reads take milliseconds; one running longer than this
        # marks its client as sending slow inputs.
        self.slow_after = budget / 2
        self._context = multiprocessing.get_context("forkserver")

    def start(self) -> None:
        """Start the fork server and the validators (idempotent; may run in a thread)."""
        with self._lock:
            if self._started.is_set():
                return
            from shared.jobs.registry import kind_module_names

            # The fork server imports SymPy and every kind once; validators
            # fork from it warm, so a replacement is ready in milliseconds.
            self._context.set_forkserver_preload(
                ["sympy", "shared.jobs.registry"] + kind_module_names() + list(self.preload)
            )
            for _ in range(self.size):
                self._add()
            self._started.set()

    @property
    def ready(self) -> bool:
        """True once the validators have started."""
        return self._started.is_set()

    def _add(self) -> None:
        validator = _Validator(self._context, self.plugins, self.memory_limit_mb)
        self._all.add(validator)
        self._idle.put(validator)

    def _replace(self, validator: _Validator) -> None:
        validator.kill()
        with self._lock:
            self._all.discard(validator)
            self._add()

    @contextmanager
    def _slot(self, subject: str | None) -> Iterator[None]:
        """Hold one of ``subject``'s ``per_subject`` places.

        A client whose reads are quick waits its turn (up to the budget); one
        whose reads in progress are already slow is refused at once, so its
        extra requests do not sit on request threads.
        """
        if subject is None:
            yield
            return
        started = time.monotonic()
        with self._freed:
            while True:
                running = self._running.setdefault(subject, [])
                if len(running) < self.per_subject:
                    break
                now = time.monotonic()
                if now - min(running) > self.slow_after or now - started > self.budget:
                    raise TooManyInFlight(
                        f"at most {self.per_subject} slow submissions of one client "
                        "are read at once"
                    )
                self._freed.wait(timeout=0.05)
            mine = time.monotonic()
            running.append(mine)
        try:
            yield
        finally:
            with self._freed:
                running = self._running[subject]
                running.remove(mine)
                if not running:
                    del self._running[subject]
                self._freed.notify_all()

    def call(
        self, function: Callable[..., Any], *args: Any, jobs: int = 1, subject: str | None = None
    ) -> Any:
        """Run ``function(*args)`` in a validator within ``budget + per_job * (jobs - 1)`` s."""
        self.start()
        budget = self.budget + self.per_job * max(0, jobs - 1)
        with self._slot(subject):
            try:
                validator = self._idle.get(timeout=self.budget)
            except queue.Empty:
                raise ValidatorsBusy("every validator is busy; try again shortly") from None
            try:
                validator.conn.send((function, args))
                if not validator.conn.poll(budget):
                    logger.warning("validation over its %.1f s budget: validator replaced", budget)
                    self._replace(validator)
                    validator = None
                    raise TooExpensive(budget)
                ok, value = pickle.loads(validator.conn.recv_bytes())
            except (EOFError, OSError):  # the validator died (memory cap): same answer
                self._replace(validator)
                validator = None
                raise TooExpensive(budget) from None
            finally:
                if validator is not None:
                    self._idle.put(validator)
        if ok:
            return value
        raise _rebuild(*value)

    def close(self) -> None:
        """Stop every validator."""
        with self._lock:
            for validator in list(self._all):
                validator.kill()
            self._all.clear()
            self._started.clear()
