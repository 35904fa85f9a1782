"""Pictures as SVG text: ``Network`` / ``Gradient`` / losses -> ``str`` (issue 5).

Pure functions that return finished SVG; ``render`` decides where it goes and
``write`` puts it on disk. The SVG is built from plain strings: every number
goes through ``_n`` (one fixed format) and every piece of text through ``_esc``,
so output is byte-identical across runs and spec text cannot inject markup.
No ids or markers (several pictures may share one HTML page), no fonts beyond
``sans-serif``, Okabe–Ito colours (colour-blind safe) on a white card, and
emphasis is always thickness as well as colour.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from xml.sax.saxutils import escape

import sympy as sp

from .derivation import Gradient
from .network import LOSS, Network, activation_symbol, delta_symbol, role_of, target_symbol
from .notation import Notation, Shape, symbol_latex

__all__ = ["unicode_label", "symbol_labels", "path_highlight", "network_svg", "path_svg",
           "loss_curve_svg"]

Labels = Mapping[sp.Symbol, str]

INK, MUTED, EDGE, GRID = "#222222", "#555555", "#8c8c8c", "#e3e3e3"
BLUE, ORANGE, VERMILLION = "#0072B2", "#B07800", "#D55E00"  # Okabe–Ito (orange darkened)
FILLS = {"input": "#f2f2f2", "unit": "#dcecf7", "output": "#fbe8c8", "loss": "#ffffff",
         "param": "#fde3d3", "delta": "#eeeeee"}
STROKES = {"input": MUTED, "unit": BLUE, "output": ORANGE, "loss": INK, "param": VERMILLION,
           "delta": MUTED}

# --------------------------------------------------------------------------- labels

_SUP = str.maketrans("0123456789+-=()niLl", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᴸˡ")
_SUB = str.maketrans("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUBSCRIPTS = frozenset("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ,")
_SMALL = _SUBSCRIPTS | frozenset("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᴸˡ")
_NAMED = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "Delta": "Δ", "epsilon": "ε",
          "varepsilon": "ε", "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "sigma": "σ",
          "tau": "τ", "phi": "φ", "ell": "ℓ", "partial": "∂", "nabla": "∇", "cdot": "·",
          "odot": "⊙", "prime": "′"}
_ACCENTS = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303", "vec": "\u20d7", "dot": "\u0307"}
_WRAPPERS = frozenset({"mathrm", "mathit", "mathbf", "mathsf", "text", "operatorname"})
_SPACES = {",": " ", ";": " ", " ": " ", "!": ""}


def unicode_label(latex: str) -> str:
    r"""Plain text for one symbol's LaTeX (``w^{(2)}_{11}`` -> ``w⁽²⁾₁₁``): SVG can't typeset TeX."""
    out, i = [], 0
    while i < len(latex):
        char = latex[i]
        if char == "\\":
            text, i = _command(latex, i + 1)
        elif char in "^_":
            group, i = _group(latex, i + 1)
            text = unicode_label(group).translate(_SUP if char == "^" else _SUB)
        else:
            text, i = ("" if char in "{}" else char), i + 1
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
        depth += {"{": 1, "}": -1}.get(latex[j], 0)
        if depth == 0:
            return latex[i + 1:j], j + 1
        j += 2 if latex[j] == "\\" else 1
    return latex[i + 1:], len(latex)


def _command(latex: str, i: int) -> tuple[str, int]:
    r"""``\delta`` -> δ, ``\hat{y}`` -> ŷ, ``\mathrm{iq}`` -> iq, ``\_`` -> _ (reading after ``\``)."""
    name = re.match(r"[A-Za-z]*", latex[i:]).group()  # type: ignore[union-attr]
    if not name:
        char = latex[i:i + 1]
        return _SPACES.get(char, char), i + 1
    end = i + len(name)
    if name in _ACCENTS or name in _WRAPPERS:
        group, end = _group(latex, end)
        inner = unicode_label(group)
        return (inner[:1] + _ACCENTS[name] + inner[1:] if name in _ACCENTS else inner), end
    return _NAMED.get(name, name), end


def symbol_labels(network: Network, notation: Notation) -> dict[sp.Symbol, str]:
    """Plain-text label of every symbol of ``network`` (and L) in the notation preset."""
    shape = Shape(layers=len(network.layers), outputs=len(network.y), inputs=network.spec.inputs)
    symbols = [*network.x, *network.y, *network.parameters]
    for layer in network.layers:
        symbols += [*layer.z, *layer.a, *(delta_symbol(layer.number, j) for j in range(layer.units))]
    labels = {LOSS: unicode_label(notation.loss)}
    for symbol in symbols:
        role = role_of(symbol)
        assert role is not None
        labels[symbol] = unicode_label(symbol_latex(notation, shape, role.kind, role.layer,
                                                    role.index))
    return labels


def path_highlight(network: Network, parameter: sp.Symbol) -> frozenset[sp.Symbol]:
    """Everything on θ's paths to L: its edge or unit, every later unit, weight and target.

    Equal to the union of ``Gradient.paths`` (every later unit lies on some path in a
    dense network), and also defined when the paths are too many to list.
    """
    role = role_of(parameter)
    assert role is not None and role.kind in ("W", "b")
    j = role.index[0]
    marked = {parameter, activation_symbol(role.layer, j), LOSS}
    if role.layer == len(network.layers):
        return frozenset(marked | {target_symbol(j)})
    marked |= {row[j] for row in network.layers[role.layer].W}
    for layer in network.layers[role.layer:]:
        marked |= set(layer.a)
    for layer in network.layers[role.layer + 1:]:
        marked |= {w for row in layer.W for w in row}
    return frozenset(marked | set(network.y))


# --------------------------------------------------------------------------- SVG text


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _esc(text: object, quote: bool = False) -> str:
    """XML-escape text (and quotes in attributes); drop characters XML 1.0 forbids."""
    clean = _NOT_XML.sub("", str(text))
    return escape(clean, {'"': "&quot;"}) if quote else escape(clean)


def _n(value: float) -> str:
    """One coordinate format (0.1 px) so two runs give the same bytes."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _value(value: object) -> str:
    """A worked number as text: 4 significant digits, a true minus sign."""
    text = f"{float(value):.4g}"  # type: ignore[arg-type]
    return "0" if text == "-0" else text.replace("-", "−")


