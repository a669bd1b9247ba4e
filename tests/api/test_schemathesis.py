"""schemathesis against /v1/openapi.json: every answer keeps the published spec.

The app is the real one over the session's PostgreSQL database and Redis,
called in-process through WSGI. schemathesis's engine (what ``st run`` runs)
goes through all its phases (examples, coverage, fuzzing, stateful) with
every default check: no server error; status codes, content types, headers
and bodies as documented; valid data accepted, invalid data refused;
undeclared methods answered 405 with ``Allow``; and so on. A fixed seed and a
bound on examples keep it repeatable and short.

Random requests almost never make a valid job, so a second test sends known
valid ones (jobs run in-process by the executor, so results, steps and CSV
downloads exist) through the same checks.
"""

from __future__ import annotations

import time

import pytest
import schemathesis
from schemathesis import engine
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

# The schema cannot say everything: a job's params are checked by its kind
# (an unknown kind, an expression that does not parse) and a cursor must be
# one this service issued, so a schema-valid request may rightly get 422 from
# these operations (the contract's answer for invalid params; /v1/parse answers
# 422 for an expression it cannot read). Every
# other operation keeps schemathesis's default expectations.
CONFIG = """
seed = 20240601

[generation]
max-examples = 30

# DELETE /v1/jobs/{id} cancels a job (contract): the canceled job stays
# readable with status "canceled", so a GET after DELETE rightly answers 200.
[checks.use_after_free]
enabled = false

[[operations]]
include-name = ["POST /v1/jobs", "POST /v1/batches", "GET /v1/jobs", "POST /v1/parse"]
checks.positive_data_acceptance.expected-statuses = [
    "2XX", "3XX", 401, 403, 404, 409, 422, 429, "5XX",
]
"""


@pytest.fixture(scope="module")
def fuzz_app(pg_settings):
    """The session's app settings, with the rate limit off.

    The limiter's per-minute count lives in Redis and is shared by every
    request from 127.0.0.1, so under a fuzzer it answers 429 to almost
    everything and the run would prove nothing. ``Prefer: wait`` is capped at
    1 s: no worker runs these jobs.
    """
    from services.api import create_app

    settings = pg_settings.with_overrides(rate_limit_per_minute=0, max_wait_seconds=1)
    yield create_app(settings, {"TESTING": True})


@pytest.fixture(scope="module", autouse=True)
def live_worker(pg_settings):
    """A worker's heartbeat, so /readyz is ready (a 503 would count as a server error)."""
    from workers.heartbeat import Heartbeat

    heartbeat = Heartbeat(pg_settings.database_url, "schemathesis@test", 1)
    heartbeat.start()
    yield
    heartbeat.stop()


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    config = SchemathesisConfig.from_str(CONFIG)
    return schemathesis.openapi.from_wsgi("/v1/openapi.json", fuzz_app, config=config)


def describe(recorder, check) -> str:
    failure = check.failure_info.failure
    return f"{recorder.label}: {check.name}: {failure.title}\n{failure.message}\n" + (
        check.failure_info.code_sample
    )


def test_every_answer_keeps_the_spec(api_schema):
    failures: list[str] = []
    errors: list[str] = []
    statuses: dict[int, int] = {}
    phases: list[str] = []
    finished = None
    for event in engine.from_schema(api_schema).execute():
        if isinstance(event, events.PhaseStarted):
            phases.append(event.phase.name.value)
        elif isinstance(event, (events.ScenarioFinished, events.FuzzScenarioFinished)):
            recorder = event.recorder
            for interaction in recorder.interactions.values():
                if interaction.response is not None:
                    code = interaction.response.status_code
                    statuses[code] = statuses.get(code, 0) + 1
            for checks in recorder.checks.values():
                failures += [
                    describe(recorder, check) for check in checks if check.status == Status.FAILURE
                ]
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            errors.append(repr(event))
        elif isinstance(event, events.EngineFinished):
            finished = event
    assert finished is not None
    assert not errors, "\n".join(errors)
    assert not failures, "\n\n".join(dict.fromkeys(failures))
    assert {"examples", "coverage", "fuzzing", "stateful"} <= set(phases), phases
    # Not a vacuous pass: hundreds of answers, many of them successes, none 5xx or 429.
    assert sum(statuses.values()) >= 300, statuses
    assert sum(n for code, n in statuses.items() if code < 300) >= 20, statuses
    assert not [code for code in statuses if code >= 500 or code == 429], statuses


