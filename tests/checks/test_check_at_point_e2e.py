"""A check against a problem asked at a point, through HTTP, the real worker and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.conftest import wait_finished

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.e2e]


def test_gradient_at_a_point_is_checked_against_its_values(client, worker):
    # Oracle, by hand: grad(x^2 + 2xy + 3y^2) = (2x + 2y, 2x + 6y) = (10, 22) at (2, 3).
    problem = {
        "kind": "gradient",
        "params": {"expression": "x^2 + 2xy + 3y^2", "at": {"x": 2, "y": 3}},
    }
    verdicts = {}
    for answer in ("[10, 22]", "[10, 21]", "x^2 + (3"):
        response = client.post(
            "/v1/jobs", json={"kind": "check", "params": {"answer": answer, "problem": problem}}
        )
        assert response.status_code == 202, response.get_json()
        job = wait_finished(client, response.get_json()["id"])
        assert job["status"] == "succeeded", job  # an unreadable answer is a result too
        verdicts[answer] = job["result"]
    assert verdicts["[10, 22]"]["correct"] is True
    assert verdicts["[10, 22]"]["expected"] == ["10", "22"]
    assert verdicts["[10, 21]"]["correct"] is False and verdicts["[10, 21]"]["score"] == 0.5
    assert verdicts["x^2 + (3"]["correct"] is False
