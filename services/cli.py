"""The ``mlcalc`` command: serve, worker, migrate, submit, batch, check, keys."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from shared.settings import Settings, load_settings


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    """Bring the database up to the newest migration."""
    from shared.db.migrate import upgrade

    upgrade(settings.database_url)
    print(f"database migrated: {_redact(settings.database_url)}")
    return 0


def worker_command(
    settings: Settings, concurrency: int, beat: bool, schedule: Path | None = None
) -> list[str]:
    """The Celery worker command line for ``settings`` (beat: with recovery)."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "workers.celery_app",
        "worker",
        "--loglevel",
        settings.log_level,
        "--concurrency",
        str(concurrency),
        "--pool",
        "prefork",
        "--without-gossip",
        "--without-mingle",
    ]
    if beat:
        schedule = schedule or settings.data_dir / "celerybeat-schedule"
        schedule.parent.mkdir(parents=True, exist_ok=True)
        command += ["--beat", "--schedule", str(schedule)]
    return command


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    """Run a Celery worker (with the recovery schedule when --beat)."""
    command = worker_command(settings, args.concurrency, args.beat)
    os.execv(command[0], command)
    return 0  # not reached


def api_command(port: int, host: str, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "services.api:create_app()",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        "8",
        "--worker-class",
        "gthread",
        "--timeout",
        "60",
        "--access-logfile",
        "-",
    ]


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    """Migrate, then supervise the API and (unless --no-worker) a worker and the
    recovery beat: any of them that exits is started again, the others live on."""
    from services.supervisor import Supervisor, beat_command

    cmd_migrate(settings, args)
    args.port = args.port or settings.port
    commands = [("api", api_command(args.port, args.host, args.api_workers))]
    if not args.no_worker:
        commands.append(("worker", worker_command(settings, args.concurrency, beat=False)))
        schedule = settings.data_dir / "celerybeat-schedule"
        commands.append(("beat", beat_command(schedule, settings.log_level)))
    queue = "Redis" if settings.broker_url else "embedded queue"
    print(
        f"\nmlcalc is running: open http://{args.host}:{args.port}/ "
        f"(API docs at /docs; database {_redact(settings.database_url)}; {queue}). "
        "Ctrl-C stops it.\n",
        flush=True,
    )
    from shared.logs import configure_logging

    configure_logging(settings.log_level)
    return Supervisor(commands).run()


def cmd_submit(settings: Settings, args: argparse.Namespace) -> int:
    """Submit one job over HTTP, wait for it and print it."""
    params = json.loads(args.params) if args.params else {}
    for item in args.param or []:
        key, _, value = item.partition("=")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    job = _client(settings, args).run_job(args.kind, params, wait=args.wait)
    print(json.dumps(job, indent=2))
    return 0 if job["status"] == "succeeded" else 1


def _client(settings: Settings, args: argparse.Namespace):
    from services.client import Client

    return Client(args.url or settings.api_url, settings.api_key)


def cmd_batch(settings: Settings, args: argparse.Namespace) -> int:
    """Submit a JSONL or CSV file of jobs, show progress, write the results."""
    from services.client import run_batch_file

    source = Path(args.file)
    out = Path(args.out) if args.out else source.with_name(source.stem + "-results.csv")
    return run_batch_file(_client(settings, args), source, out, progress=not args.quiet)


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    """Check one answer against an expected expression and print the verdict."""
    params = {"answer": args.answer, "expected": args.expected, "test": args.test}
    if args.variables:
        params["variables"] = args.variables.split(",")
    job = _client(settings, args).run_job("check", params)
    if job["status"] != "succeeded":
        print(f"{job['status']}: {(job.get('error') or {}).get('detail')}", file=sys.stderr)
        return 2
    result = job["result"]
    verdict = "correct" if result["correct"] else "incorrect"
    print(f"{verdict}: {result.get('feedback', '')}")
    return 0 if result["correct"] else 1


def cmd_keys(settings: Settings, args: argparse.Namespace) -> int:
    """Create, list or revoke API keys."""
    from shared.db import keys
    from shared.db.session import session_scope

    with session_scope(settings.database_url) as session:
        if args.action == "create":
            row, plaintext = keys.create_key(session, args.name or "unnamed")
            print(f"created key {row.id} ({row.name}); it is shown only once:")
            print(f"key: {plaintext}")
        elif args.action == "list":
            for row in keys.list_keys(session):
                state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
                created = f"{row.created_at:%Y-%m-%d %H:%M}"
                print(f"{row.id}  {row.prefix}…  {row.name}  created {created}  {state}")
        else:
            if not args.name:
                print("give the id or prefix of the key to revoke", file=sys.stderr)
                return 2
            count = keys.revoke_key(session, args.name)
            print(f"revoked {count} key(s)")
            return 0 if count else 1
    return 0


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mlcalc", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the API and a worker")
    serve.add_argument("--port", type=int, help="default: $PORT or 8000")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--api-workers", type=int, default=2)
    serve.add_argument("--concurrency", type=int, default=2)
    serve.add_argument("--no-worker", action="store_true")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run a Celery worker")
    worker.add_argument("--concurrency", type=int, default=2)
    worker.add_argument("--beat", action="store_true", help="also run the recovery schedule")
    worker.set_defaults(func=cmd_worker)

    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(func=cmd_migrate)

    submit = sub.add_parser("submit", help="submit one job")
    submit.add_argument("kind")
    submit.add_argument("--params", help="params as a JSON object")
    submit.add_argument("--param", action="append", help="one param as key=value (JSON value)")
    submit.add_argument("--wait", type=int, default=30)
    submit.add_argument("--url")
    submit.set_defaults(func=cmd_submit)
    batch = sub.add_parser("batch", help="submit a JSONL or CSV file of jobs and save results")
    batch.add_argument("file")
    batch.add_argument("--out", help="results file (.csv or .ndjson); default FILE-results.csv")
    batch.add_argument("--quiet", action="store_true", help="no progress bar")
    batch.add_argument("--url")
    batch.set_defaults(func=cmd_batch)

    check = sub.add_parser("check", help="check one answer: mlcalc check EXPECTED ANSWER")
    check.add_argument("expected")
    check.add_argument("answer")
    check.add_argument("--test", default="equivalent")
    check.add_argument("--variables", help="comma-separated variable names")
    check.add_argument("--url")
    check.set_defaults(func=cmd_check)

    keys = sub.add_parser("keys", help="create, list or revoke API keys")
    keys.add_argument("action", choices=["create", "list", "revoke"])
    keys.add_argument("name", nargs="?", help="a name (create) or an id or prefix (revoke)")
    keys.set_defaults(func=cmd_keys)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(load_settings(), args)


if __name__ == "__main__":
    raise SystemExit(main())
