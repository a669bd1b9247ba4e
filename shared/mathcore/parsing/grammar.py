"""The grammar shared by the plain and LaTeX parsers: tokens in, SymPy out.

Recursive descent by precedence level, loosest first::

    equation := sum '=' sum
    sum      := term (('+' | '-') term)*
    term     := unary (('*' | '/') unary | <implicit> unary)*
    unary    := ('+' | '-') unary | postfix ('^' unary)?
    postfix  := primary '!'*
    primary  := number | name | function | '(' sum ')' | '|' sum '|' | \\frac | \\sqrt

Decisions (Symbolab/WolframAlpha conventions):

* ``^`` is right-associative and binds tighter than a sign: ``-x^2`` is
  ``-(x^2)``, ``2^-1`` is 1/2, ``x^2^3`` is ``x^8``, ``2^3!`` is ``2^6``.
* Implicit multiplication has the precedence of ``*`` and ``/`` and groups
  left to right: ``1/2x`` is ``x/2``, ``2(x+1)``, ``(x+1)(x-1)``, ``2x``,
  ``x(x+1)``, ``2|x|``. Two numbers in a row (``2 3``) are an error in plain
  syntax (``x^23`` in LaTeX is ``x^2*3``, as LaTeX renders it).
* A function name takes a bracketed argument list, ``log(x, 2)``, or
  without brackets an argument that runs over implicitly multiplied factors
  up to the next function name, ``*``, ``/``, ``+`` or ``-``: ``sin 2x`` is
  ``sin(2x)``, ``sin x^2`` is ``sin(x^2)``, ``sin x cos x`` is
  ``sin(x)cos(x)``, ``ln x + 1`` is ``ln(x) + 1``, ``sin(x)^2`` squares the
  sine. ``sin^2 x`` and ``sin^2(x)`` are ``sin(x)^2``; ``sin^-1 x`` is
  ``asin(x)`` (``^-1`` only for trigonometric and hyperbolic functions).
* ``|`` opens an absolute value where an operand is expected and closes
  the innermost open one elsewhere: ``||x|-1|``, ``|x||y|``, ``2|x|``.
  Brackets start a fresh context: ``|(x|y|)|``.
* Names: a declared variable always wins (``e`` declared is a variable, not
  Euler's number). Otherwise a function name (``gamma`` only when called
  with brackets, else the Greek letter), a constant (``pi``, ``e``, ``E``,
  ``oo``, ``inf``), a Greek letter, ``log_2``/``log_b`` (logarithm to that
  base), or a symbol. A multi-letter name of letters only is split into
  single-letter factors when every letter is a declared variable (``xy``
  with [x, y] is ``x*y``, with [x] the symbol ``xy``); with declared
  variables, a function name glued to them is applied (``sinx`` with [x] is
  ``sin(x)``); a function name glued to digits always is (``sin2x`` is
  ``sin(2x)``, ``ln2`` is ``ln(2)``). An unknown multi-letter name directly
  followed by ``(`` is an error ("unknown function"), so a typo such as
  ``sine(x)`` is not silently read as a product.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from shared.mathcore.parsing.errors import ParseError
from shared.mathcore.parsing.expr_builder import ExprBuilder
from shared.mathcore.parsing.limits import ParseLimits
from shared.mathcore.parsing.names import (
    CONSTANTS,
    FUNCTIONS_ONLY_WHEN_CALLED,
    GREEK,
    INVERSES,
    FunctionSpec,
    function_spec,
    log_base_of,
)
from shared.mathcore.parsing.tokens import MATCHING, Kind, Token

_CALL_BRACKETS = "([{"


def _letters_only(name: str) -> bool:
    return name.isascii() and name.isalpha()


class Grammar:
    """One parse: walks ``tokens`` and builds through ``builder``."""

    def __init__(
        self,
        tokens: Sequence[Token],
        builder: ExprBuilder,
        variables: frozenset[str],
        limits: ParseLimits,
        latex: bool = False,
    ) -> None:
        self.variables = variables
        self.builder = builder
        self.limits = limits
        self.latex = latex
        self.tokens = self._split_names(tokens)
        self.i = 0
        self.depth = 0
        self.abs_depth = 0

    # -- token stream ------------------------------------------------------------
    def peek(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind is not Kind.EOF:
            self.i += 1
        return tok

    def previous(self) -> Token | None:
        return self.tokens[self.i - 1] if self.i else None

    def is_op(self, tok: Token, *ops: str) -> bool:
        return tok.kind is Kind.OP and tok.text in ops

    def unexpected(self, tok: Token, expected: str) -> ParseError:
        return ParseError(f"unexpected {tok.describe()}", tok.pos, expected=expected)

    def enter(self, tok: Token) -> None:
        self.depth += 1
        if self.depth > self.limits.max_depth:
            raise ParseError(
                "nested too deeply",
                tok.pos,
                reason=f"more than {self.limits.max_depth} levels of brackets, functions,"
                " signs or powers",
            )

    def leave(self) -> None:
        self.depth -= 1

    # -- entry points ------------------------------------------------------------
    def expression(self) -> sympy.Expr:
        result = self.sum()
        self.expect_end()
        return result

    def equation(self) -> tuple[sympy.Expr, sympy.Expr]:
        lhs = self.sum()
        tok = self.peek()
        if not self.is_op(tok, "="):
            raise self.unexpected(tok, "'=' (an equation such as x^2 + y^2 = 25)")
        self.advance()
        rhs = self.sum()
        self.expect_end()
        return lhs, rhs

    def expect_end(self) -> None:
        tok = self.peek()
        if tok.kind is Kind.EOF:
            return
        if self.is_op(tok, "="):
            raise ParseError(
                "unexpected '='", tok.pos, reason="an expression, not an equation, is expected here"
            )
        if tok.kind is Kind.CLOSE or tok.kind is Kind.ABS_CLOSE:
            raise ParseError(f"unmatched '{tok.text}'", tok.pos, reason="no bracket is open")
        raise self.unexpected(tok, "an operator or the end of the expression")

    # -- levels ------------------------------------------------------------------
    def sum(self) -> sympy.Expr:
        left = self.term()
        while True:
            tok = self.peek()
            if self.is_op(tok, "+"):
                self.advance()
                left = self.builder.add(left, self.term(), tok.pos)
            elif self.is_op(tok, "-"):
                self.advance()
                left = self.builder.sub(left, self.term(), tok.pos)
            else:
                return left

    def term(self) -> sympy.Expr:
        left = self.unary()
        while True:
            tok = self.peek()
            if self.is_op(tok, "*"):
                self.advance()
                left = self.builder.mul(left, self.unary(), tok.pos)
            elif self.is_op(tok, "/"):
                self.advance()
                left = self.builder.div(left, self.unary(), tok.pos)
            elif self.starts_implicit_factor(tok):
                left = self.builder.mul(left, self.unary(), tok.pos)
            else:
                return left

    def unary(self) -> sympy.Expr:
        tok = self.peek()
        if self.is_op(tok, "+", "-"):
            self.advance()
            self.enter(tok)
            operand = self.unary()
            self.leave()
            return operand if tok.text == "+" else self.builder.neg(operand, tok.pos)
        base = self.primary()
        while self.is_op(self.peek(), "!"):
            bang = self.advance()
            base = self.builder.call("factorial", [base], bang.pos)
        tok = self.peek()
        if self.is_op(tok, "^"):
            self.advance()
            self.enter(tok)
            exponent = self.unary()
            self.leave()
            return self.builder.pow(base, exponent, tok.pos)
        return base

    def starts_implicit_factor(self, tok: Token) -> bool:
        """Whether ``tok`` begins a factor multiplied without ``*``."""
        if tok.kind is Kind.NUM:
            prev = self.previous()
            return self.latex or prev is None or prev.kind is not Kind.NUM
        if tok.kind is Kind.BAR:
            return self.abs_depth == 0
        return tok.kind in (Kind.NAME, Kind.OPEN, Kind.ABS_OPEN, Kind.COMMAND)

    def starts_operand(self, tok: Token) -> bool:
        if tok.kind in (Kind.NUM, Kind.NAME, Kind.OPEN, Kind.BAR, Kind.ABS_OPEN, Kind.COMMAND):
            return True
        return self.is_op(tok, "-")  # sin -x is sin(-x); sin + 1 lacks an argument

    # -- primaries ---------------------------------------------------------------
    def primary(self) -> sympy.Expr:
        tok = self.peek()
        kind = tok.kind
        if kind is Kind.NUM:
            self.advance()
            return self.builder.number(tok.text, tok.pos)
        if kind is Kind.NAME:
            return self.name()
        if kind is Kind.OPEN:
            return self.group()
        if kind is Kind.BAR:
            return self.bars()
        if kind is Kind.ABS_OPEN:
            return self.group(abs_close=True)
        if kind is Kind.COMMAND:
            return self.command()
        raise self.unexpected(tok, "an expression")

    def group(self, abs_close: bool = False) -> sympy.Expr:
        opening = self.advance()
        self.enter(opening)
        saved_abs, self.abs_depth = self.abs_depth, 0
        inner = self.sum()
        tok = self.peek()
        if abs_close:
            if tok.kind is not Kind.ABS_CLOSE:
                raise self.unexpected(
                    tok, f"'\\right|' to close the '\\left|' at position {opening.pos}"
                )
        elif tok.kind is not Kind.CLOSE or tok.text != MATCHING[opening.text]:
            closing = MATCHING[opening.text]
            raise self.unexpected(
                tok, f"'{closing}' to close the '{opening.text}' at position {opening.pos}"
            )
        self.advance()
        self.abs_depth = saved_abs
        self.leave()
        if abs_close:
            return self.builder.call("abs", [inner], opening.pos)
        if opening.text == "⌊":
            return self.builder.call("floor", [inner], opening.pos)
        if opening.text == "⌈":
            return self.builder.call("ceil", [inner], opening.pos)
        return inner

    def bars(self) -> sympy.Expr:
        opening = self.advance()
        self.enter(opening)
        self.abs_depth += 1
        inner = self.sum()
        tok = self.peek()
        if tok.kind is not Kind.BAR:
            raise self.unexpected(tok, f"'|' to close the '|' at position {opening.pos}")
        self.advance()
        self.abs_depth -= 1
        self.leave()
        return self.builder.call("abs", [inner], opening.pos)

    def name(self) -> sympy.Expr:
        tok = self.advance()
        name = tok.text
        if tok.function:
            spec = function_spec(name)
            if spec is None:
                raise ParseError(
                    f"unknown function '{name}'", tok.pos, reason="not a supported function"
                )
            return self.apply(tok, spec)
        if name in self.variables:
            return self.builder.symbol(name, tok.pos)
        base_text = log_base_of(name)
        if base_text is not None:
            return self.apply(tok, function_spec("log"), base=self.subscript_value(base_text, tok))
        spec = function_spec(name)
        nxt = self.peek()
        called = nxt.kind is Kind.OPEN and nxt.text == "("
        if spec is not None and (called or name not in FUNCTIONS_ONLY_WHEN_CALLED):
            return self.apply(tok, spec)
        if name in CONSTANTS:
            return self.builder.constant(CONSTANTS[name], tok.pos)
        if name in GREEK:
            return self.builder.symbol(name, tok.pos)
        if called and nxt.pos == tok.end and len(name) > 1 and _letters_only(name):
            raise ParseError(
                f"unknown function '{name}'",
                tok.pos,
                reason=f"write '{name}*(...)' for a product, or declare the variables",
            )
        return self.builder.symbol(name, tok.pos)

    def subscript_value(self, text: str, tok: Token) -> sympy.Expr:
        """The base of ``log_2`` or ``log_b``, written in the name itself."""
        pos = tok.pos + 4
        if text.isdigit():
            return self.builder.number(text, pos)
        if text in self.variables or text in GREEK or text not in CONSTANTS:
            return self.builder.symbol(text, pos)
        return self.builder.constant(CONSTANTS[text], pos)

    def apply(self, tok: Token, spec: FunctionSpec, base: sympy.Expr | None = None) -> sympy.Expr:
        """A function applied: ``f(a, b)``, ``f x``, ``f^2 x``, ``f^-1 x``, ``\\log_b x``."""
        self.enter(tok)
        power: tuple[sympy.Expr, int] | None = None
        inverse_at: int | None = None
        nxt = self.peek()
        if self.is_op(nxt, "^"):
            self.advance()
            exponent = self.unary()
            if exponent == -1:
                inverse_at = nxt.pos
            else:
                power = (exponent, nxt.pos)
        if self.peek().kind is Kind.SUB and spec.name == "log" and base is None:
            self.advance()
            base = self.primary()
        nxt = self.peek()
        if nxt.kind is Kind.OPEN and nxt.text in _CALL_BRACKETS:
            args = self.call_args()
        elif self.starts_operand(nxt):
            args = [self.implicit_argument()]
        else:
            raise self.unexpected(nxt, f"an argument for '{tok.text}'")
        if base is not None:
            if len(args) != 1:
                raise ParseError(
                    f"too many arguments for '{tok.text}'",
                    tok.pos,
                    reason="the base is given already",
                )
            args.append(base)
        self.check_arity(tok, spec, len(args))
        name = spec.name
        if inverse_at is not None:
            if name not in INVERSES:
                raise ParseError(
                    f"'{tok.text}^-1' is not supported",
                    inverse_at,
                    reason="^-1 after a name means the inverse function, known only for"
                    " trigonometric and hyperbolic functions",
                )
            name = INVERSES[name]
        result = self.builder.call(name, args, tok.pos)
        if power is not None:
            result = self.builder.pow(result, power[0], power[1])
        self.leave()
        return result

    def check_arity(self, tok: Token, spec: FunctionSpec, count: int) -> None:
        too_few = count < spec.min_args
        too_many = spec.max_args is not None and count > spec.max_args
        if too_few or too_many:
            raise ParseError(
                f"wrong number of arguments for '{tok.text}'",
                tok.pos,
                expected=spec.arity_text(),
            )

    def call_args(self) -> list[sympy.Expr]:
        opening = self.advance()
        self.enter(opening)
        saved_abs, self.abs_depth = self.abs_depth, 0
        args = [self.sum()]
        while self.is_op(self.peek(), ","):
            self.advance()
            args.append(self.sum())
        tok = self.peek()
        closing = MATCHING[opening.text]
        if tok.kind is not Kind.CLOSE or tok.text != closing:
            raise self.unexpected(
                tok, f"',' or '{closing}' to close the '{opening.text}' at position {opening.pos}"
            )
        self.advance()
        self.abs_depth = saved_abs
        self.leave()
        return args

    def implicit_argument(self) -> sympy.Expr:
        """The bracket-free argument of ``sin 2x``: factors up to the next function."""
        arg = self.unary()
        while True:
            tok = self.peek()
            if not self.starts_implicit_factor(tok) or self.is_function_token(tok):
                return arg
            arg = self.builder.mul(arg, self.unary(), tok.pos)

    def is_function_token(self, tok: Token) -> bool:
        if tok.kind is Kind.COMMAND:
            return tok.text == "sqrt"
        if tok.kind is not Kind.NAME:
            return False
        if tok.function:
            return True
        if tok.text in self.variables:
            return False
        return (
            function_spec(tok.text) is not None
            and tok.text not in FUNCTIONS_ONLY_WHEN_CALLED
            or (log_base_of(tok.text) is not None)
        )

    # -- LaTeX commands ------------------------------------------------------------
    def command(self) -> sympy.Expr:
        tok = self.advance()
        self.enter(tok)
        if tok.text == "frac":
            numerator = self.latex_argument(tok)
            denominator = self.latex_argument(tok)
            result = self.builder.div(numerator, denominator, tok.pos)
        elif tok.text == "sqrt":
            index = None
            nxt = self.peek()
            if nxt.kind is Kind.OPEN and nxt.text == "[":
                self.advance()
                index = self.sum()
                close = self.peek()
                if close.kind is not Kind.CLOSE or close.text != "]":
                    raise self.unexpected(close, f"']' to close the '[' at position {nxt.pos}")
                self.advance()
            radicand = self.latex_argument(tok)
            if index is None:
                result = self.builder.call("sqrt", [radicand], tok.pos)
            else:
                result = self.builder.call("root", [radicand, index], tok.pos)
        else:  # the LaTeX tokenizer emits no other command tokens
            raise ParseError(f"unsupported command '\\{tok.text}'", tok.pos, reason="not supported")
        self.leave()
        return result

    def latex_argument(self, command: Token) -> sympy.Expr:
        """``{...}`` or a single token, as TeX reads the arguments of ``\\frac``."""
        tok = self.peek()
        if not self.starts_operand(tok) or tok.kind is Kind.BAR or self.is_op(tok, "+", "-"):
            raise self.unexpected(tok, f"an argument for '\\{command.text}' such as {{x}}")
        return self.primary()

    # -- name splitting ------------------------------------------------------------
    def _split_names(self, tokens: Sequence[Token]) -> list[Token]:
        out: list[Token] = []
        for tok in tokens:
            if tok.kind is Kind.NAME and not tok.function:
                out.extend(self._split_name(tok))
            else:
                out.append(tok)
        return out

    def _is_known(self, name: str) -> bool:
        return (
            name in self.variables
            or name in CONSTANTS
            or name in GREEK
            or function_spec(name) is not None
            or log_base_of(name) is not None
        )

    def _letters_declared(self, name: str) -> bool:
        return bool(name) and _letters_only(name) and all(c in self.variables for c in name)

    def _split_name(self, tok: Token) -> list[Token]:
        name = tok.text
        if self._is_known(name):
            return [tok]
        if len(name) > 1 and self._letters_declared(name):
            return [Token(Kind.NAME, c, tok.pos + k, tok.pos + k + 1) for k, c in enumerate(name)]
        for cut in range(len(name) - 1, 0, -1):  # longest function name first: sinhx
            head, rest = name[:cut], name[cut:]
            if (
                not _letters_only(head)
                or function_spec(head) is None
                or head in FUNCTIONS_ONLY_WHEN_CALLED  # gamma2 is a name, not gamma(2)
            ):
                continue
            rest_tokens = self._rest_tokens(rest, tok.pos + cut)
            if rest_tokens is not None:
                return [Token(Kind.NAME, head, tok.pos, tok.pos + cut, function=True), *rest_tokens]
        return [tok]

    def _rest_tokens(self, rest: str, pos: int) -> list[Token] | None:
        """What may follow a glued function name: declared variables, or digits."""
        end = pos + len(rest)
        if rest in self.variables:
            return [Token(Kind.NAME, rest, pos, end)]
        if self._letters_declared(rest):
            return [Token(Kind.NAME, c, pos + k, pos + k + 1) for k, c in enumerate(rest)]
        digits = len(rest) - len(rest.lstrip("0123456789"))
        if digits and digits == len(rest):
            return [Token(Kind.NUM, rest, pos, end)]
        return None
