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
* Names: runs of letters are read by the contract's rule (``reading.py``):
  declared variables, data columns, function names, Greek letters and
  constants first, longest first, then single letters (``2xy`` is
  ``2*x*y``, ``xsinx`` is ``x*sin(x)``); a name before ``(`` is a function
  (built-in, ``sigma`` as the sigmoid, or generic: ``f``, ``g``, ``h`` and
  declared ``functions``, with primes for derivatives, ``f'(x)``), or a
  value that multiplies (``x(x+1)``), or an error ("unknown function"). A
  declared variable always wins over a constant (``e`` declared). Data
  columns may appear only inside ``sum(...)`` or ``mean(...)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from shared.mathcore.parsing.errors import ParseError
from shared.mathcore.parsing.expr_builder import ExprBuilder
from shared.mathcore.parsing.limits import ParseLimits
from shared.mathcore.parsing.names import (
    CONSTANTS,
    GREEK,
    INVERSES,
    FunctionSpec,
    function_spec,
    log_base_of,
)
from shared.mathcore.parsing.reading import (
    PRIMES,
    SIGMOID_NAMES,
    Declared,
    partial_indices,
    read_name,
)
from shared.mathcore.parsing.tokens import MATCHING, Kind, Token
from shared.mathcore.symbols import MAX_GENERIC_ARGS

_CALL_BRACKETS = "([{"
_REDUCTIONS = frozenset({"sum", "mean"})


class Grammar:
    """One parse: walks ``tokens`` and builds through ``builder``."""

    def __init__(
        self,
        tokens: Sequence[Token],
        builder: ExprBuilder,
        declared: Declared,
        limits: ParseLimits,
        latex: bool = False,
    ) -> None:
        self.declared = declared
        self.variables = declared.variables
        self.builder = builder
        self.limits = limits
        self.latex = latex
        self.tokens = self._split_names(tokens)
        self.i = 0
        self.depth = 0
        self.abs_depth = 0
        self.reduction_depth = 0

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
            core = name.rstrip(PRIMES)
            if core in self.declared.functions:
                return self.generic_call(tok)
            base, _, subscript = core.rpartition("_")
            if base in self.declared.functions and partial_indices("_" + subscript):
                return self.generic_call(tok, base, partial_indices("_" + subscript))
            spec = function_spec("sigmoid" if core in SIGMOID_NAMES else core)
            if spec is None:
                raise ParseError(
                    f"unknown function '{name}'", tok.pos, reason="not a supported function"
                )
            return self.apply(tok, spec)
        if name in self.declared.data:
            if self.reduction_depth == 0:
                raise ParseError(
                    f"data column '{name}' outside a reduction",
                    tok.pos,
                    reason=f"a data column stands for all its rows: use it inside sum(...) or"
                    f" mean(...), e.g. mean(({name} - m)^2)",
                )
            return self.builder.column(name, tok.pos)
        if name in self.variables:
            return self.builder.symbol(name, tok.pos)
        base_text = log_base_of(name)
        if base_text is not None:
            return self.apply(tok, function_spec("log"), base=self.subscript_value(base_text, tok))
        if name in CONSTANTS:
            return self.builder.constant(CONSTANTS[name], tok.pos)
        return self.builder.symbol(name, tok.pos)

    def generic_call(self, tok: Token, base: str | None = None, partials: str = "") -> sympy.Expr:
        """A generic function applied: ``f(x)``, ``f'(g(x))``, ``phi(x, y)``, and a
        partial of one of several arguments by their indices, ``f_12(x, y)``."""
        nxt = self.peek()
        if not (nxt.kind is Kind.OPEN and nxt.text == "("):
            raise self.unexpected(nxt, f"'(' with the arguments of '{tok.text}'")
        self.enter(tok)
        args = self.call_args()
        self.leave()
        if tok.text.endswith("'") and len(args) != 1:
            raise ParseError(
                f"wrong number of arguments for '{tok.text}'",
                tok.pos,
                expected="1 argument (a prime is the derivative of a function of one variable)",
            )
        if len(args) > MAX_GENERIC_ARGS:
            raise ParseError(
                f"too many arguments for '{tok.text}'",
                tok.pos,
                expected=f"at most {MAX_GENERIC_ARGS} arguments for a generic function",
            )
        if partials:
            if len(args) == 1:
                raise ParseError(
                    f"'{tok.text}' has one argument",
                    tok.pos,
                    reason=f"write the derivative of a function of one variable with a prime:"
                    f" {base}'(x)",
                )
            if int(partials[-1]) > len(args):
                raise ParseError(
                    f"'{tok.text}' names argument {partials[-1]} of {len(args)}",
                    tok.pos,
                    reason="the subscript lists the arguments the partial is taken by",
                )
            return self.builder.generic(base, args, tok.pos, partials)
        return self.builder.generic(tok.text, args, tok.pos)

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
        reduction = spec.name in _REDUCTIONS
        if reduction:
            self.check_reduction(tok)
            self.reduction_depth += 1
        if nxt.kind is Kind.OPEN and nxt.text in _CALL_BRACKETS:
            args = self.call_args()
        elif self.starts_operand(nxt):
            args = [self.implicit_argument()]
        else:
            raise self.unexpected(nxt, f"an argument for '{tok.text}'")
        if reduction:
            self.reduction_depth -= 1
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

    def check_reduction(self, tok: Token) -> None:
        if not self.declared.data:
            raise ParseError(
                f"'{tok.text}' needs data",
                tok.pos,
                reason=f"{tok.text}(...) reduces over the rows of data columns; this expression"
                " has no 'data'",
            )

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
        return tok.function or (
            tok.text not in self.variables and log_base_of(tok.text) is not None
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

    # -- reading runs of letters --------------------------------------------------
    def _split_names(self, tokens: Sequence[Token]) -> list[Token]:
        out: list[Token] = []
        for k, tok in enumerate(tokens):
            if tok.kind is Kind.NAME and not tok.function:
                nxt = tokens[k + 1]
                # "(" right after the letters; "ab (x)" with a space is a product in
                # plain syntax (spaces mean nothing to LaTeX: \sigma (z) is a call)
                adjacent = self.latex or nxt.pos == tok.end
                called = nxt.kind is Kind.OPEN and nxt.text == "(" and adjacent
                out.extend(read_name(tok, called, self.declared))
            else:
                out.append(tok)
        return out
