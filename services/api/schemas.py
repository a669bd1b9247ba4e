"""Request and response models of the HTTP contract; the OpenAPI spec comes from these."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from shared.db.models import JobStatus

# Ids are UUIDs; the pattern keeps bytes the database cannot store (NUL)
# out of queries, answered 422 rather than a database error.
ID_PATTERN = r"^[A-Za-z0-9-]+$"

JobStatusName = Literal[tuple(status.value for status in JobStatus)]  # type: ignore[valid-type]


class FieldError(BaseModel):
    field: str
    message: str
    position: int | None = Field(default=None, description="0-based offset of a parse error")


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] = Field(default_factory=list)


# The request /docs fills in for "Try it out": a real job, not "string".
JOB_EXAMPLE = {
    "kind": "derivative",
    "params": {"expression": "x^2 sin x", "variable": "x", "at": {"x": "pi/2"}},
    "label": "homework 1",
}


class JobCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": JOB_EXAMPLE})

    kind: str = Field(max_length=32, description="a job kind, as GET /v1/kinds lists them")
    params: dict[str, Any]
    label: str | None = Field(default=None, max_length=200)


class JobError(BaseModel):
    type: str
    title: str
    detail: str


class JobResource(BaseModel):
    id: str
    kind: str
    status: JobStatusName
    label: str | None
    params: dict[str, Any]
    result: dict[str, Any] | None
    steps: list[dict[str, Any]] | None
    error: JobError | None
    batch_id: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int = 0
    worker: str | None = None
    cached: bool = False


class JobPage(BaseModel):
    items: list[JobResource]
    next_cursor: str | None


class JobPath(BaseModel):
    job_id: str = Field(max_length=64, pattern=ID_PATTERN)


class ArtifactPath(JobPath):
    name: str = Field(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")


class JobListQuery(BaseModel):
    status: JobStatusName | None = None
    kind: str | None = Field(default=None, max_length=32, pattern=r"^[A-Za-z0-9_]*$")
    batch_id: str | None = Field(default=None, max_length=64, pattern=ID_PATTERN)
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=200, pattern=r"^[A-Za-z0-9_-]*$")


class JobHeaders(BaseModel):
    prefer: str | None = Field(default=None, alias="Prefer", max_length=200)
    idempotency_key: str | None = Field(default=None, alias="Idempotency-Key", max_length=200)


class BatchHeaders(BaseModel):
    idempotency_key: str | None = Field(default=None, alias="Idempotency-Key", max_length=200)


class Health(BaseModel):
    status: str
    checks: dict[str, str] = Field(default_factory=dict)


class BatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    jobs: list[JobCreate] = Field(min_length=1, max_length=10_000)


class BatchAccepted(BaseModel):
    id: str
    total: int
    jobs_url: str
    results_url: str


class BatchStatus(BaseModel):
    id: str
    total: int
    counts: dict[str, int]
    done: bool
    created_at: datetime


class KindInfo(BaseModel):
    name: str
    title: str
    params_schema: dict[str, Any] = Field(description="JSON Schema of the kind's params")
    result_schema: dict[str, Any] = Field(description="JSON Schema of the kind's result")


class KindList(RootModel[list[KindInfo]]):
    """Every job kind this service runs."""


class BatchPath(BaseModel):
    batch_id: str = Field(max_length=64, pattern=ID_PATTERN)
