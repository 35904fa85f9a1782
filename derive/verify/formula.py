r"""A course author's formula (LaTeX, or SymPy-style text) -> a SymPy expression in our symbols.

A small recursive-descent parser, never ``eval``: symbols are looked up in the page's
notation (``w^{(2)}_{11}``, ``\hat{y}``, ``\mathrm{iq}``; sub- and superscripts in either
order, braces optional), functions in the activation registry (``\sigma(z)``, ``\sigma'(z)``,
``\tanh``, ``\operatorname{ReLU}'``), and juxtaposition means multiplication. Anything else
is a ``FormulaError`` that names the token. Hostile input is bounded: deep nesting
(``MAX_NESTING``) and huge numeric powers are errors, not hangs; digits are 0-9 only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType

import sympy as sp

from ..registry import ACTIVATIONS, Activation, Registry

__all__ = ["FormulaError", "Vocabulary", "parse_formula", "atom_key"]

MAX_NESTING = 40        # brackets, functions, signs and scripts inside one another
MAX_EXPONENT = 64       # |n| of a numeric power n
MAX_DIGITS = 400        # digits a numeric power may produce (10^400 is already absurd)


class FormulaError(ValueError):
    """The formula cannot be read; the message names what was not understood."""


_SKIP = re.compile(r"\\(left|right|big|Big|bigg|Bigg|displaystyle|,|;|!|:|quad|qquad)(?![A-Za-z])"
                   r"|\\ |~|&")
_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\d+\.\d*|\.\d+|\d+|[A-Za-z]|\*\*|\S", re.ASCII)
# What a student copies from a rendered page or types on a phone, as the LaTeX it stands for:
# (ŷ − y)·σ′(z₁) reads as (\hat{y} - y) \cdot \sigma'(z_{1}).
_UNICODE = MappingProxyType(str.maketrans({
    "σ": r"\sigma ", "δ": r"\delta ", "η": r"\eta ", "λ": r"\lambda ", "∂": r"\partial ",
    "Σ": r"\sum ", "ŷ": r"\hat{y}", "Ŷ": r"\hat{Y}", "·": "*", "⋅": "*", "×": "*", "−": "-",
    "′": "'", "²": "^{2}", "³": "^{3}",
    **{chr(0x2080 + d): f"_{{{d}}}" for d in range(10)}}))      # ₀ … ₉


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What names mean: symbol atoms and functions (with their derivatives). ``words`` are
    read whole, those in ``glued`` even before a letter (``ReLUz`` is ReLU(z))."""

    symbols: dict[tuple[str, str, str, int], sp.Expr]
    functions: dict[str, Callable[[sp.Expr], sp.Expr]]
    derivatives: dict[str, Callable[[sp.Expr], sp.Expr]]
    words: tuple[str, ...]
    glued: frozenset[str] = frozenset()


def _tokens(text: str, vocabulary: Vocabulary) -> list[str]:
    text = text.replace("y\u0302", r"\hat{y}").replace("Y\u0302", r"\hat{Y}").translate(_UNICODE)
    text = _SKIP.sub(" ", text.replace(r"\cdot", "*").replace(r"\times", "*"))
    text = text.replace(r"\lvert", "|").replace(r"\rvert", "|").replace(r"\vert", "|")
    out: list[str] = []
    position = 0
    words, glued = vocabulary.words, vocabulary.glued
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        word = pattern.match(text, position) if words else None
        match = word if word and (word.end() == len(text) or not text[word.end()].isalpha()
                                  or word.group() in glued) else None
        match = match or _TOKEN.match(text, position)
        assert match is not None
        out.append(match.group())
        position = match.end()
    return out


def _strip(text: str) -> str:
    text = text.replace(" ", "")
    while text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    return text


def atom_key(base: str, sup: str = "", sub: str = "", primes: int = 0) -> tuple[str, str, str, int]:
    """The normalised key of a symbol: ``\\mathrm{iq}`` and ``iq`` alike, braces dropped."""
    base = re.sub(r"\\(mathrm|operatorname|text|mathit)\{([^{}]*)\}", r"\2", base.replace(" ", ""))
    base = re.sub(r"\\hat\{?([A-Za-z])\}?", r"\\hat{\1}", base)
    return base, _strip(sup), _strip(sub), primes


