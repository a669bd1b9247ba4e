"""The course's 2-layer network as a backprop job: 2 inputs, 3 tanh hidden units,
a sigmoid output, squared error on one sample; 13 parameters.

``TEXT`` is the job's expression, ``PARAMS`` its parameters with ``VALUES`` a
point, and ``loss`` the same network written directly in mpmath (the oracle).
"""

from __future__ import annotations

import mpmath

INPUTS = (0.7, -1.2)
TARGET = 1.0
PARAMS = [f"w{j}{k}" for j in (1, 2, 3) for k in (1, 2)] + ["b1", "b2", "b3"]
PARAMS += ["v1", "v2", "v3", "c"]
VALUES = [0.3, -0.5, 0.8, 0.1, -0.6, 0.4, 0.05, -0.1, 0.2, 0.9, -0.7, 0.5, 0.1]

_HIDDEN = " + ".join(
    f"v{j} tanh({INPUTS[0]} w{j}1 + ({INPUTS[1]}) w{j}2 + b{j})" for j in (1, 2, 3)
)
TEXT = f"(sigmoid({_HIDDEN} + c) - {TARGET})^2"


def loss(*p):
    """The network's squared error at parameters ``p`` (in ``PARAMS`` order), in mpmath."""
    w, b, v, c = p[:6], p[6:9], p[9:12], p[12]
    x1, x2 = (mpmath.mpf(repr(t)) for t in INPUTS)
    h = [mpmath.tanh(w[2 * j] * x1 + w[2 * j + 1] * x2 + b[j]) for j in range(3)]
    z = sum(v[j] * h[j] for j in range(3)) + c
    return (1 / (1 + mpmath.exp(-z)) - TARGET) ** 2
