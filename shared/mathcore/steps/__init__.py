"""Step-by-step derivatives: rule trees, higher orders and partials, implicit."""

from shared.mathcore.steps.higher import DerivativeTrace, derivative_trace, iter_checks

__all__ = ["DerivativeTrace", "derivative_trace", "iter_checks"]