class _Parser:
    def __init__(self, tokens: list[str], vocabulary: Vocabulary, depth: int = 0) -> None:
        self.tokens, self.at, self.v, self.depth = tokens, 0, vocabulary, depth
        self.bars = 0   # open |...| groups: inside one, '|' closes instead of opening

    def nested(self, read: Callable[[], sp.Expr]) -> sp.Expr:
        """``read()`` one level deeper: brackets, functions, signs and scripts are bounded."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise FormulaError(f"the formula nests more than {MAX_NESTING} levels deep")
        value = read()
        self.depth -= 1
        return value

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise FormulaError(f"expected {expected or 'more'} at token {self.at + 1}, "
                               f"got {token!r}")
        self.at += 1
        return token

    def expression(self) -> sp.Expr:
        value = self.term() if self.peek() not in ("+", "-") else sp.S.Zero
        while self.peek() in ("+", "-"):
            value = value + self.term() if self.take() == "+" else value - self.term()
        return value

    def term(self) -> sp.Expr:
        """A product, kept unevaluated so it prints in the author's order."""
        factors = [self.factor()]
        while True:
            token = self.peek()
            if token in ("*", "/"):
                self.take()
                factors.append(self.factor() if token == "*" else sp.Pow(self.factor(), -1))
            elif token is not None and token not in ("+", "-", ")", "}", "]", ",", "=") and not (
                    token == "|" and self.bars):
                factors.append(self.factor())
            else:
                return factors[0] if len(factors) == 1 else sp.Mul(*factors, evaluate=False)

    def factor(self) -> sp.Expr:
        if self.peek() == "-":
            self.take()
            return -self.nested(self.factor)
        base = self.primary()
        if self.peek() in ("^", "**"):
            self.take()
            base = _power(base, self.group() if self.peek() == "{" else self.primary())
        return base

    def group(self) -> sp.Expr:
        self.take("{")
        value = self.expression()
        self.take("}")
        return value

    def script(self) -> str:
        """The raw text of a sub- or superscript: a braced group or one token."""
        if self.peek() != "{":
            return self.take()
        depth, start = 0, self.at
        while True:
            token = self.take()
            depth += {"{": 1, "}": -1}.get(token, 0)
            if depth == 0:
                return "".join(self.tokens[start:self.at])

    def primary(self) -> sp.Expr:
        return self.nested(self._primary)

    def _primary(self) -> sp.Expr:
        token = self.peek()
        if token is None:
            raise FormulaError("the formula ends too early")
        if token.isdigit() and not token.isascii():
            raise FormulaError(f"{token!r} (U+{ord(token):04X}), a digit other than 0-9")
        if re.fullmatch(r"[0-9]+\.?[0-9]*|\.[0-9]+", token):
            self.take()
            return sp.Rational(token) if "." not in token else sp.Float(token)
        if token in ("(", "[", "{", "|"):
            closing = {"(": ")", "[": "]", "{": "}", "|": "|"}[self.take()]
            self.bars += closing == "|"
            value = self.expression()
            self.take(closing)
            self.bars -= closing == "|"
            return sp.Abs(value) if closing == "|" else value
        if token == r"\frac":
            self.take()
            return self.group() / self.group()
        if token == r"\sqrt":
            self.take()
            return sp.sqrt(self.group())
        return self.atom()

    def atom(self) -> sp.Expr:
        return self._meaning(*self.read_atom())

    def read_atom(self) -> tuple[str, str, str, int]:
        """A name with its sub- and superscript (either order) and primes: (base, sup, sub, primes)."""
        base = self.take()
        if base in (r"\hat", r"\mathrm", r"\operatorname", r"\text", r"\mathit", r"\tilde"):
            base += "{" + _strip(self.script()) + "}"
        sup, sub, primes = "", "", 0
        while self.peek() in ("^", "_", "'") and not (self.peek() == "^" and sup):
            mark = self.take()
            if mark == "'":
                primes += 1
            elif mark == "_":
                sub = self.script()
            else:
                sup = self.script()
        return base, sup, sub, primes

    def _meaning(self, base: str, sup: str, sub: str, primes: int) -> sp.Expr:
        """A symbol (the superscript part of its name, or a power), e^x, or a function call."""
        key = atom_key(base, sup, sub, primes)
        if key in self.v.symbols:
            return self.v.symbols[key]
        plain = atom_key(base, "", sub, primes)
        power = (_Parser(_tokens(_strip(sup), self.v), self.v, self.depth + 1).expression()
                 if sup else None)
        if plain[0] == "e" and not sub and not primes and power is not None:
            return sp.exp(power)
        table = self.v.derivatives if primes else self.v.functions
        if plain[0] in table and not sub:
            value = table[plain[0]](self.primary())
        elif plain in self.v.symbols:
            value = self.v.symbols[plain]
        else:
            shown = base + (f"^{{{_strip(sup)}}}" if sup else "") + \
                (f"_{{{_strip(sub)}}}" if sub else "")
            raise FormulaError(f"unknown symbol {shown + chr(39) * primes!r}")
        return value if power is None else _power(value, power)


