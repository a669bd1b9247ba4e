"""The worker's Celery app: shared settings plus the worker's process hooks.

``celery -A workers.celery_app worker`` loads this module in the parent
process; it warms SymPy there once, so every forked child starts warm.
"""

from __future__ import annotations

import logging
import os
import resource

# One BLAS thread per child: jobs run side by side on few cores, and
# multi-threaded OpenBLAS made small L-BFGS solves 100x slower under load.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from celery import Celery, signals  # noqa: E402

from shared.db.session import dispose_engines, get_engine  # noqa: E402
from shared.logs import configure_logging  # noqa: E402
from shared.queue import celery_config  # noqa: E402
from shared.settings import Settings, load_settings  # noqa: E402
from workers.liveness import ConsumerAlive  # noqa: E402

logger = logging.getLogger(__name__)


def create_worker_app(settings: Settings) -> Celery:
    """Build the worker's Celery app for ``settings``."""
    app = Celery("mlcalc", set_as_current=True)
    app.conf.update(celery_config(settings))
    app.conf.mlcalc_settings = settings
    app.conf.include = ["workers.tasks"]
    app.steps["consumer"].add(ConsumerAlive)
    return app


app = create_worker_app(load_settings())


@signals.setup_logging.connect
def json_logs(**_: object) -> None:
    """Log JSON lines (Celery leaves logging alone when this signal is handled)."""
    configure_logging(app.conf.mlcalc_settings.log_level)


@signals.worker_init.connect
def warm_up(**_: object) -> None:
    """Import and exercise SymPy and NumPy once in the parent, before forking."""
    from workers.warmup import warm_up_engine

    settings: Settings = app.conf.mlcalc_settings
    if settings.warm_up:
        warm_up_engine(settings.kind_plugins)


@signals.worker_process_init.connect
def limit_child(**_: object) -> None:
    """Cap the child's address space so a blow-up becomes a clean MemoryError."""
    settings: Settings = app.conf.mlcalc_settings
    dispose_engines()  # never share the parent's database connections
    _connect_early(settings.database_url)
    limit = settings.memory_limit_mb * 1024 * 1024
    if limit > 0:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _connect_early(database_url: str) -> None:
    """Open the child's database connection now, not in its first job."""
    try:
        with get_engine(database_url).connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except Exception as exc:  # the database may be down: the first job will retry
        logger.warning("could not connect to the database yet: %s", exc)
