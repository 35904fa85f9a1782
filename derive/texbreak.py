r"""LaTeX display rows -> rows broken to the text width (pure string layout, no TeX run).

A small parser turns a formula into nodes (groups, ``\left..\right`` pairs,
environments), estimates printed widths in em, and breaks a long ``align*`` row at
relations, then at ``+``/``-``, then at products, keeping the alignment point.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator, Sequence

__all__ = ["break_align", "TEX_LINE_EM", "ROWS_PER_ALIGN"]


# A4 with 2.2 cm margins at 11 pt leaves 470 pt, about 43 em, of text width. Rows are packed
# to less, because the width of the printed math is only estimated.
TEX_LINE_EM = 38.0
FITS = 60                            # characters of LaTeX that cannot reach TEX_LINE_EM
ROWS_PER_ALIGN = 40                  # TeX measures an align* whole: keep each one short

# A token is a command, an escaped character, a run of spaces or a character (_ONE_TOKEN).
# A braced group with at most one level of braces inside, and no \left, \right, \begin or
# \end (whose partner could be outside it), is one token too: a page repeats the same small
# groups (``{\partial \hat{y}_{1}}``), and each is parsed once (``_token_node``).
_PLAIN = r"(?:[^{}\\]|\\(?!left|right|begin|end)[A-Za-z]++|\\[^A-Za-z])"
_GROUP = rf"\{{(?:{_PLAIN}|\{{{_PLAIN}*+\}})*+\}}"
_TOKEN = re.compile(rf"\\[A-Za-z]+|\\.|{_GROUP}|\s+|.", re.DOTALL)
_ONE_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\s+|.", re.DOTALL)
_RAW = re.compile(r"\\begin|\\(?:left|right)\s*\{")   # a brace _parse takes as raw text
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

    __slots__ = ("children", "kind", "latex", "text", "widths")

    def __init__(self, kind: str, text: str = "", children: tuple[_Node, ...] = ()) -> None:
        self.kind = kind               # "atom", "group", "pair", "env", "open" (no operand)
        self.text = text               # a pair's delimiters as "open close"
        self.children = children
        self.widths: dict[int, float] = {}    # style -> width (_own_width)
        self.latex: str | None = None         # a group's or pair's text (_latex)


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
    """The node of one token: an atom, or a whole braced group (see ``_TOKEN``)."""
    if len(token) > 1 and token[0] == "{":
        return _node("group", "", _parse(_tokens(token[1:-1])))
    return _node("atom", token)


def _tokens(tex: str) -> Iterator[_Node]:
    """The formula's tokens as nodes, for ``_parse`` to read once, in order.

    Where a brace is not a group's (an environment is raw text up to the first ``}`` after
    its ``\\end``; ``\\left{`` takes ``{`` as its delimiter), the formula is read a token
    at a time.
    """
    pattern = _ONE_TOKEN if _RAW.search(tex) else _TOKEN
    return map(_token_node, pattern.findall(tex))


def _text(nodes: Sequence[_Node]) -> str:
    return "".join(_latex(node) for node in nodes)


def _latex(node: _Node) -> str:
    """A node's LaTeX, kept on a group or pair (the page prints every one)."""
    if node.latex is None:
        if node.kind == "group":
            node.latex = "{" + _text(node.children) + "}"
        elif node.kind == "pair":
            opening, closing = node.text.split(" ")
            node.latex = rf"\left{opening}{_text(node.children)}\right{closing}"
        else:
            node.latex = node.text
    return node.latex


def _argument(nodes: Sequence[_Node], i: int) -> tuple[_Node | None, int]:
    """The argument that starts at or after ``i`` (spaces skipped), and its position."""
    while i < len(nodes) and nodes[i].kind == "atom" and nodes[i].text.isspace():
        i += 1
    return (nodes[i] if i < len(nodes) else None), i


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
    return _measure(nodes, style)[0]


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


# What _measure has added up: the width so far, the width of the scripts just set (the next
# script stacks on them), and whether the run is closed (see _measure).
_Run = tuple[float, float, bool]


def _measure(nodes: Sequence[_Node], style: int, total: float = 0.0,
             script: float = 0.0) -> _Run:
    """Estimated printed width in em: a fraction is as wide as its wider part, scripts shrink.

    The nodes are measured as if appended to a run of nodes whose ``_measure`` returned
    ``total`` and ``script``, so a line grows by measuring only what is added. The run is
    *closed* unless a command at its end looked for an argument past the last node: then
    nodes appended later would be that argument, and the run must be measured again.
    """
    size, smaller = _SIZE[style], (2, 2, 3, 3)[style]
    i = 0
    while i < len(nodes):
        node, text = nodes[i], nodes[i].text
        if node.kind != "atom" or text not in _COMMANDS:
            width = node.widths.get(style)          # _own_width, inlined: most nodes are here
            total += _own_width(node, style) if width is None else width
            script = 0.0
            i += 1
            continue
        if text in ("^", "_"):
            argument, i = _argument(nodes, i + 1)
            width = _argument_width(argument, smaller)
            if width > script:                    # a sub- and superscript stack
                total += width - script
                script = width
            i += 1
            continue
        elif text == r"\frac":
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
        total += width
        script = 0.0
        i += 1
    return total, script, i == len(nodes)     # past the end: an argument was missing


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
    return max(_width(_parse(_tokens(row)), style) for row in body.split(r"\\")) + _SIZE[style]


def _split(nodes: Sequence[_Node], separators: frozenset[str]) -> list[list[_Node]]:
    """Cut before every separator that follows an operand (so a leading minus stays)."""
    cuts = [0]
    operand = False                 # whether the last node other than a space is an operand
    for i, node in enumerate(nodes):
        if node.kind != "atom":
            operand = node.kind != "open"
        elif not node.text.isspace():
            if operand and node.text in separators:
                cuts.append(i)
            operand = node.text not in _NO_OPERAND
    cuts.append(len(nodes))
    return [list(nodes[start:end]) for start, end in itertools.pairwise(cuts) if start < end]


def _opened(nodes: Sequence[_Node]) -> list[_Node] | None:
    r"""The widest ``\left(..\right)`` as fixed-size ``\biggl(..\biggr)``, so it may break.

    The size is guessed from the content: an environment (cases), a fraction, plain terms.
    """
    pairs = [(_contents_width(node), i) for i, node in enumerate(nodes) if node.kind == "pair"]
    if not pairs:
        return None
    _, i = max(pairs)
    opening, closing = nodes[i].text.split(" ")
    children = nodes[i].children
    size = (r"\Bigg" if any(n.kind == "env" for n in children) else
            r"\bigg" if any(n.text == r"\frac" or n.kind == "pair" for n in children) else r"\big")
    return [*nodes[:i], _node("open", rf"{size}l{opening} "), *nodes[i].children,
            _node("atom", rf"{size}r{closing} "), *nodes[i + 1:]]


@functools.lru_cache(maxsize=1_024)
def _contents_width(pair: _Node) -> float:
    """The width of a pair's contents (memoised: a formula too wide is opened line by line)."""
    return _width(pair.children)


_LEVELS = (_RELATIONS, _SUMS, _PRODUCTS)          # where a line may break, in this order


def _lines(nodes: Sequence[_Node], budget: float, width: float | None = None,
           level: int = 0) -> list[list[_Node]]:
    """Pack a formula into lines of at most ``budget`` em: at relations, sums, products.

    ``width`` is the formula's, if already measured: packing measures every line it makes.
    A line too wide is one piece cut at ``_LEVELS[level - 1]``, which has no cut at that
    level or before it: so it is cut at the next level on.
    """
    if (_width(nodes) if width is None else width) <= budget:
        return [list(nodes)]
    for cut in range(level, len(_LEVELS)):
        pieces = _split(nodes, _LEVELS[cut])
        if len(pieces) > 1:
            break
    else:
        opened = _opened(nodes)
        return [list(nodes)] if opened is None else _lines(opened, budget)
    lines: list[tuple[list[_Node], _Run]] = []          # each line with its measure
    for piece in pieces:
        if lines:
            line, run = lines[-1]
            grown = _grown(line, run, piece)
            if grown[0] <= budget:
                line.extend(piece)
                lines[-1] = line, grown
                continue
        lines.append((list(piece), _measure(piece, 0)))
    return [part for line, run in lines for part in _lines(line, budget, run[0], cut + 1)]


def _grown(line: list[_Node], run: _Run, piece: list[_Node]) -> _Run:
    """The measure of ``line + piece`` from the line's ``run``, walking only the piece.

    Exactly what measuring the joined list gives, sums in the same order included, unless
    a command at the line's end is still missing an argument: then it is measured whole.
    """
    total, script, closed = run
    return _measure(piece, 0, total, script) if closed else _measure(line + piece, 0)


def break_align(rows: Sequence[str], *, width: float = TEX_LINE_EM) -> list[str]:
    r"""Rows of an ``align*``, long ones broken: ``a &= b + c`` -> ``a &= b``, ``&\quad + c``.

    A row aligns at its first top-level ``&``, or else at its first relation. A continuation
    starts at the alignment point, a quad further in unless it starts with a relation.
    Rows too short to overflow, already aligned, are returned as they are (not measured).
    """
    if all(len(row) < FITS and " &" in row and "&" not in row[:row.index(" &")] for row in rows):
        return [row.strip() for row in rows]
    left = max((_width(_sides(row)[0]) for row in rows), default=0.0)
    return [line for row in rows for line in _broken(row, width - left - 1.0)]


@functools.lru_cache(maxsize=512)
def _sides(row: str) -> tuple[tuple[_Node, ...], tuple[_Node, ...]]:
    """A row's nodes left and right of its alignment point (memoised, as ``_broken``).

    The point is the first top-level ``&`` (dropped), or else the first relation (which
    starts the right side); without either the whole row is the right side.
    """
    nodes = _parse(_tokens(row))
    cut = next((i for i, n in enumerate(nodes) if n.kind == "atom" and n.text == "&"), None)
    if cut is not None:
        return nodes[:cut], nodes[cut + 1:]
    cut = next((i for i, n in enumerate(nodes) if n.text in _RELATIONS), None)
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
        first = next((node.text for node in line if not node.text.isspace()), "")
        if n == 0:
            out.append(f"{_text(lhs).strip()} &{text}" if lhs else f"&{text}")
        else:
            out.append(f"&{text}" if first in _RELATIONS else rf"&\quad {text}")
    return tuple(out)
