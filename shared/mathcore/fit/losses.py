"""Regression losses with their gradients and Hessians, in closed form.

Parameters are θ = (w₁..w_p, b); the intercept b is never penalised.

* linear:   L(θ) = (1/n)·Σ (xᵢ·w + b − yᵢ)² + l2·‖w‖² + l1·‖w‖₁
* logistic: L(θ) = (1/n)·Σ [log(1 + e^{zᵢ}) − yᵢ·zᵢ] + l2·‖w‖² + l1·‖w‖₁,
  zᵢ = xᵢ·w + b (the mean log-loss, computed as logaddexp to stay finite)

The gradients below hold the smooth part; the L1 term is handled by the
caller (a proximal step for plain GD, a subgradient otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

MODELS = ("linear", "logistic")


@dataclass(frozen=True)
class Loss:
    """One model's loss on one data set (X: (n, p), y: (n,))."""

    model: str
    X: np.ndarray
    y: np.ndarray
    l1: float = 0.0
    l2: float = 0.0

    def linear_part(self, theta: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        X = self.X if rows is None else self.X[rows]
        return X @ theta[:-1] + theta[-1]

    def data_loss(self, theta: np.ndarray) -> float:
        """The unpenalised mean loss (MSE or mean log-loss)."""
        z = self.linear_part(theta)
        with np.errstate(all="ignore"):
            if self.model == "linear":
                return float(np.mean((z - self.y) ** 2))
            return float(np.mean(np.logaddexp(0.0, z) - self.y * z))

    def value(self, theta: np.ndarray) -> float:
        """L(θ) with both penalties."""
        w = theta[:-1]
        with np.errstate(all="ignore"):
            penalty = self.l2 * float(w @ w) + self.l1 * float(np.abs(w).sum())
        return self.data_loss(theta) + penalty

    def smooth_gradient(self, theta: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """∇ of the data loss plus l2·‖w‖² on the given rows (all by default).

        linear: (2/n)·Aᵀ(Aθ − y);  logistic: (1/n)·Aᵀ(σ(Aθ) − y), A = [X 1].
        """
        X = self.X if rows is None else self.X[rows]
        y = self.y if rows is None else self.y[rows]
        with np.errstate(all="ignore"):
            z = X @ theta[:-1] + theta[-1]
            if self.model == "linear":
                r = (2.0 / len(y)) * (z - y)
            else:
                r = (expit(z) - y) / len(y)
            grad = np.empty_like(theta)
            grad[:-1] = X.T @ r + 2.0 * self.l2 * theta[:-1]
            grad[-1] = r.sum()
        return grad

    def subgradient(self, theta: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """A subgradient of L: l1·sign(w) added to the smooth gradient."""
        grad = self.smooth_gradient(theta, rows)
        if self.l1:
            grad[:-1] += self.l1 * np.sign(theta[:-1])
        return grad

    def optimality(self, theta: np.ndarray) -> np.ndarray:
        """The minimum-norm subgradient of L: zero exactly at the minimiser.

        Where w_j = 0 the L1 term contributes any value in [−l1, l1], so the
        smallest subgradient there is sign(g_j)·max(|g_j| − l1, 0).
        """
        grad = self.smooth_gradient(theta)
        if self.l1:
            w = theta[:-1]
            g = grad[:-1]
            grad[:-1] = np.where(
                w != 0, g + self.l1 * np.sign(w), np.sign(g) * np.maximum(np.abs(g) - self.l1, 0)
            )
        return grad

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        """∇² of the smooth part: (2/n)·AᵀA or (1/n)·Aᵀdiag(σ(1−σ))A, plus 2·l2 on w."""
        n, p = self.X.shape
        A = np.hstack([self.X, np.ones((n, 1))])
        if self.model == "linear":
            H = (2.0 / n) * (A.T @ A)
        else:
            s = expit(self.linear_part(theta))
            H = (A.T * (s * (1 - s))) @ A / n
        H[np.arange(p), np.arange(p)] += 2.0 * self.l2
        return H


def soft_threshold(w: np.ndarray, threshold: float) -> np.ndarray:
    """prox of threshold·‖w‖₁: sign(w)·max(|w| − threshold, 0)."""
    return np.sign(w) * np.maximum(np.abs(w) - threshold, 0.0)
