"""Step-by-step derivatives: rule trees, higher orders and partials, implicit."""

from shared.mathcore.derivative.higher import DerivativeTrace, derivative_trace, iter_checks
from shared.mathcore.derivative.implicit import implicit_derivative_trace

__all__ = ["DerivativeTrace", "derivative_trace", "implicit_derivative_trace", "iter_checks"]
