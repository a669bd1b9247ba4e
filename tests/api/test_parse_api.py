"""POST /v1/parse through the app on the real PostgreSQL and Redis (no job is made)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from shared.db.models import Job
from shared.db.session import session_scope

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def parse(client, **body):
    return client.post("/v1/parse", json=body)


@pytest.mark.parametrize(
    ("body", "expression", "variables"),
    [
        ({"expression": "x^2 + 2xy + 3y^2"}, "x^2 + 2*x*y + 3*y^2", ["x", "y"]),
        ({"expression": "2xsinx + x^2cosx"}, "x^2*cos(x) + 2*x*sin(x)", ["x"]),
        ({"expression": "lr*g", "variables": ["lr", "g"]}, "g*lr", ["g", "lr"]),
        ({"expression": "sigma(z)"}, "sigmoid(z)", ["z"]),
        ({"expression": r"\frac{1}{1+e^{-z}}", "syntax": "latex"}, "1/(1 + exp(-z))", ["z"]),
        ({"expression": "θ^(1/3)"}, "cbrt(theta)", ["theta"]),
    ],
)
def test_reads_as_the_contract_says(client, body, expression, variables):
    response = parse(client, **body)
    assert response.status_code == 200, response.get_json()
    got = response.get_json()
    assert got["expression"] == expression
    assert got["variables"] == variables
    assert got["latex"]
    # the canonical form reads back to itself
    again = parse(client, **{**body, "expression": got["expression"], "syntax": "plain"})
    assert again.get_json()["expression"] == expression


def test_generic_functions_and_data_are_reported(client):
    got = parse(client, expression="f(g(x)) + phi(x)", functions=["phi"]).get_json()
    assert got["functions"] == ["f", "g", "phi"] and got["variables"] == ["x"]
    body = {"expression": "mean((w x + b - y)^2)", "data": {"x": [1, 2], "y": [3, 4]}}
    got = parse(client, **body).get_json()
    assert got["expression"] == "mean((b + w*x - y)^2)"
    assert got["variables"] == ["b", "w"] and got["data"] == ["x", "y"]


@pytest.mark.parametrize(
    ("body", "position"),
    [
        ({"expression": "x^2 + (3x"}, 9),
        ({"expression": "2 + gelu(x)"}, 4),
        ({"expression": "x + mean(y)", "data": {"x": [1], "y": [2]}}, 0),
    ],
)
def test_parse_error_is_422_with_position(client, body, position):
    response = parse(client, **body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["position"] == position
    (error,) = problem["errors"]
    assert error["field"] == "expression" and error["position"] == position


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"expression": ""},
        {"expression": "x", "syntax": "tex"},
        {"expression": "x", "variables": ["1x"]},
        {"expression": "x", "data": {"x": [1, 2], "y": [1]}},
        {"expression": "x", "unknown": 1},
    ],
)
def test_bad_bodies_are_422(client, body):
    response = parse(client, **body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


def test_parse_makes_no_job(client, pg_settings):
    with session_scope(pg_settings.database_url) as session:
        before = session.scalar(select(func.count()).select_from(Job))
    assert parse(client, expression="x^2").status_code == 200
    with session_scope(pg_settings.database_url) as session:
        assert session.scalar(select(func.count()).select_from(Job)) == before


def test_documented_in_openapi(client):
    spec = client.get("/v1/openapi.json").get_json()
    operation = spec["paths"]["/v1/parse"]["post"]
    assert "200" in operation["responses"] and "422" in operation["responses"]
    assert "ParseRequest" in spec["components"]["schemas"]
