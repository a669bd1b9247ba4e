"""The ``mlcalc`` command: serve, worker, migrate, submit, batch, check, keys."""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.request
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
    return Supervisor(commands, _signs_of_life(settings, args)).run()


def _signs_of_life(settings: Settings, args: argparse.Namespace) -> dict:
    """What tells ``serve``'s supervisor that the API and the worker are not hung."""
    from services.supervisor import SignOfLife
    from shared.liveness import is_alive

    health = f"http://127.0.0.1:{args.port}/healthz"

    def api_answers() -> bool:
        with urllib.request.urlopen(health, timeout=5) as response:  # noqa: S310 - our own URL
            return response.status == 200

    # Three missed answers in a row: a busy API answers /healthz within 5 s.
    life = {"api": SignOfLife(api_answers, every=10.0, failures=3)}
    if settings.embedded_broker:
        # With Redis, a consumer without a connection also drops its file, and
        # waits for the broker by design; on the embedded queue it can only be hung.
        life["worker"] = SignOfLife(lambda: is_alive(settings))
    return life


def _json_arg(text: str, what: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SystemExit(
            f"{what} is not valid JSON: {exc.msg} (at character {exc.pos + 1})"
        ) from None


def cmd_submit(settings: Settings, args: argparse.Namespace) -> int:
    """Submit one job over HTTP, wait for it and print a summary (--json: the job)."""
    params = _json_arg(args.params, "--params") if args.params else {}
    if not isinstance(params, dict):
        raise SystemExit('--params must be a JSON object, e.g. \'{"expression": "x^2"}\'')
    for item in args.param or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"--param {item!r}: write it as name=value, e.g. variable=x")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value  # plain text: --param expression='x^2 sin x'
    job = _client(settings, args).run_job(args.kind, params, wait=args.wait)
    if args.json:
        print(json.dumps(job, indent=2))
    else:
        from services.cli_output import job_summary

        print(job_summary(job))
    return 0 if job["status"] == "succeeded" else 1


def _client(settings: Settings, args: argparse.Namespace):
    from services.client import Client

    return Client(args.url or settings.api_url, settings.api_key)


def cmd_batch(settings: Settings, args: argparse.Namespace) -> int:
    """Submit a JSONL or CSV file of jobs, show progress, write the results, summarize."""
    from services.client import run_batch_file

    source = Path(args.file)
    if not source.is_file():
        raise SystemExit(f"{source}: no such file")
    out = Path(args.out) if args.out else source.with_name(source.stem + "-results.csv")
    return run_batch_file(_client(settings, args), source, out, progress=not args.quiet)


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    """Check one answer against an expected expression (or a problem) and print the verdict."""
    if args.problem and args.answer is None:
        args.answer, args.expected = args.expected, None  # the one positional is the answer
    if args.answer is None:
        raise SystemExit(
            "usage: mlcalc check EXPECTED ANSWER, or mlcalc check --problem JSON ANSWER"
        )
    params: dict = {"answer": args.answer, "test": args.test}
    if args.problem:
        if args.expected is not None:
            raise SystemExit("give either EXPECTED or --problem, not both")
        params["problem"] = _json_arg(args.problem, "--problem")
    else:
        params["expected"] = args.expected
    if args.variables:
        params["variables"] = [name.strip() for name in args.variables.split(",")]
    job = _client(settings, args).run_job("check", params)
    if job["status"] != "succeeded":
        error = job.get("error") or {}
        print(f"{job['status']}: {error.get('title')}: {error.get('detail')}", file=sys.stderr)
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
            rows = keys.list_keys(session)
            if not rows:
                print("no keys yet: mlcalc keys create NAME")
            for row in rows:
                state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
                created = f"{row.created_at:%Y-%m-%d %H:%M}"
                print(f"{row.id}  {row.prefix}  {row.name}  created {created}  {state}")
        else:
            if not args.name:
                print(
                    "give the id of the key to revoke (the first column of `mlcalc keys list`)",
                    file=sys.stderr,
                )
                return 2
            # The id or the prefix as `keys list` shows them (older lists ended it with "…").
            wanted = args.name.strip().rstrip("…").rstrip(".")
            count = keys.revoke_key(session, wanted)
            if not count:
                print(f"no active key with id or prefix {wanted!r}", file=sys.stderr)
                return 1
            print(f"revoked key {wanted}")
    return 0


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


# Listed in the help texts; tests/cli checks they match the service's own lists.
KINDS = ("derivative", "gradient", "extrema", "optimize", "check", "fit", "backprop", "compare")
TESTS = ("equivalent", "numeric", "identical_form", "up_to_constant", "expanded", "factored")
METHODS = (
    "gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam",
    "newton", "bfgs", "cg", "lbfgs", "nelder_mead",
)  # fmt: skip

ENVIRONMENT = """environment:
  MLCALC_URL      the service to talk to (default http://127.0.0.1:8000)
  MLCALC_API_KEY  the API key, when the service requires keys"""

