"""A scalar computational graph read from a spec's ``graph:`` mapping, and its forward pass.

The mapping is plain data (``{"inputs": {name: number}, "nodes": {name: formula}, "output":
name}``); every problem is a one-line ``SpecError`` at the line of its key, looked up in the
``lines`` the loader collected (``graph.nodes.q``, falling back to ``graph.nodes``, ``graph``).
Values are exact SymPy numbers while they stay rational, else 30-digit floats.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import sympy as sp

from ..errors import NumericError, SpecError
from ..registry.functions import sigmoid, softplus
from ..spec.model import NAME_RE, nearest_line
from ..spec.quoting import described, shorten
from .grammar import FUNCTIONS, Formula, parse_formula

__all__ = ["Circuit", "Node", "number_value"]

_DIGITS = 30  # working precision of a value that is not rational


@dataclass(frozen=True)
class Node:
    """One quantity: a leaf (``formula`` None) or a formula of earlier quantities."""

    name: str
    formula: Formula | None
    parents: tuple[str, ...]   # distinct names the formula uses, in first-use order

    @property
    def symbol(self) -> sp.Symbol:
        return sp.Symbol(self.name, real=True)


def number_value(expr: sp.Expr) -> sp.Expr:
    """A constant expression's value: exact while rational, else a 30-digit float (sigmoid
    and softplus through their definitions, which SymPy's evalf knows)."""
    if expr.is_Rational:
        return expr
    expr = expr.replace(softplus, lambda z: sp.log(1 + sp.exp(z)))
    return expr.replace(sigmoid, lambda z: 1 / (1 + sp.exp(-z))).evalf(_DIGITS)


def _number(value: object) -> sp.Expr | None:
    """A spec number as an exact SymPy number (a float through its shortest decimal)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not (abs(value) < float("inf")):
        return None
    return sp.Integer(value) if isinstance(value, int) else sp.Rational(repr(value))


@dataclass(frozen=True)
class _Where:
    """The file and key lines errors point at."""

    file: str
    lines: Mapping[str, int]

    def line(self, key: str) -> int | None:
        return nearest_line(self.lines, key)

    def error(self, key: str, expected: str, got_text: str, hint: str = "") -> SpecError:
        return SpecError(key, expected, got_text=got_text, file=self.file, line=self.line(key),
                         hint=hint)


@dataclass(frozen=True)
class Circuit:
    """The graph in forward order (inputs first), its output and the inputs' values."""

    file: str
    nodes: tuple[Node, ...]
    inputs: Mapping[str, sp.Expr] = field(compare=False)
    output: str
    lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}), compare=False)

    @classmethod
    def from_mapping(cls, mapping: object, file: str = "<spec>",
                     lines: Mapping[str, int] | None = None) -> Circuit:
        """Validate ``mapping`` (the value of ``graph:``) and build the circuit."""
        where = _Where(file, lines or {})
        graph = _section(where, mapping, "graph", ("inputs", "nodes", "output"))
        inputs = _section(where, graph["inputs"], "graph.inputs", ())
        formulas = _section(where, graph["nodes"], "graph.nodes", ())
        if not formulas:
            raise where.error("graph.nodes", "at least one node", "none")
        values, nodes, known = {}, [], set()
        for group, entries in (("inputs", inputs), ("nodes", formulas)):
            for name, entry in entries.items():
                key = f"graph.{group}.{name}"
                _check_name(where, key, name, known)
                if group == "inputs":
                    if (value := _number(entry)) is None:
                        raise where.error(key, "a finite number", described(entry))
                    values[name] = value
                    nodes.append(Node(name, None, ()))
                else:
                    nodes.append(_node(where, key, name, entry, known, formulas))
                known.add(name)
        output = graph["output"]
        if output not in known:
            raise where.error("graph.output", "the name of an input or a node",
                              repr(output), hint=f"defined: {', '.join(sorted(known))}")
        return cls(file, tuple(nodes), MappingProxyType(values), output,
                   MappingProxyType(dict(lines or {})))

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    def forward(self, fixed: Mapping[str, sp.Expr] | None = None) -> dict[str, sp.Expr]:
        """Every quantity's value; a name in ``fixed`` takes that value instead (its formula
        is not used), which is how a finite difference nudges one node."""
        fixed = fixed or {}
        values: dict[str, sp.Expr] = {}
        for node in self.nodes:
            if node.name in fixed:
                value = sp.sympify(fixed[node.name])
            elif node.formula is None:
                value = self.inputs[node.name]
            else:
                value = node.formula.expr.subs({sp.Symbol(p, real=True): values[p]
                                                for p in node.parents})
                value = number_value(value)
            if not (value.is_real and value.is_finite):
                key = f"graph.nodes.{node.name}"
                raise NumericError(key, "a finite real value", got_text=str(value),
                                   file=self.file, line=_Where(self.file, self.lines).line(key))
            values[node.name] = value
        return values


def _section(where: _Where, value: object, key: str, required: tuple[str, ...]) -> dict:
    if not isinstance(value, Mapping):
        raise where.error(key, "a mapping", described(value))
    missing = [k for k in required if k not in value]
    extra = [k for k in value if required and k not in required]
    if missing or extra:
        said = [f"no {k!r}" for k in missing] + [f"an unknown key {shorten(k)}" for k in extra]
        raise where.error(key, f"exactly the keys {', '.join(required)}", ", ".join(said))
    return dict(value)


def _check_name(where: _Where, key: str, name: object, known: set[str]) -> None:
    """A node's name as SPEC.md says (``[A-Za-z][A-Za-z0-9_]*``, at most 32 characters), and
    one that the JSON's expressions can hold: ``sympy.parse_expr`` cannot read a Python
    keyword (lambda, if, None) as a name, ``partial`` is the JSON's ∂, and names with ``__``
    are the page's own (``q__local__x``, a wire's local derivative)."""
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise where.error(key, "a name of letters, digits and _ starting with a letter (at "
                          "most 32 characters)", repr(name))
    if name in FUNCTIONS:
        raise where.error(key, "a name that is not a function", repr(name))
    if keyword.iskeyword(name) or name == "partial" or "__" in name:
        raise where.error(key, "a name that is not a Python keyword, not partial and "
                          "without __ (the JSON's expressions use them)", repr(name))
    if name in known:
        raise where.error(key, "each name defined once", f"a second {name!r}")


def _node(where: _Where, key: str, name: str, text: object, known: set[str],
          every: Mapping[str, object]) -> Node:
    formula = parse_formula(text, key, file=where.file, line=where.line(key))
    for used, column in formula.names:
        if used in known:
            continue
        why = ("used in its own formula: the graph must have no cycle" if used == name
               else "defined later: the graph must have no cycle" if used in every
               else "not defined")
        raise where.error(key, "names defined above", f"{used!r} at column {column} ({why})")
    parents = tuple(dict.fromkeys(used for used, _ in formula.names))
    return Node(name, formula, parents)