def _power(base: sp.Expr, exponent: sp.Expr) -> sp.Expr:
    """``base ** exponent``, refusing numeric powers that would build enormous numbers."""
    if exponent.is_Number:
        if not exponent.is_finite or abs(exponent) > MAX_EXPONENT:
            raise FormulaError(f"a power of at most {MAX_EXPONENT} expected, got {exponent}")
        if base.is_Number and base.is_finite and base != 0:
            digits = abs(float(sp.log(abs(base), 10).evalf()) * float(exponent))
            if not math.isfinite(digits) or digits > MAX_DIGITS:
                raise FormulaError(f"a number of at most {MAX_DIGITS} digits expected, got "
                                   f"about {digits:.3g} digits")
    return base ** exponent


def _function_table(activations: Registry[Activation]) -> tuple[dict, dict, frozenset[str]]:
    """Functions and derivatives by name: an activation's LaTeX (``\\operatorname{ReLU}`` is ReLU)
    and entry name; it is glued as ReLU, or as its entry name for ``\\sigma`` and ``\\tanh``."""
    functions: dict[str, Callable[[sp.Expr], sp.Expr]] = {
        "exp": sp.exp, r"\exp": sp.exp, "log": sp.log, r"\log": sp.log, r"\ln": sp.log,
        "ln": sp.log, "sgn": sp.sign, "sign": sp.sign}
    derivatives: dict[str, Callable[[sp.Expr], sp.Expr]] = {}
    glued = {"exp", "log", "ln", "sgn"}
    for entry in (e for e in activations if e.latex and not e.vector):
        defaults = {o.name: o.default for o in entry.options}
        shown = atom_key(entry.latex)[0]
        glued.add(shown if shown.isalpha() else entry.name)
        for name in (shown, entry.name):
            functions[name] = partial(entry.form, **defaults)
            derivatives[name] = partial(entry.derivative, **defaults)
    return functions, derivatives, frozenset(glued)


def vocabulary(names: dict[sp.Symbol, str], identifiers: dict[str, sp.Symbol],
               activations: Registry[Activation] = ACTIVATIONS) -> Vocabulary:
    """A page's vocabulary: its symbols' LaTeX (read back into keys), identifiers, activations."""
    symbols: dict[tuple[str, str, str, int], sp.Expr] = {}
    empty = Vocabulary({}, {}, {}, ())
    for symbol, latex in names.items():
        parser = _Parser(_tokens(latex, empty), empty)
        symbols[atom_key(*parser.read_atom())] = symbol
    for identifier, symbol in identifiers.items():
        symbols.setdefault((identifier, "", "", 0), symbol)
    functions, derivatives, glued = _function_table(activations)
    words = tuple(sorted({*identifiers, *(k[0] for k in symbols if k[0].isalpha() and len(k[0]) > 1),
                          *(f for f in functions if f.replace("_", "").isalpha())}))
    return Vocabulary(symbols, functions, derivatives, words, glued)


def parse_formula(text: str, vocabulary: Vocabulary) -> sp.Expr:
    """Parse one formula; a leading ``… =`` (e.g. ``\\frac{\\partial L}{\\partial w} =``) is dropped."""
    tokens = _tokens(text, vocabulary)
    if "=" in tokens:
        tokens = tokens[len(tokens) - tokens[::-1].index("="):]
        if not tokens:
            raise FormulaError("nothing after the last '='")
    if not tokens:
        raise FormulaError("the formula is empty")
    parser = _Parser(tokens, vocabulary)
    value = parser.expression()
    if parser.peek() is not None:
        raise FormulaError(f"unexpected {parser.peek()!r} at token {parser.at + 1}")
    return value
