"""The API reads submitted params only under a wall-clock budget.

Every job and batch submitted over HTTP is checked by ``shared.jobs.submit``,
and every ``/v1/parse`` preview read by ``services.api.parse.read_expression``,
in a validator process of a :class:`~shared.jobs.validation_budget.ValidatorPool`
(one pool per API process and settings): an input whose reading overruns
the budget answers 422 "too expensive to read" and never holds a request
thread longer than that; a client with its share of validators already at
work gets 429, and 503 comes only if every validator stays busy.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, current_app, g, request

from services.api.problems import ApiProblem
from shared.jobs.validation_budget import (
    TooExpensive,
    TooManyInFlight,
    ValidatorPool,
    ValidatorsBusy,
)
from shared.settings import Settings

_pools: dict[tuple, ValidatorPool] = {}
_pools_lock = threading.Lock()


def init_app(app: Flask, settings: Settings) -> None:
    """Give the app its validator pool and start it warming in the background."""
    key = (
        settings.validators,
        settings.validation_budget,
        settings.kind_plugins,
        settings.memory_limit_mb,
    )
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            pool = _pools[key] = ValidatorPool(
                size=settings.validators,
                budget=settings.validation_budget,
                plugins=settings.kind_plugins,
                memory_limit_mb=settings.memory_limit_mb,
                preload=("shared.jobs.submit", "services.api.parse"),
            )
    app.extensions["mlcalc-validators"] = pool
    threading.Thread(target=pool.start, name="mlcalc-validators", daemon=True).start()


def validators_ready() -> str:
    """For /readyz: "ok" once this process's validators are up (they start with it)."""
    pool: ValidatorPool | None = current_app.extensions.get("mlcalc-validators")
    return "ok" if pool is None or pool.ready else "starting"


def budgeted(function: Any, *args: Any, jobs: int = 1) -> Any:
    """Run a submission check under the budget (the ``check`` of shared.submission)."""
    pool: ValidatorPool = current_app.extensions["mlcalc-validators"]
    subject = g.get("owner_id") or request.remote_addr or "anonymous"
    try:
        return pool.call(function, *args, jobs=jobs, subject=subject)
    except TooExpensive as exc:
        raise ApiProblem(
            422,
            "Too expensive to read",
            f"{exc}; simplify the input (large powers and roots of big numbers are slow)",
            type_="too-expensive",
        ) from None
    except TooManyInFlight as exc:
        raise ApiProblem(
            429, "Too many requests", str(exc), type_="rate-limited", headers={"Retry-After": "1"}
        ) from None
    except ValidatorsBusy as exc:
        raise ApiProblem(
            503, "Service busy", str(exc), type_="busy", headers={"Retry-After": "1"}
        ) from None
