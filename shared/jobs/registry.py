"""The job-kind registry: a kind is one module in ``shared/jobs/kinds/``.

Adding a kind is one module there, its engine module in ``shared/mathcore/``
and its tests. The module defines a params model (subclass ``KindParams``), a
result model (subclass ``KindResult``) and a runner decorated with
``job_kind``::

    class SquareParams(KindParams):
        x: float

    class SquareResult(KindResult):
        value: float

    @job_kind("square", title="Square a number", params=SquareParams, result=SquareResult)
    def run_square(params: SquareParams) -> JobOutput:
        \"\"\"Square x.\"\"\"
        return JobOutput(result={"value": params.x**2})

``load_kinds()`` imports every module of the package (pkgutil) and raises if
one fails to import or registers nothing: a kind is never dropped silently.
The generic code knows no kind by name: the API validates ``params`` with the
params model (422 with field errors), ``GET /v1/kinds`` and the OpenAPI spec
publish both models' JSON Schemas, and the worker calls the runner.

Optional hooks, keyword arguments of ``job_kind``:

- ``downloads``: ``{name: Download}``, files served at
  ``GET /v1/jobs/{id}/artifacts/{name}``, rendered from ``JobOutput.extras``.
- ``csv_columns``: ``{column: fn(params, result) -> str}``, columns of the
  batch results CSV for jobs of this kind (empty for other kinds).
- ``check_problem``: ``fn(check_params, problem_params, result) -> outcome
  dict``: how a ``check`` job grades an answer to a problem of this kind
  (what the problem expects). Kinds without it cannot be ``check`` problems.
- ``reusable=False``: equal params may give different answers, so a finished
  result never stands in for a new job.

A runner that can stop early with a partial answer reads the job's clock,
``shared.mathcore.budget.current_job()`` (set by the worker from the job's
soft time limit), and passes its deadline to the engine as an argument.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ConfigDict

KINDS_PACKAGE = "shared.jobs.kinds"


@dataclass(frozen=True)
class JobOutput:
    """What a kind returns: the result object and, where it has them, steps.

    ``extras`` are stored with the result but not shown in it: the source of
    the kind's ``downloads``.
    """

    result: dict[str, Any]
    steps: list[dict[str, Any]] | None = None
    extras: dict[str, Any] = field(default_factory=dict)


class KindResult(BaseModel):
    """Base of every result model: documents the fields a kind returns.

    Results are built by the engine as dicts; the model is their schema (in
    ``/v1/kinds`` and the OpenAPI spec) and the tests validate real results
    against it. Extra fields are allowed: results may grow.
    """

    model_config = ConfigDict(extra="allow")


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
class Download:
    """A file a job offers at ``/v1/jobs/{id}/artifacts/{name}``.

    ``render`` turns the job's stored ``extras`` into the file's text, or
    None when this job has no such file.
    """

    media_type: str
    description: str
    render: Callable[[dict[str, Any]], str | None]


CsvColumns = Mapping[str, Callable[[dict[str, Any], dict[str, Any]], str]]
CheckProblem = Callable[[Any, BaseModel, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class JobKind:
    """A registered kind: its models, its runner and its hooks."""

    name: str
    title: str
    params_model: type[BaseModel]
    result_model: type[BaseModel]
    run: Callable[[Any], JobOutput]
    module: str
    # Whether equal params always give the same answer, so a finished
    # result may stand in for a new job.
    reusable: bool = True
    downloads: Mapping[str, Download] = field(default_factory=dict)
    csv_columns: CsvColumns = field(default_factory=dict)
    check_problem: CheckProblem | None = None

    def describe(self) -> dict[str, Any]:
        """The kind as ``GET /v1/kinds`` lists it."""
        return {
            "name": self.name,
            "title": self.title,
            "params_schema": self.params_model.model_json_schema(),
            "result_schema": self.result_model.model_json_schema(),
        }


_KINDS: dict[str, JobKind] = {}
# Set once the built-in kind modules were imported; a plugin registering a
# kind first must not hide them.
_builtins_loaded = False

# Set by the executor from the settings: may a kind reuse earlier solutions?
reuse_allowed: ContextVar[bool] = ContextVar("reuse_allowed", default=True)


def job_kind(
    name: str,
    params: type[BaseModel],
    *,
    result: type[BaseModel] = KindResult,
    title: str | None = None,
    reusable: bool = True,
    downloads: Mapping[str, Download] | None = None,
    csv_columns: CsvColumns | None = None,
    check_problem: CheckProblem | None = None,
) -> Callable:
    """Register the decorated function as the runner of job kind ``name``."""

    def decorate(fn: Callable[[Any], JobOutput]) -> Callable[[Any], JobOutput]:
        _KINDS[name] = JobKind(
            name=name,
            title=title or name,
            params_model=params,
            result_model=result,
            run=fn,
            module=fn.__module__,
            reusable=reusable,
            downloads=MappingProxyType(dict(downloads or {})),
            csv_columns=MappingProxyType(dict(csv_columns or {})),
            check_problem=check_problem,
        )
        return fn

    return decorate


def kind_module_names() -> list[str]:
    """Every module of ``shared.jobs.kinds``, found on disk."""
    package = importlib.import_module(KINDS_PACKAGE)
    return sorted(
        f"{KINDS_PACKAGE}.{info.name}"
        for info in pkgutil.iter_modules(package.__path__)
        if not info.name.startswith("_")
    )


def load_kinds(plugins: tuple[str, ...] = ()) -> dict[str, JobKind]:
    """Import every kind module (and ``plugins``) and return the registry.

    An import error in a kind module propagates; a module that registers no
    kind is an error too (a kind module that forgot its decorator).
    """
    for plugin in plugins:
        importlib.import_module(plugin)
    global _builtins_loaded
    if not _builtins_loaded:
        modules = kind_module_names()
        for module in modules:
            importlib.import_module(module)
        registered = {kind.module for kind in _KINDS.values()}
        silent = [m for m in modules if m not in registered]
        if silent:
            raise RuntimeError(f"kind modules that register no kind: {', '.join(silent)}")
        _builtins_loaded = True
    return dict(_KINDS)


def get_kind(name: str) -> JobKind | None:
    """Return the registered kind called ``name``, or None."""
    if not _builtins_loaded:
        load_kinds()
    return _KINDS.get(name)
