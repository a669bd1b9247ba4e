"""API keys and rate limits, on the real PostgreSQL and Redis."""

from __future__ import annotations

import dataclasses
import time
import uuid

import pytest

from services.api import create_app
from shared.db.keys import create_key, revoke_key
from shared.db.session import session_scope

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

JOB = {"kind": "derivative", "params": {"expression": "x^2", "variable": "x"}}


@pytest.fixture()
def keyed(pg_settings):
    settings = dataclasses.replace(
        pg_settings,
        require_api_keys=True,
        rate_limit_per_minute=5,
        broker_key_prefix=f"{pg_settings.broker_key_prefix}{uuid.uuid4().hex[:6]}:",
    )
    app = create_app(settings, {"TESTING": True})
    with session_scope(settings.database_url) as session:
        (_, alice), (_, bob) = create_key(session, "alice"), create_key(session, "bob")
    return app.test_client(), settings, alice, bob


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_every_v1_call_needs_a_known_key(keyed):
    client, _, alice, _ = keyed
    for response in (
        client.post("/v1/jobs", json=JOB),
        client.get("/v1/jobs"),
        client.post("/v1/jobs", json=JOB, headers=auth("mlc_not-a-key")),
        client.post("/v1/jobs", json=JOB, headers={"Authorization": f"Basic {alice}"}),
    ):
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/healthz").status_code == 200
    assert client.get("/v1/openapi.json").status_code == 200


def test_keys_see_only_their_own_jobs_and_batches(keyed):
    client, _, alice, bob = keyed
    job = client.post("/v1/jobs", json=JOB, headers=auth(alice)).get_json()
    assert client.get(f"/v1/jobs/{job['id']}", headers=auth(alice)).status_code == 200
    assert client.get(f"/v1/jobs/{job['id']}", headers=auth(bob)).status_code == 404
    assert client.delete(f"/v1/jobs/{job['id']}", headers=auth(bob)).status_code == 404
    listed = client.get("/v1/jobs?limit=200", headers=auth(bob)).get_json()["items"]
    assert job["id"] not in [item["id"] for item in listed]
    batch = client.post("/v1/batches", json={"jobs": [JOB]}, headers=auth(alice)).get_json()
    assert client.get(f"/v1/batches/{batch['id']}", headers=auth(bob)).status_code == 404
    assert client.get(f"/v1/batches/{batch['id']}/results", headers=auth(bob)).status_code == 404


def test_revoked_key_is_refused(keyed):
    client, settings, alice, _ = keyed
    assert client.get("/v1/jobs", headers=auth(alice)).status_code == 200
    with session_scope(settings.database_url) as session:
        assert revoke_key(session, alice[:12]) == 1
    assert client.get("/v1/jobs", headers=auth(alice)).status_code == 401


def test_rate_limit_answers_429_with_retry_after_per_key(keyed):
    client, _, alice, bob = keyed
    if time.time() % 60 > 55:  # counts are per minute: do not straddle a boundary
        time.sleep(61 - time.time() % 60)
    statuses = [client.get("/v1/jobs", headers=auth(alice)).status_code for _ in range(7)]
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429, 429]
    limited = client.get("/v1/jobs", headers=auth(alice))
    retry_after = int(limited.headers["Retry-After"])
    assert retry_after >= 1 and retry_after <= 61  # seconds until the window ends
    assert limited.mimetype == "application/problem+json"
    assert client.get("/v1/jobs", headers=auth(bob)).status_code == 200  # bob has his own count


def test_keys_are_stored_hashed(keyed):
    _, settings, alice, _ = keyed
    from sqlalchemy import select

    from shared.db.models import ApiKey

    with session_scope(settings.database_url) as session:
        stored = session.scalars(select(ApiKey.key_hash)).all()
    assert alice not in stored and all(len(h) == 64 for h in stored)


def test_spec_says_keys_are_needed_when_they_are(keyed):
    client, *_ = keyed
    spec = client.get("/v1/openapi.json").get_json()
    assert spec["paths"]["/v1/jobs"]["post"]["security"] == [{"bearer": []}]
    assert "401" in spec["paths"]["/v1/jobs/{job_id}"]["get"]["responses"]
    assert "security" not in spec["paths"]["/healthz"]["get"]


def test_unknown_keys_count_against_the_address(keyed):
    client, _, alice, _ = keyed
    if time.time() % 60 > 55:  # counts are per minute: do not straddle a boundary
        time.sleep(61 - time.time() % 60)
    statuses = [
        client.get("/v1/jobs", headers=auth(f"mlc_guess-{n}")).status_code for n in range(7)
    ]
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]
    limited = client.get("/v1/jobs", headers=auth("mlc_guess-again"))
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
