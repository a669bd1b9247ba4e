"""Heartbeats: a live worker says so in the database every few seconds.

Recovery reads them to see within seconds that a worker is gone (``kill -9``,
a lost machine) instead of waiting for its jobs' leases; /readyz reads them
to say whether anything consumes the queue. The thread runs in the worker's
main process, so it beats while the worker can still take and settle jobs,
and it stops with it.

Also here: the worker's children (pool processes and the embedded beat) die
with the main process, so a ``kill -9`` of it leaves no orphan running
recovery passes or jobs whose results nobody is waiting for.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading

from celery import signals

from shared.db import heartbeats
from shared.db.models import utcnow
from shared.db.session import session_scope

logger = logging.getLogger(__name__)


class Heartbeat:
    """Beat for worker ``name`` in a daemon thread until stopped."""

    def __init__(self, database_url: str, name: str, concurrency: int) -> None:
        self.database_url = database_url
        self.name = name
        self.concurrency = concurrency
        self.started_at = utcnow()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mlcalc-heartbeat", daemon=True)
        self._failing = False

    def start(self) -> None:
        self.beat()
        self._thread.start()

    def beat(self) -> None:
        try:
            with session_scope(self.database_url) as session:
                heartbeats.beat(session, self.name, os.getpid(), self.concurrency, self.started_at)
            if self._failing:
                logger.info("heartbeat of %s written again", self.name)
            self._failing = False
        except Exception as exc:  # a database outage must not stop the worker
            if not self._failing:
                logger.warning("could not write the heartbeat of %s: %s", self.name, exc)
            self._failing = True

    def stop(self) -> None:
        self._stop.set()
        try:
            with session_scope(self.database_url) as session:
                heartbeats.forget(session, self.name)
        except Exception as exc:  # it goes stale instead, which recovery also reads
            logger.warning("could not remove the heartbeat of %s: %s", self.name, exc)

    def _run(self) -> None:
        while not self._stop.wait(heartbeats.BEAT_EVERY):
            self.beat()


_current: Heartbeat | None = None


@signals.worker_ready.connect
def start_heartbeat(sender=None, **_: object) -> None:
    """Start beating once the worker consumes (sender: its consumer)."""
    global _current
    if _current is not None or sender is None:
        return
    settings = sender.app.conf.mlcalc_settings
    concurrency = getattr(getattr(sender, "controller", None), "concurrency", None) or 1
    _current = Heartbeat(settings.database_url, sender.hostname, int(concurrency))
    _current.start()


@signals.worker_shutdown.connect
def stop_heartbeat(**_: object) -> None:
    """Say this worker is gone (its reserved messages go back to the broker)."""
    global _current
    if _current is not None:
        _current.stop()
        _current = None


@signals.worker_process_init.connect
@signals.beat_embedded_init.connect
def die_with_parent(**_: object) -> None:
    """Ask Linux to kill this child when the worker's main process dies."""
    if not sys.platform.startswith("linux"):
        return
    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError) as exc:
        logger.warning("children may outlive a killed worker: %s", exc)
