"""Several optimizer or regression runs of one problem, side by side.

The shared work is done once (the objective compiled, the data validated and
split), every run gets the same deadline, and the summary answers what an
experimenter reads first: final objective, iterations, whether it converged
or diverged, how soon it came within 1% of the best run, its wall time.

>>> from shared.mathcore.symbols import variable
>>> x = variable("x")
>>> runs = compare_optimize(x**2, [x], [{"start": [1.0], "method": "gd", "learning_rate": lr}
...                                      for lr in (0.1, 0.4)])
>>> [row["iterations"] for row in summarize(["slow", "fast"], runs)[0]]
[66, 10]
"""

from shared.mathcore.compare.runs import Run, compare_fit, compare_optimize
from shared.mathcore.compare.summary import CURVE_POINTS, iterations_to_within, summarize

__all__ = [
    "CURVE_POINTS",
    "Run",
    "compare_fit",
    "compare_optimize",
    "iterations_to_within",
    "summarize",
]
