"""The web page at /, a stored job's page at /jobs/{id}, and the API docs at /docs."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, send_from_directory
from flask_openapi3 import APIBlueprint, Tag

from services.api.schemas import JobPath

WEB_DIR = Path(__file__).resolve().parents[1] / "web"

HTML = {
    200: {"description": "An HTML page", "content": {"text/html": {"schema": {"type": "string"}}}}
}

# The assets (KaTeX, Plotly, dagre, Swagger UI, the page's modules) are served
# by a plain blueprint; the pages are documented in the OpenAPI spec.
assets = Blueprint(
    "assets", __name__, static_folder=str(WEB_DIR / "static"), static_url_path="/static"
)
bp = APIBlueprint("web", __name__, abp_tags=[Tag(name="operations")])


def _page():
    # no-cache: the page is small and must not outlive a deploy of its modules.
    response = send_from_directory(WEB_DIR, "index.html")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/", responses=HTML)
def index():
    """Serve the web page."""
    return _page()


@bp.get("/jobs/<job_id>", responses=HTML)
def job_page(path: JobPath):
    """Serve the page showing a stored job (read from /v1/jobs/{id}, not solved again)."""
    return _page()


@bp.get("/docs", responses=HTML)
def docs():
    """Serve the interactive API docs (Swagger UI over /v1/openapi.json)."""
    return send_from_directory(WEB_DIR, "docs.html")


@assets.get("/favicon.ico")
def favicon():
    """Serve the icon for browsers that ask for /favicon.ico before reading the page."""
    return send_from_directory(WEB_DIR / "static", "favicon.svg", mimetype="image/svg+xml")
