"""The API under gunicorn, as `mlcalc serve` runs it, for tests that talk HTTP."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx

from services.cli import api_command
from tests.services import ROOT, free_port, settings_env


class ApiServer:
    """The API under gunicorn on a free port, for ``settings``; stop/start at will."""

    def __init__(self, settings, log_path: Path, port: int | None = None) -> None:
        self.settings = settings
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                api_command(self.port, "127.0.0.1", 1),
                cwd=ROOT,
                env=settings_env(self.settings),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the API exited: {self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError(f"the API did not start: {self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, 9)  # as a crash or a pulled cable would
            self.process.wait(timeout=20)
        self.process = None
