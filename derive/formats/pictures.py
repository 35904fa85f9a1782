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

import functools
import itertools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import sympy as sp

from ..calculus import Gradient
from ..calculus import symbol_names
from ..calculus import LOSS, Network, activation_symbol, delta_symbol, role_of, weight_symbol
from ..registry import Notation

__all__ = [
    "loss_curve_svg",
    "network_svg",
    "path_highlight",
    "path_svg",
    "symbol_labels",
    "unicode_label",
]

Labels = Mapping[sp.Symbol, str]

INK, MUTED, EDGE, GRID = "#222222", "#555555", "#8c8c8c", "#e3e3e3"
BLUE, ORANGE, VERMILLION = "#0072B2", "#B07800", "#D55E00"  # Okabe–Ito (orange darkened)
FILLS = {"input": "#f2f2f2", "unit": "#dcecf7", "output": "#fbe8c8", "loss": "#ffffff",
         "param": "#fde3d3", "delta": "#eeeeee"}
STROKES = {"input": MUTED, "unit": BLUE, "output": ORANGE, "loss": INK, "param": VERMILLION,
           "delta": MUTED}

# --------------------------------------------------------------------------- labels

_SUP = str.maketrans("0123456789+-=()niLlT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᴸˡᵀ")
_SUB = str.maketrans("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SMALL = frozenset("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᴸˡᵀ,′")
_NAMED = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "Delta": "Δ", "epsilon": "ε",
          "varepsilon": "ε", "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "sigma": "σ",
          "tau": "τ", "phi": "φ", "ell": "ℓ", "partial": "∂", "nabla": "∇", "cdot": "·",
          "odot": "⊙", "prime": "′"}
_ACCENTS = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303", "vec": "\u20d7", "dot": "\u0307"}
_WRAPPERS = frozenset({"mathrm", "mathit", "mathbf", "mathsf", "text", "operatorname"})
_SPACES = {",": " ", ";": " ", " ": " ", "!": ""}
_PLAIN = {"{": "", "}": "", "'": "′", "~": " "}


@functools.lru_cache(maxsize=4_096)
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
    if name in _ACCENTS or name in _WRAPPERS:
        group, end = _group(latex, end)
        inner = unicode_label(group)
        return (inner[:1] + _ACCENTS[name] + inner[1:] if name in _ACCENTS else inner), end
    return _NAMED.get(name, name), end


def symbol_labels(network: Network, notation: Notation | None = None,
                  names: Mapping[sp.Symbol, str] | None = None) -> Labels:
    """Plain-text label of every symbol (and L), from the LaTeX names the printer uses.

    Reusing ``names.symbol_names`` keeps pictures and formulas in one notation; a caller
    that has those names already (the page's printer) passes them as ``names``.
    """
    return _Labels(symbol_names(network, notation) if names is None else names)


class _Labels(Mapping[sp.Symbol, str]):
    """Labels made from the LaTeX names when first asked for: a picture of a large network
    shows few of its symbols, so most are never made."""

    def __init__(self, names: Mapping[sp.Symbol, str]) -> None:
        self._names = names
        self._made: dict[sp.Symbol, str] = {}

    def __getitem__(self, symbol: sp.Symbol) -> str:
        label = self._made.get(symbol)
        if label is None:
            label = self._made[symbol] = unicode_label(self._names[symbol])
        return label

    def __iter__(self) -> Iterator[sp.Symbol]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def path_highlight(network: Network, parameter: sp.Symbol) -> frozenset[sp.Symbol]:
    """Everything on θ's paths to L: its edge or unit, the later units, weights and targets.

    Built from the graph (``Layer.fanout`` for softmax), so it equals the union of
    ``Gradient.paths`` and is also defined when the paths are too many to list.
    """
    role = role_of(parameter)
    assert role is not None and role.kind in ("W", "b")
    layer = network.layers[role.layer - 1]
    reached = layer.fanout(role.index[0])
    marked = {parameter, LOSS, *(layer.a[i] for i in reached)}
    if layer is network.output:
        return frozenset(marked | {network.y[i] for i in reached})
    marked |= {row[i] for row in network.layers[role.layer].W for i in reached}
    for later in network.layers[role.layer:]:
        marked |= set(later.a)
    for later in network.layers[role.layer + 1:]:
        marked |= {w for row in later.W for w in row}
    return frozenset(marked | set(network.y))


# --------------------------------------------------------------------------- SVG text


# One pass each (so ``&`` is never escaped twice); xml.sax.saxutils would import urllib.
_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_XML_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


