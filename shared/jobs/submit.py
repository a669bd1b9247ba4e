"""What a submission must be before anything is stored: a known kind, params
its model accepts, a canonical hash. Pure functions of the request, so the API,
the command line and tests check jobs the same way (``shared.submission``
stores and enqueues them).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from shared.jobs.registry import get_kind, load_kinds


@dataclass(frozen=True)
class ValidJob:
    kind: str
    params: dict[str, Any]
    label: str | None
    params_hash: str


@dataclass(frozen=True)
class JobSpec:
    """A job as submitted: kind, params and label, not yet checked."""

    kind: str
    params: Any
    label: str | None = None


class SubmissionError(Exception):
    """A submission refused; ``errors`` are ``{field, message, position?}`` entries."""

    type = "invalid-submission"
    title = "Invalid request"

    def __init__(self, detail: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class InvalidJob(SubmissionError):
    """The job's kind or params are not acceptable."""

    type = "validation-error"

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:3])
        super().__init__(summary, errors)


class InvalidBatch(SubmissionError):
    """One or more jobs of a batch are invalid; nothing of it is stored."""

    type = "validation-error"
    title = "Invalid batch"


class IdempotencyConflict(SubmissionError):
    """The Idempotency-Key was used before with a different request body."""

    type = "idempotency-key-reused"
    title = "Idempotency key reused"

    def __init__(self) -> None:
        super().__init__(
            "this Idempotency-Key was used with a different request body",
            [{"field": "Idempotency-Key", "message": "already used for another request"}],
        )


def field_errors(exc: ValidationError, prefix: str = "") -> list[dict[str, Any]]:
    """Turn pydantic errors into ``{field, message, position?}`` entries."""
    out = []
    for error in exc.errors(include_url=False):
        loc = [str(part) for part in error.get("loc", ())]
        field = ".".join([prefix, *loc] if prefix else loc) or prefix or "body"
        entry: dict[str, Any] = {"field": field, "message": error.get("msg", "invalid")}
        ctx = error.get("ctx") or {}
        if "position" in ctx:
            entry["position"] = int(ctx["position"])
        out.append(entry)
    return out


def canonical_hash(kind: str, params: dict[str, Any]) -> str:
    """Hash of a kind and its validated params: equal jobs share a result."""
    text = json.dumps([kind, params], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def request_hash(body: Any) -> str:
    """Hash of a whole request body: an Idempotency-Key retry must send the same."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def validate_params(kind: str, params: Any, prefix: str = "params") -> dict[str, Any]:
    """Validate ``params`` with the model of the registered kind ``kind``; return
    them in canonical form. Raises InvalidJob with field errors.

    The one place params are read on submission (a budget may wrap it).
    """
    job_kind = get_kind(kind)
    if job_kind is None:
        raise LookupError(kind)
    try:
        model = job_kind.params_model.model_validate(params)
    except ValidationError as exc:
        raise InvalidJob(field_errors(exc, prefix)) from None
    except RecursionError:
        raise InvalidJob([{"field": prefix, "message": "the input is nested too deeply"}]) from None
    return model.model_dump(mode="json")


def nul_fields(value: Any, field: str) -> list[str]:
    """Fields of ``value`` (keys and strings, nested) holding a NUL character,
    which no database column can store."""
    if isinstance(value, str):
        return [field] if "\x00" in value else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            name = f"{field}.{key}".replace("\x00", "\\x00")
            found += [name] if "\x00" in str(key) else nul_fields(item, name)
        return found
    if isinstance(value, (list, tuple)):
        return [hit for i, item in enumerate(value) for hit in nul_fields(item, f"{field}.{i}")]
    return []


def check_job(spec: JobSpec, prefix: str = "params") -> ValidJob:
    """Return the job checked and hashed; raise InvalidJob naming each bad field."""
    base = prefix.rsplit(".", 1)[0] + "." if "." in prefix else ""
    stored_text = nul_fields(spec.label, base + "label") + nul_fields(spec.params, prefix)
    if stored_text:
        message = "a NUL character cannot be stored"
        raise InvalidJob([{"field": field, "message": message} for field in stored_text])
    if get_kind(spec.kind) is None:
        known = ", ".join(sorted(load_kinds()))
        field = base + "kind"
        message = f"unknown kind {spec.kind!r}; one of: {known}"
        raise InvalidJob([{"field": field, "message": message}])
    canonical = validate_params(spec.kind, spec.params, prefix)
    return ValidJob(
        kind=spec.kind,
        params=spec.params,
        label=spec.label,
        params_hash=canonical_hash(spec.kind, canonical),
    )


def check_batch(specs: Sequence[JobSpec]) -> list[ValidJob]:
    """Check every job of a batch; raise InvalidBatch with the errors of all bad ones."""
    errors: list[dict[str, Any]] = []
    valid: list[ValidJob] = []
    bad: list[int] = []
    for index, spec in enumerate(specs):
        try:
            valid.append(check_job(spec, prefix=f"jobs.{index}.params"))
        except InvalidJob as exc:
            errors.extend(exc.errors)
            bad.append(index)
    if errors:
        raise InvalidBatch(
            f"{len(bad)} of {len(specs)} jobs are invalid (indexes {bad[:20]}); nothing was stored",
            errors,
        )
    return valid


def leaders(ids: Sequence[str], jobs: Sequence[ValidJob]) -> list[str]:
    """The first job of each group of identical reusable jobs: only these are
    sent; the worker copies each leader's outcome to its group."""
    seen: set[tuple[str, str]] = set()
    out = []
    for job_id, job in zip(ids, jobs, strict=True):
        key = (job.kind, job.params_hash)
        kind = get_kind(job.kind)
        if key not in seen or kind is None or not kind.reusable:
            seen.add(key)
            out.append(job_id)
    return out
