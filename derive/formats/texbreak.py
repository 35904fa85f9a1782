r"""LaTeX display rows -> rows broken to the text width (pure string layout, no TeX run).

A small parser turns a formula into nodes (groups, ``\left..\right`` pairs,
environments), estimates printed widths in em, and breaks a long ``align*`` row at
relations, then at ``+``/``-``, then at products, keeping the alignment point.
A page has a few hundred rows: equal nodes are shared, and a row is measured once for all
the lines tried on it (``_Scan``).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator, Sequence

__all__ = ["ROWS_PER_ALIGN", "TEX_LINE_EM", "break_align"]


# A4 with 2.2 cm margins at 11 pt leaves 470 pt, about 43 em, of text width. Rows are packed
# to less, because the width of the printed math is only estimated.
TEX_LINE_EM = 38.0
FITS = 60                            # characters of LaTeX that cannot reach TEX_LINE_EM
ROWS_PER_ALIGN = 40                  # TeX measures an align* whole: keep each one short

# A token is a command, an escaped character, a run of spaces or a character (_ONE_TOKEN).
# A braced group, or a ``\left..\right`` pair with plain characters as delimiters, is one
# token too if it nests two levels at most and has no \begin or \end (whose partner could
# be outside it): a page repeats the same groups and pairs (``{\partial \hat{y}_{1}}``),
# each is parsed once (``_token_node``), and a formula of such tokens needs no ``_parse``.
_PLAIN = r"(?:[^{}\\]|\\(?!left|right|begin|end)[A-Za-z]++|\\[^A-Za-z])"
_LEFT, _RIGHT = r"\\left(?![A-Za-z])[^\s{}\\]", r"\\right(?![A-Za-z])[^\s{}\\]"
_INNER = rf"(?:{_PLAIN}|\{{{_PLAIN}*+\}}|{_LEFT}{_PLAIN}*+{_RIGHT})*+"      # one level in
_GROUP, _PAIR = rf"\{{{_INNER}\}}", rf"{_LEFT}{_INNER}{_RIGHT}"
_TOKEN = re.compile(rf"{_PAIR}|\\[A-Za-z]+|\\.|{_GROUP}|\s+|.", re.DOTALL)
_ONE_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\s+|.", re.DOTALL)
# Where a token is not what _parse takes: an environment is raw text; \left{ takes { as its
# delimiter, \left\left( takes \left.
_RAW = re.compile(r"\\begin|\\(?:left|right)\s*(?:\{|\\left)")
_RELATIONS = frozenset({"=", "<", ">", r"\leq", r"\geq", r"\neq", r"\approx", r"\le", r"\ge",
                        r"\to", r"\rightarrow"})
_SUMS = frozenset({"+", "-", r"\pm", r"\mp"})
_PRODUCTS = frozenset({r"\cdot", r"\times", r"\odot"})
_NO_OPERAND = _RELATIONS | _SUMS | _PRODUCTS | {"&", "^", "_", ""}
_OPENINGS = frozenset({"{", r"\left", r"\begin"})          # tokens that start a nested node
_SIZE = (1.0, 1.0, 0.7, 0.5)                  # display, text, script, scriptscript style
_EM = {r"\partial": 0.57, r"\cdot": 0.78, r"\times": 0.78, r"\odot": 0.78, r"\quad": 1.0,
       r"\qquad": 2.0, r"\,": 0.17, r"\;": 0.28, r"\!": -0.17, r"\sum": 1.45, r"\log": 1.3,
       r"\exp": 1.5, r"\tanh": 2.0, r"\top": 0.78, r"\Delta": 0.83, r"\nabla": 0.83}
_WORDS = frozenset({r"\operatorname", r"\text", r"\mathrm", r"\mathbf", r"\mathit"})
_COMMANDS = _WORDS | {"^", "_", r"\frac", r"\underbrace"}      # tokens that take an argument


class _Node:
    """A token, a ``{..}`` group, a ``\\left..\\right`` pair or a whole environment.

    A node never changes once made, so it keeps its width (per style, see ``_own_width``)
    and its LaTeX text: line breaking asks for both again for every line it tries.
    Nodes are made by ``_node`` only, which makes equal nodes one and the same.
    """

    __slots__ = ("children", "command", "kind", "latex", "role", "text", "widths")

    def __init__(self, kind: str, text: str = "", children: tuple[_Node, ...] = ()) -> None:
        self.kind = kind               # "atom", "group", "pair", "env", "open" (no operand)
        self.text = text               # a pair's delimiters as "open close"
        self.children = children
        self.widths: dict[int, float] = {}    # style -> width (_own_width)
        self.latex = None if kind in ("group", "pair") else text   # made by _latex
        self.role = _role(kind, text)          # in line breaking (_pieces)
        self.command = kind == "atom" and text in _COMMANDS     # takes an argument (_unit)


@functools.lru_cache(maxsize=16_384)
def _node(kind: str, text: str = "", children: tuple[_Node, ...] = ()) -> _Node:
    """The one node with this content, so that its width is measured once for the page.

    A page repeats the same tokens and groups (``\\frac{\\partial L}{\\partial w}``) in
    formula after formula. Children are compared by identity, which is equality here
    because they too come from ``_node`` (an evicted node is only measured again).
    """
    return _Node(kind, text, children)


def _parse(tokens: Iterator[_Node], stop: str | None = None) -> tuple[_Node, ...]:
    """Nodes from tokens (see ``_tokens``) up to ``stop``; braces, pairs, environments nest."""
    nodes: list[_Node] = []
    for token in tokens:
        text = token.text
        if text == stop:
            break
        if text not in _OPENINGS:
            nodes.append(token)
        elif text == "{":
            nodes.append(_node("group", "", _parse(tokens, "}")))
        elif text == r"\left":
            opening = _delimiter(tokens)
            children = _parse(tokens, r"\right")
            nodes.append(_node("pair", f"{opening} {_delimiter(tokens)}", children))
        else:
            nodes.append(_node("env", _environment(tokens)))
    return tuple(nodes)


def _delimiter(tokens: Iterator[_Node]) -> str:
    """The delimiter after ``\\left`` or ``\\right`` (spaces skipped), "." if none is left."""
    return next((token.text for token in tokens if not token.text.isspace()), ".")


def _environment(tokens: Iterator[_Node]) -> str:
    """The raw text of ``\\begin..\\end{..}`` (its ``\\begin`` already read), kept whole."""
    raw, depth = [r"\begin"], 1
    for token in tokens:
        raw.append(token.text)
        depth += {r"\begin": 1, r"\end": -1}.get(token.text, 0)
        if not depth and token.text == "}":
            break
    return "".join(raw)


@functools.lru_cache(maxsize=8_192)
def _token_node(token: str) -> _Node:
    """The node of one token: an atom, or a whole group or pair (see ``_TOKEN``)."""
    if len(token) > 1 and token[0] == "{":
        return _node("group", "", _nodes(token[1:-1]))
    if token.startswith(r"\left") and not token[1:].isalpha():   # not a command: a pair
        return _node("pair", f"{token[5]} {token[-1]}", _nodes(token[6:-7]))
    return _node("atom", token)


def _token_texts(tex: str) -> list[str]:
    """The formula's tokens; one at a time where a whole group or pair is not (``_RAW``)."""
    return (_ONE_TOKEN if _RAW.search(tex) else _TOKEN).findall(tex)


