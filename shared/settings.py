"""Settings: the only module that reads the environment.

Nothing reads configuration at import time: callers ask ``load_settings()``
(the API's app factory, the Celery app, the CLI) and pass the result on.
Every variable is prefixed ``MLCALC_``; the defaults are the embedded
one-command run (SQLite file, no Redis).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

DEFAULT_DATA_DIR = Path("var")


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Everything the API, the workers and the CLI may be configured with."""

    database_url: str = f"sqlite:///{DEFAULT_DATA_DIR / 'mlcalc.db'}"
    # Empty broker_url means the embedded queue: a file-system Celery transport
    # under data_dir, so no Redis is needed for the one-command run.
    broker_url: str = ""
    # Prefix for every Redis key the queue uses, so deployments (and test
    # runs) can share one Redis server without seeing each other's messages.
    broker_key_prefix: str = ""
    data_dir: Path = DEFAULT_DATA_DIR
    soft_time_limit: float = 20.0
    hard_time_limit: float = 30.0
    # The share of a job's soft time limit for optional symbolic work
    # (simplification, closed forms) that only improves how a result reads.
    work_budget_fraction: float = 0.25
    max_attempts: int = 3
    # Per worker child: address-space cap (turns a blow-up into MemoryError)
    # and the resident size after which Celery replaces the child.
    memory_limit_mb: int = 2048
    max_memory_per_child_mb: int = 512
    max_body_bytes: int = 8 * 1024 * 1024
    max_wait_seconds: int = 30
    # Reading a submission's params (parsing builds SymPy objects) may take at
    # most this long per request, in one of this many processes per API process.
    validation_budget: float = 2.0
    validators: int = 3
    require_api_keys: bool = False
    rate_limit_per_minute: int = 600
    rate_limit_redis_url: str = ""
    recovery_interval: float = 15.0
    log_level: str = "INFO"
    # Where command-line clients (`mlcalc submit`, `mlcalc batch`) send requests.
    api_url: str = "http://127.0.0.1:8000"
    api_key: str = ""
    port: int = 8000
    # Reuse a finished result for a job with the same kind and canonical
    # params, and solve each check's problem once per worker process.
    reuse_results: bool = True
    # Run one small job of each kind in the worker's parent before it forks,
    # so children start warm (off only to measure what it saves).
    warm_up: bool = True
    # Extra modules that register job kinds (plugins; the tests add slow ones).
    kind_plugins: tuple[str, ...] = ()

    @property
    def embedded_broker(self) -> bool:
        return not self.broker_url

    def with_overrides(self, **changes) -> Settings:
        """Return a copy with ``changes`` applied (tests and the CLI use it)."""
        return replace(self, **changes)


_ENV_FIELDS = {
    "MLCALC_DATABASE_URL": ("database_url", str),
    "MLCALC_BROKER_URL": ("broker_url", str),
    "MLCALC_BROKER_KEY_PREFIX": ("broker_key_prefix", str),
    "MLCALC_DATA_DIR": ("data_dir", Path),
    "MLCALC_SOFT_TIME_LIMIT": ("soft_time_limit", float),
    "MLCALC_HARD_TIME_LIMIT": ("hard_time_limit", float),
    "MLCALC_WORK_BUDGET_FRACTION": ("work_budget_fraction", float),
    "MLCALC_MAX_ATTEMPTS": ("max_attempts", int),
    "MLCALC_MEMORY_LIMIT_MB": ("memory_limit_mb", int),
    "MLCALC_MAX_MEMORY_PER_CHILD_MB": ("max_memory_per_child_mb", int),
    "MLCALC_MAX_BODY_BYTES": ("max_body_bytes", int),
    "MLCALC_MAX_WAIT_SECONDS": ("max_wait_seconds", int),
    "MLCALC_VALIDATION_BUDGET": ("validation_budget", float),
    "MLCALC_VALIDATORS": ("validators", int),
    "MLCALC_REQUIRE_API_KEYS": ("require_api_keys", _bool),
    "MLCALC_RATE_LIMIT_PER_MINUTE": ("rate_limit_per_minute", int),
    "MLCALC_RATE_LIMIT_REDIS_URL": ("rate_limit_redis_url", str),
    "MLCALC_RECOVERY_INTERVAL": ("recovery_interval", float),
    "MLCALC_LOG_LEVEL": ("log_level", str),
    "MLCALC_URL": ("api_url", str),
    "MLCALC_API_KEY": ("api_key", str),
    "PORT": ("port", int),
    "MLCALC_REUSE_RESULTS": ("reuse_results", _bool),
    "MLCALC_WARM_UP": ("warm_up", _bool),
    "MLCALC_KIND_PLUGINS": (
        "kind_plugins",
        lambda v: tuple(m.strip() for m in v.split(",") if m.strip()),
    ),
}


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build Settings from ``environ`` (default: the process environment)."""
    env = os.environ if environ is None else environ
    values = {}
    for name, (attr, convert) in _ENV_FIELDS.items():
        if env.get(name, "") != "":
            values[attr] = convert(env[name])
    settings = Settings(**values)
    if "database_url" not in values and "data_dir" in values:
        settings = replace(settings, database_url=f"sqlite:///{settings.data_dir / 'mlcalc.db'}")
    return settings
