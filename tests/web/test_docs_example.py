"""The request /docs offers for "Try it out" is a job that solves."""

from __future__ import annotations

import pytest

from tests.conftest import wait_finished

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.e2e]


def test_the_docs_example_request_is_a_valid_job(client, worker):
    spec = client.get("/v1/openapi.json").get_json()
    schema = spec["components"]["schemas"]["JobCreate"]
    example = schema["example"]
    response = client.post("/v1/jobs", json=example)
    assert response.status_code == 202, response.get_json()
    job = wait_finished(client, response.get_json()["id"])
    # Oracle: (x² sin x)' = 2x sin x + x² cos x, which is π at π/2.
    assert job["status"] == "succeeded" and job["result"]["value"] == "pi"
