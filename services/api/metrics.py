"""/metrics in Prometheus text format, read from the database and the broker.

The SQL rows are the record of every job, so the counts come from them: the
numbers agree across any number of API processes and survive restarts
(per-process counters under gunicorn would need multiprocess mode and still
lose the workers' side).
"""

from __future__ import annotations

from flask import Response
from flask_openapi3 import APIBlueprint, Tag
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, SummaryMetricFamily

from services.api.runtime import runtime
from shared.db import heartbeats, stats
from shared.db.models import JobStatus, utcnow
from shared.queue import queue_depth

bp = APIBlueprint("metrics", __name__, abp_tags=[Tag(name="operations")])

RECENT = 1000


class JobCollector:
    """Collect job counts, recent durations and queue depth on each scrape."""

    def collect(self):
        accepted = CounterMetricFamily("mlcalc_jobs_accepted", "Jobs accepted", labels=["kind"])
        finished = CounterMetricFamily(
            "mlcalc_jobs_finished", "Jobs finished", labels=["kind", "status"]
        )
        current = GaugeMetricFamily("mlcalc_jobs", "Jobs by current status", labels=["status"])
        durations = SummaryMetricFamily(
            "mlcalc_job_duration_seconds",
            f"Run time of the last {RECENT} finished jobs",
            labels=["kind"],
        )
        with runtime().sessions() as session:
            rows = stats.job_counts(session)
            recent = stats.recent_run_times(session, RECENT)
            live = heartbeats.live_count(session)
        by_kind: dict[str, int] = {}
        by_status = {status.value: 0 for status in JobStatus}
        for kind, status, count in rows:
            by_kind[kind] = by_kind.get(kind, 0) + count
            by_status[status] = by_status.get(status, 0) + count
            if JobStatus(status).finished:
                finished.add_metric([kind, status], count)
        for kind, count in sorted(by_kind.items()):
            accepted.add_metric([kind], count)
        for status, count in by_status.items():
            current.add_metric([status], count)
        sums: dict[str, list[float]] = {}
        for kind, seconds in recent:
            sums.setdefault(kind, []).append(seconds)
        for kind, values in sorted(sums.items()):
            durations.add_metric([kind], count_value=len(values), sum_value=sum(values))
        yield accepted
        yield finished
        yield current
        yield durations
        workers = GaugeMetricFamily("mlcalc_workers_alive", "Workers whose heartbeat is fresh")
        workers.add_metric([], live)
        yield workers
        depth = queue_depth(runtime().producer)
        queue = GaugeMetricFamily("mlcalc_queue_depth", "Messages waiting in the broker queue")
        queue.add_metric([], float("nan") if depth is None else depth)
        yield queue
        now = GaugeMetricFamily("mlcalc_scrape_timestamp_seconds", "When this scrape was made")
        now.add_metric([], utcnow().timestamp())
        yield now


@bp.get(
    "/metrics",
    responses={
        200: {
            "description": "Prometheus text exposition format",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    },
)
def metrics() -> Response:
    """Expose job and queue metrics for Prometheus."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(JobCollector())
    return Response(generate_latest(registry), mimetype="text/plain; version=0.0.4")
