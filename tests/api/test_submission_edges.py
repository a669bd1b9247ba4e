"""Edges of accepting work, through the real app on PostgreSQL and Redis:
idempotent batches, NUL bytes, chunked bodies, bounded waiters, and who is
told a result was reused."""

from __future__ import annotations

import io
import threading
import time
import uuid

import pytest

from services.api import create_app
from services.api.jobs import MAX_WAITERS
from shared.db.keys import create_key
from shared.db.session import session_scope
from workers.executor import execute_job

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


CHECK_NUL = {"kind": "check", "params": {"answer": "\u0000", "expected": "x"}}


def derivative(expression: str, **extra) -> dict:
    return {"kind": "derivative", "params": {"expression": expression, "variable": "x"}, **extra}


def test_a_retried_batch_with_the_same_key_is_stored_once(client):
    key = f"batch-{uuid.uuid4().hex}"
    body = {"jobs": [derivative("x^7 + 1"), derivative("x^7 + 2")]}
    first = client.post("/v1/batches", json=body, headers={"Idempotency-Key": key})
    again = client.post("/v1/batches", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 202
    assert again.get_json()["id"] == first.get_json()["id"]
    listed = client.get(f"/v1/jobs?batch_id={first.get_json()['id']}").get_json()["items"]
    assert len(listed) == 2
    other = client.post(
        "/v1/batches", json={"jobs": [derivative("x^8")]}, headers={"Idempotency-Key": key}
    )
    assert other.status_code == 422
    assert other.get_json()["errors"][0]["field"] == "Idempotency-Key"
    fresh = client.post("/v1/batches", json=body)  # no key: a new batch
    assert fresh.get_json()["id"] != first.get_json()["id"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/jobs", derivative("x^2", label="a\u0000b"), "label"),
        ("/v1/jobs", derivative("x\u0000^2"), "params.expression"),
        (
            "/v1/batches",
            {"jobs": [derivative("x"), derivative("x", label="\u0000")]},
            "jobs.1.label",
        ),
        (
            "/v1/batches",
            {"jobs": [{"kind": "check", "params": {"answer": "\u0000"}}]},
            "jobs.0.params.answer",
        ),
    ],
)
def test_nul_bytes_in_stored_text_are_422(client, path, body, field):
    response = client.post(path, json=body)
    assert response.status_code == 422, response.get_json()
    assert field in [e["field"] for e in response.get_json()["errors"]]


def test_a_chunked_body_past_the_limit_is_413(client, pg_settings):
    huge = b'{"kind": "derivative", "params": {"expression": "' + b"x+" * pg_settings.max_body_bytes
    chunked = {"Transfer-Encoding": "chunked"}
    terminated = {"wsgi.input_terminated": True}  # as gunicorn says of chunked input
    response = client.post(
        "/v1/jobs",
        input_stream=io.BytesIO(huge + b'x"}}'),
        content_type="application/json",
        headers=chunked,
        environ_overrides=terminated,
    )
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    small = client.post(
        "/v1/jobs",
        input_stream=io.BytesIO(b'{"kind": "derivative", "params": {"expression": "x^3"}}'),
        content_type="application/json",
        headers=chunked,
        environ_overrides=terminated,
    )
    assert small.status_code == 202, small.get_json()


def test_waiting_requests_are_bounded_and_the_rest_answer_at_once(pg_settings):
    settings = pg_settings.with_overrides(max_wait_seconds=3)
    app = create_app(settings, {"TESTING": True})
    results: list[tuple[int, float]] = []

    def wait_for_a_job(n: int) -> None:
        started = time.monotonic()
        body = {"kind": "test_sleep", "params": {"seconds": 20 + n / 1000 + time.time() % 1}}
        response = app.test_client().post("/v1/jobs", json=body, headers={"Prefer": "wait=3"})
        results.append((response.status_code, time.monotonic() - started))

    threads = [threading.Thread(target=wait_for_a_job, args=(n,)) for n in range(MAX_WAITERS + 3)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    healthy = time.monotonic()
    assert app.test_client().get("/healthz").status_code == 200
    assert time.monotonic() - healthy < 1
    for thread in threads:
        thread.join(timeout=30)
    assert all(status == 202 for status, _ in results)  # nothing finishes a 20 s sleep
    quick = [seconds for _, seconds in results if seconds < 2]
    assert len(quick) == 3, results  # the waiting places were all taken
    assert len(results) - len(quick) == MAX_WAITERS


def test_cached_is_shown_only_to_the_key_that_asked_before(pg_settings):
    settings = pg_settings.with_overrides(require_api_keys=True)
    client = create_app(settings, {"TESTING": True}).test_client()
    with session_scope(settings.database_url) as session:
        (_, alice), (_, bob) = create_key(session, "alice"), create_key(session, "bob")
    body = derivative(f"x^3 + {uuid.uuid4().int % 10**9}")

    def run(key: str) -> dict:
        job = client.post("/v1/jobs", json=body, headers={"Authorization": f"Bearer {key}"})
        job_id = job.get_json()["id"]
        execute_job(settings, job_id, "in-test:1")  # the worker's code, in-process
        done = client.get(f"/v1/jobs/{job_id}", headers={"Authorization": f"Bearer {key}"})
        return done.get_json()

    first = run(alice)
    assert first["status"] == "succeeded" and first["cached"] is False
    assert run(bob)["cached"] is False  # bob learns nothing of alice's jobs
    again = run(alice)
    assert again["cached"] is True
    assert again["result"] == first["result"]


def test_a_batch_of_repeated_params_reports_each_bad_entry_at_its_index(client, pg_settings):
    from sqlalchemy import func, select

    from shared.db.models import Job

    bad = derivative("sin(")
    jobs = [derivative("x^5 + 1"), bad, derivative("x^5 + 1"), {"kind": "nope", "params": {}}, bad]
    jobs += [derivative("x^5 + 1", label=f"ok {i}") for i in range(200)] + [bad]
    with session_scope(pg_settings.database_url) as session:
        before = session.scalar(select(func.count()).select_from(Job))
    response = client.post("/v1/batches", json={"jobs": jobs})
    assert response.status_code == 422, response.get_json()
    problem = response.get_json()
    assert [(e["field"], e.get("position")) for e in problem["errors"]] == [
        ("jobs.1.params.expression", 4),
        ("jobs.3.kind", None),
        ("jobs.4.params.expression", 4),
        ("jobs.205.params.expression", 4),
    ]
    assert problem["detail"].startswith("4 of 206 jobs are invalid (indexes [1, 3, 4, 205])")
    with session_scope(pg_settings.database_url) as session:
        assert session.scalar(select(func.count()).select_from(Job)) == before