def _tokens(tex: str) -> Iterator[_Node]:
    """The formula's tokens as nodes, for ``_parse`` to read once, in order."""
    return map(_token_node, _token_texts(tex))


def _nodes(tex: str) -> tuple[_Node, ...]:
    """The formula's nodes; when no token opens a node, they are its tokens' nodes."""
    tokens = _token_texts(tex)
    if _OPENINGS.isdisjoint(tokens):
        return tuple(map(_token_node, tokens))
    return _parse(map(_token_node, tokens))


def _text(nodes: Sequence[_Node]) -> str:
    return "".join([node.latex or _latex(node) for node in nodes])


def _latex(node: _Node) -> str:
    """A node's LaTeX, kept on a group or pair (the page prints every one)."""
    if node.latex is None:
        if node.kind == "group":
            node.latex = "{" + _text(node.children) + "}"
        elif node.kind == "pair":
            opening, closing = node.text.split(" ")
            node.latex = rf"\left{opening}{_text(node.children)}\right{closing}"
    return node.latex


def _argument(nodes: Sequence[_Node], i: int) -> tuple[_Node | None, int]:
    """The argument that starts at or after ``i`` (spaces skipped), and its position."""
    while i < len(nodes) and nodes[i].role == _SPACE:
        i += 1
    return (nodes[i] if i < len(nodes) else None), i


