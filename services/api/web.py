"""The web page at / and the interactive API docs at /docs."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, send_from_directory

WEB_DIR = Path(__file__).resolve().parents[1] / "web"

bp = Blueprint("web", __name__, static_folder=str(WEB_DIR / "static"), static_url_path="/static")


@bp.get("/")
def index():
    """Serve the web page."""
    return send_from_directory(WEB_DIR, "index.html")


@bp.get("/docs")
def docs():
    """Serve the interactive API docs (Swagger UI over /v1/openapi.json)."""
    return send_from_directory(WEB_DIR, "docs.html")
