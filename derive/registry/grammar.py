"""The formula grammar: a tokenizer and a recursive-descent parser, so user text is never evaluated.

One parser for every formula a spec holds: a ``graph:`` node (``GRAPH_FUNCTIONS``, with max
and min) and a custom activation or loss (``FORMULA_FUNCTIONS``, with cosh and sinh, over the
variables the caller allows). The caller gives the function table and, optionally, the names.

    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := ("-" | "+") unary | power
    power      := atom (("^" | "**") unary)?          (right-associative: 2^3^2 = 2^9)
    atom       := number | name | function "(" expression ("," expression)* ")" | "(" expression ")"

A formula becomes a SymPy expression over real symbols plus the text the user wrote,
normalised (one space around each binary operator, ``**`` written ``^``), and the names it
uses with their columns. A bad formula is a one-line ``FormulaError`` naming the column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import sympy as sp

from ..errors import SpecError
from .functions import sigmoid, softplus

__all__ = ["FORMULA_FUNCTIONS", "GRAPH_FUNCTIONS", "Formula", "FormulaError", "parse_formula"]

Functions = Mapping[str, tuple[int, Callable[..., sp.Expr]]]


def _binary(function: type[sp.Function]) -> Callable[..., sp.Expr]:
    """Max/Min of exactly two arguments, never flattened: max(max(a, b), c) stays nested, so
    its derivative at a tie is PyTorch's torch.maximum nested (the gradient split evenly)."""
    return lambda a, b: function(a, b, evaluate=False)


# Function name -> (number of arguments, SymPy constructor).
_ELEMENTARY: Functions = MappingProxyType({
    "exp": (1, sp.exp), "log": (1, sp.log), "sqrt": (1, sp.sqrt), "abs": (1, sp.Abs),
    "tanh": (1, sp.tanh), "sigmoid": (1, sigmoid), "softplus": (1, softplus),
    "sin": (1, sp.sin), "cos": (1, sp.cos),
})
GRAPH_FUNCTIONS: Functions = MappingProxyType({
    **_ELEMENTARY, "max": (2, _binary(sp.Max)), "min": (2, _binary(sp.Min))})
# Activations and losses: smooth almost everywhere, so no max/min; cosh and sinh (log_cosh).
FORMULA_FUNCTIONS: Functions = MappingProxyType({
    **_ELEMENTARY, "cosh": (1, sp.cosh), "sinh": (1, sp.sinh)})

_TOKEN = re.compile(r"""
    (?P<space>[ \t]+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|[-+*/^(),])
""", re.VERBOSE)
_END = "the end of the formula"
_DEEPEST = 100  # nesting the parser's recursion takes well within Python's limit


def _in_range(text: str) -> bool:
    """Whether a number token is within float range, checked before SymPy builds it exactly
    (1e999999 would be a million-digit integer)."""
    exponent = re.search(r"[eE]([+-]?\d+)", text)
    return (exponent is None or abs(int(exponent.group(1))) <= 400) \
        and abs(float(text)) < float("inf")


class FormulaError(SpecError):
    """A formula the grammar does not read; ``expected`` names the column and the text."""


