"""How a run of letters is read: the contract's rule, as a textbook reader reads it.

A NAME token from a tokenizer is a run of letters, optionally followed by
digits and a ``_`` subscript, and optionally by primes (``f'``). This module
turns it into the tokens the grammar reads (:func:`read_name`):

* A run not followed by ``(``: declared variables, data columns, function
  names, Greek letters and the constants ``pi``, ``e``, ``E`` are matched
  first, longest first from the left, and what is left is split into single
  letters. ``2xy`` is ``2*x*y``, ``xsinx`` is ``x*sin(x)``, ``theta`` is one
  symbol, a declared ``lr`` stays whole.
* A run followed by ``(``: if it ends in a function name (longest match:
  the built-in functions, ``sigma`` for the sigmoid, and the generic
  functions ``f``, ``g``, ``h`` and declared ``functions``), that function
  applies and the letters before it are read as above (``2xsin(x)``).
  Otherwise the whole run is the name: a declared variable, a data column,
  a single letter (a Greek letter or a constant counts as one) or a run made
  only of declared names multiplies (``x(x+1)``); any other name is an error
  at its position ("unknown function").
* A name with digits or a subscript (``w1``, ``w_1``, ``x_i``, ``theta_0``)
  is one symbol: its letters are read as above and the last one keeps the
  suffix (``xw_1`` is ``x*w_1``). A function name glued to digits applies to
  them (``sin2x`` is ``sin(2x)``, ``ln2`` is ``ln(2)``).
* Primes mark the derivative of a generic function: ``f'(x)``, ``g''(t)``;
  a subscript of argument indices marks a partial of one of several
  arguments: ``f_1(x, y)``, ``f_12(x, y)``.

Function pieces come out with ``function=True``; the grammar applies them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shared.mathcore.parsing.errors import ParseError
from shared.mathcore.parsing.names import (
    CONSTANTS,
    FUNCTIONS,
    FUNCTIONS_ONLY_WHEN_CALLED,
    GREEK,
    log_base_of,
)
from shared.mathcore.parsing.tokens import Kind, Token

GENERIC_FUNCTIONS = frozenset({"f", "g", "h"})
"""Generic functions of every job (unless declared variables)."""

SIGMOID_NAMES = frozenset({"sigma"})
"""``sigma(z)`` (also ``σ(z)``, ``\\sigma(z)``) is the sigmoid."""

PRIMES = "'"
"""Tokenizers normalise ``′`` and ``″`` to ``'``."""

_RUN_CONSTANTS = frozenset({"pi", "e", "E"})
_RUN_FUNCTIONS = frozenset(name for name in FUNCTIONS if name.isascii() and name.isalpha())
# No built-in name is longer: matching looks no further (a run of 2,000 letters
# would otherwise cost cubic time).
_LONGEST_BUILTIN = max(map(len, [*FUNCTIONS, *GREEK, *_RUN_CONSTANTS, *SIGMOID_NAMES]))


@dataclass(frozen=True)
class Declared:
    """The names a job declares: variables, generic functions and data columns."""

    variables: frozenset[str] = frozenset()
    functions: frozenset[str] = frozenset()
    data: frozenset[str] = frozenset()
    longest: int = _LONGEST_BUILTIN  # the longest name worth matching

    @classmethod
    def of(
        cls,
        variables: Iterable[str] | None = None,
        functions: Iterable[str] | None = None,
        data: Iterable[str] | None = None,
    ) -> Declared:
        """Collect the names; a name declared as a value is never a generic function."""
        values = frozenset(variables or ())
        columns = frozenset(data or ())
        generic = (GENERIC_FUNCTIONS | frozenset(functions or ())) - values - columns
        longest = max(map(len, [*values, *columns, *generic]), default=0)
        return cls(
            values, frozenset(generic - _RUN_FUNCTIONS), columns, max(longest, _LONGEST_BUILTIN)
        )

    def is_value(self, name: str) -> bool:
        return name in self.variables or name in self.data


def _letters_end(name: str) -> int:
    i = 0
    while i < len(name) and name[i].isascii() and name[i].isalpha():
        i += 1
    return i


def _piece(name: str, pos: int, function: bool = False) -> Token:
    return Token(Kind.NAME, name, pos, pos + len(name), function)


def split_run(run: str, pos: int, declared: Declared) -> list[Token]:
    """Read a run of letters with nothing after it: longest known names first, then letters.

    >>> [t.text for t in split_run("xsinx", 0, Declared.of())]
    ['x', 'sin', 'x']
    """
    tokens: list[Token] = []
    i = 0
    while i < len(run):
        best = ""
        # longest first; one letter is the fallback
        for j in range(min(len(run), i + declared.longest), i + 1, -1):
            candidate = run[i:j]
            if (
                declared.is_value(candidate)
                or candidate in _RUN_FUNCTIONS
                or candidate in GREEK
                or candidate in _RUN_CONSTANTS
            ):
                best = candidate
                break
        best = best or run[i]
        is_function = (
            best in _RUN_FUNCTIONS
            and not declared.is_value(best)
            and best not in FUNCTIONS_ONLY_WHEN_CALLED  # gamma alone is the Greek letter
        )
        tokens.append(_piece(best, pos + i, is_function))
        i += len(best)
    return tokens


