"""/v1/kinds: the job kinds this service runs, with their JSON Schemas."""

from __future__ import annotations

from flask_openapi3 import APIBlueprint, Tag

from services.api.responses import json_response
from services.api.schemas import KindList
from services.api.spec import error_responses
from shared.jobs.registry import load_kinds

bp = APIBlueprint("kinds", __name__, url_prefix="/v1", abp_tags=[Tag(name="kinds")])


@bp.get("/kinds", responses={200: KindList, **error_responses(401, 429)})
def list_kinds():
    """List the job kinds with their params and result schemas."""
    kinds = sorted(load_kinds().values(), key=lambda kind: kind.name)
    return json_response([kind.describe() for kind in kinds], 200)
