"""/healthz, /readyz and /metrics."""

from __future__ import annotations

from flask_openapi3 import APIBlueprint, Tag

from services.api.responses import json_response
from services.api.runtime import runtime
from services.api.schemas import Health
from services.api.spec import error_responses
from services.api.validation import validators_ready
from shared.db import heartbeats
from shared.db.session import ping
from shared.queue import queue_depth

bp = APIBlueprint("health", __name__, abp_tags=[Tag(name="operations")])


@bp.get("/healthz", responses={200: Health})
def healthz():
    """Say the process is up."""
    return json_response({"status": "ok", "checks": {}}, 200)


def database_ready() -> str:
    try:
        ping(runtime().sessions)
        return "ok"
    except Exception as exc:  # any failure means not ready
        return f"unreachable: {type(exc).__name__}"


def workers_ready() -> str:
    """Say "ok" when some worker beat recently: something consumes the queue."""
    try:
        with runtime().sessions() as session:
            live = heartbeats.live_count(session)
    except Exception as exc:  # the database check reports the outage itself
        return f"unknown: {type(exc).__name__}"
    return "ok" if live else "no live worker"


def broker_ready() -> str:
    depth = queue_depth(runtime().producer)
    return "ok" if depth is not None else "unreachable"


@bp.get("/readyz", responses={200: Health, 503: Health, **error_responses(500)})
def readyz():
    """Say whether the database and the broker are reachable and a worker is alive."""
    checks = {
        "database": database_ready(),
        "broker": broker_ready(),
        "workers": workers_ready(),
        "validators": validators_ready(),
    }
    ready = all(value == "ok" for value in checks.values())
    return json_response(
        {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503
    )
