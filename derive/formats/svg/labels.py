r"""Plain text for the pictures: symbols' labels from their LaTeX, worked numbers, text widths.

SVG can't typeset TeX, so ``w^{(2)}_{11}`` is drawn as ``w⁽²⁾₁₁``. The labels come from the
LaTeX names the printer uses (``calculus.symbol_names``), so pictures and formulas share one
notation.
"""

from __future__ import annotations

from types import MappingProxyType

import re
import unicodedata
from collections.abc import Iterator, Mapping

import sympy as sp

from ...calculus import Network, symbol_names
from ...registry import Notation
from ..escape import escape_latex
from ..picture.model import Words

__all__ = ["Labels", "formula_words", "label_words", "number_words", "prose", "symbol_labels",
           "text_width", "unicode_label", "value_text", "value_words"]

Labels = Mapping[sp.Symbol, str]

_SUP = str.maketrans("0123456789+-=()niLlT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᴸˡᵀ")
_SUB = str.maketrans("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SMALL = frozenset("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᴸˡᵀ,′")
_NAMED = MappingProxyType({"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "Delta": "Δ", "epsilon": "ε",
          "varepsilon": "ε", "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "sigma": "σ",
          "tau": "τ", "phi": "φ", "ell": "ℓ", "partial": "∂", "nabla": "∇", "cdot": "·",
          "odot": "⊙", "prime": "′"})
_ACCENTS = MappingProxyType({"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303", "vec": "\u20d7", "dot": "\u0307"})
_WRAPPERS = frozenset({"mathrm", "mathit", "mathbf", "mathsf", "text", "operatorname"})
_SPACES = MappingProxyType({",": " ", ";": " ", " ": " ", "!": ""})
_TIGHT = ((r"\(\s+", "("), (r"\s+\)", ")"), (r"\)\s+\(", ")("), (r"^−\s+", "−"),
          (r"(\d)\s+\(", r"\1("))     # a formula's spaces that plain text does without
_DROPPED = frozenset({"left", "right", "big", "Big", "bigl", "bigr", "Bigl", "Bigr"})
_PLAIN = MappingProxyType({"{": "", "}": "", "'": "′", "~": " "})


def unicode_label(latex: str) -> str:
    r"""Plain text for one symbol's LaTeX (``w^{(2)}_{11}`` -> ``w⁽²⁾₁₁``)."""
    out, i = [], 0
    while i < len(latex):
        char = latex[i]
        if char == "\\":
            text, i = _command(latex, i + 1)
        elif char in "^_":
            group, i = _group(latex, i + 1)
            text = unicode_label(group).translate(_SUP if char == "^" else _SUB)
        else:
            text, i = _PLAIN.get(char, char), i + 1
        out.append(text)
    return unicodedata.normalize("NFC", "".join(out))


def _group(latex: str, i: int) -> tuple[str, int]:
    """The argument starting at ``i``: a braced group, one command or one character."""
    while i < len(latex) and latex[i] == " ":
        i += 1
    if i >= len(latex):
        return "", i
    if latex[i] == "\\":
        match = re.match(r"\\(?:[A-Za-z]+|.?)", latex[i:])
        assert match is not None
        return match.group(), i + match.end()
    if latex[i] != "{":
        return latex[i], i + 1
    depth, j = 0, i
    while j < len(latex):
        char = latex[j]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return latex[i + 1:j], j + 1
        j += 2 if char == "\\" else 1
    return latex[i + 1:], len(latex)


def _command(latex: str, i: int) -> tuple[str, int]:
    r"""``\delta`` -> δ, ``\hat{y}`` -> ŷ, ``\mathrm{iq}`` -> iq, ``\_`` -> _ (reading after ``\``)."""
    name = re.match(r"[A-Za-z]*", latex[i:]).group()  # type: ignore[union-attr]
    if not name:
        char = latex[i:i + 1]
        return _SPACES.get(char, char), i + 1
    end = i + len(name)
    if name in _DROPPED:
        return "", end
    if name == "frac":
        top, end = _group(latex, end)
        bottom, end = _group(latex, end)
        return f"{_operand(unicode_label(top))}/{_operand(unicode_label(bottom))}", end
    if name in _ACCENTS or name in _WRAPPERS:
        group, end = _group(latex, end)
        inner = unicode_label(group)
        return (inner[:1] + _ACCENTS[name] + inner[1:] if name in _ACCENTS else inner), end
    return _NAMED.get(name, name), end


def _operand(text: str) -> str:
    """A numerator or denominator written on one line: in parentheses when it has a space."""
    return f"({text})" if " " in text.strip() else text


def prose(text: str) -> Words:
    """Prose a picture writes: as it is, and escaped for LaTeX."""
    return Words(text, escape_latex(text))


def formula_words(latex: str) -> Words:
    r"""A formula (a factor's value, a name): plain text with true minus signs, and as math."""
    text = " ".join(unicode_label(latex).split()).replace("-", "−")
    for pattern, by in _TIGHT:
        text = re.sub(pattern, by, text)
    return Words(text, f"${latex}$")


def label_words(labels: Labels, symbol: sp.Symbol) -> Words:
    """A symbol's label and its LaTeX; labels with no LaTeX behind them (made by hand) are
    shown as text in LaTeX too."""
    tex = getattr(labels, "tex", None)
    return Words(labels[symbol], f"${tex(symbol)}$" if tex is not None else
                 escape_latex(labels[symbol]))


def number_words(text: str) -> Words:
    """A number as written (true minus signs) and the same digits as math."""
    return Words(text, f"${text.replace('−', '-')}$")


def value_words(value: object) -> Words:
    """A worked number (``value_text``) and the same digits as math."""
    return number_words(value_text(value))


def symbol_labels(network: Network, notation: Notation | None = None,
                  names: Mapping[sp.Symbol, str] | None = None) -> Labels:
    """Plain-text label of every symbol (and L), from the LaTeX names the printer uses.

    A caller that has those names already (the page's printer) passes them as ``names``.
    """
    return _Labels(symbol_names(network, notation) if names is None else names)


class _Labels(Mapping[sp.Symbol, str]):
    """Labels made from the LaTeX names when first asked for: a picture of a large network
    shows few of its symbols, so most are never made; a page's pictures share one."""

    def __init__(self, names: Mapping[sp.Symbol, str]) -> None:
        self._names = names
        self._made: dict[sp.Symbol, str] = {}

    @property
    def names(self) -> Mapping[sp.Symbol, str]:
        """The LaTeX names the labels are made from (a printer of formulas takes them)."""
        return self._names

    def tex(self, symbol: sp.Symbol) -> str:
        """The symbol's LaTeX, which the label is made from."""
        return self._names[symbol]

    def __getitem__(self, symbol: sp.Symbol) -> str:
        label = self._made.get(symbol)
        if label is None:
            label = self._made[symbol] = unicode_label(self._names[symbol])
        return label

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._names

    def __iter__(self) -> Iterator[sp.Symbol]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def value_text(value: object) -> str:
    """A worked number as text: 4 significant digits, a true minus sign."""
    text = f"{float(value):.4g}"  # type: ignore[arg-type]
    return "0" if text == "-0" else text.replace("-", "−")


def text_width(text: str, size: float) -> float:
    """Rough advance width of sans-serif text: enough to keep labels apart."""
    return size * sum(0 if unicodedata.combining(c) else 0.45 if c in _SMALL else 0.62
                      for c in text)
