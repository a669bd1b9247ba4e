"""The generic artifacts download, through HTTP and a real worker."""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import wait_finished

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.e2e]


def test_artifact_route_and_the_old_trajectory_url_serve_the_same_file(client, worker):
    params = {
        "expression": "(x - 2)^2",
        "variables": ["x"],
        "start": {"x": 0},
        "learning_rate": 0.25,
        "max_iter": 20,
    }
    created = client.post("/v1/jobs", json={"kind": "optimize", "params": params}).get_json()
    job = wait_finished(client, created["id"])
    assert job["status"] == "succeeded"
    new = client.get(f"/v1/jobs/{job['id']}/artifacts/trajectory.csv")
    old = client.get(f"/v1/jobs/{job['id']}/trajectory.csv")
    assert new.status_code == old.status_code == 200
    assert new.data == old.data and new.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(new.data.decode())))
    # Oracle: x_{k+1} = x_k - 0.25 * 2 (x_k - 2) halves the distance to 2.
    assert rows[0][:2] == ["iter", "x"]
    assert [float(r[1]) for r in rows[1:4]] == [0.0, 1.0, 1.5]
    missing = client.get(f"/v1/jobs/{job['id']}/artifacts/steps.pdf")
    assert missing.status_code == 404
    assert missing.get_json()["type"].endswith("no-artifact")
