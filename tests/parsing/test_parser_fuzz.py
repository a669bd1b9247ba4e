"""Property fuzz of both parsers: only ParseError ever escapes, and fast.

Thousands of random token soups, raw text and mutations of valid inputs,
plain and LaTeX, evaluated and not. Each parse must return a SymPy object or
raise ParseError within ``PER_PARSE_SECONDS``; a hang is cut by a wall-clock
budget so the suite fails instead of stalling. What parses (evaluated) must
print to a plain form that parses back to the same expression.
"""

from __future__ import annotations

import cmath
import time

import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.mathcore.budget import BudgetExceeded, time_budget
from shared.mathcore.parsing.parser import ParseError, parse_expression
from shared.mathcore.printing import to_plain

PER_PARSE_SECONDS = 2.0

PLAIN_PIECES = [
    "+", "-", "*", "/", "^", "**", "!", "=", ",", "(", ")", "[", "]", "{", "}", "|", " ",
    "0", "1", "2", "9", "10", ".", "5", "e", "E", "1e5", "2.5e-3", "x", "y", "xy", "z",
    "sin", "cos", "tan", "asin", "arctan", "sinh", "log", "ln", "exp", "sqrt", "cbrt",
    "root", "abs", "sign", "floor", "ceil", "factorial", "gamma", "erf", "sigmoid",
    "softplus", "relu", "min", "max", "atan2", "log_2", "log10", "pi", "oo", "inf",
    "theta", "lambda", "w_1", "w1", "_", "π", "√", "²", "·", "×", "−", "θ", "∞", "⌊", "⌋",
    "sin^2", "sin^-1", "9^9", "^9", "(10^", "!", "nan", "zoo", "I", "Abs", "Max",
]  # fmt: skip
LATEX_PIECES = [
    "\\frac", "\\dfrac", "\\sqrt", "\\left(", "\\right)", "\\left|", "\\right|", "\\left.",
    "\\sin", "\\cos", "\\ln", "\\log", "\\exp", "\\cdot", "\\times", "\\theta", "\\pi",
    "\\infty", "\\operatorname{sigmoid}", "\\mathrm{e}", "\\{", "\\}", "\\,", "\\lvert",
    "\\rvert", "\\lfloor", "\\rfloor", "\\", "\\alpha", "\\foo", "{", "}", "[", "]", "^",
    "_", "_{12}", "^{", "x", "y", "2", "9", "1", "+", "-", "(", ")", "|", " ", "e", "!",
]  # fmt: skip
VALID = [
    "x^2 + 2xy + 3y^2", "sin(x)^2 + cos^2 x", "1/(1+e^(-z))", "ln |x| - sqrt(x^2+1)",
    "2^-x * sigmoid(x)", "max(0, x) + relu(y)", "log(x, 2) + log_2 x", "(x+1)(x-1)/x!",
    "theta_1 w_1 + w1", "sin^-1 x + atan2(y, x)", "|x||y| - ||x|-1|", "e^x sin x",
    "\\frac{1}{1+e^{-z}}", "\\sin^2 x + \\sqrt[3]{x}", "\\left| x \\right| + \\log_2 x",
    "x^{2} \\cdot \\frac{\\pi}{2}", "\\operatorname{sigmoid}(\\theta_0 + w_{12} x)",
]  # fmt: skip
VARIABLE_SETS = [None, ["x", "y"], ["x", "y", "z", "e"], ["w_1", "x"]]

SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}


