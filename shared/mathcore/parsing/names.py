"""The names the parsers know: functions and their aliases, Greek letters, constants.

``sum`` and ``mean`` are the reductions over data rows (``reductions.py``).
A function's canonical name is the one ``ExprBuilder.call`` builds; aliases
map onto it. SymPy's own spellings (``Abs``, ``ceiling``, ``Max``) are here
because the canonical printer may emit them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FunctionSpec:
    """A callable name: canonical name and how many arguments it takes."""

    name: str
    min_args: int = 1
    max_args: int | None = 1  # None: any number from min_args on

    def arity_text(self) -> str:
        if self.max_args == self.min_args:
            return f"{self.min_args} argument{'s' if self.min_args != 1 else ''}"
        if self.max_args is None:
            return f"at least {self.min_args} arguments"
        return f"{self.min_args} to {self.max_args} arguments"


def _one(*names: str) -> dict[str, FunctionSpec]:
    spec = FunctionSpec(names[0])
    return {alias: spec for alias in names}


FUNCTIONS: dict[str, FunctionSpec] = {
    **_one("sin"), **_one("cos"), **_one("tan"), **_one("cot"), **_one("sec"), **_one("csc"),
    **_one("asin", "arcsin"), **_one("acos", "arccos"), **_one("atan", "arctan"),
    **_one("acot", "arccot"), **_one("asec", "arcsec"), **_one("acsc", "arccsc"),
    **_one("sinh"), **_one("cosh"), **_one("tanh"), **_one("coth"), **_one("sech"),
    **_one("csch"),
    **_one("asinh", "arsinh", "arcsinh"), **_one("acosh", "arcosh", "arccosh"),
    **_one("atanh", "artanh", "arctanh"), **_one("acoth", "arcoth", "arccoth"),
    **_one("asech", "arsech", "arcsech"), **_one("acsch", "arcsch", "arccsch"),
    **_one("exp"), **_one("ln"), **_one("log10", "lg"), **_one("log2"),
    **_one("sqrt"), **_one("cbrt"),
    **_one("abs", "Abs"), **_one("sign", "sgn"), **_one("floor"), **_one("ceil", "ceiling"),
    **_one("factorial"), **_one("gamma"), **_one("erf"), **_one("erfc"),
    **_one("sigmoid"), **_one("softplus"), **_one("relu", "ReLU"), **_one("step"),
    **_one("sum"), **_one("mean"),
    **_one("digamma"),
    "Heaviside": FunctionSpec("Heaviside", 1, 2), "heaviside": FunctionSpec("Heaviside", 1, 2),
    "DiracDelta": FunctionSpec("DiracDelta", 1, 2),
    "log": FunctionSpec("log", 1, 2),
    "root": FunctionSpec("root", 2, 2),
    "atan2": FunctionSpec("atan2", 2, 2),
    "polygamma": FunctionSpec("polygamma", 2, 2),
    "min": FunctionSpec("min", 2, None), "Min": FunctionSpec("min", 2, None),
    "max": FunctionSpec("max", 2, None), "Max": FunctionSpec("max", 2, None),
    "logsumexp": FunctionSpec("logsumexp", 1, None),
}  # fmt: skip

INVERSES = {
    "sin": "asin", "cos": "acos", "tan": "atan", "cot": "acot", "sec": "asec", "csc": "acsc",
    "sinh": "asinh", "cosh": "acosh", "tanh": "atanh", "coth": "acoth", "sech": "asech",
    "csch": "acsch",
}  # fmt: skip
"""``sin^-1 x`` means ``asin(x)``, as on calculators."""

FUNCTIONS_ONLY_WHEN_CALLED = {"gamma"}
"""``gamma(x)`` is the Gamma function; ``gamma`` alone or ``gamma x`` is the Greek letter."""

GREEK = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu"
    " xi omicron rho varrho sigma varsigma tau upsilon phi varphi chi psi omega"
    " Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split()
)

CONSTANTS = {
    "pi": "pi", "e": "E", "E": "E", "oo": "oo", "inf": "oo", "infinity": "oo",
    "Infinity": "oo", "zoo": "zoo", "nan": "nan", "EulerGamma": "EulerGamma",
    "GoldenRatio": "GoldenRatio", "Catalan": "Catalan", "I": "I",
}  # fmt: skip
"""Named constants; a declared variable of the same name wins (``e`` as a variable)."""


def function_spec(name: str) -> FunctionSpec | None:
    """Return the spec of a function name or alias, or None."""
    return FUNCTIONS.get(name)


def log_base_of(name: str) -> str | None:
    """Return the subscript of ``log_2``/``log_b``-style names, else None."""
    if name.startswith("log_") and len(name) > 4:
        return name[4:]
    return None
