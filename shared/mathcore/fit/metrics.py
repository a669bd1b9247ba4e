"""Fit metrics: MSE and R² (linear); accuracy, precision, recall, F1, log-loss (logistic)."""

from __future__ import annotations

import numpy as np
from scipy.special import expit


def linear_metrics(y: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """MSE = mean((ŷ − y)²);  R² = 1 − Σ(ŷ − y)² / Σ(y − ȳ)² (1 for a perfect fit of constant y)."""
    residual = predicted - y
    ss_res = float(residual @ residual)
    centred = y - y.mean()
    ss_tot = float(centred @ centred)
    if ss_tot == 0.0:
        r2 = 1.0 if ss_res == 0.0 else 0.0
    else:
        r2 = 1.0 - ss_res / ss_tot
    mse = ss_res / len(y)
    return {
        "mse": mse,
        "rmse": mse**0.5,
        "mae": float(np.abs(residual).mean()),
        "r2": r2,
    }


def logistic_metrics(y: np.ndarray, z: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    """Scores of the decisions σ(z) ≥ threshold against y ∈ {0, 1}.

    precision = TP/(TP+FP), recall = TP/(TP+FN), F1 = 2PR/(P+R) (0 when undefined);
    log-loss = mean(log(1 + e^z) − y·z).
    """
    predicted = expit(z) >= threshold
    actual = y == 1
    tp = int(np.sum(predicted & actual))
    fp = int(np.sum(predicted & ~actual))
    fn = int(np.sum(~predicted & actual))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "accuracy": float(np.mean(predicted == actual)),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "log_loss": float(np.mean(np.logaddexp(0.0, z) - y * z)),
    }
