"""The worker's lifecycle on a real SQLite file, without a broker server:
messages go to kombu's in-memory transport, the executor runs in-process."""

from __future__ import annotations

import pytest
from celery import Celery
from pydantic import Field

from shared.db.migrate import upgrade
from shared.db.session import session_factory
from shared.jobs.fields import KindParams
from shared.jobs.registry import JobInputError, JobOutput, job_kind
from shared.queue import QUEUE
from shared.settings import Settings
from workers.recovery import MARKER_QUEUE


class FailParams(KindParams):
    how: str = Field(pattern="^(input|memory)$")
    n: int = 0


@job_kind("test_fail", params=FailParams)
def run_fail(params: FailParams) -> JobOutput:
    """Fail as the input's fault, or as the run's (out of memory)."""
    if params.how == "input":
        raise JobInputError("Cannot solve", f"input {params.n} is wrong on purpose")
    raise MemoryError


@pytest.fixture()
def settings(tmp_path) -> Settings:
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    upgrade(url)
    return Settings(database_url=url, data_dir=tmp_path, max_attempts=2)


@pytest.fixture()
def sessions(settings):
    return session_factory(settings.database_url)


def memory_producer() -> Celery:
    """A producer on kombu's in-memory transport, its job queue emptied."""
    app = Celery("worker-test", broker="memory://", set_as_current=False)
    app.conf.task_default_queue = QUEUE
    # kombu's memory broker is one per process: start each test empty.
    with app.connection_for_write() as connection:
        for queue in (QUEUE, MARKER_QUEUE):
            connection.default_channel.queue_declare(queue)
            connection.default_channel.queue_purge(queue)
    return app


@pytest.fixture()
def producer():
    return memory_producer()


def queued_ids(producer) -> list[str]:
    """The job ids of the messages waiting in the in-memory queue, consumed."""
    ids = []
    with producer.connection_for_write() as connection:
        channel = connection.default_channel
        while (message := channel.basic_get(QUEUE, no_ack=True)) is not None:
            ids.append(message.decode()[0][0])
    return ids
