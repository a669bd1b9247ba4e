"""Pay first-use costs once per worker, in the parent before it forks its children.

Each built-in kind runs one small job here: the imports it does lazily (SciPy's
optimizers, the check kind's problem solver, ...), SymPy's first builds and
caches and the first ``lambdify`` then live in the parent's memory, and every
child forked from it (and every replacement child) inherits them, so a fresh
worker answers its first real job at warm speed (``bench/bench_worker_start.py``
measures it). A warm-up job that fails is logged and skipped: warming up never
stops a worker from starting.
"""

from __future__ import annotations

import logging
import time

logger = logging.getLogger(__name__)

# One small, representative job per built-in kind.
WARM_JOBS: dict[str, dict] = {
    "derivative": {
        "expression": "sin(x)^2 * e^(3x) / (1 + x^2)",
        "variable": "x",
        "at": {"x": "1/2"},
    },
    "gradient": {"expression": "x^2 y + sin(y)", "at": {"x": 1, "y": 2}, "hessian": True},
    "extrema": {"expression": "x^3 - 3x", "variable": "x", "interval": [-2, 2]},
    "optimize": {
        "expression": "(x - 1)^2 + 2(y + 1)^2",
        "variables": ["x", "y"],
        "start": {"x": 0, "y": 0},
        "method": "lbfgs",
        "max_iter": 20,
    },
    "check": {
        "answer": "2x cos(x^2)",
        "problem": {"kind": "derivative", "params": {"expression": "sin(x^2)", "variable": "x"}},
    },
    "fit": {"model": "logistic", "X": [[0.0], [1.0], [2.0], [3.0]], "y": [0, 0, 1, 1]},
}


def warm_up_engine(plugins: tuple[str, ...] = ()) -> dict[str, float]:
    """Run one small job of each built-in kind; return seconds per kind."""
    started = time.monotonic()
    from shared.jobs.registry import load_kinds

    kinds = load_kinds(plugins)
    spent: dict[str, float] = {}
    for name, params in WARM_JOBS.items():
        kind = kinds.get(name)
        if kind is None:
            continue
        began = time.monotonic()
        try:
            kind.run(kind.params_model.model_validate(params))
        except Exception:  # a broken warm-up must not keep the worker down
            logger.exception("warm-up job of kind %s failed", name)
        spent[name] = round(time.monotonic() - began, 3)
    import numpy
    import sympy

    x = sympy.Symbol("x", real=True)
    sympy.lambdify([x], sympy.cos(x) ** 2, modules="numpy")(numpy.arange(3.0))
    logger.info("engine warmed up in %.2f s %s", time.monotonic() - started, spent)
    return spent
