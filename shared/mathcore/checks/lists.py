"""List answers (gradients) element by element, and point sets (extrema) as sets.

Both give partial credit: ``score`` is the fraction of the expected entries
answered correctly, divided by the larger of the two lengths, so extra entries
cost as much as missing ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import sympy
from scipy.optimize import linear_sum_assignment

from shared.mathcore.checks.answer import Source, check_answer, parse
from shared.mathcore.checks.numeric import DEFAULT_ATOL, DEFAULT_RTOL, compare_numbers
from shared.mathcore.checks.outcome import CheckOutcome
from shared.mathcore.printing import to_plain

Point = Mapping[str, Source] | Sequence[Source]


@dataclass
class ListOutcome:
    """Element-wise verdict: ``items`` holds one CheckOutcome per compared entry."""

    correct: bool
    expected: list[Any]
    feedback: str
    score: float
    decided: bool = True
    mistake: str | None = None
    items: list[CheckOutcome] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    valid: bool = True

    def to_dict(self) -> dict[str, Any]:
        """The outcome as a JSON-ready dict."""
        return asdict(self)


def check_list(
    answers: Sequence[Source],
    expected_list: Sequence[Source],
    test: str = "equivalent",
    *,
    variables: Sequence[str] | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    original: Source | None = None,
    wrts: Sequence[str] | None = None,
    functions: Sequence[str] | None = None,
) -> ListOutcome:
    """Compare lists entry by entry (a gradient: entry i against ∂f/∂x_i).

    >>> x, y = sympy.symbols("x y", real=True)
    >>> check_list([2 * x, 3 * y], [2 * x, 2 * y]).score
    0.5
    """
    items: list[CheckOutcome] = []
    for i, (answer, expected) in enumerate(zip(answers, expected_list, strict=False)):
        wrt = wrts[i] if wrts is not None and i < len(wrts) else None
        items.append(
            check_answer(
                answer,
                expected,
                test,
                variables=variables,
                rtol=rtol,
                atol=atol,
                original=original,
                wrt=wrt,
                functions=functions,
            )
        )
    right = sum(item.correct for item in items)
    size = max(len(answers), len(expected_list))
    score = right / size if size else 1.0
    notes = []
    if len(answers) != len(expected_list):
        notes.append(f"{len(expected_list)} entries were expected, your answer has {len(answers)}.")
    for i, item in enumerate(items):
        if not item.correct:
            notes.append(f"Entry {i + 1}: {item.feedback}")
    correct = right == size
    feedback = (
        "Correct." if correct else f"{right} of {size} entries are correct. " + " ".join(notes)
    )
    codes = {item.mistake for item in items if item.mistake}
    return ListOutcome(
        correct=correct,
        expected=[item.expected for item in items]
        + [to_plain(parse(e, variables, functions=functions)) for e in expected_list[len(items) :]],
        feedback=feedback.strip(),
        score=score,
        decided=all(item.decided for item in items),
        mistake=codes.pop() if len(codes) == 1 else None,
        items=items,
        valid=all(item.valid for item in items),
    )


def _coordinates(point: Point, names: Sequence[str]) -> list[sympy.Expr]:
    if isinstance(point, Mapping):
        missing = [n for n in names if n not in point]
        if missing:
            raise ValueError(f"the point gives no value for {', '.join(missing)}")
        values = [point[n] for n in names]
    else:
        if len(point) != len(names):
            raise ValueError(f"a point needs {len(names)} coordinates, not {len(point)}")
        values = list(point)
    return [parse(v if not isinstance(v, (int, float)) else str(v), names) for v in values]


def check_points(
    answers: Sequence[Point],
    expected_points: Sequence[Point],
    variables: Sequence[str],
    *,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
) -> ListOutcome:
    """Compare point sets in any order: each expected point matches at most one answer point.

    Coordinates are numbers or exact constants, compared with the numeric test.

    >>> check_points([{"x": "0.7854"}], [{"x": "pi/4"}, {"x": "5pi/4"}], ["x"]).score
    0.5
    """
    names = list(variables)
    expected_coords = [_coordinates(p, names) for p in expected_points]
    try:
        answer_coords = [_coordinates(p, names) for p in answers]
    except ValueError as exc:
        expected_text = [
            {n: to_plain(c) for n, c in zip(names, p, strict=True)} for p in expected_coords
        ]
        outcome = ListOutcome(
            False,
            expected_text,
            f"Your answer could not be read: {exc}.",
            0.0,
            mistake="unparseable",
            valid=False,
        )
        position = getattr(exc, "position", None)
        if position is not None:
            outcome.details["position"] = position
        return outcome
    match = np.zeros((len(answer_coords), len(expected_coords)))
    for i, a in enumerate(answer_coords):
        for j, e in enumerate(expected_coords):
            match[i, j] = all(
                compare_numbers(ac, ec, rtol=rtol, atol=atol).correct
                for ac, ec in zip(a, e, strict=True)
            )
    rows, cols = linear_sum_assignment(-match) if match.size else ([], [])
    found = int(sum(match[r, c] for r, c in zip(rows, cols, strict=True)))
    size = max(len(answer_coords), len(expected_coords))
    score = found / size if size else 1.0
    correct = found == len(expected_coords) == len(answer_coords)
    expected_text = [
        {n: to_plain(c) for n, c in zip(names, p, strict=True)} for p in expected_coords
    ]
    if correct:
        feedback = "Correct."
    else:
        parts = [f"{found} of {len(expected_coords)} expected points found."]
        extra = len(answer_coords) - found
        if extra:
            parts.append(f"{extra} of your points {'is' if extra == 1 else 'are'} not among them.")
        feedback = " ".join(parts)
    unmatched = [
        i
        for i in range(len(answer_coords))
        if i not in {r for r, c in zip(rows, cols, strict=True) if match[r, c]}
    ]
    return ListOutcome(
        correct, expected_text, feedback, score, details={"unmatched_answers": unmatched}
    )


_OPEN, _CLOSE = "([{", ")]}"


def _strip_brackets(text: str) -> str:
    """``[a, b]`` -> ``a, b`` when the outer brackets enclose everything."""
    text = text.strip()
    while len(text) >= 2 and text[0] in _OPEN and text[-1] == _CLOSE[_OPEN.index(text[0])]:
        depth = 0
        for i, ch in enumerate(text):
            depth += ch in _OPEN
            depth -= ch in _CLOSE
            if depth == 0 and i < len(text) - 1:
                return text  # "(a)(b)": the first bracket closes early
        text = text[1:-1].strip()
    return text


def split_top_level(text: str) -> list[str]:
    """Split ``"[2x, f(a, b)]"`` into ``["2x", "f(a, b)"]``: commas at bracket depth 0 only.

    >>> split_top_level("(1, 2), (3, 4)")
    ['(1, 2)', '(3, 4)']
    """
    inner = _strip_brackets(text)
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(inner[start:i].strip())
            start = i + 1
    last = inner[start:].strip()
    if last or parts:
        parts.append(last)
    return parts


def points_from_text(text: str, dimension: int) -> list[list[str]]:
    """Read ``"pi/4, 5pi/4"`` (one variable) or ``"(1, 2), (3, 4)"`` as coordinate lists."""
    pieces = split_top_level(text)
    if dimension == 1 and all(not p.startswith("(") or "," not in p for p in pieces):
        return [[p] for p in pieces]
    if len(pieces) == dimension and not any("," in _strip_brackets(p) for p in pieces):
        return [pieces]  # one point written without its own parentheses
    return [split_top_level(p) for p in pieces]
