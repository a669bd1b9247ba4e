"""The job-kind registry: one decorated function and one params model per kind.

Adding a kind touches one place: a module in ``shared/jobs/kinds/`` that
defines a pydantic params model and a function decorated with ``job_kind``.
The API validates ``params`` with the model (422 with field errors); the
worker calls the function with the validated model and stores its output.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

KIND_MODULES = ("derivative", "gradient", "extrema", "optimize", "fit", "check")


@dataclass(frozen=True)
class JobOutput:
    """What a kind returns: the result object and, where it has them, steps."""

    result: dict[str, Any]
    steps: list[dict[str, Any]] | None = None
    extras: dict[str, Any] = field(default_factory=dict)


class JobInputError(Exception):
    """The input passed validation but cannot be solved: the job fails with this.

    ``title`` is short and stable, ``detail`` says what was wrong in the input.
    """

    def __init__(self, title: str, detail: str, type_: str = "invalid-input") -> None:
        super().__init__(detail)
        self.title = title
        self.detail = detail
        self.type = type_


@dataclass(frozen=True)
class JobKind:
    name: str
    params_model: type[BaseModel]
    run: Callable[[Any], JobOutput]
    # Whether equal params always give the same answer, so a finished
    # result may stand in for a new job.
    reusable: bool = True


_KINDS: dict[str, JobKind] = {}
# Set once the built-in kind modules were imported; a plugin registering a
# kind first must not hide them.
_builtins_loaded = False

# Set by the executor from the settings: may a kind reuse earlier solutions?
reuse_allowed: ContextVar[bool] = ContextVar("reuse_allowed", default=True)


def job_kind(name: str, params: type[BaseModel], *, reusable: bool = True) -> Callable:
    """Register the decorated function as the runner of job kind ``name``."""

    def decorate(fn: Callable[[Any], JobOutput]) -> Callable[[Any], JobOutput]:
        _KINDS[name] = JobKind(name=name, params_model=params, run=fn, reusable=reusable)
        return fn

    return decorate


def load_kinds(plugins: tuple[str, ...] = ()) -> dict[str, JobKind]:
    """Import every kind module (and ``plugins``) once and return the registry."""
    for plugin in plugins:
        importlib.import_module(plugin)
    global _builtins_loaded
    _builtins_loaded = True
    for module in KIND_MODULES:
        try:
            importlib.import_module(f"shared.jobs.kinds.{module}")
        except ModuleNotFoundError as exc:
            # A kind whose module is not written yet is simply not offered.
            if exc.name != f"shared.jobs.kinds.{module}":
                raise
    return dict(_KINDS)


def get_kind(name: str) -> JobKind | None:
    """Return the registered kind called ``name``, or None."""
    if not _builtins_loaded:
        load_kinds()
    return _KINDS.get(name)
