"""The `mlcalc` command run as a user runs it: a child process, against the
real API (gunicorn), a real worker, PostgreSQL and Redis."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.services import ROOT, free_port, settings_env
from tests.web.server import ApiServer


@pytest.fixture(scope="session")
def api_server(pg_settings, worker, tmp_path_factory):
    server = ApiServer(pg_settings, tmp_path_factory.mktemp("cli-api") / "api.log")
    server.start()
    yield server
    server.stop()


class Cli:
    """Runs `python -m services.cli ARGS` with the session's settings."""

    def __init__(self, settings, url: str) -> None:
        self.env = settings_env(settings) | {"MLCALC_URL": url}

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "services.cli", *args]

    def run(self, *args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.command(*args),
            cwd=ROOT,
            env=self.env | env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            self.command(*args),
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


@pytest.fixture()
def cli(pg_settings, api_server) -> Cli:
    return Cli(pg_settings, api_server.url)


@pytest.fixture()
def offline_cli(pg_settings) -> Cli:
    """The command pointed at a port where nothing listens."""
    return Cli(pg_settings, f"http://127.0.0.1:{free_port()}")
