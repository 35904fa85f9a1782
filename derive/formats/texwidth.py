"""Estimated printed widths of LaTeX nodes, in em (no TeX run): a node keeps its own width,
and a command is measured with its arguments.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from .texnodes import (
    _EM, _PRODUCTS, _RELATIONS, _SIZE, _SUMS, _WORDS, _Node, _argument, _latex, _node, _nodes,
    _text)

__all__ = ["printed_width", "_opened", "_running", "_width"]


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


def printed_width(tex: str) -> float:
    """The estimated printed width of a formula in em, in display style."""
    return _width(_nodes(tex))
