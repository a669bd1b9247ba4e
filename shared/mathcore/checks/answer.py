"""Check one answer against an expected answer with a chosen answer test.

Tests: ``equivalent`` (equal wherever both sides are defined), ``numeric``
(within ``rtol`` or ``atol``), ``identical_form`` (same expression up to order
and grouping, no arithmetic), ``up_to_constant`` (antiderivatives, +C),
``expanded`` and ``factored`` (equivalent and in that form). A wrong answer is
searched for a recognised mistake. Every check runs inside a time budget and
says ``decided=False`` rather than guess when it cannot tell.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sympy

from shared.mathcore.budget import BUDGETS, BudgetExceeded, time_budget
from shared.mathcore.checks import forms, mistakes
from shared.mathcore.checks.constant import up_to_constant
from shared.mathcore.checks.deadline import deadline
from shared.mathcore.checks.equivalence import Equivalence, equivalent, is_exact
from shared.mathcore.checks.formtree import same_form
from shared.mathcore.checks.numeric import DEFAULT_ATOL, DEFAULT_RTOL, compare_numbers
from shared.mathcore.checks.outcome import CheckOutcome
from shared.mathcore.printing import to_plain
from shared.mathcore.symbols import variable

logger = logging.getLogger(__name__)

TESTS = ("equivalent", "numeric", "identical_form", "up_to_constant", "expanded", "factored")
EQUIVALENT_RTOL = 1e-10
SECONDS = BUDGETS["check"]  # the whole check, mistakes included
SYMBOLIC_SECONDS = BUDGETS["equivalence"]
MISTAKE_SECONDS = BUDGETS["mistake"]

Source = str | sympy.Basic


def parse(
    value: Source,
    variables: Sequence[str] | None,
    *,
    evaluate: bool = True,
    syntax: str = "plain",
    functions: Sequence[str] | None = None,
) -> sympy.Expr:
    """``value`` as SymPy: strings go through mlcalc's own parser, never sympify."""
    if isinstance(value, sympy.Basic):
        return value
    from shared.mathcore.parsing.parser import parse_expression  # the parser may load late

    return parse_expression(value, variables, syntax=syntax, evaluate=evaluate, functions=functions)


def shown(expr: sympy.Basic, limit: int = 80) -> str:
    """``expr`` in plain form, cut short for feedback."""
    text = to_plain(expr)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _names(variables: Sequence[str | sympy.Symbol] | None) -> list[str] | None:
    return [str(v) for v in variables] if variables else None


def _wrong(
    expected_text: str, verdict: Equivalence | None, mistake: mistakes.Mistake | None, method: str
) -> CheckOutcome:
    details = {}
    feedback = "Your answer is not equivalent to the expected answer."
    if verdict is not None and verdict.pointwise is not None:
        pw = verdict.pointwise
        if pw.counterexample is not None:
            details["counterexample"] = pw.counterexample
            details["values"] = {"answer": pw.values[0], "expected": pw.values[1]}
        elif pw.informative == 0 and pw.answer_undefined:
            feedback = "Your answer is not defined where the expected answer is."
            mistake = mistakes.Mistake("domain_mismatch", feedback)
    if mistake is not None:
        feedback = mistake.feedback
    return CheckOutcome(
        correct=False,
        expected=expected_text,
        feedback=feedback,
        mistake=mistake.code if mistake else None,
        score=0.0,
        decided=True,
        method=method,
        details=details,
    )


def _right(expected_text: str, method: str, feedback: str = "Correct.") -> CheckOutcome:
    return CheckOutcome(True, expected_text, feedback, None, 1.0, True, method)


def _undecided(expected_text: str, reason: str, method: str = "numeric") -> CheckOutcome:
    feedback = f"Could not decide whether the answer is right: {reason}."
    return CheckOutcome(False, expected_text, feedback, None, 0.0, False, method)


def _differentiation_variable(
    original: sympy.Expr, variables: Sequence[sympy.Symbol], wrt: str | sympy.Symbol | None
) -> sympy.Symbol | None:
    if wrt is not None:
        return variable(str(wrt))
    if len(variables) == 1:
        return variables[0]
    free = sorted(original.free_symbols, key=str)
    return free[0] if len(free) == 1 else None


