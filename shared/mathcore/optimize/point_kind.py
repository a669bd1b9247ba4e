"""What kind of point a run stopped at: the second-order test, made robust.

A run that stops on ‖∇f‖ ≤ tol is near a stationary point x*, not at it, and
the Hessian at the stop point can have the wrong sign: Newton on x³ from 1
stops at x ≈ 6e-4 where f″ = 6x > 0, yet x* = 0 is an inflection point. So
the Hessian is examined on a ball around the stop point that contains x*:
its radius is ten Newton steps ‖H̃⁻¹g‖ (the Newton step estimates the distance
to x*; near a degenerate point such as x^k it underestimates it k − 1 times).
The point is a ``minimum`` only when the Hessian is positive definite at the
centre and at ± radius along each of its eigenvectors, a ``maximum`` when
negative definite throughout, a ``saddle`` when indefinite throughout, and
``inconclusive`` otherwise (a singular or sign-changing Hessian: the second
derivatives cannot decide, as at x³ or x⁴ at 0).
"""

from __future__ import annotations

import numpy as np

from .compile import CompiledObjective
from .newton import modified_newton_direction

POINT_KINDS = ("minimum", "maximum", "saddle", "inconclusive")
RADIUS_STEPS = 10.0
DEFINITE_FLOOR = 1e-8  # eigenvalues below this (relative to the largest, at least 1) count as 0


def point_kind(obj: CompiledObjective, x: np.ndarray, g: np.ndarray) -> str:
    """Classify the stop point ``x`` (gradient ``g``) of a converged run.

    >>> from shared.mathcore.symbols import variable
    >>> from shared.mathcore.optimize.compile import compile_objective
    >>> t = variable("t")
    >>> obj = compile_objective(t**3, (t,))
    >>> point_kind(obj, np.array([6e-4]), np.array([3 * 6e-4**2]))
    'inconclusive'
    >>> obj = compile_objective(t**2, (t,))
    >>> point_kind(obj, np.array([1e-7]), np.array([2e-7]))
    'minimum'
    """
    x = np.asarray(x, dtype=float)
    H = obj.hessian_array(x[:, None])
    if not np.isfinite(H).all():
        return "inconclusive"
    D, _ = modified_newton_direction(H, np.asarray(g, dtype=float)[:, None])
    radius = RADIUS_STEPS * float(np.linalg.norm(D[:, 0]))
    if not np.isfinite(radius):
        return "inconclusive"
    _, V = np.linalg.eigh(0.5 * (H[0] + H[0].T))
    offsets = np.hstack([np.zeros((x.size, 1)), radius * V, -radius * V])
    samples = obj.hessian_array(x[:, None] + offsets)
    if not np.isfinite(samples).all():
        return "inconclusive"
    eig = np.linalg.eigvalsh(0.5 * (samples + np.swapaxes(samples, 1, 2)))
    floor = DEFINITE_FLOOR * max(1.0, float(np.abs(eig).max()))
    lowest, highest = eig.min(axis=1), eig.max(axis=1)
    if (lowest > floor).all():
        return "minimum"
    if (highest < -floor).all():
        return "maximum"
    if ((lowest < -floor) & (highest > floor)).all():
        return "saddle"
    return "inconclusive"
