"""GET /v1/kinds and the OpenAPI spec built from the kinds' models."""

from __future__ import annotations

import pytest

from shared.jobs.registry import load_kinds

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_kinds_lists_every_registered_kind_with_its_schemas(client):
    response = client.get("/v1/kinds")
    assert response.status_code == 200
    listed = {kind["name"]: kind for kind in response.get_json()}
    assert set(listed) == set(load_kinds())
    fit = listed["fit"]
    assert fit["title"] and "X" in fit["params_schema"]["properties"]
    assert {"coefficients", "loss_history", "stop_reason"} <= set(
        fit["result_schema"]["properties"]
    )
    assert set(listed["check"]["result_schema"]["required"]) >= {"correct", "feedback"}


def test_openapi_documents_kinds_and_results(client):
    spec = client.get("/v1/openapi.json").get_json()
    assert "/v1/kinds" in spec["paths"]
    assert "/v1/jobs/{job_id}/artifacts/{name}" in spec["paths"]
    result = spec["components"]["schemas"]["JobResource"]["properties"]["result"]
    refs = {option.get("$ref") for option in result["anyOf"]}
    assert "#/components/schemas/OptimizeResult" in refs
    assert "OptimizeResult" in spec["components"]["schemas"]
