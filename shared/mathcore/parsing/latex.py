"""LaTeX input: a tokenizer of our own feeding the plain parser's grammar.

``parse_expression(text, syntax="latex")`` lands here. The LaTeX source is
turned into the same tokens the plain tokenizer makes, so the grammar, the
safety bounds and the exact SymPy building are shared; positions are
offsets into the LaTeX source. Nothing is handed to SymPy's ``parse_latex``
(which needs lark and evaluates as it builds: ``x^{9^{9^{9}}}`` ran for
minutes there).

Supported: ``\\frac{a}{b}`` (also ``\\dfrac``, ``\\tfrac``, ``\\frac12``),
``\\sqrt{x}``, ``\\sqrt[n]{x}``, ``x^{2}``, ``e^{-x}``, ``\\sin^2 x``,
``\\sin^{-1} x``, the function commands (``\\sin`` ... ``\\arctan``,
``\\sinh`` ..., ``\\exp``, ``\\ln``, ``\\log``, ``\\log_b x``, ``\\log_{10}``,
``\\max``, ``\\min``), ``\\operatorname{sigmoid}`` and ``\\mathrm{...}``,
primes ``f'(x)``, ``\\cdot``, ``\\times``, ``\\div``, ``\\left( \\right)`` and the other sizes,
``\\left| \\right|``, ``\\lvert \\rvert``, ``|x|``, ``\\lfloor \\rfloor``,
``\\lceil \\rceil``, ``{ }`` and ``\\{ \\}`` as grouping, Greek letters
(``\\theta``, ``\\varphi`` is ``phi``), ``\\pi``, ``\\infty``, subscripts
``w_1``, ``w_{12}``, ``\\theta_0`` (named ``w_1``, ``w_12``, ``theta_0`` as
in plain syntax), and spacing commands.

As TeX reads them, a bare superscript or ``\\frac``/``\\sqrt`` argument is one
character: ``x^23`` is ``x^2*3``, ``\\frac12`` is 1/2. Runs of letters follow
the plain rule (``xy`` is ``x*y`` only when both are declared variables).
"""

from __future__ import annotations

from shared.mathcore.parsing.errors import ParseError
from shared.mathcore.parsing.names import GREEK
from shared.mathcore.parsing.tokenizer import (
    GREEK_CHARS,
    OPERATOR_CHARS,
    PRIME_CHARS,
    SUPERSCRIPTS,
)
from shared.mathcore.parsing.tokens import Kind, Token

_FUNCTION_COMMANDS = frozenset(
    "sin cos tan cot sec csc arcsin arccos arctan arccot arcsec arccsc sinh cosh tanh coth"
    " sech csch arsinh arcosh artanh arcoth exp ln log lg max min sgn".split()
)
_NAME_WRAPPERS = frozenset("operatorname mathrm mathit mathnormal text textrm rm".split())
_GREEK_ALIASES = {
    "varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi", "varrho": "rho",
    "varsigma": "sigma", "varpi": "pi", "infty": "oo",
}  # fmt: skip
_OPERATOR_COMMANDS = {"cdot": "*", "times": "*", "ast": "*", "div": "/"}
_SPACING = frozenset(
    ", ; : ! > quad qquad displaystyle textstyle limits nolimits thinspace medspace".split()
)
_LEFT_SIZES = frozenset("left bigl Bigl biggl Biggl".split())
_RIGHT_SIZES = frozenset("right bigr Bigr biggr Biggr".split())
_PLAIN_SIZES = frozenset("big Big bigg Bigg middle".split())
_DELIMITER_COMMANDS = {
    "{": (Kind.OPEN, "{"), "}": (Kind.CLOSE, "}"),
    "lfloor": (Kind.OPEN, "⌊"), "rfloor": (Kind.CLOSE, "⌋"),
    "lceil": (Kind.OPEN, "⌈"), "rceil": (Kind.CLOSE, "⌉"),
    "lvert": (Kind.ABS_OPEN, "|"), "rvert": (Kind.ABS_CLOSE, "|"),
    "vert": (Kind.BAR, "|"), "mid": (Kind.BAR, "|"),
}  # fmt: skip
_BRACKETS = {"(": Kind.OPEN, "[": Kind.OPEN, "{": Kind.OPEN, ")": Kind.CLOSE,
             "]": Kind.CLOSE, "}": Kind.CLOSE}  # fmt: skip


