"""A ``graph:`` spec (SPEC.md v1.1): a scalar computational graph instead of ``layers:``.

The loader reads only its frame here (the keys, their lines, the title, plain values);
the nodes' formulas are parsed and checked by ``derive.circuit``, which knows the grammar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import SpecErrors
from .reader import Reader
from .sections import read_title
from .yaml_nodes import MappingNode, Node, ScalarNode, SequenceNode, compose, node_line

__all__ = ["GraphSpec", "is_graph_spec", "load_graph"]

GRAPH_TOP_KEYS = ("title", "about", "graph", "order")


@dataclass(frozen=True, slots=True, kw_only=True)
class GraphSpec:
    """A circuit's spec: its title, the ``graph:`` section as plain values, key -> line."""

    title: str
    about: str
    graph: Any
    file: str
    order: int | None = None  # the page's place in its course folder
    lines: tuple[tuple[str, int], ...] = field(default=(), compare=False)


def is_graph_spec(root: Node | None) -> bool:
    """A mapping with ``graph:`` at its top level."""
    return isinstance(root, MappingNode) and any(
        isinstance(k, ScalarNode) and k.value == "graph" for k, _ in root.value)


def load_graph(text: str, file: str, *, default_title: str) -> GraphSpec | None:
    """The spec as a ``GraphSpec`` when its top level has ``graph:``; None otherwise."""
    root = compose(text, file)
    if not is_graph_spec(root):
        return None
    reader = Reader(file)
    top = reader.mapping(root, "", GRAPH_TOP_KEYS, required=("graph",))
    assert top is not None
    title = read_title(reader, top["title"]) if "title" in top else None
    about = reader.text(top["about"], "about") if "about" in top else ""
    lines: dict[str, int] = {}
    graph = _plain(top["graph"], "graph", lines)
    order = reader.integer(top["order"], "order", minimum=0, maximum=1_000_000) \
        if "order" in top else None
    if reader.errors:
        raise SpecErrors(reader.errors)
    return GraphSpec(title=title if title is not None else default_title, about=about or "",
                     graph=graph, file=file, order=order, lines=tuple(sorted(lines.items())))


def _plain(node: Node, key: str, lines: dict[str, int]) -> Any:
    """Plain values with every key's line recorded (``graph.nodes.q``)."""
    lines.setdefault(key, node_line(node))
    if isinstance(node, MappingNode):
        out = {}
        for k, v in node.value:
            name = str(k.value) if isinstance(k, ScalarNode) else "?"
            lines.setdefault(f"{key}.{name}", node_line(k))
            out[name] = _plain(v, f"{key}.{name}", lines)
        return out
    if isinstance(node, SequenceNode):
        return [_plain(v, f"{key}[{i}]", lines) for i, v in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: Node) -> Any:
    """A number as a number (YAML's int and float), anything else as its text."""
    text = str(node.value)
    if getattr(node, "style", None) is None:
        for kind in (int, float):
            try:
                return kind(text)
            except ValueError:
                pass
    return text
