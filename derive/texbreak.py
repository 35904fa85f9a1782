r"""LaTeX display rows -> rows broken to the text width (pure string layout, no TeX run).

A small parser turns a formula into nodes (groups, ``\left..\right`` pairs,
environments), estimates printed widths in em, and breaks a long ``align*`` row at
relations, then at ``+``/``-``, then at products, keeping the alignment point.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["break_align", "TEX_LINE_EM", "ROWS_PER_ALIGN"]


# A4 with 2.2 cm margins at 11 pt leaves 470 pt, about 43 em, of text width. Rows are packed
# to less, because the width of the printed math is only estimated.
TEX_LINE_EM = 38.0
FITS = 60                            # characters of LaTeX that cannot reach TEX_LINE_EM
ROWS_PER_ALIGN = 40                  # TeX measures an align* whole: keep each one short

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\s+|.", re.S)
_RELATIONS = frozenset({"=", "<", ">", r"\leq", r"\geq", r"\neq", r"\approx", r"\le", r"\ge",
                        r"\to", r"\rightarrow"})
_SUMS = frozenset({"+", "-", r"\pm", r"\mp"})
_PRODUCTS = frozenset({r"\cdot", r"\times", r"\odot"})
_NO_OPERAND = _RELATIONS | _SUMS | _PRODUCTS | {"&", "^", "_", ""}
_SIZE = (1.0, 1.0, 0.7, 0.5)                  # display, text, script, scriptscript style
_EM = {r"\partial": 0.57, r"\cdot": 0.78, r"\times": 0.78, r"\odot": 0.78, r"\quad": 1.0,
       r"\qquad": 2.0, r"\,": 0.17, r"\;": 0.28, r"\!": -0.17, r"\sum": 1.45, r"\log": 1.3,
       r"\exp": 1.5, r"\tanh": 2.0, r"\top": 0.78, r"\Delta": 0.83, r"\nabla": 0.83}
_WORDS = frozenset({r"\operatorname", r"\text", r"\mathrm", r"\mathbf", r"\mathit"})


@dataclass(frozen=True, slots=True)
class _Node:
    """A token, a ``{..}`` group, a ``\\left..\\right`` pair or a whole environment."""

    kind: str                          # "atom", "group", "pair", "env", "open" (no operand)
    text: str = ""                     # a pair's delimiters as "open close"
    children: tuple[_Node, ...] = ()


def _parse(tokens: list[str], stop: str = "") -> tuple[_Node, ...]:
    """Nodes from tokens (consumed from the end of the reversed list) up to ``stop``."""
    nodes: list[_Node] = []
    while tokens:
        token = tokens.pop()
        if token == stop:
            break
        if token == "{":
            nodes.append(_Node("group", children=_parse(tokens, "}")))
        elif token == r"\left":
            opening = _delimiter(tokens)
            children = _parse(tokens, r"\right")
            nodes.append(_Node("pair", f"{opening} {_delimiter(tokens)}", children))
        elif token == r"\begin":
            raw, depth = [token], 1
            while tokens and (depth or raw[-1] != "}"):
                raw.append(tokens.pop())
                depth += {r"\begin": 1, r"\end": -1}.get(raw[-1], 0)
            nodes.append(_Node("env", "".join(raw)))
        else:
            nodes.append(_Node("atom", token))
    return tuple(nodes)


def _delimiter(tokens: list[str]) -> str:
    while tokens and tokens[-1].isspace():
        tokens.pop()
    return tokens.pop() if tokens else "."


def _tokens(tex: str) -> list[str]:
    return _TOKEN.findall(tex)[::-1]


def _text(nodes: Sequence[_Node]) -> str:
    out = []
    for node in nodes:
        if node.kind == "group":
            out.append("{" + _text(node.children) + "}")
        elif node.kind == "pair":
            opening, closing = node.text.split(" ")
            out.append(rf"\left{opening}{_text(node.children)}\right{closing}")
        else:
            out.append(node.text)
    return "".join(out)


def _argument(nodes: Sequence[_Node], i: int) -> tuple[Sequence[_Node], int]:
    """The argument that starts at or after ``i`` (spaces skipped), and its position."""
    while i < len(nodes) and nodes[i].kind == "atom" and nodes[i].text.isspace():
        i += 1
    if i >= len(nodes):
        return (), i
    return (nodes[i].children if nodes[i].kind == "group" else (nodes[i],)), i


def _width(nodes: Sequence[_Node], style: int = 0) -> float:
    """Estimated printed width in em (memoised: line breaking measures the same pieces often)."""
    return _width_of(tuple(nodes), style)


@functools.lru_cache(maxsize=50_000)
def _width_of(nodes: tuple[_Node, ...], style: int) -> float:
    """Estimated printed width in em: a fraction is as wide as its wider part, scripts shrink."""
    size, smaller = _SIZE[style], (2, 2, 3, 3)[style]
    total, script, i = 0.0, 0.0, 0
    while i < len(nodes):
        node, text, width = nodes[i], nodes[i].text, 0.0
        if node.kind == "group":
            width = _width(node.children, style)
        elif node.kind == "pair":
            width = _width(node.children, style) + 0.9 * size
        elif node.kind == "env":
            body = re.sub(r"\\(begin|end)\{[^}]*\}", "", text).replace("&", r"\quad ")
            width = max(_width(_parse(_tokens(row)), style) for row in body.split(r"\\")) + size
        elif text in ("^", "_"):
            argument, i = _argument(nodes, i + 1)
            width = _width(argument, smaller)
            total += max(0.0, width - script)     # a sub- and superscript stack
            script, i = max(script, width), i + 1
            continue
        elif text == r"\frac":
            top, i = _argument(nodes, i + 1)
            bottom, i = _argument(nodes, i + 1)
            inner = (1, 2, 3, 3)[style]
            width = max(_width(top, inner), _width(bottom, inner)) + 0.3 * size
        elif text in _WORDS:
            word, i = _argument(nodes, i + 1)
            width = 0.55 * len(_text(word)) * size
        elif text == r"\underbrace":
            body, i = _argument(nodes, i + 1)
            width = _width(body, style)
        elif text in _RELATIONS or text in _SUMS or text in _PRODUCTS:
            width = (_EM.get(text, 0.78) + (0.56 if text in _RELATIONS else 0.44)) * size
        elif text.startswith("\\"):
            width = _EM.get(text, 0.6 if len(text) > 2 else 0.2) * size
        elif not text.isspace() and text != "&":
            width = (0.52 if text.isalpha() else 0.28 if text in ".,;:'!|" else 0.5) * size
        total += width
        script = 0.0
        i += 1
    return total


def _split(nodes: Sequence[_Node], separators: frozenset[str]) -> list[list[_Node]]:
    """Cut before every separator that follows an operand (so a leading minus stays)."""
    pieces: list[list[_Node]] = [[]]
    previous = ""
    for node in nodes:
        if node.kind == "atom" and node.text in separators and previous not in _NO_OPERAND:
            pieces.append([])
        pieces[-1].append(node)
        if node.kind == "open":
            previous = ""
        elif not (node.kind == "atom" and node.text.isspace()):
            previous = node.text if node.kind == "atom" else "operand"
    return [piece for piece in pieces if piece]


def _opened(nodes: Sequence[_Node]) -> list[_Node] | None:
    r"""The widest ``\left(..\right)`` as fixed-size ``\biggl(..\biggr)``, so it may break.

    The size is guessed from the content: an environment (cases), a fraction, plain terms.
    """
    pairs = [(_width(node.children), i) for i, node in enumerate(nodes) if node.kind == "pair"]
    if not pairs:
        return None
    _, i = max(pairs)
    opening, closing = nodes[i].text.split(" ")
    children = nodes[i].children
    size = (r"\Bigg" if any(n.kind == "env" for n in children) else
            r"\bigg" if any(n.text == r"\frac" or n.kind == "pair" for n in children) else r"\big")
    return [*nodes[:i], _Node("open", rf"{size}l{opening} "), *nodes[i].children,
            _Node("atom", rf"{size}r{closing} "), *nodes[i + 1:]]


def _lines(nodes: Sequence[_Node], budget: float) -> list[list[_Node]]:
    """Pack a formula into lines of at most ``budget`` em: at relations, sums, products."""
    if _width(nodes) <= budget:
        return [list(nodes)]
    for separators in (_RELATIONS, _SUMS, _PRODUCTS):
        pieces = _split(nodes, separators)
        if len(pieces) > 1:
            break
    else:
        opened = _opened(nodes)
        return [list(nodes)] if opened is None else _lines(opened, budget)
    lines: list[list[_Node]] = [[]]
    for piece in pieces:
        if lines[-1] and _width(lines[-1] + piece) > budget:
            lines.append([])
        lines[-1].extend(piece)
    return [part for line in lines for part in _lines(line, budget)]


def break_align(rows: Sequence[str], *, width: float = TEX_LINE_EM) -> list[str]:
    r"""Rows of an ``align*``, long ones broken: ``a &= b + c`` -> ``a &= b``, ``&\quad + c``.

    A row aligns at its first top-level ``&``, or else at its first relation. A continuation
    starts at the alignment point, a quad further in unless it starts with a relation.
    Rows too short to overflow, already aligned, are returned as they are (not measured).
    """
    if all(len(row) < FITS and " &" in row and "&" not in row[:row.index(" &")] for row in rows):
        return [row.strip() for row in rows]
    sides = []
    for row in rows:
        nodes = list(_parse(_tokens(row)))
        cut = next((i for i, n in enumerate(nodes) if n.kind == "atom" and n.text == "&"), None)
        if cut is None:
            cut = next((i for i, n in enumerate(nodes) if n.text in _RELATIONS), None)
            if cut is not None:
                nodes.insert(cut, _Node("atom", "&"))
        sides.append(([], nodes) if cut is None else (nodes[:cut], nodes[cut + 1:]))
    left = max((_width(lhs) for lhs, _ in sides), default=0.0)
    out = []
    for lhs, rhs in sides:
        for n, line in enumerate(_lines(rhs, width - left - 1.0)):
            text = _text(line).strip()
            first = next((node.text for node in line if not node.text.isspace()), "")
            if n == 0:
                out.append(f"{_text(lhs).strip()} &{text}" if lhs else f"&{text}")
            else:
                out.append(f"&{text}" if first in _RELATIONS else rf"&\quad {text}")
    return out