def call(api_schema, method: str, path: str, status: int, **kwargs):
    """Send a known request through every default check; return the response."""
    case = api_schema[path][method].Case(**kwargs)
    response = case.call_and_validate()
    assert response.status_code == status, (method, path, response.status_code, response.text)
    return response


def run_now(fuzz_app, job_id: str) -> None:
    """Run a queued job in this process, as a worker would.

    The session's real worker (started by other tests) may claim it first:
    then wait for that worker's outcome instead.
    """
    from shared.db import repository
    from shared.db.models import JobStatus
    from shared.db.session import session_scope
    from workers.executor import execute_job

    settings = fuzz_app.extensions["mlcalc"].settings
    status = execute_job(settings, job_id, "schemathesis:0")
    deadline = time.monotonic() + 60
    while status is None and time.monotonic() < deadline:
        with session_scope(settings.database_url) as session:
            job = repository.get_job(session, job_id, full=False)
            if JobStatus(job.status).finished:
                status = job.status
        time.sleep(0.1)
    assert status == "succeeded"


def test_known_valid_requests_keep_the_spec(api_schema, fuzz_app):
    derivative = {
        "kind": "derivative",
        "params": {"expression": "x^2 sin(x)", "variable": "x", "at": {"x": "pi"}},
        "label": "schemathesis",
    }
    job = call(api_schema, "POST", "/v1/jobs", 202, body=derivative).json()
    ids = {"job_id": job["id"]}
    call(api_schema, "GET", "/v1/jobs/{job_id}/trajectory.csv", 409, path_parameters=ids)
    run_now(fuzz_app, job["id"])
    done = call(api_schema, "GET", "/v1/jobs/{job_id}", 200, path_parameters=ids).json()
    assert done["status"] == "succeeded" and done["steps"]
    call(api_schema, "GET", "/v1/jobs/{job_id}/trajectory.csv", 404, path_parameters=ids)
    call(api_schema, "DELETE", "/v1/jobs/{job_id}", 409, path_parameters=ids)
    page = call(api_schema, "GET", "/v1/jobs", 200, query={"kind": "derivative", "limit": 1})
    assert page.json()["items"]

    optimize = {
        "kind": "optimize",
        "params": {
            "expression": "(x-1)^2 + 2(y+1)^2",
            "variables": ["x", "y"],
            "start": {"x": 0, "y": 0},
            "method": "adam",
            "learning_rate": 0.1,
            "max_iter": 50,
        },
    }
    opt = call(api_schema, "POST", "/v1/jobs", 202, body=optimize).json()
    run_now(fuzz_app, opt["id"])
    csv = call(
        api_schema,
        "GET",
        "/v1/jobs/{job_id}/trajectory.csv",
        200,
        path_parameters={"job_id": opt["id"]},
    )
    assert csv.text.splitlines()[0].startswith("iter")

    queued = call(
        api_schema,
        "POST",
        "/v1/jobs",
        202,
        body={"kind": "gradient", "params": {"expression": "x y^2"}},
        headers={"Idempotency-Key": "schemathesis-1", "Prefer": "wait=1"},
    ).json()
    again = call(
        api_schema,
        "POST",
        "/v1/jobs",
        202,
        body={"kind": "gradient", "params": {"expression": "x y^2"}},
        headers={"Idempotency-Key": "schemathesis-1"},
    ).json()
    assert again["id"] == queued["id"]
    canceled = call(
        api_schema, "DELETE", "/v1/jobs/{job_id}", 200, path_parameters={"job_id": queued["id"]}
    )
    assert canceled.json()["status"] == "canceled"

    batch = call(
        api_schema,
        "POST",
        "/v1/batches",
        202,
        body={
            "jobs": [derivative, {"kind": "check", "params": {"answer": "2x", "expected": "2x"}}]
        },
    ).json()
    ids = {"batch_id": batch["id"]}
    status = call(api_schema, "GET", "/v1/batches/{batch_id}", 200, path_parameters=ids).json()
    assert status["total"] == 2
    lines = call(api_schema, "GET", "/v1/batches/{batch_id}/results", 200, path_parameters=ids)
    assert len(lines.text.splitlines()) == 2
    call(api_schema, "GET", "/v1/batches/{batch_id}/results.csv", 200, path_parameters=ids)
    for path in ("/healthz", "/readyz"):
        call(api_schema, "GET", path, 200)
