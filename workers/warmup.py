"""Pay SymPy's first-use costs once per worker (import, first build, lambdify)."""

from __future__ import annotations

import logging
import time

logger = logging.getLogger(__name__)


def warm_up_engine(plugins: tuple[str, ...] = ()) -> None:
    """Run a small derivative and lambdify so children inherit a warm engine."""
    started = time.monotonic()
    from shared.jobs.registry import load_kinds

    kinds = load_kinds(plugins)
    derivative = kinds.get("derivative")
    if derivative is not None:
        params = derivative.params_model.model_validate(
            {"expression": "sin(x)^2 * e^(3x) / (1 + x^2)", "variable": "x"}
        )
        derivative.run(params)
    import numpy
    import sympy

    x = sympy.Symbol("x", real=True)
    sympy.lambdify([x], sympy.cos(x) ** 2, modules="numpy")(numpy.arange(3.0))
    logger.info("engine warmed up in %.2f s", time.monotonic() - started)
