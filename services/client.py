"""The command-line client's HTTP side: batches from JSONL or CSV files, single checks."""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from pathlib import Path
from typing import Any

import httpx

MAX_BATCH = 10_000
DEFAULT_CSV_KIND = "check"  # a CSV without a kind column holds answers to check


def read_jobs(
    path: Path, params_schemas: dict[str, dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Read job specs from JSONL (one job a line) or CSV.

    A CSV row has ``kind`` (default ``check``) and either ``params`` (a JSON
    object) or one column per param, read by the kind's params schema
    (``params_schemas``, from ``GET /v1/kinds``): text where the param takes
    a string, JSON otherwise. So a check CSV is ``answer`` with ``expected``
    or ``problem`` (JSON), and optional ``test``, ``variables`` (JSON list),
    ``rtol``, ``atol``, ``label``.
    """
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            return [
                _csv_job(row, number, params_schemas or {})
                for number, row in enumerate(csv.DictReader(handle), 2)
            ]
    jobs = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    jobs.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise SystemExit(f"{path}:{number}: not JSON: {exc}") from None
    return jobs


def _csv_job(row: dict[str, str], number: int, schemas: dict[str, dict]) -> dict[str, Any]:
    label = row.get("label") or None
    kind = row.get("kind") or DEFAULT_CSV_KIND
    if row.get("params"):
        try:
            params = json.loads(row["params"])
        except json.JSONDecodeError as exc:
            raise SystemExit(f"line {number}: params is not JSON: {exc}") from None
        return {"kind": kind, "params": params, "label": label}
    properties = schemas.get(kind, {}).get("properties")
    if properties is None:
        raise SystemExit(f"line {number}: the service has no job kind {kind!r}")
    params: dict[str, Any] = {}
    for column, value in row.items():
        if column in ("kind", "label", "params") or value in (None, ""):
            continue
        if column not in properties:
            raise SystemExit(f"line {number}: {kind} jobs take no param {column!r}")
        if _takes_text(properties[column]):
            params[column] = value
        else:
            try:
                params[column] = json.loads(value)
            except json.JSONDecodeError as exc:
                raise SystemExit(f"line {number}: {column} is not JSON: {exc}") from None
    return {"kind": kind, "params": params, "label": label}


def _takes_text(schema: dict[str, Any]) -> bool:
    """Whether a param's JSON Schema accepts a string (then a cell is its text)."""
    options = [schema, *schema.get("anyOf", [])]
    return any(o.get("type") == "string" or "enum" in o for o in options)


class Client:
    def __init__(
        self,
        base_url: str,
        api_key: str = "",
        timeout: float = 60,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.http = httpx.Client(
            base_url=base_url, headers=headers, timeout=timeout, transport=transport
        )

    def params_schemas(self) -> dict[str, dict[str, Any]]:
        """Each job kind's params JSON Schema, from ``GET /v1/kinds``."""
        response = self.http.get("/v1/kinds")
        if response.status_code >= 400:
            raise SystemExit(_problem_text(response))
        return {kind["name"]: kind["params_schema"] for kind in response.json()}

    def submit_batch(self, jobs: list[dict[str, Any]]) -> dict[str, Any]:
        response = self.http.post("/v1/batches", json={"jobs": jobs})
        if response.status_code >= 400:
            raise SystemExit(_problem_text(response))
        return response.json()

    def wait_batch(self, batch_id: str, total: int, progress: bool = True) -> None:
        while True:
            status = self.http.get(f"/v1/batches/{batch_id}").json()
            done = sum(status["counts"].get(s, 0) for s in ("succeeded", "failed", "canceled"))
            if progress:
                _progress_bar(done, total)
            if status["done"]:
                if progress:
                    print(file=sys.stderr)
                return
            time.sleep(0.5)

    def results(self, batch_id: str, fmt: str) -> bytes:
        suffix = "results.csv" if fmt == "csv" else "results"
        response = self.http.get(f"/v1/batches/{batch_id}/{suffix}")
        response.raise_for_status()
        return response.content

    def run_job(self, kind: str, params: dict[str, Any], wait: int = 30) -> dict[str, Any]:
        response = self.http.post(
            "/v1/jobs", json={"kind": kind, "params": params}, headers={"Prefer": f"wait={wait}"}
        )
        if response.status_code >= 400:
            raise SystemExit(_problem_text(response))
        job = response.json()
        while job["status"] in ("queued", "running"):
            time.sleep(0.3)
            job = self.http.get(f"/v1/jobs/{job['id']}").json()
        return job


def _progress_bar(done: int, total: int, width: int = 40) -> None:
    filled = int(width * done / total) if total else width
    bar = "#" * filled + "-" * (width - filled)
    print(f"\r[{bar}] {done}/{total}", end="", file=sys.stderr, flush=True)


def _problem_text(response: httpx.Response) -> str:
    try:
        problem = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:500]}"
    lines = [f"HTTP {response.status_code} {problem.get('title')}: {problem.get('detail')}"]
    for error in problem.get("errors", [])[:50]:
        where = f" (position {error['position']})" if error.get("position") is not None else ""
        lines.append(f"  {error['field']}: {error['message']}{where}")
    return "\n".join(lines)


def _finished(job: dict[str, Any]) -> bool:
    return job.get("status") in ("succeeded", "failed", "canceled")


def batch_summary(jobs: list[dict[str, Any]], seconds: float) -> str:
    """One line a person reads: "98 correct, 102 incorrect, 0 failed in 12.3 s"."""
    checks = [j for j in jobs if j.get("kind") == "check" and j.get("status") == "succeeded"]
    correct = sum(1 for j in checks if (j.get("result") or {}).get("correct"))
    succeeded = sum(1 for j in jobs if j.get("status") == "succeeded")
    failed = sum(1 for j in jobs if j.get("status") == "failed")
    canceled = sum(1 for j in jobs if j.get("status") == "canceled")
    parts = []
    if checks:
        parts += [f"{correct} correct", f"{len(checks) - correct} incorrect"]
    if succeeded > len(checks):
        parts.append(f"{succeeded - len(checks)} solved")
    parts.append(f"{failed} failed")
    if canceled:
        parts.append(f"{canceled} canceled")
    return f"{', '.join(parts)} in {seconds:.1f} s"


def _write_results(out: Path, jobs: list[dict[str, Any]], csv_chunks: list[bytes]) -> None:
    """Write ``out``: CSV from the service, a JSON array, or NDJSON (one job a line)."""
    suffix = out.suffix.lower()
    if suffix == ".csv":
        with out.open("wb") as handle:
            for index, chunk in enumerate(csv_chunks):
                if index > 0:
                    chunk = chunk.split(b"\n", 1)[1]  # one header for the whole file
                handle.write(chunk)
    elif suffix == ".json":
        out.write_text(json.dumps(jobs, indent=1) + "\n", encoding="utf-8")
    else:
        with out.open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(job) + "\n" for job in jobs)


