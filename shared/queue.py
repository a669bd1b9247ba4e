"""The Celery configuration both sides share, and the producer the API uses.

The API sends tasks by name and never imports ``workers``; the worker app in
``workers.celery_app`` is built from the same configuration. No result
backend: the SQL row holds every result.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from celery import Celery

from shared.settings import Settings
from shared.transports import embedded as embedded_transport
from shared.transports import redis as redis_transport

RUN_JOB_TASK = "mlcalc.run_job"
RECOVER_TASK = "mlcalc.recover_jobs"
QUEUE = "mlcalc"


def embedded_transport_options(data_dir: Path) -> dict[str, Any]:
    """Folders of the embedded queue for the one-command run (no Redis)."""
    folders = embedded_transport.queue_folders((data_dir / "queue").resolve())
    return {
        "data_folder_in": str(folders["messages"]),
        "data_folder_out": str(folders["messages"]),
        "processed_folder": str(folders["processed"]),
        "control_folder": str(folders["control"]),
        "store_processed": False,
        "polling_interval": 0.05,
    }


def celery_config(settings: Settings) -> dict[str, Any]:
    """Celery settings for producer and worker alike."""
    hard = settings.hard_time_limit
    transport = None
    if settings.embedded_broker:
        broker_url = "filesystem://"
        transport = embedded_transport.TRANSPORT
        transport_options = embedded_transport_options(settings.data_dir)
    else:
        broker_url = settings.broker_url
        if broker_url.split("://", 1)[0] in ("redis", "rediss"):
            # kombu's own Redis transport, minus the disconnect crash.
            transport = redis_transport.TRANSPORT
        transport_options = {
            # Far above the hard limit: a shorter one would hand a long job to
            # a second worker while the first still runs it.
            "visibility_timeout": max(3600, int(hard * 10)),
            # kombu sweeps unacknowledged messages rarely by default (~100 s
            # measured); these bring a dead worker's job back in ~10 s.
            "unacked_restore_interval": 2,
            "unacked_restore_throttle": 1,
            "socket_connect_timeout": 3,
            "socket_timeout": 10,
        }
        if settings.broker_key_prefix:
            transport_options["global_keyprefix"] = settings.broker_key_prefix
    return {
        "broker_url": broker_url,
        "broker_transport": transport,
        "broker_transport_options": transport_options,
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 3,
        # Only the worker and beat read this: a worker must outlive a broker
        # outage of any length (3 retries made it exit after ~12 s of Redis down).
        "broker_connection_max_retries": None,
        "result_backend": None,
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "event_serializer": "json",
        "task_default_queue": QUEUE,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        # A broker blip must not kill a running job: it finishes and stores its
        # result in SQL (the row, not the message, is the truth).
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "task_acks_on_failure_or_timeout": True,
        "worker_prefetch_multiplier": 1,
        "task_soft_time_limit": settings.soft_time_limit,
        "task_time_limit": hard,
        "worker_max_memory_per_child": settings.max_memory_per_child_mb * 1024,
        "worker_hijack_root_logger": False,
        "worker_send_task_events": False,
        "task_publish_retry": True,
        "task_publish_retry_policy": {
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.5,
            "interval_max": 1,
        },
        "beat_schedule": {
            "recover-jobs": {"task": RECOVER_TASK, "schedule": settings.recovery_interval},
        },
    }


def make_producer(settings: Settings) -> Celery:
    """A Celery app that only sends tasks (the API's)."""
    app = Celery("mlcalc-api", set_as_current=False)
    app.conf.update(celery_config(settings))
    return app


def queue_depth(app: Celery) -> int | None:
    """Messages waiting in the job queue, or None when the broker is unreachable."""
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
            channel = connection.default_channel
            declared = channel.queue_declare(QUEUE, passive=False, durable=True, auto_delete=False)
            return int(declared.message_count)
    except Exception:  # any broker failure means "unknown", never an error page
        return None


# Redis serves priority 0 first: new work waits behind the jobs recovery
# resends (lost ones go first). Transports without priorities ignore it.
NEW_WORK_PRIORITY = 6
RESENT_PRIORITY = 0


def send_job(app: Celery, job_id: str, *, resent: bool = False, producer: Any = None) -> None:
    """Publish the run message for ``job_id`` (raises if the broker is down).

    ``producer``: a kombu producer of ``app`` to publish with (one inside
    :func:`publish_batch` buffers the message until the batch ends).
    """
    priority = RESENT_PRIORITY if resent else NEW_WORK_PRIORITY
    app.send_task(
        RUN_JOB_TASK, args=[job_id], queue=QUEUE, retry=False, priority=priority, producer=producer
    )


@contextmanager
def publish_batch(app: Celery, max_size: int = 1000) -> Iterator[Any]:
    """Yield a producer whose messages go to the broker together when the
    block ends (Redis: one pipeline, instead of a round trip each; other
    transports publish each at once). An exception in the block, or a failed
    flush, may leave any of its messages unsent; the flush raises."""
    with app.producer_or_acquire() as producer, producer.batch(max_size=max_size):
        yield producer
