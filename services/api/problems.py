"""Every error answer is application/problem+json (RFC 9457); none is a bare 500."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from shared.db.session import DATABASE_UNAVAILABLE
from shared.jobs.submit import SubmissionError, field_errors

logger = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://mlcalc.dev/problems/"


class ApiProblem(Exception):
    """Raise in a view to answer with a problem document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        type_: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type_ or title.lower().replace(" ", "-")
        self.errors = errors or []
        self.headers = headers or {}


def problem_response(problem: ApiProblem) -> Response:
    body = {
        "type": PROBLEM_TYPE_BASE + problem.type,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "errors": problem.errors,
    }
    response = Response(
        json.dumps(body), status=problem.status, mimetype="application/problem+json"
    )
    for name, value in problem.headers.items():
        response.headers[name] = value
    return response


def validation_problem(exc: ValidationError, prefix: str = "") -> ApiProblem:
    errors = field_errors(exc, prefix)
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:3])
    return ApiProblem(422, "Invalid request", summary, type_="validation-error", errors=errors)


def on_request_validation_error(exc: ValidationError) -> Response:
    """flask-openapi3's hook for query, path, header and body validation."""
    return problem_response(validation_problem(exc))


def register_error_handlers(app: Flask) -> None:
    """Answer every error with a problem document."""

    @app.errorhandler(ApiProblem)
    def _api_problem(exc: ApiProblem) -> Response:
        return problem_response(exc)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        headers = {}
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            headers["Allow"] = ", ".join(sorted(exc.valid_methods))
        status = exc.code or 500
        title = exc.name or "Error"
        return problem_response(
            ApiProblem(status, title, exc.description or title, headers=headers)
        )

    @app.errorhandler(SubmissionError)
    def _submission(exc: SubmissionError) -> Response:
        return problem_response(
            ApiProblem(422, exc.title, exc.detail, type_=exc.type, errors=exc.errors)
        )

    def _database_down(exc: Exception) -> Response:
        logger.warning("database unavailable during %s %s: %s", request.method, request.path, exc)
        return problem_response(
            ApiProblem(
                503,
                "Service unavailable",
                "the database is not reachable; try again shortly",
                type_="database-unavailable",
                headers={"Retry-After": "5"},
            )
        )

    for unavailable in DATABASE_UNAVAILABLE:
        app.register_error_handler(unavailable, _database_down)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("unhandled error during %s %s", request.method, request.path)
        return problem_response(
            ApiProblem(500, "Internal server error", "an unexpected error occurred; it was logged")
        )