def check_answer(
    answer: Source,
    expected: Source,
    test: str = "equivalent",
    *,
    variables: Sequence[str | sympy.Symbol] | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    original: Source | None = None,
    wrt: str | sympy.Symbol | None = None,
    syntax: str = "plain",
    functions: Sequence[str] | None = None,
    seconds: float = SECONDS,
) -> CheckOutcome:
    """Check ``answer`` against ``expected`` with answer test ``test``.

    When the expected answer is a derivative of f, pass ``original=f`` (and
    ``wrt``, the variable) so differentiation mistakes can be named.
    ``functions``: generic function names besides f, g, h (``phi``).

    >>> x = sympy.Symbol("x", real=True)
    >>> check_answer(sympy.cos(3 * x), 3 * sympy.cos(3 * x), original=sympy.sin(3 * x)).mistake
    'missing_chain_factor'
    """
    if test not in TESTS:
        raise ValueError(f"unknown answer test {test!r}; one of {', '.join(TESTS)}")
    names = _names(variables)
    expected_expr = parse(expected, names, syntax=syntax, functions=functions)
    expected_text = to_plain(expected_expr)
    # The answer is read with the expected answer's variables declared, so a
    # name it has (``lr``, ``w_1``) is read whole in the answer too.
    reading = sorted(set(names or []) | {s.name for s in expected_expr.free_symbols}) or None
    try:
        answer_expr = parse(answer, reading, syntax=syntax, functions=functions)
    except ValueError as exc:  # the parser's ParseError is a ValueError
        return unreadable(answer, expected_text, exc)
    context = _Context(
        answer=answer,
        expected=expected,
        a=answer_expr,
        e=expected_expr,
        expected_text=expected_text,
        names=reading,
        syntax=syntax,
        functions=functions,
        variables=[variable(n) for n in names] if names else [],
        rtol=rtol,
        atol=atol,
        original=(
            parse(original, names, syntax=syntax, functions=functions)
            if original is not None
            else None
        ),
        wrt=wrt,
    )
    try:
        with deadline(seconds), time_budget(seconds):
            outcome = _RUNNERS[test](context)
    except BudgetExceeded:
        return _undecided(expected_text, f"the check ran past its {seconds:g} s budget")
    strangers = _unknown_names(context, test)
    if strangers and not outcome.correct:
        return _not_understood(answer, expected_text, strangers, expected_expr)
    return outcome


def unreadable(answer: Source, expected_text: str, exc: ValueError) -> CheckOutcome:
    """The result for an answer that cannot be read: ``valid`` False, and where."""
    position = getattr(exc, "position", None)
    where = ""
    if isinstance(answer, str) and position is not None:
        rest = answer[position : position + 12]
        where = f", at '{rest}'" if rest.strip() else ", at the end"
    outcome = CheckOutcome(
        False,
        expected_text,
        f"Your answer could not be read: {exc}{where}.",
        "unparseable",
        0.0,
        True,
        "symbolic",
    )
    outcome.valid = False
    if position is not None:
        outcome.details["position"] = position
    return outcome


def _unknown_names(ctx: _Context, test: str) -> list[str]:
    """Names in a typed answer that neither the expected answer nor the job has.

    Such a name is more likely a misreading (a typo, a product written as one
    word) than a deliberate wrong answer; antiderivatives may add constants.
    """
    if not isinstance(ctx.answer, str) or test == "up_to_constant":
        return []
    known = {str(s) for s in ctx.e.free_symbols} | set(ctx.names or [])
    if not known:
        return []  # a number was expected: the numeric tests say so themselves
    return sorted({str(s) for s in ctx.a.free_symbols} - known)


def _not_understood(
    answer: str, expected_text: str, names: list[str], expected: sympy.Expr
) -> CheckOutcome:
    known = ", ".join(sorted(str(s) for s in expected.free_symbols)) or "none"
    listed = ", ".join(names)
    feedback = (
        f"Your answer was not understood: it uses {listed}, which "
        f"{'is not a variable' if len(names) == 1 else 'are not variables'} of this problem"
        f" (variables: {known}). Check the spelling, or write products with *."
    )
    outcome = CheckOutcome(False, expected_text, feedback, "unknown_name", 0.0, True, "symbolic")
    outcome.valid = False
    position = answer.find(names[0])
    if position >= 0:
        outcome.details["position"] = position
    outcome.details["unknown_names"] = names
    return outcome


class _Context:
    def __init__(self, **fields) -> None:
        self.__dict__.update(fields)

    def mistake(self) -> mistakes.Mistake | None:
        a, e = self.a, self.e
        original = self.original
        if original is not None:
            x = _differentiation_variable(original, self.variables, self.wrt)
            if x is not None:
                found = mistakes.recognise(
                    lambda: mistakes.derivative_mistake(a, original, x, self.variables),
                    MISTAKE_SECONDS,
                )
                if found is not None:
                    return found
        if not (a.free_symbols or e.free_symbols):
            return mistakes.recognise(lambda: mistakes.sign_mistake(a, e), MISTAKE_SECONDS)
        return mistakes.recognise(lambda: mistakes.generic_mistake(a, e), MISTAKE_SECONDS)

    def exact(self) -> bool:
        """Exact inputs and no tolerance asked for: compare exactly."""
        return self.rtol is None and self.atol is None and is_exact(self.a, self.e)

    def equivalence(self) -> Equivalence:
        rtol = EQUIVALENT_RTOL if self.rtol is None else self.rtol
        atol = 0.0 if self.atol is None else self.atol
        return equivalent(
            self.a,
            self.e,
            rtol=rtol,
            atol=atol,
            symbolic_seconds=SYMBOLIC_SECONDS,
            exact=self.exact(),
        )

    def unevaluated(self) -> tuple[sympy.Expr, sympy.Expr]:
        options = {"evaluate": False, "syntax": self.syntax, "functions": self.functions}
        a = parse(self.answer, self.names, **options)
        e = parse(self.expected, self.names, **options)
        return a, e


