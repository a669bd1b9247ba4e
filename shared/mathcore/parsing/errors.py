"""The one error every parser of mlcalc raises, with where and why."""

from __future__ import annotations


class ParseError(ValueError):
    """An expression that cannot be read, or that is refused by a safety bound.

    ``position`` is the 0-based character offset in the text as sent (for
    LaTeX, in the LaTeX source); ``expected`` says what would have been valid
    there, ``reason`` why something valid-looking was refused.

    >>> str(ParseError("unexpected ')'", 7, expected="an expression"))
    "unexpected ')' at position 7: expected an expression"
    """

    def __init__(
        self,
        message: str,
        position: int,
        expected: str | None = None,
        reason: str | None = None,
    ) -> None:
        self.message = message
        self.position = position
        self.expected = expected
        self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.message} at position {self.position}"
        if self.expected:
            text += f": expected {self.expected}"
        elif self.reason:
            text += f": {self.reason}"
        return text

    def __reduce__(self):  # keep the attributes across pickling (Celery, multiprocessing)
        return (type(self), (self.message, self.position, self.expected, self.reason))
