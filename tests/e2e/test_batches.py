"""Batches through the real worker: all-or-nothing validation, ordered results,
CSV, result reuse, and the command-line client."""

from __future__ import annotations

import csv
import io
import json
import time

import httpx
import pytest
from sqlalchemy import func, select

from services.client import Client, run_batch_file
from shared.db.models import Job
from shared.db.session import session_scope

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.e2e]

SIGMOID_PRIME = "e^(-x)/(1+e^(-x))^2"


def check(answer: str, expected: str, label: str) -> dict:
    return {"kind": "check", "params": {"answer": answer, "expected": expected}, "label": label}


def wait_batch(client, batch_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/v1/batches/{batch_id}").get_json()
        if status["done"]:
            return status
        time.sleep(0.2)
    raise AssertionError(f"batch {batch_id} not done: {status}")


def test_invalid_batch_is_refused_whole_with_every_bad_index(client, pg_settings):
    jobs = [
        check("2x", "x^2", "ok-0"),
        {"kind": "check", "params": {"answer": "1"}, "label": "no expected"},
        check("2x", "x^2", "ok-2"),
        {"kind": "derivative", "params": {"expression": "sin(", "variable": "x"}},
        {"kind": "nope", "params": {}},
    ]
    with session_scope(pg_settings.database_url) as session:
        before = session.scalar(select(func.count()).select_from(Job))
    response = client.post("/v1/batches", json={"jobs": jobs})
    assert response.status_code == 422
    problem = response.get_json()
    bad = {int(e["field"].split(".")[1]) for e in problem["errors"]}
    assert bad == {1, 3, 4}
    parse = [e for e in problem["errors"] if e["field"] == "jobs.3.params.expression"]
    assert parse and parse[0]["position"] == 4
    with session_scope(pg_settings.database_url) as session:
        assert session.scalar(select(func.count()).select_from(Job)) == before


def test_batch_runs_in_order_with_counts_csv_and_reuse(client, worker):
    jobs = [
        check("2x", "x^2", "a"),  # wrong on purpose: an integral-style slip is not involved
        check("sigmoid(x)(1 - sigmoid(x))", SIGMOID_PRIME, "b"),
        check("e^(-x)/(1+e^(-x))^2", SIGMOID_PRIME, "c"),
        check("sigmoid(x)(1 - sigmoid(x))", SIGMOID_PRIME, "d"),  # same as b: reused
        {"kind": "derivative", "params": {"expression": "x^3", "variable": "x"}, "label": "e"},
    ]
    accepted = client.post("/v1/batches", json={"jobs": jobs})
    assert accepted.status_code == 202, accepted.get_json()
    batch = accepted.get_json()
    assert batch["total"] == 5
    status = wait_batch(client, batch["id"])
    assert status["counts"]["succeeded"] == 5 and status["done"]

    lines = client.get(f"/v1/batches/{batch['id']}/results").data.decode().splitlines()
    results = [json.loads(line) for line in lines]
    assert [r["label"] for r in results] == ["a", "b", "c", "d", "e"]
    # Oracle: sigma' = sigma(1 - sigma) = e^-x/(1+e^-x)^2; 2x is not x^2.
    assert [r["result"].get("correct") for r in results[:4]] == [False, True, True, True]
    assert results[3]["cached"] is True and results[1]["cached"] is False

    table = list(
        csv.DictReader(
            io.StringIO(client.get(f"/v1/batches/{batch['id']}/results.csv").data.decode())
        )
    )
    assert [row["label"] for row in table] == ["a", "b", "c", "d", "e"]
    assert [row["correct"] for row in table[:4]] == ["false", "true", "true", "true"]

    listed = client.get(f"/v1/jobs?batch_id={batch['id']}&limit=10").get_json()["items"]
    assert {item["id"] for item in listed} == {r["id"] for r in results}


def test_cli_batch_file_writes_results(app, worker, tmp_path):
    source = tmp_path / "answers.csv"
    problem = json.dumps(
        {"kind": "derivative", "params": {"expression": "sin(x^2)", "variable": "x"}}
    )
    with source.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["label", "expected", "problem", "answer", "test"])
        writer.writerow(["alice", "", problem, "2x cos(x^2)", ""])
        writer.writerow(["bob", "", problem, "cos(x^2)", ""])
        writer.writerow(["carol", "x^2+2x+1", "", "(x+1)^2", "expanded"])
    out = tmp_path / "results.csv"
    client = Client("http://testserver", transport=httpx.WSGITransport(app=app))
    assert run_batch_file(client, source, out, progress=False) == 0
    rows = list(csv.DictReader(out.open()))
    assert [r["label"] for r in rows] == ["alice", "bob", "carol"]
    # Oracle: alice is right; bob dropped the chain factor 2x; carol is not expanded.
    assert [r["correct"] for r in rows] == ["true", "false", "false"]
    assert rows[1]["mistake"] == "missing_chain_factor"


def test_a_large_batch_of_repeated_checks_is_stored_whole_and_every_job_runs(
    client, worker, pg_settings
):
    # 600 checks, 4 distinct: a class's answers to one problem, in a few forms.
    problem = {"kind": "derivative", "params": {"expression": "x^3 + sin(x)", "variable": "x"}}
    forms = ["3x^2 + cos(x)", "cos(x) + 3x^2", "3x^2 - cos(x)", "x^3 + sin(x)"]
    jobs = [
        {"kind": "check", "params": {"answer": forms[i % 4], "problem": problem}, "label": f"s{i}"}
        for i in range(600)
    ]
    accepted = client.post("/v1/batches", json={"jobs": jobs})
    assert accepted.status_code == 202, accepted.get_json()
    batch_id = accepted.get_json()["id"]
    with session_scope(pg_settings.database_url) as session:
        rows = session.execute(
            select(Job.batch_index, Job.label, Job.params, Job.enqueued_at, Job.status)
            .where(Job.batch_id == batch_id)
            .order_by(Job.batch_index)
        ).all()
    assert [row.batch_index for row in rows] == list(range(600))
    assert [row.label for row in rows] == [job["label"] for job in jobs]
    assert [row.params for row in rows] == [job["params"] for job in jobs]
    # Only the first of each group of identical checks was sent. (A leader a
    # worker claimed before its chunk was marked sent keeps no mark: marking
    # touches queued jobs only.)
    sent = [row.batch_index for row in rows if row.enqueued_at is not None]
    assert set(sent) <= {0, 1, 2, 3}
    assert all(row.enqueued_at is not None or row.status != "queued" for row in rows[:4])
    status = wait_batch(client, batch_id)
    assert status["counts"]["succeeded"] == 600
    lines = client.get(f"/v1/batches/{batch_id}/results").data.decode().splitlines()
    results = [json.loads(line) for line in lines]
    assert [r["label"] for r in results] == [job["label"] for job in jobs]
    # Oracle: d/dx (x^3 + sin x) = 3x^2 + cos x, in either order; the others are slips.
    assert [r["result"]["correct"] for r in results] == [True, True, False, False] * 150
    assert sum(r["cached"] for r in results) == 596