def check_parse(text: str, syntax: str, variables, evaluate: bool) -> None:
    """Parse ``text``; anything but a result or a ParseError, or a slow answer, fails."""
    started = time.perf_counter()
    try:
        with time_budget(PER_PARSE_SECONDS * 3):
            result = parse_expression(text, variables, syntax=syntax, evaluate=evaluate)
    except ParseError as err:
        assert 0 <= err.position <= len(text), (text, err)
        assert str(err)
        result = None
    except BudgetExceeded as err:
        raise AssertionError(f"parse of {text!r} did not finish") from err
    elapsed = time.perf_counter() - started
    assert elapsed < PER_PARSE_SECONDS, f"parse of {text!r} took {elapsed:.2f} s"
    if result is None:
        return
    assert isinstance(result, sp.Basic)
    if evaluate and isinstance(result, sp.Expr) and not result.has(sp.AccumBounds):
        printed = to_plain(result)
        back = parse_expression(printed, variables, max_length=100_000)
        assert back == result or same_values(back, result), (text, printed)


def same_values(a: sp.Expr, b: sp.Expr) -> bool:
    """Equal at sample points where both are real and finite (SymPy may leave
    ``Abs(Abs(y))`` unsimplified on one side, which ``simplify`` misses)."""
    symbols = sorted(a.free_symbols | b.free_symbols, key=str)
    compared = 0
    for k in range(6):
        point = {
            s: sp.Rational(3 + 2 * k + i, 7 + k) * (-1) ** (i + k) for i, s in enumerate(symbols)
        }
        va, vb = complex(a.evalf(20, subs=point)), complex(b.evalf(20, subs=point))
        if not all(map(cmath.isfinite, (va, vb))):
            continue
        compared += 1
        if abs(va - vb) > 1e-9 * max(1.0, abs(va)):
            return False
    return compared > 0 or sp.simplify(a - b) == 0


def soup(pieces: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), min_size=1, max_size=30).map("".join)


def mutate(data: st.DataObject, text: str, pieces: list[str]) -> str:
    """Insert, delete, duplicate or swap pieces of a valid input."""
    for _ in range(data.draw(st.integers(1, 4))):
        if not text:
            break
        i = data.draw(st.integers(0, len(text) - 1))
        j = data.draw(st.integers(i, min(len(text), i + 8)))
        op = data.draw(st.sampled_from(["insert", "delete", "duplicate", "swap", "replace"]))
        if op == "insert":
            text = text[:i] + data.draw(st.sampled_from(pieces)) + text[i:]
        elif op == "delete":
            text = text[:i] + text[j:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] * data.draw(st.integers(1, 20)) + text[j:]
        elif op == "swap" and j > i:
            text = text[:i] + text[j - 1] + text[i + 1 : j - 1] + text[i] + text[j:]
        else:
            text = text[:i] + data.draw(st.sampled_from(pieces)) + text[j:]
    return text


flags = st.tuples(st.sampled_from(VARIABLE_SETS), st.booleans())


@settings(max_examples=1500, **SETTINGS)
@given(soup(PLAIN_PIECES), flags)
def test_fuzz_plain_token_soup(text, flag):
    check_parse(text, "plain", *flag)


@settings(max_examples=1000, **SETTINGS)
@given(soup(LATEX_PIECES + PLAIN_PIECES[:40]), flags)
def test_fuzz_latex_token_soup(text, flag):
    check_parse(text, "latex", *flag)


@settings(max_examples=500, **SETTINGS)
@given(st.text(max_size=60), st.sampled_from(["plain", "latex"]), flags)
def test_fuzz_raw_text(text, syntax, flag):
    check_parse(text, syntax, *flag)


@settings(max_examples=1200, **SETTINGS)
@given(st.data(), st.sampled_from(VALID), st.sampled_from(["plain", "latex"]), flags)
def test_fuzz_mutations_of_valid_inputs(data, text, syntax, flag):
    pieces = LATEX_PIECES if syntax == "latex" else PLAIN_PIECES
    check_parse(mutate(data, text, pieces), syntax, *flag)


@settings(max_examples=300, **SETTINGS)
@given(st.lists(st.sampled_from(["9", "10", "2", "^", "!", "(", ")", "^(", "x", "*", "1/"]),
                min_size=3, max_size=25).map("".join))  # fmt: skip
def test_fuzz_towers_and_factorials(text):
    check_parse(text, "plain", None, True)
