"""Extrema: critical points, their classification and the global extrema.

``extrema_one_variable`` runs the closed-interval method on an interval;
``extrema_several`` solves ∇f = 0, classifies by the Hessian and finds the
global extrema over a box or the whole space.
"""

from shared.mathcore.extrema.one_variable import extrema_one_variable
from shared.mathcore.extrema.result import CriticalPoint, ExtremaResult, Extremum
from shared.mathcore.extrema.several import extrema_several

__all__ = ["CriticalPoint", "ExtremaResult", "Extremum", "extrema_one_variable", "extrema_several"]
