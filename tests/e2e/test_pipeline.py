"""HTTP -> SQL -> Celery worker over the real Redis -> stored result, end to end."""

from __future__ import annotations

import json
import math

import pytest

from tests.conftest import wait_finished

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.e2e]


def submit(client, kind, params, **headers):
    response = client.post("/v1/jobs", json={"kind": kind, "params": params}, headers=headers)
    assert response.status_code in (200, 202), response.get_json()
    return response.get_json()


def test_derivative_job_succeeds_with_steps(client, worker):
    job = submit(
        client,
        "derivative",
        {"expression": "x^2*sin(x)", "variable": "x", "at": {"x": "pi"}},
    )
    done = wait_finished(client, job["id"])
    assert done["status"] == "succeeded", done
    # Oracle: d/dx x^2 sin x = 2x sin x + x^2 cos x; at pi that is -pi^2.
    assert math.isclose(done["result"]["numeric"], -(math.pi**2), rel_tol=1e-12)
    assert done["result"]["expression"] and done["result"]["latex"]
    assert done["steps"] and all(
        {"rule", "text", "before", "after", "latex", "substeps"} <= set(s) for s in done["steps"]
    )
    assert done["attempts"] == 1 and done["worker"]
    assert done["started_at"] <= done["finished_at"]
    assert done["cached"] is False  # no other test submits these exact params
    # The worker's JSON log lines carry the job id.
    tagged = [json.loads(line) for line in worker.log(tail=None).splitlines() if job["id"] in line]
    assert any(entry.get("job_id") == job["id"] for entry in tagged)


def test_prefer_wait_answers_200_with_the_finished_job(client, worker):
    response = client.post(
        "/v1/jobs",
        json={"kind": "derivative", "params": {"expression": "e^(3x)", "variable": "x"}},
        headers={"Prefer": "wait=20"},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "succeeded"
    assert response.headers["Location"].startswith("/v1/jobs/")


def test_bad_point_fails_the_job_with_a_reason(client, worker):
    job = submit(client, "derivative", {"expression": "x*y", "variable": "x", "at": {"x": 1}})
    done = wait_finished(client, job["id"])
    assert done["status"] == "failed"
    assert "y" in done["error"]["detail"]


@pytest.mark.usefixtures("worker")
def test_time_limit_fails_the_job_and_the_worker_goes_on(client, pg_settings):
    slow = submit(client, "test_sleep", {"seconds": 30})
    done = wait_finished(client, slow["id"], timeout=40)
    assert done["status"] == "failed"
    assert done["error"]["type"] == "time-limit", done["error"]
    quick = submit(client, "derivative", {"expression": "ln(x)", "variable": "x"})
    assert wait_finished(client, quick["id"])["status"] == "succeeded"


@pytest.mark.usefixtures("worker")
def test_hard_time_limit_kills_a_busy_job_and_the_worker_goes_on(client):
    # A busy loop in C never sees the soft limit's signal handler run in
    # time, so only the hard limit can stop it; sleep in Python would.
    stuck = submit(client, "test_sleep", {"seconds": 30, "busy": True})
    done = wait_finished(client, stuck["id"], timeout=40)
    assert done["status"] == "failed"
    assert done["error"]["type"] == "time-limit"
    quick = submit(client, "derivative", {"expression": "tan(x)", "variable": "x"})
    assert wait_finished(client, quick["id"])["status"] == "succeeded"


@pytest.mark.usefixtures("worker")
def test_memory_blowup_fails_alone(client, pg_settings):
    hog = submit(client, "test_allocate", {"megabytes": pg_settings.memory_limit_mb * 4})
    done = wait_finished(client, hog["id"])
    assert done["status"] == "failed"
    assert done["error"]["type"] == "memory-limit"
    quick = submit(client, "derivative", {"expression": "sqrt(x)", "variable": "x"})
    assert wait_finished(client, quick["id"])["status"] == "succeeded"


@pytest.mark.usefixtures("worker")
def test_a_job_that_kills_its_worker_ends_failed_not_in_a_loop(client, pg_settings):
    crash = submit(client, "test_crash", {"code": 3})
    done = wait_finished(client, crash["id"], timeout=60)
    assert done["status"] == "failed"
    assert done["error"]["type"] == "attempts-exhausted"
    assert done["attempts"] == pg_settings.max_attempts
    quick = submit(client, "derivative", {"expression": "cos(x)^2", "variable": "x"})
    assert wait_finished(client, quick["id"])["status"] == "succeeded"
