"""The ``mlcalc`` command: serve, worker, migrate, submit, keys."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time

from shared.settings import Settings, load_settings


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    """Bring the database up to the newest migration."""
    from shared.db.migrate import upgrade

    upgrade(settings.database_url)
    print(f"database migrated: {_redact(settings.database_url)}")
    return 0


def worker_command(settings: Settings, concurrency: int, beat: bool) -> list[str]:
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
        schedule = settings.data_dir / "celerybeat-schedule"
        settings.data_dir.mkdir(parents=True, exist_ok=True)
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
    """Migrate, then run the API and (unless --no-worker) a worker with recovery."""
    cmd_migrate(settings, args)
    args.port = args.port or settings.port
    children: list[subprocess.Popen] = []
    if not args.no_worker:
        children.append(subprocess.Popen(worker_command(settings, args.concurrency, beat=True)))
    children.append(subprocess.Popen(api_command(args.port, args.host, args.api_workers)))
    queue = "Redis" if settings.broker_url else "embedded file queue"
    print(
        f"\nmlcalc is running: open http://{args.host}:{args.port}/ "
        f"(API docs at /docs; database {_redact(settings.database_url)}; {queue}). "
        "Ctrl-C stops it.\n",
        flush=True,
    )

    def stop(signum, frame):  # noqa: ARG001
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    finally:
        stop(None, None)
        for child in children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
    return max((child.returncode or 0) for child in children)


def cmd_submit(settings: Settings, args: argparse.Namespace) -> int:
    """Submit one job over HTTP and print the job (waiting up to --wait seconds)."""
    import httpx

    params = json.loads(args.params) if args.params else {}
    for item in args.param or []:
        key, _, value = item.partition("=")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    headers = {"Prefer": f"wait={args.wait}"} if args.wait else {}
    if settings.api_key:
        headers["Authorization"] = f"Bearer {settings.api_key}"
    body = {"kind": args.kind, "params": params}
    response = httpx.post(
        f"{args.url or settings.api_url}/v1/jobs",
        json=body,
        headers=headers,
        timeout=args.wait + 10,
    )
    print(json.dumps(response.json(), indent=2))
    return 0 if response.status_code < 400 else 1


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
