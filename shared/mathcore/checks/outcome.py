"""What a check returns: the contract's fields plus mistake, score, decided, method."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class CheckOutcome:
    """The verdict on one answer.

    ``correct``, ``expected`` (plain string) and ``feedback`` are the contract's
    result fields; ``mistake`` is a stable code of a recognised mistake or None,
    ``score`` is partial credit in [0, 1], ``decided`` is False when the checker
    could not tell (then ``correct`` is False), ``method`` says how it decided;
    ``valid`` is False when the answer could not be read or was not understood
    (then ``details`` may give the ``position`` of the unreadable part).
    """

    correct: bool
    expected: str
    feedback: str
    mistake: str | None = None
    score: float = 0.0
    decided: bool = True
    method: str = "symbolic"
    details: dict[str, Any] = field(default_factory=dict)
    valid: bool = True

    def to_dict(self) -> dict[str, Any]:
        """The outcome as a JSON-ready dict."""
        return asdict(self)
