"""The Flask API: ``create_app`` builds it; nothing is configured at import time."""

from __future__ import annotations

import io
import logging
import uuid
from typing import Any

from flask import Response, request
from flask_openapi3 import Info

from services.api import (
    access,
    batches,
    health,
    jobs,
    kinds,
    metrics,
    parse,
    runtime,
    validation,
    web,
)
from services.api.problems import (
    ApiProblem,
    on_request_validation_error,
    problem_response,
    register_error_handlers,
)
from services.api.schemas import Problem
from services.api.spec import ServiceOpenAPI
from shared.jobs.registry import load_kinds
from shared.logs import configure_logging, request_id_var
from shared.settings import Settings, load_settings

logger = logging.getLogger(__name__)

API_VERSION = "1.0.0"


def create_app(settings: Settings | None = None, test_config: dict[str, Any] | None = None):
    """Build the API for ``settings`` (default: from the environment)."""
    settings = settings or load_settings()
    app = ServiceOpenAPI(
        __name__,
        static_folder=None,  # the web blueprint serves /static
        info=Info(
            title="mlcalc",
            version=API_VERSION,
            description="Calculus and optimization jobs for ML math, with step-by-step solutions.",
        ),
        security_schemes={"bearer": {"type": "http", "scheme": "bearer"}},
        doc_prefix="/v1",
        doc_url="/openapi.json",
        doc_ui=True,
        validation_error_status=422,
        validation_error_model=Problem,
        validation_error_callback=on_request_validation_error,
    )
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.config["MLCALC_REQUIRE_API_KEYS"] = settings.require_api_keys
    app.json.sort_keys = False
    if test_config:
        app.config.update(test_config)
    if not app.testing:
        configure_logging(settings.log_level)
    load_kinds(settings.kind_plugins)
    runtime.init_app(app, settings)
    register_error_handlers(app)
    access.init_app(app, settings)
    validation.init_app(app, settings)
    app.before_request(tag_request)
    app.after_request(echo_request_id)
    app.before_request(check_body)
    app.register_api(jobs.bp)
    app.register_api(batches.bp)
    app.register_api(kinds.bp)
    app.register_api(parse.bp)
    app.register_api(health.bp)
    app.register_api(web.bp)
    app.register_blueprint(web.assets)
    app.register_api(metrics.bp)
    return app


def check_body() -> Response | None:
    """Refuse oversized, non-JSON or malformed bodies before any view parses them."""
    if request.method not in ("POST", "PUT", "PATCH") or not request.path.startswith("/v1/"):
        return None
    if request.routing_exception is not None:
        return None  # no such route or method: the 404/405 (with Allow) comes first
    limit = runtime.runtime().settings.max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        return _too_large(limit)
    if request.content_length is None and request.environ.get("wsgi.input_terminated"):
        # A chunked body has no length: read one byte past the limit to tell
        # "too large" (413) from "cut at the limit" (which parses as bad JSON).
        raw = request.environ["wsgi.input"].read(limit + 1)
        if len(raw) > limit:
            return _too_large(limit)
        request.environ["wsgi.input"] = io.BytesIO(raw)
        request.environ["CONTENT_LENGTH"] = str(len(raw))
    if not request.is_json:
        return problem_response(
            ApiProblem(415, "Unsupported media type", "send the body as application/json")
        )
    try:
        request.get_json(force=False, silent=False, cache=True)
    except ApiProblem:
        raise
    except Exception as exc:
        if getattr(exc, "code", None) == 413:
            return _too_large(limit)
        return problem_response(
            ApiProblem(
                400, "Malformed JSON", "the request body is not valid JSON", type_="malformed-json"
            )
        )
    return None


def _too_large(limit: int) -> Response:
    return problem_response(
        ApiProblem(413, "Request body too large", f"the body may be at most {limit} bytes")
    )


def tag_request() -> None:
    """Give the request an id (the client's X-Request-ID if sane) for the logs."""
    given = request.headers.get("X-Request-ID", "")
    request_id_var.set(given if 0 < len(given) <= 100 and given.isprintable() else uuid.uuid4().hex)


def echo_request_id(response: Response) -> Response:
    response.headers["X-Request-ID"] = request_id_var.get() or ""
    return response