def _tag(name: str, attrs: Mapping[str, object], body: str = "") -> str:
    """One element; numbers are formatted with ``_n``, strings escaped, ``body`` is markup."""
    parts = "".join(f' {key}="{_n(v) if isinstance(v, (int, float)) else _esc(v, True)}"'
                    for key, v in attrs.items())
    return f"<{name}{parts}>{body}</{name}>" if body else f"<{name}{parts}/>"


def _text(x: float, y: float, text: str, **attrs: object) -> str:
    attrs = {key.replace("_", "-"): v for key, v in attrs.items()}
    return _tag("text", {"x": x, "y": y, **attrs}, _esc(text))


def _svg(width: float, height: float, title: str, desc: str, parts: Iterable[str]) -> str:
    """The document: xmlns, viewBox, <title>/<desc> for screen readers, a white card."""
    w, h = math.ceil(width), math.ceil(height)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" '
            f'height="{h}" role="img" font-family="sans-serif" font-size="13">')
    return "\n".join([head, _tag("title", {}, _esc(title)), _tag("desc", {}, _esc(desc)),
                      _tag("rect", {"width": w, "height": h, "fill": "#ffffff"}),
                      *parts, "</svg>"]) + "\n"


def _width(text: str, size: float) -> float:
    """Rough advance width of sans-serif text: enough to keep labels apart."""
    return size * sum(0 if unicodedata.combining(c) else 0.45 if c in _SMALL else 0.62
                      for c in text)


Box = tuple[float, float, float, float]
_SPOTS = (0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8, 0.44, 0.56, 0.33, 0.67)


def _place(edges: Sequence[tuple[Box, float, float]], blocked: Iterable[Box]) -> list[Box]:
    """Put each label (segment, width, height) on its segment where it overlaps least."""
    boxes, out = list(blocked), []
    for (x0, y0, x1, y1), w, h in edges:
        best = None
        for rank, t in enumerate(_SPOTS):
            cx, cy = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            score = (sum(_overlap(box, other) for other in boxes), rank)
            best = min(best or (score, box), (score, box))
        boxes.append(best[1])
        out.append(best[1])
    return out


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _label(box: Box, lines: Sequence[tuple[str, float, str]], **attrs: object) -> str:
    """Centred lines (text, size, colour) in ``box``, with a white halo over the edges."""
    y, parts = box[1], []
    for text, size, colour in lines:
        y += size * 1.15
        parts.append(_text((box[0] + box[2]) / 2, y - size * 0.25, text, fill=colour,
                           font_size=size))
    return _tag("g", {"text-anchor": "middle", "stroke": "#ffffff", "stroke-width": 3,
                      "stroke-linejoin": "round", "paint-order": "stroke", **attrs},
                "".join(parts))


def _lines(text: str, value: str | None) -> list[tuple[str, float, str]]:
    return [(text, 12, INK)] + ([(value, 11, MUTED)] if value is not None else [])


def _box_size(lines: Sequence[tuple[str, float, str]]) -> tuple[float, float]:
    return (max(_width(t, s) for t, s, _ in lines) + 4, sum(s * 1.15 for _, s, _ in lines) + 2)
