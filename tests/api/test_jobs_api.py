"""The jobs API against the real PostgreSQL and Redis (no worker: jobs stay queued)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from shared.db import heartbeats
from shared.db.models import Job, utcnow
from shared.db.session import session_scope

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

DERIVATIVE = {"kind": "derivative", "params": {"expression": "x^2 sin(x)", "variable": "x"}}


def post(client, body, **headers):
    return client.post("/v1/jobs", json=body, headers=headers)


def test_submit_stores_the_row_before_answering(client, pg_settings):
    response = post(client, DERIVATIVE)
    assert response.status_code == 202
    job = response.get_json()
    assert job["status"] == "queued"
    assert job["params"] == DERIVATIVE["params"]
    assert response.headers["Location"] == f"/v1/jobs/{job['id']}"
    with session_scope(pg_settings.database_url) as session:
        row = session.scalars(select(Job).where(Job.id == job["id"])).one()
        assert row.kind == "derivative" and row.status == "queued"
        assert row.enqueued_at is not None  # the message went out after the commit
    again = client.get(job and f"/v1/jobs/{job['id']}")
    assert again.status_code == 200 and again.get_json()["id"] == job["id"]


def test_parse_error_names_field_and_position(client):
    response = post(
        client, {"kind": "derivative", "params": {"expression": "x^2 + (3x", "variable": "x"}}
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 422 and problem["title"] and problem["type"]
    (error,) = [e for e in problem["errors"] if e["field"] == "params.expression"]
    assert isinstance(error["position"], int) and 0 <= error["position"] <= len("x^2 + (3x")


def test_injection_is_refused_and_nothing_runs(client, tmp_path: Path):
    marker = tmp_path / "pwned"
    text = f"__import__('os').system('touch {marker}')"
    response = post(client, {"kind": "derivative", "params": {"expression": text, "variable": "x"}})
    assert response.status_code == 422
    assert not marker.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "nope", "params": {}}, "kind"),
        ({"kind": "derivative", "params": {"variable": "x"}}, "params.expression"),
        ({"kind": "derivative", "params": {"expression": "x", "order": 0}}, "params.order"),
        ({"kind": "derivative", "params": {"expression": "x", "order": 10**6}}, "params.order"),
        ({"kind": "derivative", "params": {"expression": "x", "colour": 1}}, "params.colour"),
        (
            {
                "kind": "derivative",
                "params": {"expression": "x y", "variable": "x", "at": {"x": "pi/"}},
            },
            "params.at.x",
        ),
        ({"params": {}}, "kind"),
    ],
)
def test_invalid_params_get_field_errors(client, body, field):
    response = post(client, body)
    assert response.status_code == 422, response.get_json()
    fields = [e["field"] for e in response.get_json()["errors"]]
    assert any(f == field or f.startswith(field + ".") for f in fields), fields


def test_malformed_json_is_400_and_wrong_type_415(client):
    bad = client.post("/v1/jobs", data="{not json", content_type="application/json")
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"
    text = client.post("/v1/jobs", data="kind=derivative", content_type="text/plain")
    assert text.status_code == 415 and text.mimetype == "application/problem+json"


def test_oversized_body_is_413_before_parsing(client, pg_settings):
    huge = (
        b'{"kind": "derivative", "params": {"expression": "'
        + b"x+" * pg_settings.max_body_bytes
        + b'x"}}'
    )
    response = client.post("/v1/jobs", data=huge, content_type="application/json")
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_unknown_job_is_404_problem(client):
    response = client.get("/v1/jobs/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_wrong_method_is_405_with_allow(client):
    response = client.put("/v1/jobs", json={})
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"] and "POST" in response.headers["Allow"]


def test_idempotency_key_returns_the_first_job(client):
    key = "retry-me-1"
    first = post(client, DERIVATIVE, **{"Idempotency-Key": key})
    second = post(client, DERIVATIVE, **{"Idempotency-Key": key})
    assert first.status_code == 202 and second.status_code == 202
    assert first.get_json()["id"] == second.get_json()["id"]
    other = {"kind": "derivative", "params": {"expression": "cos(x)", "variable": "x"}}
    clash = post(client, other, **{"Idempotency-Key": key})
    assert clash.status_code == 422
    assert clash.mimetype == "application/problem+json"


def test_list_pages_newest_first_without_gaps(client):
    label = "paging-test"
    created = [
        post(
            client,
            {**DERIVATIVE, "label": label, "params": {"expression": f"x^{n}", "variable": "x"}},
        ).get_json()["id"]
        for n in range(2, 9)
    ]
    seen, cursor = [], None
    while True:
        query = "/v1/jobs?kind=derivative&limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(query).get_json()
        seen.extend(item["id"] for item in page["items"] if item["label"] == label)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(created))
    bad = client.get("/v1/jobs?cursor=garbage")
    assert bad.status_code == 422


def test_list_filters_by_status(client):
    job_id = post(client, DERIVATIVE).get_json()["id"]
    client.delete(f"/v1/jobs/{job_id}")
    page = client.get("/v1/jobs?status=canceled&limit=200").get_json()
    assert job_id in [item["id"] for item in page["items"]]
    assert all(item["status"] == "canceled" for item in page["items"])
    assert client.get("/v1/jobs?status=sleeping").status_code == 422


def test_cancel_queued_job_then_conflict(client):
    job_id = post(client, DERIVATIVE).get_json()["id"]
    canceled = client.delete(f"/v1/jobs/{job_id}")
    assert canceled.status_code == 200
    assert canceled.get_json()["status"] == "canceled"
    assert canceled.get_json()["finished_at"] is not None
    again = client.delete(f"/v1/jobs/{job_id}")
    assert again.status_code == 409


def test_health_and_readiness(client, pg_settings):
    assert client.get("/healthz").get_json()["status"] == "ok"
    with session_scope(pg_settings.database_url) as session:  # a live worker
        heartbeats.beat(session, "ready-test@here", 1, 1, utcnow())
    client.application.extensions["mlcalc-validators"].start()  # waits until they are up
    try:
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.get_json()
        assert ready.get_json()["checks"] == {
            "database": "ok",
            "broker": "ok",
            "workers": "ok",
            "validators": "ok",
        }
    finally:
        with session_scope(pg_settings.database_url) as session:
            heartbeats.forget(session, "ready-test@here")


def test_openapi_is_generated_and_complete(client):
    spec = client.get("/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    assert {"/v1/jobs", "/v1/jobs/{job_id}", "/healthz", "/readyz"} <= set(spec["paths"])
    post_op = spec["paths"]["/v1/jobs"]["post"]
    assert "application/problem+json" in post_op["responses"]["422"]["content"]
    assert "Problem" in spec["components"]["schemas"]
    assert client.get("/docs").status_code == 200
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("page", ["/", "/docs"])
def test_pages_load_their_assets_locally(client, page):
    import re

    html = client.get(page).data.decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert assets, html
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_metrics_count_jobs_by_kind_and_status(client):
    before = client.get("/metrics").data.decode()
    post(client, DERIVATIVE)
    text = client.get("/metrics").data.decode()
    assert client.get("/metrics").mimetype == "text/plain"

    def value(body: str, line_start: str) -> float:
        lines = [ln for ln in body.splitlines() if ln.startswith(line_start)]
        return float(lines[0].rsplit(" ", 1)[1]) if lines else 0.0

    key = 'mlcalc_jobs_accepted_total{kind="derivative"}'
    assert value(text, key) == value(before, key) + 1
    assert 'mlcalc_jobs{status="queued"}' in text
    assert "mlcalc_queue_depth" in text
    assert "mlcalc_workers_alive " in text


def test_request_id_is_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"


@pytest.mark.parametrize("query", ["kind=a%00b", "batch_id=%00", "cursor=ab%00"])
def test_nul_bytes_in_queries_are_422_not_a_database_error(client, query):
    # PostgreSQL cannot store NUL; found by schemathesis as a 5xx.
    response = client.get(f"/v1/jobs?{query}")
    assert response.status_code == 422
    assert client.get("/v1/jobs/ab%00cd").status_code == 422