@functools.cache
def _not_xml() -> dict[int, None]:
    """For str.translate: drop the characters XML 1.0 forbids (built only if ever needed)."""
    return dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20),
                          *range(0xD800, 0xE000), 0xFFFE, 0xFFFF])


def _esc(text: object, quote: bool = False) -> str:
    """XML-escape text (and quotes in attributes); drop characters XML 1.0 forbids.

    Those are all unprintable (controls, surrogates, non-characters), so printable text,
    nearly all of it, skips that step; text with nothing to escape, nearly all again,
    skips ``translate`` (slow on non-ASCII text such as labels).
    """
    text = str(text)
    if not text.isprintable():
        text = text.translate(_not_xml())
    if "&" in text or "<" in text or ">" in text or (quote and '"' in text):
        return text.translate(_XML_ATTRIBUTE if quote else _XML_TEXT)
    return text


def _n(value: float) -> str:
    """One coordinate format (0.1 px) so two runs give the same bytes."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _value(value: object) -> str:
    """A worked number as text: 4 significant digits, a true minus sign."""
    text = f"{float(value):.4g}"  # type: ignore[arg-type]
    return "0" if text == "-0" else text.replace("-", "−")


@functools.lru_cache(maxsize=8_192)
def _attribute(item: tuple[str, object]) -> str:
    """`` key="value"``: ``font_size`` written ``font-size``, a number formatted with ``_n``,
    a string escaped (memoised: a picture repeats its colours, classes and coordinates in
    element after element)."""
    key, value = item
    value = _n(value) if isinstance(value, (int, float)) else _esc(value, True)
    return f' {key.replace("_", "-")}="{value}"'


def _tag(name: str, attrs: Mapping[str, object], body: str = "") -> str:
    """One element; attributes as ``_attribute`` writes them (so ``font_size=`` serves for
    ``font-size``), ``body`` is markup."""
    parts = "".join(map(_attribute, attrs.items()))
    return f"<{name}{parts}>{body}</{name}>" if body else f"<{name}{parts}/>"


def _text(x: float, y: float, text: str, **attrs: object) -> str:
    return _tag("text", {"x": x, "y": y, **attrs}, _esc(text))


def _svg(width: float, height: float, title: str, desc: str, parts: Iterable[str]) -> str:
    """The document: xmlns, viewBox, <title>/<desc> for screen readers, a white card."""
    w, h = math.ceil(width), math.ceil(height)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" '
            f'height="{h}" role="img" font-family="sans-serif" font-size="13">')
    return "\n".join([head, _tag("title", {}, _esc(title)), _tag("desc", {}, _esc(desc)),
                      _tag("rect", {"width": w, "height": h, "fill": "#ffffff"}),
                      *parts, "</svg>"]) + "\n"


@functools.lru_cache(maxsize=4_096)
def _width(text: str, size: float) -> float:
    """Rough advance width of sans-serif text: enough to keep labels apart (memoised: an
    edge's label is measured for its column, its place and its plate)."""
    return size * sum(0 if unicodedata.combining(c) else 0.45 if c in _SMALL else 0.62
                      for c in text)


Box = tuple  # (x, y, cos, sin, half width, half height, bounds): a turned rectangle
Line = tuple[str, str, float]  # (text, colour, font size): one line of a label


@functools.lru_cache(maxsize=1_024)
def _spots(preferred: float) -> tuple[float, ...]:
    """Where along its edge a label may go, nearest to ``preferred`` first (memoised: edges
    of equal slope prefer the same spot)."""
    spots = [0.2 + 0.075 * i for i in range(9)]
    return tuple(sorted(spots, key=lambda t: (round(abs(t - preferred), 6), t)))


def _place(segments: Sequence[tuple[tuple[float, float, float, float], float, float]],
           blocked: Sequence[Box]) -> list[tuple[float, float, float]]:
    """Put each label (segment, width, height) along its segment where it overlaps least.

    A falling edge prefers a spot near its end, a rising one near its start, so crossing
    edges keep their labels apart; while some label overlaps, up to two more passes move
    each label given all the others. Returns (x, y, angle): labels turn with their edge.
    """
    steepest = max((abs(y1 - y0) for (_, y0, _, y1), _, _ in segments), default=0.0) or 1.0
    reaches = [_reach(segment, w, h) for segment, w, h in segments]
    near = [_meeting(reach, blocked) for reach in reaches]
    spots: list[tuple[int, Box, float, float, float] | None] = [None] * len(segments)
    left = math.inf
    for _ in range(3):
        for i, (segment, w, h) in enumerate(segments):
            placed = [spot[1] for j, spot in enumerate(spots) if spot is not None and j != i]
            spots[i] = _best_spot(segment, w, h, steepest, near[i] + _meeting(reaches[i], placed))
        before, left = left, sum(spot[0] for spot in spots)  # type: ignore[index]
        if left == 0 or left >= before:
            break
    return [spot[2:] for spot in spots]  # type: ignore[index]


def _meeting(reach: Box, boxes: Iterable[Box]) -> list[Box]:
    """The boxes whose bounds meet the reach's: ``_overlap``'s first test, written inline
    because it is made for every pair of label and box."""
    x0, y0, x1, y1 = reach[6]
    return [box for box in boxes
            if not (x1 <= box[6][0] or box[6][2] <= x0 or y1 <= box[6][1] or box[6][3] <= y0)]


def _reach(segment: tuple[float, float, float, float], w: float, h: float) -> Box:
    """An upright box holding every spot of a w x h label along the segment: only the
    boxes that meet it can overlap the label (the blocked ones are found once)."""
    x0, y0, x1, y1 = segment
    return _rect((x0 + x1) / 2, (y0 + y1) / 2, 0, abs(x1 - x0) + w + h, abs(y1 - y0) + w + h)


def _best_spot(segment: tuple[float, float, float, float], w: float, h: float,
               steepest: float, near: Sequence[Box]) -> tuple[int, Box, float, float, float]:
    """(overlaps, box, x, y, angle) of the first spot with no overlap, else the least.

    ``near``: the boxes the label may overlap (those meeting its ``_reach``).
    """
    x0, y0, x1, y1 = segment
    angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
    best = None
    for t in _spots(0.5 + 0.25 * (y1 - y0) / steepest):
        x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
        box = _rect(x, y, angle, w, h)
        hits = sum(_overlap(box, other) for other in near)
        if best is None or hits < best[0]:
            best = (hits, box, x, y, angle)
        if hits == 0:
            break
    return best  # type: ignore[return-value]


def _rect(x: float, y: float, angle: float, w: float, h: float) -> Box:
    """A w x h rectangle centred at (x, y), turned by ``angle`` degrees, and its bounds."""
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    half_x, half_y = (w * abs(c) + h * abs(s)) / 2, (w * abs(s) + h * abs(c)) / 2
    return (x, y, c, s, w / 2, h / 2, (x - half_x, y - half_y, x + half_x, y + half_y))


def _overlap(a: Box, b: Box) -> bool:
    """Bounds first (cheap, usually decisive), then the separating-axis test."""
    ax0, ay0, ax1, ay1 = a[6]
    bx0, by0, bx1, by1 = b[6]
    if ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0:
        return False
    ax, ay, ac, as_, aw, ah, _ = a
    bx, by, bc, bs, bw, bh, _ = b
    if as_ == 0 and bs == 0:  # bounds are exact for upright rectangles
        return True
    tx, ty = bx - ax, by - ay
    for lx, ly in ((ac, as_), (-as_, ac), (bc, bs), (-bs, bc)):
        reach_a = aw * abs(ac * lx + as_ * ly) + ah * abs(ac * ly - as_ * lx)
        reach_b = bw * abs(bc * lx + bs * ly) + bh * abs(bc * ly - bs * lx)
        if abs(tx * lx + ty * ly) >= reach_a + reach_b:
            return False
    return True


def _plate_size(lines: Sequence[Line]) -> tuple[float, float]:
    return (max(_width(text, size) for text, _, size in lines) + 6,
            sum(size * 1.2 for _, _, size in lines) + 3)


def _label(x: float, y: float, angle: float, lines: Sequence[Line], **attrs: object) -> str:
    """Centred lines on a white plate centred at (x, y), turned by ``angle`` degrees."""
    w, h = _plate_size(lines)
    turn = f"translate({_n(x)} {_n(y)})" + (f" rotate({_n(angle)})" if round(angle, 1) else "")
    parts = [_tag("rect", {"x": -w / 2, "y": -h / 2, "width": w, "height": h, "rx": 3,
                           "fill": "#ffffff", "fill-opacity": 0.9})]
    baseline = -h / 2 + 1.5
    for text, colour, size in lines:
        baseline += size * 1.2
        parts.append(_text(0, baseline - size * 0.27, text, fill=colour, font_size=size))
    return _tag("g", {**attrs, "transform": turn, "text-anchor": "middle"}, "".join(parts))


# --------------------------------------------------------------------------- the network

_R, _ROW, _TOP = 22.0, 80.0, 56.0
_MAX_UNITS = 10      # wider layers: the first 8 units, an ellipsis, the last unit
_MAX_LABELLED = 16   # write every weight of a layer on its edge up to this many drawn edges
_MAX_VALUED = 8      # and its worked value too up to this many
Edge = tuple[sp.Symbol, sp.Symbol, sp.Symbol]


def _shown(symbols: Sequence[sp.Symbol]) -> tuple[sp.Symbol | None, ...]:
    """The units drawn; None stands for the ellipsis of a wide layer."""
    if len(symbols) <= _MAX_UNITS:
        return tuple(symbols)
    return (*symbols[:_MAX_UNITS - 2], None, symbols[-1])


def _columns(network: Network) -> list[tuple[str, str, str, tuple[sp.Symbol | None, ...]]]:
    """(heading, subheading, node kind, drawn units) per column: inputs, layers, loss."""
    count = len(network.layers)
    columns = [("inputs", f"{len(network.x)} per sample", "input", _shown(network.x))]
    for layer in network.layers:
        heading = f"layer {layer.number}" + (" (output)" if layer.number == count else "")
        kind = "output" if layer.number == count else "unit"
        columns.append((heading, layer.activation.name.replace("_", " "), kind, _shown(layer.a)))
    columns.append(("loss", network.loss.name.replace("_", " "), "loss", (LOSS,)))
    return columns


def _edges(network: Network, drawn: Mapping[sp.Symbol, object]) -> list[list[Edge]]:
    """(key, source, target) per drawn weight, then ŷ_j -> L keyed by its target y_j, grouped
    by the target's column (none end in the inputs'): no edge needs its column looked up."""
    into: list[list[Edge]] = [[]]
    for layer in network.layers:
        sources = [(k, source) for k, source in enumerate(layer.inputs) if source in drawn]
        into.append([(layer.W[j][k], source, target) for j, target in enumerate(layer.a)
                     if target in drawn for k, source in sources])
    return into + [[(y, a, LOSS) for y, a in zip(network.y, network.output.a) if a in drawn]]


def _as_node(symbol: sp.Symbol) -> sp.Symbol:
    """A unit's z and bias are drawn as the unit itself."""
    role = role_of(symbol)
    if role is not None and role.kind in ("z", "b"):
        return activation_symbol(role.layer, role.index[0])
    return symbol


def _node(kind: str, x: float, y: float, label: str, value: str | None, marked: bool) -> str:
    """A unit: a circle with its symbol inside (long input names go to its left)."""
    room, natural = 2 * _R - 6, _width(label, 13)
    outside = kind == "input" and natural > room
    size = 13.0 if outside or natural <= room else max(8.0, 13 * room / natural)
    title = _tag("title", {}, _esc(label + (f" = {value}" if value is not None else "")))
    parts = [_tag("circle", {"cx": x, "cy": y, "r": _R, "fill": FILLS[kind],
                             "stroke": VERMILLION if marked else STROKES[kind],
                             "stroke-width": 3 if marked else 1.5}, title),
             _text(x - _R - 6 if outside else x, y + size * 0.35, label, font_size=size,
                   text_anchor="end" if outside else "middle", fill=INK)]
    if value is not None:
        parts.append(_label(x, y + _R + 9, 0, [(value, MUTED, 11)]))
    return _tag("g", {"class": "node highlight" if marked else "node"}, "".join(parts))


def _edge_lines(edges: Sequence[Edge], pos: Mapping, labels: Labels,
                values: Mapping | None, marked: frozenset) -> list[str]:
    """Plain edges first, highlighted ones on top; each names its weight in a <title>."""
    out = []
    for key, source, target in sorted(edges, key=lambda e: e[0] in marked):
        hot = key in marked
        value = f" = {_value(values[key])}" if values is not None and key in values else ""
        (x0, y0), (x1, y1) = pos[source], pos[target]
        out.append(_tag("line", {"class": "edge highlight" if hot else "edge",
                                 "x1": x0, "y1": y0, "x2": x1, "y2": y1,
                                 "stroke": VERMILLION if hot else EDGE,
                                 "stroke-width": 3 if hot else 1.2},
                        _tag("title", {}, _esc(labels[key] + value))))
    return out


def _edge_texts(into: Sequence[Sequence[Edge]], labels: Labels, values: Mapping | None,
                marked: frozenset) -> dict[sp.Symbol, list[Line]]:
    """What each edge says: its symbol where there is room (or few marked edges need it),
    its worked value where there is more room (``into``: the edges into each column)."""
    texts = {}
    for edges in into:
        count, hot = len(edges), sum(key in marked for key, _, _ in edges)
        for key, _, _ in edges:
            if count <= _MAX_LABELLED or (key in marked and hot <= _MAX_UNITS):
                valued = values is not None and key in values and count <= _MAX_VALUED
                texts[key] = _lines(labels[key], values[key] if valued else None)  # type: ignore[index]
    return texts


def _edge_labels(edges: Sequence[Edge], pos: Mapping, texts: Mapping[sp.Symbol, list[Line]],
                 blocked: list[Box]) -> list[str]:
    """The edges' texts, each placed along its edge clear of nodes and other labels."""
    chosen = [(key, s, t) for key, s, t in edges if key in texts]
    segments = [((*pos[s], *pos[t]), *_plate_size(texts[key])) for key, s, t in chosen]
    spots = _place(segments, blocked)
    return [_label(*spot, texts[key], **{"class": "edge-label"})
            for spot, (key, _, _) in zip(spots, chosen)]


def _lines(label: str, value: object | None) -> list[Line]:
    """The symbol in ink, its worked value (if any) muted on a second line."""
    return [(label, INK, 12)] + ([(_value(value), MUTED, 11)] if value is not None else [])


def network_svg(network: Network, labels: Labels, *, values: Mapping | None = None,
                highlight: Iterable[sp.Symbol] = ()) -> str:
    """Units in layers, weights on edges; ``highlight`` (see ``path_highlight``) marks paths.

    ``values`` maps symbols to worked numbers (a forward pass's ``env``, plus L if wanted).
    """
    marked = frozenset(_as_node(s) for s in highlight)
    columns = _columns(network)
    drawn = {s: c for c, (*_, symbols) in enumerate(columns) for s in symbols if s is not None}
    into = _edges(network, drawn)
    edges = [edge for group in into for edge in group]
    texts = _edge_texts(into, labels, values, marked)
    xs = _column_xs(network, columns, into, labels, texts)
    rows = max(len(symbols) for *_, symbols in columns)
    pos, parts, blocked = {}, [], [_rect(0, 0, 0, 4 * xs[-1], 2 * _TOP)]
    for x, (heading, sub, kind, symbols) in zip(xs, columns):
        parts += [_text(x, 20, heading, text_anchor="middle", font_weight="bold", fill=INK),
                  _text(x, 37, sub, text_anchor="middle", font_size=12, fill=MUTED)]
        for r, symbol in enumerate(symbols):
            y = _TOP + (rows - len(symbols) + 1) * _ROW / 2 + r * _ROW
            if symbol is None:
                parts.append(_text(x, y + 7, "⋮", text_anchor="middle", font_size=22, fill=MUTED))
                continue
            pos[symbol] = (x, y)
            blocked.append(_rect(x, y + 7, 0, 2 * _R + 4, 2 * _R + 18))
    nodes = [_node(kind, *pos[s], labels[s], _value(values[s]) if values is not None and s in
                   values else None, s in marked)
             for *_, kind, symbols in columns for s in symbols if s is not None]
    body = [*_edge_lines(edges, pos, labels, values, marked),
            *_edge_labels(edges, pos, texts, blocked), *parts, *nodes]
    width = xs[-1] + max(_R + 24, _width(columns[-1][1], 12) / 2 + 12)
    sizes = "-".join(str(n) for n in (len(network.x), *(layer.units for layer in network.layers)))
    title = f"The network of “{network.spec.title}”: {sizes} units"
    return _svg(width, _TOP + rows * _ROW + 24, title, _describe(network, labels), body)


def _column_xs(network: Network, columns: Sequence, into: Sequence[Sequence[Edge]],
               labels: Labels, texts: Mapping[sp.Symbol, list[Line]]) -> list[float]:
    """Each column's x: room on the left for long input names, between columns for labels."""
    names = [_width(labels[s], 13) for s in network.x[:_MAX_UNITS]]
    xs = [max([_R + 40, *(w + _R + 16 for w in names if w > 2 * _R - 6)])]
    for c in range(1, len(columns)):
        plates = [_plate_size(texts[key])[0] for key, _, _ in into[c] if key in texts]
        before, here = len(columns[c - 1][3]), len(columns[c][3])
        crowd = max(before, here) / (1 if min(before, here) > 1 else 2)  # a fan is roomier
        room = 120.0 + max(plates, default=0) * crowd * 1.25 if len(plates) > 1 else 170.0
        xs.append(xs[-1] + (min(360.0, max(170.0, room)) if plates else 140.0))
    return xs


def _describe(network: Network, labels: Labels) -> str:
    """The picture in words, for screen readers."""
    inputs = ", ".join(labels[s] for s in network.x[:_MAX_UNITS])
    layers = "; ".join(f"layer {layer.number}: {layer.units} {layer.activation.name} units"
                       for layer in network.layers)
    return f"Inputs {inputs}; {layers}; loss {network.loss.name} of the outputs and targets."


# --------------------------------------------------------------------------- one parameter's paths

_BOX_H, _PATH_ROW, _PATH_GAP, _MARGIN = 28.0, 48.0, 72.0, 20.0
Item = tuple[object, str, str]  # (key, text, kind) of one node of a chain


def _chains(gradient: Gradient, labels: Labels) -> list[tuple[Item, ...]]:
    """θ, z, a, …, ŷ, L along each path; without paths, θ, z, then δ layer by layer, L."""
    z = gradient.last.partial.numerator
    head: list[Item] = [(gradient.parameter, labels[gradient.parameter], "param"),
                        (z, labels[z], "unit")]
    if not gradient.paths:
        deltas = _layer_deltas(labels)
        return [(*head, *((m, deltas[m], "delta") for m in sorted(deltas)
                          if m > gradient.role.layer), (LOSS, labels[LOSS], "loss"))]
    depth = role_of(gradient.paths[0][0].partial.denominator).layer  # type: ignore[union-attr]
    chains = []
    for path in gradient.paths:
        symbols = [factor.partial.numerator for factor in reversed(path)]
        chains.append((*head, *((s, labels[s], _kind(s, depth)) for s in symbols)))
    return chains


def _layer_deltas(labels: Labels) -> dict[int, str]:
    """Each layer's δ named by its first and last unit (``δ⁽³⁾₁ … δ⁽³⁾₂₀``), in one pass.

    Only names starting with ``d`` can be δ's (``role_of`` reads ``d:`` or ``delta:``), so
    the weights, most of a large network's symbols, are not parsed.
    """
    units: dict[int, list[tuple[tuple[int, ...], sp.Symbol]]] = {}
    for symbol in labels:
        role = role_of(symbol) if symbol.name.startswith("d") else None
        if role is not None and role.kind == "delta":
            units.setdefault(role.layer, []).append((role.index, symbol))
    names = {}
    for layer, found in units.items():
        (_, first), (_, last) = min(found), max(found)
        names[layer] = labels[first] if first == last else f"{labels[first]} … {labels[last]}"
    return names


def _kind(symbol: sp.Symbol, depth: int) -> str:
    role = role_of(symbol)
    if role is None:
        return "loss"
    return "output" if role.kind == "a" and role.layer == depth else "unit"


def _tree(chains: Sequence[tuple[Item, ...]]) -> tuple[dict[tuple, tuple[int, float]], list]:
    """Nodes keyed by chain prefix (paths share their start; L is one node): (column, row)."""
    rows: dict[tuple, list[int]] = {}
    edges: dict[tuple[tuple, tuple], None] = {}
    for r, chain in enumerate(chains):
        keys = [chain[:d + 1] if item[2] != "loss" else (item,) for d, item in enumerate(chain)]
        for key in keys:
            rows.setdefault(key, []).append(r)
        edges.update(dict.fromkeys(itertools.pairwise(keys)))
    places = {key: (len(chains[found[0]]) - 1 if key[-1][2] == "loss" else len(key) - 1,
                    sum(found) / len(found)) for key, found in rows.items()}
    return places, list(edges)


def _weight_between(source: object, target: object) -> sp.Symbol | None:
    """The weight on an edge a^{(l-1)}_j -> z^{(l)}_i of a path, if it is one."""
    a, z = (role_of(s) if isinstance(s, sp.Symbol) else None for s in (source, target))
    if a is None or z is None or z.kind != "z" or a.kind not in ("a", "x"):
        return None
    return weight_symbol(z.layer, z.index[0], a.index[0])


def _arrow(x0: float, y0: float, x1: float, y1: float) -> str:
    """A line with a drawn (not marker) arrowhead: markers need ids, ids clash inline."""
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    head = [(x1, y1), (x1 - 9 * ux + 4 * uy, y1 - 9 * uy - 4 * ux),
            (x1 - 9 * ux - 4 * uy, y1 - 9 * uy + 4 * ux)]
    points = " ".join(f"{_n(x)},{_n(y)}" for x, y in head)
    return (_tag("line", {"x1": x0, "y1": y0, "x2": x1 - 8 * ux, "y2": y1 - 8 * uy,
                          "stroke": MUTED, "stroke-width": 1.4})
            + _tag("polygon", {"points": points, "fill": MUTED}))


def _above(segment: tuple[float, float, float, float],
           by: float) -> tuple[float, float, float, float]:
    """The segment moved ``by`` to its left-hand side (above a left-to-right edge)."""
    x0, y0, x1, y1 = segment
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    dx, dy = by * (y1 - y0) / length, -by * (x1 - x0) / length
    return (x0 + dx, y0 + dy, x1 + dx, y1 + dy)


def _box(x: float, y: float, width: float, text: str, kind: str) -> str:
    return _tag("g", {"class": f"step {kind}"}, _tag(
        "rect", {"x": x - width / 2, "y": y - _BOX_H / 2, "width": width, "height": _BOX_H,
                 "rx": 7, "fill": FILLS[kind], "stroke": STROKES[kind],
                 "stroke-width": 2.5 if kind in ("param", "loss") else 1.5})
        + _text(x, y + 4.5, text, text_anchor="middle", fill=INK))


def path_svg(gradient: Gradient, labels: Labels) -> str:
    r"""θ → z → a → … → ŷ → L, branching where a unit feeds several (seed 004's drawing)."""
    chains = _chains(gradient, labels)
    places, edges = _tree(chains)
    width = max(_width(item[1], 13) for chain in chains for item in chain) + 20
    step = width + _PATH_GAP
    at = {key: (_MARGIN + width / 2 + col * step, _MARGIN + _BOX_H / 2 + row * _PATH_ROW)
          for key, (col, row) in places.items()}
    parts = _path_edges(edges, at, width, labels)
    parts += [_box(*at[key], width, key[-1][1], key[-1][2]) for key in places]
    caption = _caption(gradient, chains, labels)
    bottom = _MARGIN + _BOX_H + (len(chains) - 1) * _PATH_ROW + 26
    parts.append(_text(_MARGIN, bottom, caption, font_size=12, fill=MUTED))
    right = max(_MARGIN + width + step * max(c for c, _ in places.values()),
                _MARGIN + _width(caption, 12))
    theta, loss = labels[gradient.parameter], labels[LOSS]
    desc = "; ".join(" → ".join(item[1] for item in chain) for chain in chains)
    return _svg(right + _MARGIN, bottom + 14, f"How {theta} reaches {loss}", desc, parts)


def _path_edges(edges: Sequence[tuple[tuple, tuple]], at: Mapping[tuple, tuple[float, float]],
                width: float, labels: Labels) -> list[str]:
    """Arrows between the boxes, weights written above the a -> z arrows."""
    arrows, segments, texts = [], [], []
    for source, target in edges:
        (x0, y0), (x1, y1) = at[source], at[target]
        if target[-1][2] == "loss":  # spread the arrowheads along L's side
            y1 += max(-_BOX_H / 2 + 5, min(_BOX_H / 2 - 5, (y0 - y1) * 0.12))
        arrows.append(_arrow(x0 + width / 2, y0, x1 - width / 2 - 1, y1))
        weight = _weight_between(source[-1][0], target[-1][0])
        if weight is not None:
            texts.append([(labels[weight], INK, 12)])
            segments.append((_above((x0 + width / 2, y0, x1 - width / 2, y1), 10),
                             *_plate_size(texts[-1])))
    blocked = [_rect(x, y, 0, width, _BOX_H) for x, y in at.values()]
    return arrows + [_label(*spot, lines, **{"class": "edge-label"})
                     for spot, lines in zip(_place(segments, blocked), texts)]


def _caption(gradient: Gradient, chains: Sequence[tuple[Item, ...]], labels: Labels) -> str:
    theta, loss = labels[gradient.parameter], labels[LOSS]
    if len(chains) == 1 and gradient.paths:
        return f"One path: ∂{loss}/∂{theta} is the product of the factors along it"
    if gradient.paths:
        return (f"{len(chains)} paths: ∂{loss}/∂{theta} adds up the product of the factors "
                "along each path")
    z = labels[gradient.last.partial.numerator]
    delta = labels[delta_symbol(gradient.role.layer, gradient.role.index[0])]
    return f"{delta} = ∂{loss}/∂{z} gathers every path, one layer at a time (the recursion)"


# --------------------------------------------------------------------------- the loss over the steps

_PLOT = (72.0, 60.0, 536.0, 264.0)  # left, top, right, bottom of the plotting area
_MODES = {"batch": "the whole batch's loss after k updates",
          "sgd": "the loss of step k's sample after k updates (the last: the last step's)"}


def _nice_step(span: float, count: int) -> float:
    """1, 2 or 5 times a power of ten, giving about ``count`` intervals over ``span``."""
    raw = span / count
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))


