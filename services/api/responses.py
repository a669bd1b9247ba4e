"""The two small things every view needs: who is asking, and a JSON answer."""

from __future__ import annotations

from typing import Any

from flask import Response, g, json


def current_owner() -> str | None:
    """The API key id of the caller, or None when keys are off."""
    return g.get("owner_id")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Answer ``body`` as JSON with ``status`` and ``headers``."""
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
