"""The web page at / and the interactive API docs at /docs."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, send_from_directory
from flask_openapi3 import APIBlueprint, Tag

WEB_DIR = Path(__file__).resolve().parents[1] / "web"

HTML = {
    200: {"description": "An HTML page", "content": {"text/html": {"schema": {"type": "string"}}}}
}

# The assets (KaTeX, Swagger UI, the page's script) are served by a plain
# blueprint; the two pages are documented in the OpenAPI spec.
assets = Blueprint(
    "assets", __name__, static_folder=str(WEB_DIR / "static"), static_url_path="/static"
)
bp = APIBlueprint("web", __name__, abp_tags=[Tag(name="operations")])


@bp.get("/", responses=HTML)
def index():
    """Serve the web page."""
    return send_from_directory(WEB_DIR, "index.html")


@bp.get("/docs", responses=HTML)
def docs():
    """Serve the interactive API docs (Swagger UI over /v1/openapi.json)."""
    return send_from_directory(WEB_DIR, "docs.html")