def _parse_ndjson(body: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in body.splitlines() if line.strip()]


def run_batch_file(client: Client, path: Path, out: Path, progress: bool = True) -> int:
    """Submit every job in ``path`` (in batches of 10,000), wait, write ``out``.

    Ends with a summary line. Ctrl-C while waiting writes the results that
    are finished so far (the batch goes on on the server) and exits 130.
    """
    started = time.monotonic()
    jobs = read_jobs(path, client.params_schemas())
    if not jobs:
        raise SystemExit(f"{path}: no jobs")
    want_csv = out.suffix.lower() == ".csv"
    accepted_ids: list[str] = []
    interrupted = False
    try:
        for start in range(0, len(jobs), MAX_BATCH):
            accepted = client.submit_batch(jobs[start : start + MAX_BATCH])
            accepted_ids.append(accepted["id"])
            print(f"batch {accepted['id']}: {accepted['total']} jobs accepted", file=sys.stderr)
            client.wait_batch(accepted["id"], accepted["total"], progress)
    except KeyboardInterrupt:
        interrupted = True
        print("\ninterrupted: saving the results finished so far", file=sys.stderr)
    results: list[dict[str, Any]] = []
    csv_chunks: list[bytes] = []
    for batch_id in accepted_ids:
        results += _parse_ndjson(client.results(batch_id, "ndjson"))
        if want_csv:
            csv_chunks.append(client.results(batch_id, "csv"))
    if interrupted:
        results = [job for job in results if _finished(job)]
        csv_chunks = [_finished_csv_rows(chunk, results) for chunk in csv_chunks]
    _write_results(out, results, csv_chunks)
    print(f"wrote {len(results)} results to {out}", file=sys.stderr)
    print(batch_summary(results, time.monotonic() - started))
    if interrupted:
        pending = ", ".join(accepted_ids) or "none"
        print(f"the rest go on on the server (batch {pending})", file=sys.stderr)
        return 130
    return 0


def _finished_csv_rows(chunk: bytes, finished: list[dict[str, Any]]) -> bytes:
    """Keep the CSV header and the rows of finished jobs (matched by the id column)."""
    ids = {job["id"] for job in finished}
    rows = list(csv.reader(io.StringIO(chunk.decode("utf-8"))))
    if not rows:
        return chunk
    column = rows[0].index("id") if "id" in rows[0] else None
    kept = [rows[0]] + [r for r in rows[1:] if column is not None and r[column] in ids]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(kept)
    return buffer.getvalue().encode("utf-8")
