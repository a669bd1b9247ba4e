"""Is this worker's consumer alive? A file it touches while connected, and its check.

While the consumer holds a broker connection and consumes the job queue, a
timer in its event loop touches ``DATA_DIR/alive/NODENAME`` every few
seconds; when the connection is lost (or the worker stops) the file is
removed, and a hung event loop stops touching it. ``python -m
workers.liveness`` (the compose healthcheck) exits 1 unless some worker's
file is fresh, so a worker whose consumer is gone shows as unhealthy without
a round trip through the broker. The reading side is ``shared.liveness``:
the supervisor of ``mlcalc serve`` reads it too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from celery import bootsteps

from shared.liveness import MAX_AGE, TOUCH_EVERY, alive_dir, is_alive
from shared.settings import Settings, load_settings


class ConsumerAlive(bootsteps.StartStopStep):
    """Consumer step: keep the alive file fresh while consuming."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, c, **kwargs) -> None:
        super().__init__(c, **kwargs)
        self.timer_entry = None
        self.path: Path | None = None

    def start(self, c) -> None:
        settings: Settings = c.app.conf.mlcalc_settings
        self.path = alive_dir(settings) / c.hostname.replace("/", "_")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._touch()
        self.timer_entry = c.timer.call_repeatedly(TOUCH_EVERY, self._touch)

    def stop(self, c) -> None:
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    shutdown = stop

    def _touch(self) -> None:
        try:
            self.path.touch()
        except OSError:  # a full or read-only disk must not stop the consumer
            pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="exit 0 when a worker consumer is alive")
    parser.add_argument("--max-age", type=float, default=MAX_AGE)
    args = parser.parse_args(argv)
    alive = is_alive(load_settings(), args.max_age)
    print("alive" if alive else "no live consumer")
    return 0 if alive else 1


if __name__ == "__main__":
    sys.exit(main())
