"""Signs of life of worker consumers: files under ``DATA_DIR/alive``.

A worker's consumer touches its file every TOUCH_EVERY seconds while it holds
a broker connection and consumes (``workers.liveness``); the file goes when it
stops, and goes stale when its event loop hangs. Read here, by the compose
healthcheck (``python -m workers.liveness``) and by ``mlcalc serve``'s
supervisor, which restarts a worker that stopped showing signs of life.
"""

from __future__ import annotations

import time
from pathlib import Path

from shared.settings import Settings

TOUCH_EVERY = 5.0  # seconds between touches
MAX_AGE = 20.0  # a file older than this means the consumer is gone


def alive_dir(settings: Settings) -> Path:
    """The folder of the consumers' alive files."""
    return settings.data_dir / "alive"


def is_alive(settings: Settings, max_age: float = MAX_AGE) -> bool:
    """True when some worker on this data folder touched its file recently."""
    now = time.time()
    try:
        return any(now - path.stat().st_mtime <= max_age for path in alive_dir(settings).iterdir())
    except OSError:  # no folder yet, or a file removed while we looked
        return False
