"""Linear and logistic regression fitted with the optimizers of ``shared.mathcore.optimize``."""

from .losses import MODELS, Loss
from .trainer import FitData, FitResult, fit_model, prepare_data, train

__all__ = ["MODELS", "FitData", "FitResult", "Loss", "fit_model", "prepare_data", "train"]
