"""Composed nodes -> typed values, every problem collected as FILE:LINE: KEY: expected ...

``Reader`` reads one value at a time as the spec expects it (a mapping with known keys, a
list, a number, a name, a registry choice) and records a ``SpecError`` instead of stopping,
so one pass reports every problem. It also notes the line of each key path for ``Spec.lines``.
Numbers are read from the scalar's text, so YAML 1.1 traps (``1e3`` as a string, ``010`` as
octal) mean what the user wrote.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from ..display import unsafe_character
from ..errors import SpecError
from ..registry import Registry
from .formulas import has_formula, read_formula_choice
from .model import NAME_RE, Choice
from .quoting import MAX_SHOWN, closest, did_you_mean, shorten
from .yaml_nodes import MappingNode, Node, ScalarNode, SequenceNode, node_line

__all__ = ["Reader", "parse_number"]

_NUMBER_RE = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")
_INTEGER_RE = re.compile(r"[-+]?[0-9]+")
_NULLS = frozenset(("~", "null", "Null", "NULL"))   # YAML's plain null, never a text


def parse_number(text: str) -> float | None:
    """Read a decimal number as written (``1e-3``, ``010`` -> 10, ``.5``), in digits 0-9
    only (Python's float would read ``２`` and ``٠.١``)."""
    cleaned = text.replace("_", "")
    if not _NUMBER_RE.fullmatch(cleaned):
        return None
    return float(cleaned)


def _describe(node: Node) -> str:
    """What the user wrote, as an error line's ``got``."""
    if isinstance(node, ScalarNode):
        return shorten(node.value)
    if isinstance(node, SequenceNode):
        return f"a list of {len(node.value)}"
    return "a mapping"


def _number_hint(node: Node, text: str | None) -> str:
    """Why a number the user meant was not read as one: quotes make it text, and only the
    digits 0-9 are read."""
    if isinstance(node, ScalarNode) and node.style is not None and text \
            and parse_number(text) is not None:
        return "write the number without quotes"
    if any(c.isdigit() and not c.isascii() for c in text or ""):
        return "write the digits 0-9"
    return ""


class Reader:
    """Reads typed values out of composed nodes, collecting every problem."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[SpecError] = []
        self.lines: dict[str, int] = {}
        self.formulas: dict[tuple[str, str], tuple[Choice, int]] = {}   # (kind, name): first

    def fail(self, node: Node, key: str, expected: str, got: str | None = None,
             hint: str = "") -> None:
        self.errors.append(SpecError(key, expected, got_text=got or _describe(node),
                                     file=self.file, line=node_line(node), hint=hint))

    def mark(self, node: Node, key: str) -> None:
        self.lines.setdefault(key, node_line(node))

    def mark_tree(self, node: Node, key: str) -> None:
        """The line of every key below ``key`` (``exercise.ranges.W``, ``exercise.ask[1]``), for
        a section another command reads as plain data."""
        self.mark(node, key)
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode):
                    self.mark_tree(value_node, f"{key}.{key_node.value}")
        elif isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                self.mark_tree(item, f"{key}[{i}]")

    def mapping(self, node: Node, key: str, allowed: tuple[str, ...],
                required: tuple[str, ...] = (),
                misplaced: Mapping[str, tuple[str, str]] | None = None) -> dict[str, Node] | None:
        """Return the mapping's value nodes by key; unknown, duplicate and missing keys fail.

        ``misplaced``: keys of another section a newcomer writes here (a layer's ``formula``,
        a top-level ``steps``), each with the key it stands for and where it goes."""
        self.mark(node, key)
        if not isinstance(node, MappingNode):
            self.fail(node, key, "a mapping")
            return None
        out: dict[str, Node] = {}
        guessed: set[str] = set()      # keys a misspelt one stands for: not also "missing"
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.fail(key_node, key or "(spec)", "keys that are names, one of "
                          + ", ".join(sorted(allowed)))
                continue
            name = key_node.value
            path = f"{key}.{name}" if key else name
            if name not in allowed:
                # a key path shows the name only when it is one visible, short word
                shown = name and name.isprintable() and name.split() == [name] \
                    and len(name) <= MAX_SHOWN
                guess = closest(name[:100], allowed)
                stands_for, where = (misplaced or {}).get(name, (guess, ""))
                guessed.add(stands_for or "")
                self.fail(key_node, path if shown else key or "(spec)",
                          "one of " + ", ".join(sorted(allowed)), got=shorten(name),
                          hint=where or (f"did you mean {guess!r}?" if guess else ""))
            elif name in out:
                self.fail(key_node, path, "each key once", got="a duplicate key")
            else:
                out[name] = value_node
                self.mark(value_node, path)
        for name in required:
            if name not in out and name not in guessed:
                self.fail(node, f"{key}.{name}" if key else name, "a value", got="nothing",
                          hint=f"add '{name}:'")
        return out

    def sequence(self, node: Node, key: str, expected: str) -> list[Node] | None:
        if not isinstance(node, SequenceNode):
            self.fail(node, key, expected)
            return None
        return list(node.value)

    def nonempty_sequence(self, node: Node, key: str, expected: str,
                          at_least: str) -> list[Node] | None:
        """A list's item nodes; an empty list fails as expecting ``at_least``."""
        items = self.sequence(node, key, expected)
        if items is not None and not items:
            self.fail(node, key, at_least)
            return None
        return items

    def plain(self, node: Node) -> str | None:
        """A scalar's text without surrounding blanks; None for a list or a mapping."""
        if isinstance(node, ScalarNode):
            return node.value.strip()
        return None

    def number(self, node: Node, key: str, *, positive: bool = False) -> float | None:
        text = self.plain(node)
        value = parse_number(text) if text is not None and node.style is None else None
        if value is None or not math.isfinite(value) or (positive and value <= 0):
            infinite = (value is not None and not math.isfinite(value)) or (
                (text or "").lower().lstrip("+-") in (".inf", ".nan", "inf", "nan", "infinity"))
            expected = "a finite number" if not positive else (
                "a finite number > 0" if infinite else "a number > 0")
            self.fail(node, key, expected, hint=_number_hint(node, text))
            return None
        return value

    def integer(self, node: Node, key: str, *, minimum: int, maximum: int | None = None,
                limit_hint: str = "") -> int | None:
        text = (self.plain(node) or "").replace("_", "")
        if isinstance(node, ScalarNode) and node.style is None and _INTEGER_RE.fullmatch(text):
            value: float | int = int(text)      # exactly: a seed of 2^53 + 1 is not rounded
        else:
            value = parse_number(text) if isinstance(node, ScalarNode) and node.style is None \
                else None
            if value is None or not math.isfinite(value):
                self.fail(node, key, f"a whole number >= {minimum}",
                          hint=_number_hint(node, text))
                return None
        if value != int(value) or value < minimum:
            self.fail(node, key, f"a whole number >= {minimum}")
            return None
        if maximum is not None and value > maximum:
            self.fail(node, key, f"at most {maximum}", hint=limit_hint)
            return None
        return int(value)

    def boolean(self, node: Node, key: str) -> bool | None:
        text = (self.plain(node) or "").lower()
        plain = isinstance(node, ScalarNode) and node.style is None
        if plain and text in ("true", "yes", "on"):
            return True
        if plain and text in ("false", "no", "off"):
            return False
        self.fail(node, key, "true or false")
        return None

    def text(self, node: Node, key: str) -> str | None:
        if not isinstance(node, ScalarNode):
            self.fail(node, key, "text")
            return None
        value = node.value
        if node.style is None and value in _NULLS:
            self.fail(node, key, "text", got="null")
            return None
        if unsafe_character(value):
            self.fail(node, key, "one line of text without control characters",
                      got=repr(value[:40]))
            return None
        return value

    def name(self, node: Node, key: str) -> str | None:
        value = self.plain(node)
        if value is None or not NAME_RE.fullmatch(value):
            self.fail(node, key, "a name of letters, digits and _ starting with a letter "
                                 "(at most 32 characters)")
            return None
        return value

    def word(self, node: Node | None, key: str, choices: tuple[str, ...], default: str) -> str:
        """One of a few fixed words (``mean``/``sum``); ``default`` when absent or wrong."""
        if node is None:
            return default
        value = self.plain(node)
        if value not in choices:
            self.fail(node, key, "one of " + ", ".join(sorted(choices)),
                      hint=did_you_mean(str(value), choices))
            return default
        return value

    def choice(self, node: Node, key: str, registry: Registry) -> Choice | None:
        """A registry name, or ``{name: ..., option: value}``; an activation or a loss may
        also be given by formula (``{name: ..., formula: ...}``, see ``formulas``)."""
        if has_formula(node, registry.kind):
            return read_formula_choice(self, node, key, registry.kind)
        if isinstance(node, MappingNode):
            names = {k.value: v for k, v in node.value if isinstance(k, ScalarNode)}
            entry = self._entry(names.get("name", node), f"{key}.name", registry)
            if entry is None:
                return None
            allowed = ("name",) + tuple(o.name for o in entry.options)
            values = self.mapping(node, key, allowed, required=("name",)) or {}
            options = []
            for option in entry.options:
                value = option.default
                if option.name in values:
                    read = self.number(values[option.name], f"{key}.{option.name}")
                    if read is not None and not option.valid(read):
                        self.fail(values[option.name], f"{key}.{option.name}", option.expected)
                    value = read if read is not None else value
                options.append((option.name, value))
            return Choice(entry.name, tuple(options))
        entry = self._entry(node, key, registry)
        if entry is None:
            return None
        return Choice(entry.name, tuple((o.name, o.default) for o in entry.options))

    def _entry(self, node: Node, key: str, registry: Registry):  # type: ignore[no-untyped-def]
        value = self.plain(node)
        if value is None or value not in registry:
            shown = shorten(value) if value is not None else _describe(node)
            self.fail(node, key, f"one of {', '.join(registry.names())}", got=shown,
                      hint=did_you_mean(value, registry.names(), registry.aliases())
                      if value is not None else "")
            return None
        return registry[value]