@functools.lru_cache(maxsize=4_096)
def _argument_width(argument: _Node | None, style: int) -> float:
    """A ``{..}`` argument is as wide as its contents; ``x^2`` has a lone node."""
    if argument is None:
        return 0.0
    return _own_width(argument, style) if argument.kind == "group" else \
        _width((argument,), style)


def _argument_text(argument: _Node | None) -> str:
    """An argument's LaTeX without its braces (``\\text{..}`` is as wide as its letters)."""
    if argument is None:
        return ""
    return _text(argument.children) if argument.kind == "group" else _latex(argument)


def _width(nodes: Sequence[_Node], style: int = 0) -> float:
    """Estimated printed width in em."""
    return _running(nodes, style)[1]


def _own_width(node: _Node, style: int) -> float:
    """The width of a node that takes no argument, kept on the node (see ``_Node``).

    A group is as wide as its contents, a pair adds its delimiters.
    """
    width = node.widths.get(style)
    if width is None:
        if node.kind == "group":
            width = _width(node.children, style)
        elif node.kind == "pair":
            width = _width(node.children, style) + 0.9 * _SIZE[style]
        elif node.kind == "env":
            width = _env_width(node.text, style)
        else:
            width = _token_width(node.text, style)
        node.widths[style] = width
    return width


def _running(nodes: Sequence[_Node], style: int) -> tuple[list[float | None], float, float]:
    """The width before each unit, the whole width, and the sum of the negative widths.

    A unit is a node, or a command with its arguments (``_unit``). Before a unit inside
    another's arguments, or before a script set while another one is pending (it stacks
    on it), there is no running width.
    """
    running: list[float | None] = [None] * (len(nodes) + 1)
    i, total, script, negative = 0, 0.0, 0.0, 0.0
    while i < len(nodes):
        node = nodes[i]
        if not node.command:
            width = node.widths.get(style)          # _own_width, inlined: most nodes are here
            end, width, stacks = i + 1, _own_width(node, style) if width is None else width, False
        else:
            end, width, stacks = _unit(nodes, i, style)
        if not (stacks and script):
            running[i] = total
        if not stacks:
            total += width
            script = 0.0
        elif width > script:
            total += width - script
            script = width
        if width < 0:
            negative -= width
        i = end
    if i == len(nodes):                             # not past it: no argument was missing
        running[i] = total
    return running, total, negative


def _unit(nodes: Sequence[_Node], i: int, style: int) -> tuple[int, float, bool]:
    """The command at ``i`` with its arguments: where they end, their width, if a script.

    A fraction is as wide as its wider part, a script shrinks and stacks on the one before.
    """
    text = nodes[i].text
    if text in ("^", "_"):
        argument, i = _argument(nodes, i + 1)
        return i + 1, _argument_width(argument, (2, 2, 3, 3)[style]), True
    size = _SIZE[style]
    if text == r"\frac":
        top, i = _argument(nodes, i + 1)
        bottom, i = _argument(nodes, i + 1)
        inner = (1, 2, 3, 3)[style]
        width = max(_argument_width(top, inner), _argument_width(bottom, inner)) + 0.3 * size
    elif text in _WORDS:
        word, i = _argument(nodes, i + 1)
        width = 0.55 * len(_argument_text(word)) * size
    else:                                   # \underbrace
        body, i = _argument(nodes, i + 1)
        width = _argument_width(body, style)
    return i + 1, width, False


