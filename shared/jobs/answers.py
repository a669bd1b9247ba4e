"""How a ``check`` job's answer is read against a problem of each kind.

The kind modules' ``check_problem`` hooks use these: the answer arrives as
the ``check`` params give it (a string, a list, a list of points) and is
shaped here into what the checks engine compares.
"""

from __future__ import annotations

from typing import Any

from shared.mathcore.checks.lists import points_from_text, split_top_level


def text(value: Any) -> str:
    """An answer entry as the string the parser reads."""
    return value if isinstance(value, str) else str(value)


def problem_names(problem_params: Any) -> list[str]:
    """The variable names a problem declares (``variables`` then ``variable``)."""
    names = list(getattr(problem_params, "variables", None) or [])
    single = getattr(problem_params, "variable", None)
    if single and single not in names:
        names.append(single)
    return names


def answer_list(answer: str | list) -> list[str]:
    """A list answer: ``"2x, 3y"`` or ``["2x", "3y"]``."""
    if isinstance(answer, str):
        return split_top_level(answer)
    return [text(a) for a in answer]


def answer_points(answer: str | list, names: list[str]) -> list:
    """A points answer: ``"(0, 1), (2, 3)"`` or a list of points / dicts / numbers."""
    if isinstance(answer, str):
        return points_from_text(answer, len(names))
    out = []
    for entry in answer:
        if isinstance(entry, (dict, list)):
            out.append(entry)
        else:
            out.append([text(entry)])
    return out
