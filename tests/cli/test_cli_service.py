"""The command against the running service: summaries, batches, Ctrl-C, pipes, keys."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest

from tests.services import ROOT

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.e2e]


def test_submit_prints_a_readable_summary_and_json_on_request(cli):
    expression = "expression=x^2 sin x"
    done = cli.run("submit", "derivative", "--param", expression, "--param", "variable=x")
    assert done.returncode == 0, done.stderr
    # Oracle: (x² sin x)' = 2x sin x + x² cos x = x(x cos x + 2 sin x).
    assert "d/dx [x^2 sin x] = x*(x*cos(x) + 2*sin(x))" in done.stdout
    params = {"expression": "x^2 + 2xy + 3y^2", "at": {"x": 2, "y": 3}}
    done = cli.run("submit", "gradient", "--params", json.dumps(params))
    assert "at x = 2, y = 3: (10, 22)" in done.stdout  # the course's worked exercise
    done = cli.run("submit", "gradient", "--params", json.dumps(params), "--json")
    assert json.loads(done.stdout)["result"]["at_value"] == ["10", "22"]


def test_a_failed_job_says_why(cli):
    done = cli.run("submit", "derivative", "--param", "expression=x^", "--param", "variable=x")
    assert done.returncode == 1
    assert "HTTP 422" in done.stderr and "position" in done.stderr
    assert "Traceback" not in done.stderr


def test_check_with_a_problem_and_a_dashed_answer(cli):
    problem = json.dumps({"kind": "derivative", "params": {"expression": "cos x", "variable": "x"}})
    done = cli.run("check", "--problem", problem, "-sin x")
    assert (done.returncode, done.stdout.split(":")[0]) == (0, "correct"), done.stderr
    done = cli.run("check", "--problem", problem, "sin x")
    assert (done.returncode, done.stdout.split(":")[0]) == (1, "incorrect")


def test_batch_writes_json_and_ends_with_a_summary(cli, tmp_path):
    source = tmp_path / "answers.csv"
    source.write_text("answer,expected\n2x,2x\n3x,2x\nx + x,2x\n2x+,2x\n")
    out = tmp_path / "results.json"
    done = cli.run("batch", str(source), "--out", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    # An unreadable answer is a result (incorrect, valid: false), not a failure.
    assert done.stdout.startswith("2 correct, 2 incorrect, 0 failed in "), done.stdout
    jobs = json.loads(out.read_text())
    assert [job["result"]["correct"] for job in jobs] == [True, False, True, False]


def test_ctrl_c_in_a_batch_keeps_the_results_so_far(cli, tmp_path):
    # One quick check, then slow jobs the session's single worker runs one by one.
    lines = [{"kind": "check", "params": {"answer": "2x", "expected": "2x"}}]
    lines += [{"kind": "test_sleep", "params": {"seconds": 2 + i / 100}} for i in range(4)]
    source = tmp_path / "jobs.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines))
    out = tmp_path / "partial.ndjson"
    process = cli.start("batch", str(source), "--out", str(out), "--quiet")
    time.sleep(4)  # started, submitted; the check is done, the 2 s sleeps are not
    assert process.poll() is None, process.communicate()
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, (stdout, stderr)
    assert "interrupted" in stderr and "Traceback" not in stderr
    saved = [json.loads(line) for line in out.read_text().splitlines()]
    assert saved and len(saved) < len(lines)
    assert saved[0]["kind"] == "check" and saved[0]["status"] == "succeeded"
    assert all(job["status"] in ("succeeded", "failed") for job in saved)


def test_a_closed_pipe_is_not_an_error(cli):
    params = {
        "expression": "(x - 3)^2 + (y + 1)^2", "variables": ["x", "y"], "start": {"x": 0, "y": 0},
        "method": "gd", "learning_rate": 0.001, "max_iter": 1000, "tol": 0,
    }  # fmt: skip
    command = " ".join(cli.command("submit", "optimize", "--params", f"'{json.dumps(params)}'"))
    done = subprocess.run(
        f"{command} --json | head -c 20",
        shell=True,
        cwd=ROOT,
        env=cli.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert len(done.stdout) == 20
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr


def test_keys_revoke_takes_the_id_keys_list_shows(cli):
    created = cli.run("keys", "create", "course staff")
    key_id = created.stdout.split()[2]
    listed = cli.run("keys", "list").stdout
    line = next(line for line in listed.splitlines() if line.startswith(key_id))
    assert "active" in line and "course staff" in line
    revoked = cli.run("keys", "revoke", line.split()[0])
    assert revoked.returncode == 0 and f"revoked key {key_id}" in revoked.stdout
    again = cli.run("keys", "revoke", key_id)
    assert again.returncode == 1 and "no active key" in again.stderr
    listed = cli.run("keys", "list").stdout.splitlines()
    assert "revoked" in next(line for line in listed if key_id in line)
