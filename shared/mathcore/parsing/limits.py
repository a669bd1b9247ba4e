"""Safety bounds that every parse checks before any costly work starts.

Each bound stops a known abuse: a long body, stack exhaustion by nesting,
numbers whose digits alone cost seconds (``9^9^9``), ``factorial(10^9)``.
The defaults are module constants; ``parse_expression`` takes keyword
overrides. Numbers stay under 4,000 digits because Python refuses to turn an
int of more than 4,300 digits into a string, so a larger result could not
even be printed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

MAX_LENGTH = 2_000
"""Characters of input."""
MAX_DEPTH = 100
"""Nesting of brackets, bars, functions, signs and powers together."""
MAX_LITERAL_DIGITS = 100
"""Digits in one numeric literal such as ``3.14159``."""
MAX_NUMBER_DIGITS = 4_000
"""Digits of any exact number the parse produces (``10^4000`` is refused)."""
MAX_ROOT_DIGITS = 500
"""Digits of a number whose root is taken: SymPy factors it (``sqrt(10^9999+1)`` hangs)."""
MAX_SYMBOLIC_EXPONENT = 10_000
"""Largest numeric exponent of a symbolic base (``x^(10^9)`` explodes when evaluated)."""
MAX_FACTORIAL = 1_000
"""Largest argument of factorial, gamma and polygamma that is evaluated exactly."""
MAX_NODES = 5_000
"""Operations and leaves built in one parse."""


@dataclass(frozen=True)
class ParseLimits:
    """The bounds of one parse; every field defaults to its module constant."""

    max_length: int = MAX_LENGTH
    max_depth: int = MAX_DEPTH
    max_literal_digits: int = MAX_LITERAL_DIGITS
    max_number_digits: int = MAX_NUMBER_DIGITS
    max_root_digits: int = MAX_ROOT_DIGITS
    max_symbolic_exponent: int = MAX_SYMBOLIC_EXPONENT
    max_factorial: int = MAX_FACTORIAL
    max_nodes: int = MAX_NODES

    @classmethod
    def with_overrides(cls, overrides: dict[str, int]) -> ParseLimits:
        """Return the defaults with ``overrides`` (unknown names raise TypeError)."""
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise TypeError(f"unknown parse limit(s): {', '.join(sorted(unknown))}")
        return cls(**overrides)
