r"""LaTeX text -> nodes: tokens, braced groups, ``\left..\right`` pairs and environments,
each with its role in line breaking. Equal nodes are shared (``_node``): a page repeats the
same groups, and each is parsed once.
"""

from __future__ import annotations

import functools
import re
from types import MappingProxyType
from collections.abc import Iterator, Sequence

__all__ = ["FITS", "ROWS_PER_ALIGN", "TEX_LINE_EM", "_EM", "_LEVELS", "_Node", "_OPERAND",
           "_PRODUCTS", "_RELATIONS", "_SIZE", "_SPACE", "_SUMS", "_WORDS", "_argument", "_latex", "_node",
           "_nodes", "_text"]


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
_EM = MappingProxyType({r"\partial": 0.57, r"\cdot": 0.78, r"\times": 0.78, r"\odot": 0.78, r"\quad": 1.0,
       r"\qquad": 2.0, r"\,": 0.17, r"\;": 0.28, r"\!": -0.17, r"\sum": 1.45, r"\log": 1.3,
       r"\exp": 1.5, r"\tanh": 2.0, r"\top": 0.78, r"\Delta": 0.83, r"\nabla": 0.83})
_WORDS = frozenset({r"\operatorname", r"\text", r"\mathrm", r"\mathbf", r"\mathit"})
_COMMANDS = _WORDS | {"^", "_", r"\frac", r"\underbrace"}      # tokens that take an argument


_LEVELS = (_RELATIONS, _SUMS, _PRODUCTS)          # where a line may break, in this order


_SPACE, _OPERAND, _NEITHER = 3, 4, 5            # roles besides a separator's level


def _role(kind: str, text: str) -> int:
    """A separator's level (``_LEVELS``), or whether the node is a space or an operand."""
    if kind != "atom":
        return _OPERAND if kind != "open" else _NEITHER
    if text.isspace():
        return _SPACE
    level = next((n for n, separators in enumerate(_LEVELS) if text in separators), None)
    return level if level is not None else _NEITHER if text in _NO_OPERAND else _OPERAND


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