@functools.lru_cache(maxsize=4_096)
def _token_width(text: str, style: int) -> float:
    """The width of a token that takes no argument (memoised: a few tokens recur)."""
    size = _SIZE[style]
    if text in _RELATIONS or text in _SUMS or text in _PRODUCTS:
        return (_EM.get(text, 0.78) + (0.56 if text in _RELATIONS else 0.44)) * size
    if text.startswith("\\"):
        return _EM.get(text, 0.6 if len(text) > 2 else 0.2) * size
    if not text.isspace() and text != "&":
        return (0.52 if text.isalpha() else 0.28 if text in ".,;:'!|" else 0.5) * size
    return 0.0


@functools.lru_cache(maxsize=1_024)
def _env_width(text: str, style: int) -> float:
    """An environment (cases, matrix) is as wide as its widest row, cells a quad apart."""
    body = re.sub(r"\\(begin|end)\{[^}]*\}", "", text).replace("&", r"\quad ")
    return max(_width(_nodes(row), style) for row in body.split(r"\\")) + _SIZE[style]


def _opened(nodes: Sequence[_Node]) -> list[_Node] | None:
    r"""The widest ``\left(..\right)`` as fixed-size ``\biggl(..\biggr)``, so it may break.

    The size is guessed from the content: an environment (cases), a fraction, plain terms.
    """
    pairs = [i for i, node in enumerate(nodes) if node.kind == "pair"]
    if not pairs:
        return None
    i = max(pairs, key=lambda i: (_contents_width(nodes[i]), i)) if pairs[1:] else pairs[0]
    opening, closing = nodes[i].text.split(" ")
    kinds = {child.kind for child in nodes[i].children}
    texts = {child.text for child in nodes[i].children}
    size = (r"\Bigg" if "env" in kinds else
            r"\bigg" if r"\frac" in texts or "pair" in kinds else r"\big")
    return [*nodes[:i], _node("open", rf"{size}l{opening} "), *nodes[i].children,
            _node("atom", rf"{size}r{closing} "), *nodes[i + 1:]]


@functools.lru_cache(maxsize=1_024)
def _contents_width(pair: _Node) -> float:
    """The width of a pair's contents (memoised: a formula too wide is opened line by line)."""
    return _width(pair.children)


_LEVELS = (_RELATIONS, _SUMS, _PRODUCTS)          # where a line may break, in this order


def _lines(nodes: Sequence[_Node], budget: float) -> list[list[_Node]]:
    """Pack a formula into lines of at most ``budget`` em: at relations, sums, products."""
    scan = _Scan(nodes)
    if scan.fits(0, len(nodes), budget):
        return [list(nodes)]
    return _packed(scan, 0, len(nodes), budget)


def _packed(scan: _Scan, start: int, stop: int, budget: float,
            level: int = 0) -> list[list[_Node]]:
    """The lines of ``scan.nodes[start:stop]``, a stretch too wide for ``budget``.

    A line grows by a piece while the joined stretch fits. A line too wide is one piece cut
    at ``_LEVELS[level - 1]``, which has no cut at that level or before it: so it is cut at
    the next level on.
    """
    nodes = scan.nodes
    for cut in range(level, len(_LEVELS)):
        pieces = _pieces(scan.roles, start, stop, cut)
        if len(pieces) > 1:
            break
    else:
        opened = _opened(nodes[start:stop])
        return [list(nodes[start:stop])] if opened is None else _lines(opened, budget)
    lines: list[list[int]] = []                     # first and last node, and if it grew
    for a, b in pieces:
        if lines and scan.fits(lines[-1][0], b, budget):
            lines[-1][1:] = b, True
        else:
            lines.append([a, b, False])
    return [part for a, b, grown in lines for part in
            ([list(nodes[a:b])] if grown or scan.fits(a, b, budget) else
             _packed(scan, a, b, budget, cut + 1))]