def _called_suffix(run: str, declared: Declared, generic_only: bool = False) -> str | None:
    """The longest function name that ``run`` ends with, or None."""
    for k in range(max(0, len(run) - declared.longest), len(run)):
        candidate = run[k:]
        if candidate in declared.functions:
            return candidate
        if generic_only:
            continue
        if candidate in _RUN_FUNCTIONS or candidate in SIGMOID_NAMES:
            return candidate
    return None


def _only_declared(run: str, declared: Declared) -> bool:
    return all(declared.is_value(t.text) for t in split_run(run, 0, declared))


def read_name(tok: Token, called: bool, declared: Declared) -> list[Token]:
    """Return the tokens a NAME token reads as; ``called``: a ``(`` follows it.

    >>> [t.text for t in read_name(_piece("xsin", 0), True, Declared.of())]
    ['x', 'sin']
    """
    name = tok.text
    if tok.function:
        return [tok]
    core = name.rstrip(PRIMES)
    primes = len(name) - len(core)
    if primes:
        return _read_primed(tok, core, primes, called, declared)
    if declared.is_value(name) or log_base_of(name) is not None or name in CONSTANTS:
        return [tok]
    cut = _letters_end(name)
    letters, suffix = name[:cut], name[cut:]
    if suffix and called and partial_indices(suffix) is not None:
        fn = _called_suffix(letters, declared, generic_only=True)
        if fn is not None:  # f_12(x, y): a partial of a generic function
            head = letters[: len(letters) - len(fn)]
            fn_pos = tok.pos + len(head)
            return [
                *split_run(head, tok.pos, declared),
                Token(Kind.NAME, fn + suffix, fn_pos, tok.end, True),
            ]
    if suffix:
        return _read_suffixed(tok, letters, suffix, declared)
    if not called:
        return split_run(name, tok.pos, declared)
    fn = _called_suffix(name, declared)
    if fn is not None:
        head = name[: len(name) - len(fn)]
        return [*split_run(head, tok.pos, declared), _piece(fn, tok.pos + len(head), True)]
    if len(name) == 1 or name in GREEK:
        return [tok]
    if _only_declared(name, declared):
        return split_run(name, tok.pos, declared)
    raise ParseError(
        f"unknown function '{name}'",
        tok.pos,
        reason=f"write '{'*'.join(t.text for t in split_run(name, 0, declared))}*(...)' for a"
        " product, or declare the name in 'functions' or 'variables'",
    )


def partial_indices(suffix: str) -> str | None:
    """The argument indices of a partial's subscript (``_12`` -> ``12``), or None.

    >>> partial_indices("_21"), partial_indices("_0"), partial_indices("2")
    ('12', None, None)
    """
    indices = suffix[1:]
    if not suffix.startswith("_") or not indices.isdigit() or "0" in indices:
        return None
    return "".join(sorted(indices))


def _read_suffixed(tok: Token, letters: str, suffix: str, declared: Declared) -> list[Token]:
    """``w1``, ``w_1``, ``xw_1``, ``sin2``: digits or a subscript after letters."""
    whole = letters + suffix
    first = max(0, len(whole) - _LONGEST_BUILTIN)
    for k in range(first, len(letters)):  # log10, log2, atan2 are function names themselves
        if whole[k:] in FUNCTIONS:
            head = split_run(letters[:k], tok.pos, declared)
            return [*head, _piece(whole[k:], tok.pos + k, True)]
    if suffix.isdigit():
        fn = None
        for k in range(max(0, len(letters) - _LONGEST_BUILTIN), len(letters)):
            candidate = letters[k:]
            if candidate in _RUN_FUNCTIONS and candidate not in FUNCTIONS_ONLY_WHEN_CALLED:
                fn = candidate
                break
        if fn is not None:
            head = letters[: len(letters) - len(fn)]
            fn_pos = tok.pos + len(head)
            number = Token(Kind.NUM, suffix, fn_pos + len(fn), tok.end)
            return [*split_run(head, tok.pos, declared), _piece(fn, fn_pos, True), number]
    pieces = split_run(letters, tok.pos, declared)
    last = pieces.pop()
    return [*pieces, Token(Kind.NAME, last.text + suffix, last.pos, tok.end)]


def _read_primed(
    tok: Token, core: str, primes: int, called: bool, declared: Declared
) -> list[Token]:
    """``f'(x)``, ``xg''(t)``: the derivative of a generic function."""
    fn = _called_suffix(core, declared, generic_only=True) if core.isalpha() else None
    if fn is None:
        raise ParseError(
            f"'{core}' is not a generic function",
            tok.pos,
            reason="a prime marks the derivative of a function such as f'(x); declare the"
            " function's name in 'functions'",
        )
    if not called:
        raise ParseError(
            f"'{core}{chr(39) * primes}' needs its argument",
            tok.end,
            expected=f"'(' as in {fn}{chr(39) * primes}(x)",
        )
    head = core[: len(core) - len(fn)]
    fn_pos = tok.pos + len(head)
    return [
        *split_run(head, tok.pos, declared),
        Token(Kind.NAME, fn + "'" * primes, fn_pos, tok.end, True),
    ]
