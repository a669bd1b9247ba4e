"""What the API holds for its lifetime: settings, sessions and the task producer.

Created unbound and attached with ``init_app`` (the Flask extension pattern),
so nothing is configured at import time.
"""

from __future__ import annotations

from dataclasses import dataclass

from celery import Celery
from flask import Flask, current_app

from shared.db.session import SessionFactory, session_factory
from shared.queue import make_producer
from shared.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    sessions: SessionFactory
    producer: Celery


def init_app(app: Flask, settings: Settings) -> Runtime:
    runtime = Runtime(
        settings=settings,
        sessions=session_factory(settings.database_url),
        producer=make_producer(settings),
    )
    app.extensions["mlcalc"] = runtime
    return runtime


def runtime() -> Runtime:
    return current_app.extensions["mlcalc"]
