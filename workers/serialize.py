"""Make engine output storable as JSON on every database."""

from __future__ import annotations

import math
from typing import Any


def json_safe(value: Any) -> Any:
    """Return ``value`` with non-finite floats as None and tuples as lists.

    PostgreSQL's JSON type refuses NaN and Infinity, and so do strict clients;
    exact values travel beside floats as strings, so nothing is lost.
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # NumPy scalars
        return json_safe(value.item())
    return value