class _Scan:
    """A formula measured once for all the lines tried on it (``_running``).

    A stretch from one running width to another adds up the same widths in the same order
    as measuring it alone, so it is as wide as their difference but for rounding; within
    ``slack`` of the budget it is measured alone. Each sum rounds by at most 2^-53 of the
    magnitude per addition, and ``slack`` allows for 2^33 additions (more than a row has
    characters): the magnitude of what the units add is at most ``|total| + 2 * negative``.
    """

    __slots__ = ("nodes", "roles", "running", "slack")

    def __init__(self, nodes: Sequence[_Node]) -> None:
        self.nodes = nodes
        self.roles = [node.role for node in nodes]
        self.running, total, negative = _running(nodes, 0)
        self.slack = 1e-6 * (1.0 + abs(total) + 2.0 * negative)

    def fits(self, start: int, stop: int, budget: float) -> bool:
        """Whether ``_width(nodes[start:stop]) <= budget``."""
        first, last = self.running[start], self.running[stop]
        if first is not None and last is not None and abs(last - first - budget) > self.slack:
            return last - first < budget
        return _width(self.nodes[start:stop]) <= budget


_SPACE, _OPERAND, _NEITHER = 3, 4, 5            # roles besides a separator's level


def _role(kind: str, text: str) -> int:
    """A separator's level (``_LEVELS``), or whether the node is a space or an operand."""
    if kind != "atom":
        return _OPERAND if kind != "open" else _NEITHER
    if text.isspace():
        return _SPACE
    level = next((n for n, separators in enumerate(_LEVELS) if text in separators), None)
    return level if level is not None else _NEITHER if text in _NO_OPERAND else _OPERAND


def _pieces(roles: list[int], start: int, stop: int, level: int) -> list[tuple[int, int]]:
    """The stretch cut before every separator at ``level`` that follows an operand in it.

    The operand is the last node before the separator other than a space, within the
    stretch: so a leading minus stays.
    """
    cuts, separator = [start], start - 1
    while True:
        try:
            separator = roles.index(level, separator + 1, stop)
        except ValueError:
            break
        before = separator - 1
        while before >= start and roles[before] == _SPACE:
            before -= 1
        if before >= start and roles[before] == _OPERAND:
            cuts.append(separator)
    cuts.append(stop)
    return [(a, b) for a, b in itertools.pairwise(cuts) if a < b]


def break_align(rows: Sequence[str], *, width: float = TEX_LINE_EM) -> list[str]:
    r"""Rows of an ``align*``, long ones broken: ``a &= b + c`` -> ``a &= b``, ``&\quad + c``.

    A row aligns at its first top-level ``&``, or else at its first relation. A continuation
    starts at the alignment point, a quad further in unless it starts with a relation.
    Rows too short to overflow, already aligned, are returned as they are (not measured).
    """
    if all(len(row) < FITS and " &" in row and "&" not in row[:row.index(" &")] for row in rows):
        return [row.strip() for row in rows]
    left = max(map(_left_width, rows), default=0.0)
    return [line for row in rows for line in _broken(row, width - left - 1.0)]


@functools.lru_cache(maxsize=512)
def _left_width(row: str) -> float:
    """The width of a row left of its alignment point (memoised, as ``_sides``)."""
    return _width(_sides(row)[0])


@functools.lru_cache(maxsize=512)
def _sides(row: str) -> tuple[tuple[_Node, ...], tuple[_Node, ...]]:
    """A row's nodes left and right of its alignment point (memoised, as ``_broken``).

    The point is the first top-level ``&`` (dropped), or else the first relation (which
    starts the right side); without either the whole row is the right side.
    """
    nodes = _nodes(row)
    texts = [node.text for node in nodes]   # only an atom's text is "&" or a relation
    if "&" in texts:
        cut = texts.index("&")
        return nodes[:cut], nodes[cut + 1:]
    cut = next((i for i, text in enumerate(texts) if text in _RELATIONS), None)
    return ((), nodes) if cut is None else (nodes[:cut], nodes[cut:])


@functools.lru_cache(maxsize=512)
def _broken(row: str, budget: float) -> tuple[str, ...]:
    """A row's lines of LaTeX, its right side broken to ``budget`` em.

    Memoised: a page shows the same factor in several derivations, in the same width.
    """
    lhs, rhs = _sides(row)
    out = []
    for n, line in enumerate(_lines(rhs, budget)):
        text = _text(line).strip()
        if n == 0:
            out.append(f"{_text(lhs).strip()} &{text}" if lhs else f"&{text}")
        else:
            first = next((node.text for node in line if not node.text.isspace()), "")
            out.append(f"&{text}" if first in _RELATIONS else rf"&\quad {text}")
    return tuple(out)
