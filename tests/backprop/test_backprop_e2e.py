"""backprop jobs through HTTP, the real worker and PostgreSQL, against mpmath."""

from __future__ import annotations

import mpmath
import pytest

from tests.backprop import network as net
from tests.backprop.oracle import close, partials
from tests.conftest import run_job as run
from tests.conftest import wait_finished

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.e2e]


def test_network_gradient_matches_mpmath(client, worker):
    point = dict(zip(net.PARAMS, net.VALUES, strict=True))
    job = run(client, "backprop", {"expression": net.TEXT, "at": point})
    result = job["result"]
    assert close(result["value"], net.loss(*[mpmath.mpf(repr(v)) for v in net.VALUES]))
    expected = partials(net.loss, net.VALUES)
    assert list(result["gradient"]) == sorted(net.PARAMS, key=_natural)
    for name, oracle in zip(net.PARAMS, expected, strict=True):
        assert close(result["gradient"][name], oracle, rel=1e-8, abs_=1e-12), name
    nodes = result["graph"]["nodes"]
    assert result["graph"]["output"] == nodes[-1]["id"]
    position = {node["id"]: k for k, node in enumerate(nodes)}
    assert all(position[i] < position[n["id"]] for n in nodes for i in n["inputs"])
    assert [n["op"] for n in nodes].count("tanh") == 3
    rules = [step["rule"] for step in job["steps"]]
    assert rules == ["computation-graph", "forward-pass", "backward-pass", "gradient"]
    assert len(job["steps"][1]["substeps"]) == len(nodes) == len(job["steps"][2]["substeps"])


def _natural(name: str):
    return (name[0], name[1:])


def test_forward_mode_with_a_direction(client, worker):
    point = dict(zip(net.PARAMS, net.VALUES, strict=True))
    direction = {"w11": 1, "b2": -2, "c": 0.5}
    job = run(
        client,
        "backprop",
        {"expression": net.TEXT, "at": point, "mode": "forward", "direction": direction},
    )
    d = [direction.get(name, 0) for name in net.PARAMS]

    def along(t):
        return net.loss(*[v + t * di for v, di in zip(net.VALUES, d, strict=True)])

    oracle = mpmath.diff(along, mpmath.mpf(0))
    assert close(job["result"]["directional"], oracle, rel=1e-8, abs_=1e-12)
    assert job["result"]["direction"]["w11"] == 1.0
    assert all("tangent" in node for node in job["result"]["graph"]["nodes"])
    assert job["steps"][2]["rule"] == "tangent-pass"


def test_bad_backprop_input_fails_with_a_reason(client, worker):
    response = client.post(
        "/v1/jobs", json={"kind": "backprop", "params": {"expression": "x y", "at": {"x": 1}}}
    )
    assert response.status_code == 422
    assert "y" in response.get_json()["errors"][0]["message"]
    response = client.post(
        "/v1/jobs", json={"kind": "backprop", "params": {"expression": "log(x)", "at": {"x": -2}}}
    )
    job = wait_finished(client, response.get_json()["id"])
    assert job["status"] == "failed"
    assert "log(x)" in job["error"]["detail"]
