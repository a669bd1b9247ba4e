"""What a submission must be before anything is stored: a known kind, params
its model accepts, a canonical hash. Pure functions of the request, so the API,
the command line and tests check jobs the same way (``shared.submission``
stores and enqueues them).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
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


def _distinct_key(spec: JobSpec) -> tuple[str, str] | None:
    """What identical submissions share: the kind and the params' JSON text,
    key order kept (so equal keys mean the same input, errors in the same
    order). None when the params have no JSON text (they are checked alone)."""
    try:
        return (spec.kind, json.dumps(spec.params, ensure_ascii=False, allow_nan=True))
    except (TypeError, ValueError, RecursionError):
        return None


def _same_input(a: Any, b: Any) -> bool:
    # JSON text alone would merge {1: ..} with {"1": ..} and (1,) with [1].
    try:
        return type(a) is type(b) and bool(a == b)
    except RecursionError:
        return False


def check_each_once(specs: Sequence[JobSpec]) -> list[str | list[dict[str, Any]]]:
    """For each (label-less) spec: its params hash, or its errors (fields
    named from ``params``/``kind``). The part of a batch's check that reads
    params: run once per distinct params object (a budget may wrap it)."""
    out: list[str | list[dict[str, Any]]] = []
    for spec in specs:
        try:
            out.append(check_job(spec).params_hash)
        except InvalidJob as exc:
            out.append(exc.errors)
    return out


def _indexed(errors: list[dict[str, Any]], index: int) -> list[dict[str, Any]]:
    """Errors of a job checked with prefix ``params``, named as its batch entry's."""
    return [{**error, "field": f"jobs.{index}.{error['field']}"} for error in errors]


def check_batch(
    specs: Sequence[JobSpec], check: Callable[..., Any] | None = None
) -> list[ValidJob]:
    """Check every job of a batch; raise InvalidBatch with the errors of all bad ones.

    Identical params are read once (a class's 50 answers to one problem
    share its params); each bad entry still reports its own errors under its
    own index, in order. ``check(function, *args, jobs=n)`` runs the reading
    (the API's runs it in a validator under a budget); default: here.
    """
    first: dict[tuple[str, str], int] = {}  # key -> its first spec's place in ``distinct``
    distinct: list[JobSpec] = []
    which: list[int] = []
    for spec in specs:
        key = _distinct_key(spec)
        slot = first.get(key) if key is not None else None
        if slot is None or not _same_input(distinct[slot].params, spec.params):
            # New params (or the same text as others but not equal, as with
            # NaN: checked alone, each time).
            if key is not None and slot is None:
                first[key] = len(distinct)
            slot = len(distinct)
            distinct.append(JobSpec(spec.kind, spec.params))
        which.append(slot)
    outcomes = (
        check(check_each_once, distinct, jobs=len(distinct))
        if check is not None
        else check_each_once(distinct)
    )
    errors: list[dict[str, Any]] = []
    valid: list[ValidJob] = []
    bad: list[int] = []
    for index, (spec, slot) in enumerate(zip(specs, which, strict=True)):
        outcome = outcomes[slot]
        label_nul = nul_fields(spec.label, "label")
        if label_nul:  # as check_job: NUL characters are reported, and only they
            message = "a NUL character cannot be stored"
            found = label_nul + nul_fields(spec.params, "params")
            outcome = [{"field": field, "message": message} for field in found]
        if isinstance(outcome, str):
            valid.append(ValidJob(spec.kind, spec.params, spec.label, params_hash=outcome))
        else:
            errors.extend(_indexed(outcome, index))
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
