"""Linear and logistic regression fitted with the optimizers of ``shared.mathcore.optimize``."""

from .losses import MODELS, Loss
from .trainer import FIT_METHODS, FitResult, fit_model

__all__ = ["FIT_METHODS", "MODELS", "FitResult", "Loss", "fit_model"]
