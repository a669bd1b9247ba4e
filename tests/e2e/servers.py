"""Throwaway Redis and PostgreSQL servers on free ports, for the fault tests.

The fault tests stop and restart the servers under a running API and worker;
these are their own processes in a temporary directory, so stopping them
disturbs no other test and no other user of the machine's servers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
import redis

from tests.services import free_port, services_required

REDIS_SERVER = os.environ.get("MLCALC_TEST_REDIS_SERVER", "/usr/bin/redis-server")


def _pg_bin() -> Path:
    """The PostgreSQL server binaries: $MLCALC_TEST_PG_BIN, else the newest installed."""
    if os.environ.get("MLCALC_TEST_PG_BIN"):
        return Path(os.environ["MLCALC_TEST_PG_BIN"])
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    if found:
        return found[-1].parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()


def _missing(what: str) -> None:
    message = f"{what} is not installed"
    if services_required():
        pytest.fail(f"{message} (required on CI)", pytrace=False)
    pytest.skip(message)


class RedisServer:
    """A redis-server with no persistence: a restart brings it back empty."""

    def __init__(self, directory: Path) -> None:
        if not Path(REDIS_SERVER).exists():
            _missing(REDIS_SERVER)
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 20) -> None:
        log = open(self.directory / "redis.log", "ab")
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        """Kill the server: nothing is saved, so it comes back empty."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=1)


class PostgresServer:
    """A private PostgreSQL cluster (trust auth, socket in its own directory)."""

    def __init__(self) -> None:
        if not (PG_BIN / "initdb").exists():
            _missing(str(PG_BIN / "initdb"))
        # Its own directory straight under the temp root: pytest's tmp_path is
        # private to root, and the server runs as the postgres user.
        self.directory = Path(tempfile.mkdtemp(prefix="mlcalc-pg-"))
        self.data = self.directory / "data"
        self.socket_dir = self.directory / "socket"
        self.port = free_port()
        self.admin_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/mlcalc"
        # initdb and postgres refuse to run as root.
        self.user = "postgres" if os.geteuid() == 0 else None

    def _run(self, *args: str, timeout: float = 120) -> None:
        done = subprocess.run(
            [str(PG_BIN / args[0]), *args[1:]],
            timeout=timeout,
            user=self.user,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stderr[-2000:]}")

    def init(self) -> None:
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        if self.user:
            shutil.chown(self.directory, self.user)
            shutil.chown(self.socket_dir, self.user)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        self.start()
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute("CREATE DATABASE mlcalc")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=100"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.directory / "postgres.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def remove(self) -> None:
        """Stop the server and delete its files."""
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)

    def log(self) -> str:
        path = self.directory / "postgres.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""
