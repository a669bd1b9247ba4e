"""Plain-syntax tokenizer: characters to tokens, with positions.

Rules decided here (the grammar documents the rest):

* ``**`` is ``^``; ``·`` ``×`` are ``*``; ``÷`` is ``/``; ``−`` ``–`` are ``-``;
  ``²`` ``³`` are ``^2`` ``^3``; ``√`` is the function ``sqrt``; ``π`` is
  ``pi``, ``∞`` is ``oo``, Greek letters are their names (``θ`` is ``theta``).
* A name is letters, then optionally digits, then optionally ``_`` and a
  subscript of letters and digits: ``x``, ``xy``, ``w1``, ``x12``, ``w_1``,
  ``theta_0``, ``log_2``, then optionally primes (``f'``, ``f′``, ``f''``).
  How ``xy`` reads (``x*y``) is ``reading.py``'s job, since it depends on the
  declared names.
* A number is ``12``, ``1.5``, ``.5``, ``3.``, optionally with a scientific
  exponent ``1e-3``, ``2.5E4``: an ``e``/``E`` right after the digits is an
  exponent only when digits (optionally signed) follow it, so ``2e-3`` is
  0.002 even when ``e`` is a variable, while ``2e``, ``2e^x`` and ``2e x`` read
  the constant (or variable) ``e``. ``2ex`` is ``2`` times the name ``ex``.
"""

from __future__ import annotations

from shared.mathcore.parsing.errors import ParseError
from shared.mathcore.parsing.tokens import MATCHING, Kind, Token

GREEK_CHARS = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho",
    "σ": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi", "χ": "chi",
    "ψ": "psi", "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta",
    "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma", "Φ": "Phi", "Ψ": "Psi",
    "Ω": "Omega", "∞": "oo",
}  # fmt: skip
OPERATOR_CHARS = {
    "+": "+", "-": "-", "−": "-", "–": "-", "*": "*", "·": "*", "×": "*", "⋅": "*",
    "/": "/", "÷": "/", "^": "^", "!": "!", "=": "=", ",": ",",
}  # fmt: skip
SUPERSCRIPTS = {"²": "2", "³": "3"}
PRIME_CHARS = {"'": "'", "′": "'", "″": "''"}
CLOSERS = set(MATCHING.values())


def _is_letter(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z")


def tokenize(text: str, max_literal_digits: int) -> list[Token]:
    """Split plain ``text`` into tokens ending with EOF.

    >>> [t.text for t in tokenize("2x^2", 100)]
    ['2', 'x', '^', '2', '']
    """
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch.isascii() and (ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit())):
            i = _number(text, i, tokens, max_literal_digits)
        elif _is_letter(ch):
            i = _name(text, i, tokens)
        elif ch == "*" and text.startswith("**", i):
            tokens.append(Token(Kind.OP, "^", i, i + 2))
            i += 2
        elif ch in OPERATOR_CHARS:
            tokens.append(Token(Kind.OP, OPERATOR_CHARS[ch], i, i + 1))
            i += 1
        elif ch in MATCHING:
            tokens.append(Token(Kind.OPEN, ch, i, i + 1))
            i += 1
        elif ch in CLOSERS:
            tokens.append(Token(Kind.CLOSE, ch, i, i + 1))
            i += 1
        elif ch == "|":
            tokens.append(Token(Kind.BAR, "|", i, i + 1))
            i += 1
        elif ch in GREEK_CHARS:
            tokens.append(Token(Kind.NAME, GREEK_CHARS[ch], i, i + 1))
            i += 1
        elif ch == "√":
            tokens.append(Token(Kind.NAME, "sqrt", i, i + 1, function=True))
            i += 1
        elif ch in SUPERSCRIPTS:
            tokens.append(Token(Kind.OP, "^", i, i + 1))
            tokens.append(Token(Kind.NUM, SUPERSCRIPTS[ch], i, i + 1))
            i += 1
        else:
            shown = ch if ch.isprintable() else repr(ch)
            raise ParseError(f"unexpected character '{shown}'", i, reason="not part of the syntax")
    tokens.append(Token(Kind.EOF, "", n, n))
    return tokens


def _digits_end(text: str, i: int) -> int:
    while i < len(text) and text[i].isascii() and text[i].isdigit():
        i += 1
    return i


def _number(text: str, start: int, tokens: list[Token], max_digits: int) -> int:
    i = _digits_end(text, start)
    if i < len(text) and text[i] == ".":
        i = _digits_end(text, i + 1)
    mantissa_end = i
    if i < len(text) and text[i] in "eE":
        j = i + 1
        if j < len(text) and text[j] in "+-":
            j += 1
        k = _digits_end(text, j)
        if k > j:
            i = k
    digits = sum(c.isdigit() for c in text[start:mantissa_end])
    if digits > max_digits:
        raise ParseError(
            "number too long",
            start,
            reason=f"a literal may have at most {max_digits} digits",
        )
    tokens.append(Token(Kind.NUM, text[start:i], start, i))
    return i


def _name(text: str, start: int, tokens: list[Token]) -> int:
    i = start
    n = len(text)
    while i < n and _is_letter(text[i]):
        i += 1
    i = _digits_end(text, i)
    if i + 1 < n and text[i] == "_" and (_is_letter(text[i + 1]) or text[i + 1].isdigit()):
        i += 1
        while i < n and text[i].isascii() and (text[i].isalnum()):
            i += 1
    name = text[start:i]
    while i < n and text[i] in PRIME_CHARS:  # f'(x): the derivative of a generic function
        name += PRIME_CHARS[text[i]]
        i += 1
    tokens.append(Token(Kind.NAME, name, start, i))
    return i