@dataclass(frozen=True)
class Token:
    """One token of a formula, with its column for the error line."""

    kind: str   # number, name, op or end
    text: str
    column: int  # 1-based


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its SymPy expression, normalised text and names with their columns."""

    expr: sp.Expr
    text: str
    names: tuple[tuple[str, int], ...]


def shown(text: str) -> str:
    """The formula quoted for a one-line message (control characters escaped)."""
    inner = text if text.isprintable() else text.encode("unicode_escape").decode("ascii")
    return f"'{inner}'"


class _Parser:
    """One pass over the tokens; each rule returns (SymPy expression, normalised text)."""

    def __init__(self, source: str, key: str, file: str | None, line: int | None,
                 functions: Functions, variables: Collection[str] | None) -> None:
        self.source, self.key, self.file, self.line = source, key, file, line
        self.functions, self.variables = functions, variables
        self.tokens = self._tokenize()
        self.at = 0
        self.names: list[tuple[str, int]] = []
        self.depth = 0

    def fail(self, expected: str, token: Token, got: str | None = None) -> FormulaError:
        got = got or (_END if token.kind == "end" else shown(token.text))
        return FormulaError(self.key, f"{expected} at column {token.column} of "
                            f"{shown(self.source)}", got_text=got, file=self.file,
                            line=self.line)

    def _tokenize(self) -> list[Token]:
        tokens, position = [], 0
        while position < len(self.source):
            match = _TOKEN.match(self.source, position)
            if match is None:
                bad = Token("bad", self.source[position], position + 1)
                raise self.fail("a number, a name, an operator or a parenthesis", bad)
            if match.lastgroup != "space":
                tokens.append(Token(match.lastgroup or "", match.group(), position + 1))
            position = match.end()
        tokens.append(Token("end", "", len(self.source) + 1))
        return tokens

    @property
    def token(self) -> Token:
        return self.tokens[self.at]

    def take(self, *texts: str) -> Token | None:
        """The current operator token if it is one of ``texts`` (consumed), else None."""
        token = self.token
        if token.kind == "op" and token.text in texts:
            self.at += 1
            return token
        return None

    def expect(self, text: str, expected: str) -> None:
        if self.take(text) is None:
            raise self.fail(expected, self.token)

    def formula(self) -> Formula:
        if self.token.kind == "end":
            raise self.fail("a formula", self.token)
        expr, text = self.expression()
        if self.token.kind != "end":
            raise self.fail("an operator or the end of the formula", self.token)
        return Formula(expr, text, tuple(self.names))

    def expression(self) -> tuple[sp.Expr, str]:
        expr, text = self.term()
        while (op := self.take("+", "-")) is not None:
            right, right_text = self.term()
            expr = expr + right if op.text == "+" else expr - right
            text = f"{text} {op.text} {right_text}"
        return expr, text

    def term(self) -> tuple[sp.Expr, str]:
        expr, text = self.unary()
        while (op := self.take("*", "/")) is not None:
            right, right_text = self.unary()
            expr = expr * right if op.text == "*" else expr / right
            text = f"{text} {op.text} {right_text}"
        return expr, text

    def unary(self) -> tuple[sp.Expr, str]:
        self.depth += 1
        if self.depth > _DEEPEST:
            raise self.fail(f"at most {_DEEPEST} nested signs and parentheses", self.token)
        try:
            return self.signed()
        finally:
            self.depth -= 1

    def signed(self) -> tuple[sp.Expr, str]:
        if (op := self.take("-", "+")) is not None:
            expr, text = self.unary()
            return (-expr, f"-{text}") if op.text == "-" else (expr, text)
        return self.power()

    def power(self) -> tuple[sp.Expr, str]:
        base, text = self.atom()
        if self.take("^", "**") is None:
            return base, text
        exponent, exponent_text = self.unary()
        return base ** exponent, f"{text}^{exponent_text}"

    def atom(self) -> tuple[sp.Expr, str]:
        token = self.token
        if token.kind == "number":
            self.at += 1
            value = sp.Rational(token.text) if _in_range(token.text) else None
            if value is None:
                raise self.fail("a number a float can hold", token)
            return value, token.text
        if token.kind == "name":
            self.at += 1
            return self.call(token) if token.text in self.functions else self.name(token)
        if self.take("(") is not None:
            expr, text = self.expression()
            self.expect(")", "')'")
            return expr, f"({text})"
        raise self.fail("a name, a number or '('", token)

    def name(self, token: Token) -> tuple[sp.Expr, str]:
        if self.token.kind == "op" and self.token.text == "(":
            raise self.fail(f"one of the functions {', '.join(self.functions)}", token)
        if self.variables is not None and token.text not in self.variables:
            raise self.fail(f"one of the names {', '.join(self.variables)}", token)
        self.names.append((token.text, token.column))
        return sp.Symbol(token.text, real=True), token.text

    def call(self, token: Token) -> tuple[sp.Expr, str]:
        arity, build = self.functions[token.text]
        self.expect("(", f"'(' after the function {token.text}")
        arguments = [self.expression()]
        while self.take(",") is not None:
            arguments.append(self.expression())
        closing = self.token
        self.expect(")", "',' or ')'")
        if len(arguments) != arity:
            raise self.fail(f"{arity} argument{'s' if arity > 1 else ''} to {token.text}",
                            closing, f"{len(arguments)} arguments")
        text = ", ".join(t for _, t in arguments)
        return build(*(e for e, _ in arguments)), f"{token.text}({text})"


def parse_formula(source: object, key: str, *, file: str | None = None,
                  line: int | None = None, functions: Functions = GRAPH_FUNCTIONS,
                  variables: Collection[str] | None = None) -> Formula:
    """Parse one formula (a string, or a plain number) into a ``Formula``; never evaluates it.

    ``functions`` are the calls it may make; ``variables``, when given, the only names it may
    use (any name otherwise: a graph checks its names against its nodes itself).
    """
    if isinstance(source, (int, float)) and not isinstance(source, bool):
        source = repr(source)
    if not isinstance(source, str):
        raise FormulaError(key, "a formula (text)", source, file=file, line=line)
    return _Parser(source, key, file, line, functions, variables).formula()
