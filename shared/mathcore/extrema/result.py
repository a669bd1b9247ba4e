"""What an extrema search returns, and its contract form (`extrema` kind)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy

from shared.mathcore.extrema.closed_form import printable
from shared.mathcore.printing import to_float

Point = dict[sympy.Symbol, sympy.Expr]
Step = dict[str, Any]

CLASSIFICATIONS = ("local_min", "local_max", "saddle", "neither", "inconclusive")


def point_dict(point: Point, approx: Point | None = None) -> dict[str, Any]:
    """Return the contract's ``point`` and ``point_numeric`` for ``point``;
    a coordinate with no closed form our parser reads is null in ``point``."""
    numeric = approx if approx is not None else point
    return {
        "point": {str(v): printable(value) for v, value in point.items()},
        "point_numeric": {str(v): to_float(value) for v, value in numeric.items()},
    }


# The integer parameter of a family of points c + k·T.
FAMILY_PARAMETER = sympy.Symbol("k", integer=True)


def family_dict(family: Point) -> dict[str, Any]:
    """``family``: {var: "c + k*T"} and ``parameter``: "k" (an integer)."""
    return {
        "family": {str(v): printable(value) for v, value in family.items()},
        "parameter": str(FAMILY_PARAMETER),
    }


@dataclass
class CriticalPoint:
    """A point where ∇f = 0 (``stationary``) or f is defined but not differentiable
    (``singular``); ``test`` names how it was classified."""

    point: Point
    value: sympy.Expr
    classification: str = "inconclusive"
    kind: str = "stationary"
    test: str = ""
    exact: bool = True
    eigenvalues: list[float] | None = None
    # 40-digit coordinates for evaluating at points given by CRootOf (exact
    # arithmetic on those is slow); None when ``point`` evaluates quickly.
    approx: Point | None = None
    # For a periodic f: the whole family point + k·T (k ∈ ℤ) this point stands for.
    family: Point | None = None

    @property
    def eval_point(self) -> Point:
        return self.approx if self.approx is not None else self.point

    def to_dict(self) -> dict[str, Any]:
        out = point_dict(self.point, self.approx)
        out.update(
            value=printable(self.value),
            numeric=to_float(self.value),
            classification=self.classification,
            kind=self.kind,
            test=self.test,
            exact=self.exact,
        )
        if self.eigenvalues is not None:
            out["hessian_eigenvalues"] = self.eigenvalues
        if self.family is not None:
            out.update(family_dict(self.family))
        return out


@dataclass
class Candidate:
    """A point whose value enters the comparison for the global extrema."""

    point: Point
    value: sympy.Expr
    kind: str  # "stationary" | "singular" | "endpoint" | "boundary"

    def to_dict(self) -> dict[str, Any]:
        out = point_dict(self.point)
        out.update(value=printable(self.value), numeric=to_float(self.value), kind=self.kind)
        return out


@dataclass
class Extremum:
    """A global extremum: its value and every candidate point attaining it
    (``points``; for a periodic f, ``families`` gives all of them)."""

    points: list[Point]
    value: sympy.Expr
    families: list[Point] = field(default_factory=list)  # periodic f: c + k·T

    def to_dict(self) -> dict[str, Any]:
        out = point_dict(self.points[0])
        out.update(value=printable(self.value), numeric=to_float(self.value))
        out["points"] = [point_dict(p) for p in self.points]
        if self.families:
            out["families"] = [family_dict(f) for f in self.families]
        return out


@dataclass
class ExtremaResult:
    """Critical points, global extrema (None when not attained) and the steps.

    ``global_status`` says for "min" and "max" one of: ``attained``,
    ``unbounded`` (f runs to ∓∞), ``not_attained`` (a finite bound approached
    but never reached), ``undecided`` (the engine could not prove either).
    """

    critical_points: list[CriticalPoint]
    global_min: Extremum | None
    global_max: Extremum | None
    method: str
    steps: list[Step]
    candidates: list[Candidate] = field(default_factory=list)
    global_status: dict[str, str] = field(default_factory=dict)
    bounds: dict[str, str] = field(default_factory=dict)  # infimum / supremum when known
    complete: bool = True

    def to_dict(self) -> dict[str, Any]:
        """Return the contract's result fields plus the added ones."""
        return {
            "critical_points": [c.to_dict() for c in self.critical_points],
            "global_min": self.global_min.to_dict() if self.global_min else None,
            "global_max": self.global_max.to_dict() if self.global_max else None,
            "method": self.method,
            "candidates": [c.to_dict() for c in self.candidates],
            "global_status": dict(self.global_status),
            "bounds": dict(self.bounds),
            "complete": self.complete,
        }
