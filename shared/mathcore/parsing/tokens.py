"""Tokens shared by the plain and the LaTeX tokenizers, read by one grammar."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    """What a token is; the grammar never looks at raw characters."""

    NUM = "number"
    NAME = "name"
    OP = "operator"  # + - * / ^ ! = ,
    OPEN = "opening bracket"  # ( [ { and ⌊ ⌈ (floor, ceiling)
    CLOSE = "closing bracket"
    BAR = "'|'"  # |x|: opens or closes, decided by the grammar
    ABS_OPEN = "'\\left|'"  # LaTeX \left| \lvert: always opens
    ABS_CLOSE = "'\\right|'"
    COMMAND = "LaTeX command"  # \frac \sqrt
    SUB = "'_'"  # LaTeX subscript of a command (\log_2)
    EOF = "end of input"


MATCHING = {"(": ")", "[": "]", "{": "}", "⌊": "⌋", "⌈": "⌉"}


@dataclass(frozen=True, slots=True)
class Token:
    """One token: ``text`` is normalised (``**`` becomes ``^``), ``pos`` is in the source.

    ``function`` marks a name written as a LaTeX command (``\\sin``), which is
    a function even where a variable of that name is declared.
    """

    kind: Kind
    text: str
    pos: int
    end: int
    function: bool = False

    def describe(self) -> str:
        """Say what this token is, for error messages."""
        if self.kind is Kind.EOF:
            return "end of input"
        if self.kind is Kind.NUM:
            return f"number '{self.text}'"
        if self.kind is Kind.NAME:
            return f"name '{self.text}'"
        return f"'{self.text}'"