def _is_letter(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z")


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


class _LatexTokenizer:
    def __init__(self, text: str, max_literal_digits: int) -> None:
        self.text = text
        self.n = len(text)
        self.i = 0
        self.max_digits = max_literal_digits
        self.tokens: list[Token] = []
        self.single = 0  # how many following bare arguments are one character each

    def emit(self, kind: Kind, text: str, pos: int, end: int, function: bool = False) -> None:
        self.tokens.append(Token(kind, text, pos, end, function))

    def run(self) -> list[Token]:
        text = self.text
        while self.i < self.n:
            ch = text[self.i]
            start = self.i
            if ch.isspace():
                self.i += 1
                continue
            single, self.single = self.single, 0
            if ch == "\\":
                self.command(start)
            elif single and (_is_digit(ch) or _is_letter(ch)):
                kind = Kind.NUM if _is_digit(ch) else Kind.NAME
                self.emit(kind, ch, start, start + 1)
                self.i += 1
                self.single = single - 1
            elif _is_digit(ch) or (
                ch == "." and self.i + 1 < self.n and _is_digit(text[self.i + 1])
            ):
                self.number(start)
            elif _is_letter(ch):
                self.name(start)
            elif ch == "^":
                self.emit(Kind.OP, "^", start, start + 1)
                self.i += 1
                self.single = 1
            elif ch == "_":
                self.emit(Kind.SUB, "_", start, start + 1)
                self.i += 1
                self.single = 1
            elif ch in OPERATOR_CHARS:
                self.emit(Kind.OP, OPERATOR_CHARS[ch], start, start + 1)
                self.i += 1
            elif ch in _BRACKETS:
                self.emit(_BRACKETS[ch], ch, start, start + 1)
                self.i += 1
            elif ch == "|":
                self.emit(Kind.BAR, "|", start, start + 1)
                self.i += 1
            elif ch in GREEK_CHARS:
                self.emit(Kind.NAME, GREEK_CHARS[ch], start, start + 1)
                self.i += 1
                self.subscript_of_last()
            elif ch in PRIME_CHARS and self.tokens and self.tokens[-1].kind is Kind.NAME:
                last = self.tokens.pop()  # f'(x): the prime belongs to the name
                primed = last.text + PRIME_CHARS[ch]
                self.emit(Kind.NAME, primed, last.pos, start + 1, last.function)
                self.i += 1
            elif ch in SUPERSCRIPTS:
                self.emit(Kind.OP, "^", start, start + 1)
                self.emit(Kind.NUM, SUPERSCRIPTS[ch], start, start + 1)
                self.i += 1
            else:
                shown = ch if ch.isprintable() else repr(ch)
                raise ParseError(
                    f"unexpected character '{shown}'", start, reason="not supported in LaTeX input"
                )
        self.emit(Kind.EOF, "", self.n, self.n)
        return self.tokens

    # -- pieces ------------------------------------------------------------------
    def number(self, start: int) -> None:
        i = start
        while i < self.n and _is_digit(self.text[i]):
            i += 1
        if i < self.n and self.text[i] == "." and i + 1 < self.n and _is_digit(self.text[i + 1]):
            i += 1
            while i < self.n and _is_digit(self.text[i]):
                i += 1
        digits = sum(c.isdigit() for c in self.text[start:i])
        if digits > self.max_digits:
            reason = f"a literal may have at most {self.max_digits} digits"
            raise ParseError("number too long", start, reason=reason)
        self.emit(Kind.NUM, self.text[start:i], start, i)
        self.i = i

    def name(self, start: int) -> None:
        i = start
        while i < self.n and _is_letter(self.text[i]):
            i += 1
        while i < self.n and _is_digit(self.text[i]):
            i += 1
        self.emit(Kind.NAME, self.text[start:i], start, i)
        self.i = i
        self.subscript_of_last()

    def subscript_of_last(self) -> None:
        """Fold ``_1`` / ``_{12}`` into the name just emitted: ``w_{12}`` is ``w_12``."""
        i = self.i
        while i < self.n and self.text[i] == " ":
            i += 1
        if i >= self.n or self.text[i] != "_":
            return
        under = i
        i += 1
        while i < self.n and self.text[i] == " ":
            i += 1
        if i < self.n and self.text[i] == "{":
            close = self.text.find("}", i + 1)
            content = self.text[i + 1 : close].replace(" ", "") if close != -1 else ""
            end = close + 1
        elif i < self.n and (_is_letter(self.text[i]) or _is_digit(self.text[i])):
            content, end = self.text[i], i + 1
        else:
            content, end = "", i
        if not content or not content.isascii() or not content.isalnum():
            raise ParseError(
                "unsupported subscript",
                under,
                expected="a subscript of letters and digits such as w_1 or w_{12}",
            )
        last = self.tokens.pop()
        self.emit(Kind.NAME, f"{last.text}_{content}", last.pos, end, last.function)
        self.i = end

    def command(self, start: int) -> None:
        text = self.text
        i = start + 1
        if i >= self.n:
            raise ParseError("lone backslash", start, expected="a command such as \\frac")
        if not _is_letter(text[i]):
            symbol = text[i]
            self.i = i + 1
            if symbol in _SPACING or symbol == " ":
                return
            if symbol in "{}":
                kind, value = _DELIMITER_COMMANDS[symbol]
                self.emit(kind, value, start, self.i)
                return
            if symbol == "|":
                self.emit(Kind.BAR, "|", start, self.i)
                return
            raise ParseError(f"unsupported command '\\{symbol}'", start, reason="not supported")
        while i < self.n and _is_letter(text[i]):
            i += 1
        word = text[start + 1 : i]
        self.i = i
        if word in _SPACING or word in _PLAIN_SIZES:
            return
        if word in _LEFT_SIZES or word in _RIGHT_SIZES:
            self.sized_delimiter(start, word in _LEFT_SIZES)
        elif word in ("frac", "dfrac", "tfrac", "cfrac"):
            self.emit(Kind.COMMAND, "frac", start, i)
            self.single = 2
        elif word == "sqrt":
            self.emit(Kind.COMMAND, "sqrt", start, i)
            self.single = 1
        elif word in _OPERATOR_COMMANDS:
            self.emit(Kind.OP, _OPERATOR_COMMANDS[word], start, i)
        elif word in _DELIMITER_COMMANDS:
            kind, value = _DELIMITER_COMMANDS[word]
            self.emit(kind, value, start, i)
        elif word in _FUNCTION_COMMANDS:
            self.emit(Kind.NAME, word, start, i, function=True)
        elif word in GREEK or word in _GREEK_ALIASES or word == "pi":
            self.emit(Kind.NAME, _GREEK_ALIASES.get(word, word), start, i)
            self.subscript_of_last()
        elif word in _NAME_WRAPPERS:
            self.wrapped_name(start, word)
        else:
            raise ParseError(f"unknown command '\\{word}'", start, reason="not supported")

    def wrapped_name(self, start: int, word: str) -> None:
        """``\\operatorname{sigmoid}`` and ``\\mathrm{e}``: a name in braces."""
        from shared.mathcore.parsing.names import function_spec

        i = self.i
        while i < self.n and self.text[i] == " ":
            i += 1
        close = self.text.find("}", i + 1) if i < self.n and self.text[i] == "{" else -1
        content = self.text[i + 1 : close].strip() if close != -1 else ""
        if not content or not content.isascii() or not content.replace("_", "").isalnum():
            raise ParseError(f"expected a name in braces after '\\{word}'", i, expected="{name}")
        is_function = word == "operatorname" or function_spec(content) is not None
        self.emit(Kind.NAME, content, start, close + 1, function=is_function)
        self.i = close + 1

    def sized_delimiter(self, start: int, left: bool) -> None:
        """``\\left(``, ``\\right|``, ``\\bigl[``, ``\\left.``: the delimiter after a size."""
        i = self.i
        while i < self.n and self.text[i] == " ":
            i += 1
        if i >= self.n:
            raise ParseError("missing delimiter", i, expected="a delimiter such as ( or |")
        ch = self.text[i]
        if ch == ".":
            self.i = i + 1
            return
        if ch == "|":
            self.emit(Kind.ABS_OPEN if left else Kind.ABS_CLOSE, "|", start, i + 1)
            self.i = i + 1
            return
        if ch in _BRACKETS:
            self.emit(_BRACKETS[ch], ch, start, i + 1)
            self.i = i + 1
            return
        if ch == "\\":
            j = i + 1
            while j < self.n and _is_letter(self.text[j]):
                j += 1
            word = self.text[i + 1 : j] or self.text[i + 1 : i + 2]
            j = max(j, i + 2)
            if word in ("|", "vert", "lvert", "rvert"):
                self.emit(Kind.ABS_OPEN if left else Kind.ABS_CLOSE, "|", start, j)
                self.i = j
                return
            if word in _DELIMITER_COMMANDS:
                kind, value = _DELIMITER_COMMANDS[word]
                self.emit(kind, value, start, j)
                self.i = j
                return
        raise ParseError("unsupported delimiter", i, expected="a delimiter such as ( [ \\{ | or .")


def tokenize_latex(text: str, max_literal_digits: int) -> list[Token]:
    """Split LaTeX ``text`` into the grammar's tokens, ending with EOF.

    >>> [t.text for t in tokenize_latex(r"\\frac{1}{2}", 100)]
    ['frac', '{', '1', '}', '{', '2', '}', '']
    """
    return _LatexTokenizer(text, max_literal_digits).run()