def _ticks(low: float, high: float, count: int) -> tuple[list[float], int]:
    """Round tick values covering [low, high] and the decimals that print them exactly."""
    if high - low < 1e-12 * max(1.0, abs(high)):
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    step = _nice_step(high - low, count)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return [i * step for i in range(first, last + 1)], decimals


def _tick_text(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    return "0" if float(text) == 0 else text.replace("-", "−")


def loss_curve_svg(losses: Sequence[object], *, mode: str) -> str:
    """The loss after 0, 1, …, K updates: one point per loss, joined, on round-number axes."""
    if mode not in _MODES or not losses:
        raise ValueError(f"loss_curve_svg: expected mode batch or sgd and losses, got {mode!r}")
    values = [float(v) for v in losses]  # type: ignore[arg-type]
    if not all(math.isfinite(v) for v in values):
        raise ValueError("loss_curve_svg: expected finite losses")
    left, top, right, bottom = _PLOT
    y_ticks, decimals = _ticks(min(values), max(values), 5)
    x_ticks, _ = _ticks(0, max(len(values) - 1, 1), 8)
    x_ticks = [t for t in x_ticks if t == int(t)]

    def x_at(i: float) -> float:
        return left + (right - left) * i / x_ticks[-1]

    def y_at(v: float) -> float:
        return bottom - (bottom - top) * (v - y_ticks[0]) / (y_ticks[-1] - y_ticks[0])

    parts = _axes(x_ticks, y_ticks, decimals, x_at, y_at)
    points = [(x_at(i), y_at(v)) for i, v in enumerate(values)]
    parts.append(_tag("polyline", {"points": " ".join(f"{_n(x)},{_n(y)}" for x, y in points),
                                   "fill": "none", "stroke": BLUE, "stroke-width": 2}))
    radius = 3.5 if len(values) <= 60 else 2.0
    parts += [_tag("circle", {"class": "point", "cx": x, "cy": y, "r": radius, "fill": BLUE},
                   _tag("title", {}, _esc(f"step {i}: loss {_value(v)}")))
              for i, ((x, y), v) in enumerate(zip(points, values))]
    steps = len(values) - 1
    heading = f"Loss over {steps} step{'s' if steps != 1 else ''} ({mode})"
    note = f"Point k: {_MODES[mode]}."
    parts += [_text(left, 22, heading, font_weight="bold", fill=INK),
              _text(left, 40, note, font_size=12, fill=MUTED)]
    desc = f"{note} Losses: " + ", ".join(_value(v) for v in values[:50])
    return _svg(max(right + 24, left + _width(note, 12) + 16), bottom + 48, heading, desc, parts)


def _axes(x_ticks: Sequence[float], y_ticks: Sequence[float], decimals: int,
          x_at: Callable[[float], float], y_at: Callable[[float], float]) -> list[str]:
    """Grid lines and round-number ticks, the axes and their names."""
    left, top, right, bottom = _PLOT
    parts = []
    for v in y_ticks:
        y = y_at(v)
        parts += [_tag("line", {"x1": left, "y1": y, "x2": right, "y2": y, "stroke": GRID}),
                  _text(left - 8, y + 4, _tick_text(v, decimals), text_anchor="end",
                        font_size=11, fill=MUTED)]
    for t in x_ticks:
        x = x_at(t)
        parts += [_tag("line", {"x1": x, "y1": bottom, "x2": x, "y2": bottom + 5, "stroke": MUTED}),
                  _text(x, bottom + 18, str(int(t)), text_anchor="middle", font_size=11,
                        fill=MUTED)]
    parts += [_tag("polyline", {"points": f"{_n(left)},{_n(top)} {_n(left)},{_n(bottom)} "
                                          f"{_n(right)},{_n(bottom)}",
                                "fill": "none", "stroke": MUTED, "stroke-width": 1.2}),
              _text((left + right) / 2, bottom + 38, "step (updates so far)",
                    text_anchor="middle", font_size=12, fill=MUTED),
              _text(18, (top + bottom) / 2, "loss", text_anchor="middle", font_size=12,
                    fill=MUTED, transform=f"rotate(-90 18 {_n((top + bottom) / 2)})")]
    return parts
