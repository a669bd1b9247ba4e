"""Optimizers on compiled objectives: GD and its family, Newton, SciPy methods, multi-start.

>>> from shared.mathcore.symbols import variable
>>> from shared.mathcore.optimize import run_optimizer
>>> x = variable("x")
>>> run_optimizer(x**2 - 2*x, [x], {"x": 0.0}, "newton").x.tolist()
[1.0]
"""

from .compile import CompileError, compile_objective
from .multistart import MultiStartResult, run_multistart
from .result import OptimizeResult
from .runner import METHODS, run_optimizer

__all__ = [
    "METHODS",
    "CompileError",
    "MultiStartResult",
    "OptimizeResult",
    "compile_objective",
    "run_multistart",
    "run_optimizer",
]