def _judge(ctx: _Context, verdict: Equivalence) -> CheckOutcome:
    if verdict.equal is True:
        return _right(ctx.expected_text, verdict.method)
    if verdict.equal is None:
        return _undecided(ctx.expected_text, verdict.reason, verdict.method)
    return _wrong(ctx.expected_text, verdict, ctx.mistake(), verdict.method)


def _run_equivalent(ctx: _Context) -> CheckOutcome:
    return _judge(ctx, ctx.equivalence())


def _run_numeric(ctx: _Context) -> CheckOutcome:
    rtol = DEFAULT_RTOL if ctx.rtol is None else ctx.rtol
    atol = DEFAULT_ATOL if ctx.atol is None else ctx.atol
    result = compare_numbers(ctx.a, ctx.e, rtol=rtol, atol=atol)
    if result.correct:
        return _right(ctx.expected_text, "numeric")
    if not result.decided:
        return _undecided(ctx.expected_text, result.reason)
    if ctx.a.free_symbols and not ctx.e.free_symbols:
        feedback = f"A number was expected: {result.reason}."
        return CheckOutcome(
            False, ctx.expected_text, feedback, "expected_a_number", 0.0, True, "numeric"
        )
    outcome = _wrong(ctx.expected_text, None, ctx.mistake(), "numeric")
    if outcome.mistake is None:
        outcome.feedback = "Your answer is not within the tolerance of the expected value."
    return outcome


def _run_identical_form(ctx: _Context) -> CheckOutcome:
    if same_form(ctx.answer, ctx.expected, ctx.names, ctx.syntax):
        return _right(ctx.expected_text, "symbolic")
    verdict = ctx.equivalence()
    if verdict.equal is True:
        feedback = "Your answer is equivalent, but not written in the expected form."
        return CheckOutcome(
            False, ctx.expected_text, feedback, "not_identical_form", 0.0, True, "symbolic"
        )
    return _judge(ctx, verdict)


def _run_expanded(ctx: _Context) -> CheckOutcome:
    verdict = ctx.equivalence()
    if verdict.equal is not True:
        return _judge(ctx, verdict)
    a_form, _ = ctx.unevaluated()
    part = forms.unexpanded_part(a_form)
    if part is None:
        return _right(ctx.expected_text, verdict.method)
    shown_part = shown(forms.evaluated(part))
    feedback = f"Your answer is equivalent, but not expanded: multiply out {shown_part}."
    return CheckOutcome(
        False, ctx.expected_text, feedback, "not_expanded", 0.0, True, verdict.method
    )


def _run_factored(ctx: _Context) -> CheckOutcome:
    verdict = ctx.equivalence()
    if verdict.equal is not True:
        return _judge(ctx, verdict)
    a_form, _ = ctx.unevaluated()
    part = forms.reducible_factor(a_form)
    if part is None:
        return _right(ctx.expected_text, verdict.method)
    feedback = (
        f"Your answer is equivalent, but not fully factored: {shown(forms.evaluated(part))}"
        " factors further."
    )
    return CheckOutcome(
        False, ctx.expected_text, feedback, "not_factored", 0.0, True, verdict.method
    )


def _run_up_to_constant(ctx: _Context) -> CheckOutcome:
    over = ctx.variables or sorted(ctx.e.free_symbols or ctx.a.free_symbols, key=str)
    rtol = EQUIVALENT_RTOL if ctx.rtol is None else ctx.rtol
    atol = 0.0 if ctx.atol is None else ctx.atol
    verdict = up_to_constant(
        ctx.a, ctx.e, over, rtol=rtol, atol=atol, symbolic_seconds=SYMBOLIC_SECONDS
    )
    if verdict.equal is True:
        return _right(ctx.expected_text, verdict.method)
    if verdict.equal is None:
        return _undecided(ctx.expected_text, verdict.reason, verdict.method)
    found = None
    if len(over) == 1:
        a, e, x = ctx.a, ctx.e, over[0]
        found = mistakes.recognise(
            lambda: mistakes.antiderivative_mistake(a, e, x), MISTAKE_SECONDS
        )
    outcome = _wrong(ctx.expected_text, None, found, verdict.method)
    if found is None:
        outcome.feedback = "Your answer does not differ from an antiderivative by a constant."
    return outcome


_RUNNERS = {
    "equivalent": _run_equivalent,
    "numeric": _run_numeric,
    "identical_form": _run_identical_form,
    "up_to_constant": _run_up_to_constant,
    "expanded": _run_expanded,
    "factored": _run_factored,
}
