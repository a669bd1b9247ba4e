"""The step record of the contract, and the printer that words it.

Solving code records what it did as a :class:`StepRecord`: a rule code and the
named facts (SymPy objects, numbers, variables) a reader needs, never English.
A :class:`StepPrinter` (a table from rule code to a wording function, one table
per engine area, e.g. ``gradient_text.WORDING``) turns records into the
contract's STEP dicts; :func:`make_step` builds one such dict directly.
Computing and presenting never mix, as in the derivative tracer
(``derivative/render.py``).

>>> printer = StepPrinter({"norm": lambda value: f"The norm is {value}."})
>>> printer.render(StepRecord("norm", {"value": 5}, after="5"))["text"]
'The norm is 5.'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy

from shared.mathcore.printing import to_plain

# The contract's STEP: {"rule", "text", "before", "after", "latex", "substeps"},
# plus "simplified": false on a step whose simplification ran out of budget.
Step = dict[str, Any]
# A wording: called with a record's facts as keyword arguments, returns text.
Wording = Callable[..., str]


def make_step(
    rule: str,
    text: str,
    before: str = "",
    after: str = "",
    latex: str = "",
    substeps: Iterable[Step] = (),
    simplified: bool | None = None,
) -> Step:
    """Return one STEP dict of the contract.

    ``simplified=False`` marks a step whose result was left unsimplified
    because the job's work budget ran out (the key is absent otherwise).

    >>> make_step("sum", "Add.", "x + x", "2*x")["after"]
    '2*x'
    """
    step: Step = {
        "rule": rule,
        "text": text,
        "before": before,
        "after": after,
        "latex": latex,
        "substeps": list(substeps),
    }
    if simplified is not None:
        step["simplified"] = simplified
    return step


@dataclass(frozen=True)
class StepRecord:
    """What one step did, without words: ``rule`` plus the ``facts`` its wording needs.

    ``before``/``after`` may be SymPy objects (printed in the canonical plain
    form) or ready strings; ``latex`` is the step's formula; ``substeps`` are
    records or already printed STEP dicts (e.g. a derivative trace).
    """

    rule: str
    facts: Mapping[str, Any] = field(default_factory=dict)
    before: Any = ""
    after: Any = ""
    latex: str = ""
    substeps: tuple[StepRecord | Step, ...] = ()
    simplified: bool | None = None


class StepPrinter:
    """Turn step records into STEP dicts with one wording per rule code.

    ``latex`` optionally maps rule codes to functions of the facts that write
    the step's formula; other steps keep the record's ``latex``.
    """

    def __init__(
        self, wordings: Mapping[str, Wording], latex: Mapping[str, Wording] | None = None
    ) -> None:
        self.wordings = dict(wordings)
        self.latex = dict(latex or {})

    def render(self, record: StepRecord | Step) -> Step:
        """Return the STEP dict of ``record`` (a dict passes through unchanged)."""
        if isinstance(record, dict):
            return record
        try:
            wording = self.wordings[record.rule]
        except KeyError:
            raise KeyError(f"no wording for the step rule {record.rule!r}") from None
        return make_step(
            record.rule,
            wording(**record.facts),
            before=_shown(record.before),
            after=_shown(record.after),
            latex=self.latex[record.rule](**record.facts)
            if record.rule in self.latex
            else record.latex,
            substeps=[self.render(s) for s in record.substeps],
            simplified=record.simplified,
        )

    def render_all(self, records: Iterable[StepRecord | Step]) -> list[Step]:
        """Return the STEP dicts of ``records``, in order."""
        return [self.render(r) for r in records]


def _shown(value: Any) -> str:
    if isinstance(value, sympy.Basic):
        return to_plain(value)
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(_shown(v) for v in value) + ")"
    return str(value)