SUBMIT_EPILOG = f"""kinds: {", ".join(KINDS)}
optimize methods: {", ".join(METHODS)}

examples:
  mlcalc submit derivative --param expression='x^2 sin x' --param variable=x
  mlcalc submit gradient --params '{{"expression": "x^2 + 2xy + 3y^2", "at": {{"x": 2, "y": 3}}}}'
  mlcalc submit optimize --params '{{"expression": "(x-3)^2", "variables": ["x"],
      "start": {{"x": 0}}, "method": "adam", "learning_rate": 0.1}}' --json

{ENVIRONMENT}"""

CHECK_EPILOG = f"""tests: {", ".join(TESTS)}

examples:
  mlcalc check "2x cos(x^2)" "cos(x^2)"           # EXPECTED ANSWER
  mlcalc check "-sin(x)" -sin x                    # an answer may start with '-'
  mlcalc check --problem '{{"kind": "derivative", "params": {{"expression": "sin(x^2)",
      "variable": "x"}}}}' "2x cos(x^2)"

{ENVIRONMENT}"""


def build_parser() -> argparse.ArgumentParser:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="mlcalc", description=__doc__, epilog=ENVIRONMENT, formatter_class=raw
    )
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

    submit = sub.add_parser(
        "submit", help="submit one job and print its result", epilog=SUBMIT_EPILOG,
        formatter_class=raw,
    )  # fmt: skip
    submit.add_argument("kind", help=f"one of: {', '.join(KINDS)}")
    submit.add_argument("--params", help="params as a JSON object")
    submit.add_argument(
        "--param", action="append", help="one param as name=value (JSON, else text); repeatable"
    )
    submit.add_argument("--wait", type=int, default=30, help="seconds the server may hold the call")
    submit.add_argument("--json", action="store_true", help="print the whole job as JSON")
    submit.add_argument("--url", help="the service (default: $MLCALC_URL)")
    submit.set_defaults(func=cmd_submit)

    batch = sub.add_parser(
        "batch", help="submit a JSONL or CSV file of jobs and save results",
        epilog=f"kinds: {', '.join(KINDS)}\n\n{ENVIRONMENT}", formatter_class=raw,
    )  # fmt: skip
    batch.add_argument("file", help="JSONL (one job a line) or CSV (kind + params columns)")
    batch.add_argument(
        "--out", help="results: .csv, .json (an array) or .ndjson; default FILE-results.csv"
    )
    batch.add_argument("--quiet", action="store_true", help="no progress bar")
    batch.add_argument("--url", help="the service (default: $MLCALC_URL)")
    batch.set_defaults(func=cmd_batch)

    check = sub.add_parser(
        "check", help="check one answer: mlcalc check EXPECTED ANSWER", epilog=CHECK_EPILOG,
        formatter_class=raw,
    )  # fmt: skip
    check.add_argument("expected", nargs="?", help="the expected expression")
    check.add_argument("answer", nargs="?", help="the answer to check")
    check.add_argument("--problem", help="instead of EXPECTED: a problem as JSON {kind, params}")
    check.add_argument("--test", default="equivalent", choices=TESTS, help="how to compare")
    check.add_argument("--variables", help="comma-separated variable names")
    check.add_argument("--url", help="the service (default: $MLCALC_URL)")
    check.set_defaults(func=cmd_check)

    keys = sub.add_parser("keys", help="create, list or revoke API keys")
    keys.add_argument("action", choices=["create", "list", "revoke"])
    keys.add_argument(
        "name", nargs="?", help="a name (create) or the id shown by `keys list` (revoke)"
    )
    keys.set_defaults(func=cmd_keys)
    return parser


def _dashed_positionals(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """Let `check`'s EXPECTED and ANSWER start with '-' (-sin x) without a '--'.

    argparse reads "-sin(x)" as an unknown option; here every token that is not
    one of the command's options (or its value) moves behind a '--'.
    """
    if not argv or argv[0] != "check" or "--" in argv:
        return argv
    check = next(
        action.choices["check"]
        for action in parser._actions  # noqa: SLF001 - argparse has no public lookup
        if isinstance(action, argparse._SubParsersAction)  # noqa: SLF001
    )
    options: list[str] = []
    positionals: list[str] = []
    tokens = iter(argv[1:])
    for token in tokens:
        name = token.split("=", 1)[0]
        action = check._option_string_actions.get(name)  # noqa: SLF001
        if action is None:
            positionals.append(token)
            continue
        options.append(token)
        if action.nargs != 0 and "=" not in token:
            options.append(next(tokens, ""))
    return ["check", *options, "--", *positionals]


def main(argv: list[str] | None = None) -> int:
    """Run the command; failures a user can fix print one plain line, never a traceback."""
    import httpx

    parser = build_parser()
    argv = _dashed_positionals(parser, list(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    try:
        return args.func(load_settings(), args)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (| head): say nothing more, and keep Python's
        # exit-time flush of stdout from raising again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except (httpx.ConnectError, httpx.ConnectTimeout):
        settings_url = getattr(args, "url", None) or load_settings().api_url
        print(
            f"mlcalc: cannot reach the mlcalc service at {settings_url}: is it running? "
            "(start it with `mlcalc serve`, or point MLCALC_URL at it)",
            file=sys.stderr,
        )
        return 3
    except httpx.HTTPError as exc:
        print(f"mlcalc: the request failed: {exc}", file=sys.stderr)
        return 3
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"mlcalc: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
