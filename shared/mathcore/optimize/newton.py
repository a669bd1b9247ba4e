"""Damped Newton steps that stay safe where the Hessian is not positive definite.

The direction solves H̃·d = −g with H̃ = V·|Λ|·Vᵀ, the Hessian with its
eigenvalues replaced by their absolute values; an eigenvalue below
δ = 1e-8·max(1, max|λ|) (no usable curvature) is replaced by max(1, max|λ|). Where H is
positive definite this is the plain Newton direction −H⁻¹g; at a saddle or a
maximum it still points downhill (H̃ is positive definite), so Newton never
climbs toward a maximum as the raw step would (Nocedal & Wright §3.4, the
"modified Newton" family). A non-finite Hessian falls back to −g. The step
length starts at the damping factor (``learning_rate``, default 1) and halves
until the Armijo condition f(x + αd) ≤ f(x) + c·α·gᵀd holds.
"""

from __future__ import annotations

import numpy as np

EIGEN_FLOOR = 1e-8  # relative to the largest |eigenvalue| (at least 1)


def modified_newton_direction(H: np.ndarray, G: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Directions d (n, m) solving H̃·d = −g for a stack H (m, n, n), g (n, m).

    Also returns, per column, whether H had to be modified (not positive definite).

    >>> d, modified = modified_newton_direction(np.array([[[2.0]]]), np.array([[4.0]]))
    >>> d.tolist(), modified.tolist()
    ([[-2.0]], [False])
    """
    n, m = G.shape
    D = -G.copy()
    modified = np.zeros(m, dtype=bool)
    ok = np.isfinite(H).all(axis=(1, 2)) & np.isfinite(G).all(axis=0)
    modified[~ok] = True
    if not ok.any():
        return D, modified
    Hk = H[ok]
    Hk = 0.5 * (Hk + np.swapaxes(Hk, 1, 2))  # symmetric by construction; guard rounding
    w, V = np.linalg.eigh(Hk)
    scale = np.maximum(1.0, np.abs(w).max(axis=1))
    floor = EIGEN_FLOOR * scale
    # No curvature information (|λ| below the floor, e.g. a kink or a linear
    # direction): step there as if the curvature were the largest one, a safe
    # gradient step, instead of dividing by ~0 and starving the other directions.
    w_mod = np.where(np.abs(w) < floor[:, None], scale[:, None], np.abs(w))
    modified[ok] = (w < floor[:, None]).any(axis=1)
    g = G[:, ok].T  # (k, n)
    coeffs = np.einsum("kji,kj->ki", V, g) / w_mod  # Vᵀg / |λ|
    D[:, ok] = -np.einsum("kij,kj->ki", V, coeffs).T
    return D, modified


def armijo_along(obj, X, f, G, D, alpha0, c=1e-4, shrink=0.5, max_halvings=60):
    """Backtrack α per column from ``alpha0`` until f(x + αd) ≤ f + c·α·gᵀd.

    Returns the new points, f and ∇f there. A column where no α satisfies the
    condition takes the smallest α tried (the step test or divergence test of
    the caller then decides).
    """
    slope = np.einsum("ij,ij->j", G, D)  # gᵀd < 0 for a descent direction
    alpha = np.full(X.shape[1], float(alpha0))
    Xn = X + alpha * D
    fn, Gn = obj.fg_array(Xn)
    with np.errstate(invalid="ignore"):
        need = ~(fn <= f + c * alpha * slope)
    for _ in range(max_halvings):
        if not need.any():
            break
        j = np.flatnonzero(need)
        alpha[j] *= shrink
        Xn[:, j] = X[:, j] + alpha[j] * D[:, j]
        fj, Gj = obj.fg_array(Xn[:, j])
        fn[j] = fj
        Gn[:, j] = Gj
        with np.errstate(invalid="ignore"):
            need[j] = ~(fj <= f[j] + c * alpha[j] * slope[j])
    return Xn, fn, Gn
