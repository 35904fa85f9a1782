"""YAML text -> a tree of nodes that keep their lines: the only module that imports yaml.

The text is composed (not constructed) with PyYAML's SafeLoader, so no value is built yet
and every node keeps its start mark. Aliases (``W: [&row [1, 1], *row]``) are accepted
while the tree they stand for stays small: at most ``MAX_NODES`` nodes written out and
``MAX_DEPTH`` levels, no alias inside its own anchor (alias bombs end in one line). Explicit
tags (``!!python/...``), deep nesting and line breaks an editor does not show are refused
here; any problem at this level is a one-line ``SpecErrors``. The node classes are
re-exported so that the rest of the package reads nodes without importing yaml.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import SpecError, SpecErrors
from .quoting import shorten

__all__ = ["MAX_DEPTH", "MAX_NODES", "MappingNode", "Node", "ScalarNode", "SequenceNode", "compose",
           "node_line", "dump_spec", "plain_mapping"]

MAX_DEPTH = 20
MAX_NODES = 100_000       # nodes of the tree with every alias written out
_YAML_TAG = "tag:yaml.org,2002:"
_BREAKS = re.compile(r"\r\n|\r|\n")
# YAML 1.1 also breaks lines at NEL, LS and PS, which editors do not show: refused, so that
# every line number means what the user sees.
_HIDDEN_BREAK = re.compile("[\x85\u2028\u2029]")


def node_line(node: Node) -> int:
    """The 1-based line a node starts on (PyYAML's marks are 0-based)."""
    return node.start_mark.line + 1


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses explicit tags and deep nesting while composing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            return super().compose_node(parent, index)     # the anchored node, shared
        tag = getattr(event, "tag", None)
        if tag is not None:
            shown = "!!" + tag[len(_YAML_TAG):] if tag.startswith(_YAML_TAG) else tag
            raise SpecError("(yaml)", "plain values without tags", got_text=shorten(shown),
                            line=event.start_mark.line + 1)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise SpecError("(yaml)", f"at most {MAX_DEPTH} levels of nesting",
                            got_text="deeper nesting", line=self.peek_event().start_mark.line + 1)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _expanded(root: Node) -> None:
    """Refuse a tree whose aliases, written out, make it too large, too deep or endless.

    Sizes are counted once per shared node (a DAG), so the count itself stays linear.
    """
    sizes: dict[int, tuple[int, int]] = {}
    open_nodes: set[int] = set()

    def visit(node: Node) -> tuple[int, int]:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise SpecError("(yaml)", "aliases outside their own anchor",
                            got_text="an alias inside its anchor", line=node_line(node))
        if isinstance(node, ScalarNode):
            return 1, 1
        open_nodes.add(key)
        children = ([n for pair in node.value for n in pair] if isinstance(node, MappingNode)
                    else list(node.value))
        size, depth = 1, 1
        for child in children:
            child_size, child_depth = visit(child)
            size, depth = size + child_size, max(depth, child_depth + 1)
            if size > MAX_NODES:
                raise SpecError("(yaml)", f"at most {MAX_NODES} values with every alias "
                                "written out", got_text=f"more than {MAX_NODES}",
                                line=node_line(node))
            if depth > MAX_DEPTH:
                raise SpecError("(yaml)", f"at most {MAX_DEPTH} levels of nesting",
                                got_text="deeper nesting through an alias", line=node_line(node))
        open_nodes.discard(key)
        sizes[key] = (size, depth)
        return size, depth

    visit(root)


def _line_at(text: str, position: int) -> int:
    """The 1-based line of ``text[position]``, lines ending at \\r\\n, \\r or \\n."""
    return len(_BREAKS.findall(text, 0, position)) + 1


@functools.lru_cache(maxsize=1)
def compose(text: str, file: str) -> Node | None:
    """The document's node tree (None for an empty document).

    The last text's tree is kept: a run asks for it three times (is it a ``graph:`` spec, a
    typed one, a plain one), and no reader changes a node. A refused text is not kept.

    Raises:
        SpecErrors: one line, for a hidden line break or any YAML-level problem.
    """
    hidden = _HIDDEN_BREAK.search(text)
    if hidden:
        raise SpecErrors([SpecError("(yaml)", "text without control characters",
                                    got_text=f"character U+{ord(hidden.group()):04X}", file=file,
                                    line=_line_at(text, hidden.start()))])
    try:
        root = yaml.compose(text, Loader=_Loader)
        if root is not None:
            _expanded(root)
        return root
    except SpecError as exc:
        exc.file = file
        raise SpecErrors([exc]) from None
    except yaml.reader.ReaderError as exc:
        line = _line_at(text, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        error = SpecError("(yaml)", "text without control characters",
                          got_text=f"character U+{code:04X}", file=file, line=line)
        raise SpecErrors([error]) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = str(exc.problem or exc.context or "a syntax error")
        if problem.startswith("but ") and exc.context:     # "expected a single document ..."
            problem = f"{exc.context} {problem}"
        problem = " ".join(problem.split())
        error = SpecError("(yaml)", "valid YAML", got_text=problem, file=file, line=line)
        raise SpecErrors([error]) from exc
    except yaml.YAMLError as exc:
        error = SpecError("(yaml)", "valid YAML", got_text=" ".join(str(exc).split()),
                          file=file, line=1)
        raise SpecErrors([error]) from exc


# A spec as plain data and back: what the exercises read (their own ``exercise:`` section)
# and write (each variant's complete spec). Only text the loader has accepted is read here,
# so the strict composer (bounded aliases, no tags, bounded depth) has already seen it.


def plain_mapping(text: str) -> dict[str, Any]:
    """The accepted spec text as plain dicts, lists, strings and numbers."""
    data = yaml.safe_load(text)
    return data if isinstance(data, dict) else {}


def dump_spec(mapping: dict[str, Any]) -> str:
    """YAML a person reads: keys in the spec's order, short lists on one line."""
    return yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True, width=100,
                          default_flow_style=None)
