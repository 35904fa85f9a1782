"""A spec's own activation or loss: ``{name: swish, formula: "z*sigmoid(z)", alpha: 0.5}``.

The formula is parsed by the project's grammar (``registry.grammar``: never evaluated),
over the kind's variables (z; yhat and y) and the parameters declared next to it; its
registry entry is made here, once, and travels on the ``Choice``. A bad formula is one
error naming the column in the formula.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..registry import (FORMULA_FUNCTIONS, Formula, FormulaError, formula_activation,
                        formula_loss, parse_formula)
from ..registry.formulas import VARIABLES, reserved_names
from .model import NAME_RE, Choice
from .yaml_nodes import MappingNode, Node, ScalarNode, node_line

if TYPE_CHECKING:
    from .reader import Reader

__all__ = ["MAX_LENGTH", "has_formula", "read_formula_choice"]

# SymPy's sums grow quadratically with distinct terms (2000 sin(k z) terms: 10 s); an
# activation or loss is a line, as a claim is (sections.MAX_FORMULA).
MAX_LENGTH = 2_000
_ENTRIES: MappingProxyType[str, Callable[..., Any]] = MappingProxyType(
    {"activation": formula_activation, "loss": formula_loss})


def has_formula(node: Node, kind: str) -> bool:
    """Whether ``node`` is a ``{name, formula, ...}`` mapping of a kind that takes formulas."""
    return kind in _ENTRIES and isinstance(node, MappingNode) and any(
        isinstance(k, ScalarNode) and k.value == "formula" for k, _ in node.value)


def read_formula_choice(reader: Reader, node: MappingNode, key: str, kind: str) -> Choice | None:
    """The ``Choice`` of a custom ``kind`` (activation or loss), its entry made from the formula."""
    keys = {k.value: k for k, _ in node.value if isinstance(k, ScalarNode)}
    values = reader.mapping(node, key, tuple(dict.fromkeys(("name", "formula", *keys))),
                            required=("name", "formula"))
    if not values or "name" not in values or "formula" not in values:
        return None
    name = reader.name(values["name"], f"{key}.name")
    if name is not None and name in reserved_names(kind):
        reader.fail(values["name"], f"{key}.name", f"a name of your own (not a built-in {kind} "
                    "nor a function of the formula grammar)", got=repr(name))
        name = None
    parameters = _parameters(reader, values, keys, key, VARIABLES[kind])
    declared = tuple(k for k in values if k not in ("name", "formula"))
    formula = _formula(reader, values["formula"], f"{key}.formula", (*VARIABLES[kind], *declared))
    if name is None or parameters is None or formula is None:
        return None
    return _one_entry(reader, node, key, kind, Choice(name, parameters, formula.text), formula)


def _one_entry(reader: Reader, node: Node, key: str, kind: str, choice: Choice,
               formula: Formula) -> Choice | None:
    """One entry per name in a spec: a second use of ``swish`` shares the first's entry, and
    must be the same function (two different ones would print alike)."""
    first = reader.formulas.get((kind, choice.name))
    if first is None:
        made = replace(choice, entry=_ENTRIES[kind](choice.name, formula, choice.options))
        reader.formulas[kind, choice.name] = (made, node_line(node))
        return made
    if first[0] != choice:
        reader.fail(node, key, f"the same formula and parameters as the {kind} {choice.name} "
                    f"at line {first[1]} (or another name)", got=f"'{choice.formula}'")
        return None
    return first[0]


def _parameters(reader: Reader, values: dict[str, Node], keys: dict[str, ScalarNode], key: str,
                variables: tuple[str, ...]) -> tuple[tuple[str, float], ...] | None:
    """The declared parameters (every key but name and formula), each a name and a number."""
    out: list[tuple[str, float]] = []
    ok = True
    for option, value_node in values.items():
        if option in ("name", "formula"):
            continue
        if option in variables or option in FORMULA_FUNCTIONS or not NAME_RE.fullmatch(option):
            reader.fail(keys[option], f"{key}.{option}" if NAME_RE.fullmatch(option) else key,
                        f"a parameter name (letters, digits, _) other than "
                        f"{', '.join(variables)} and the grammar's functions", got=repr(option))
            ok = False
            continue
        number = reader.number(value_node, f"{key}.{option}")
        ok = ok and number is not None
        out.append((option, number or 0.0))
    return tuple(out) if ok else None


def _formula(reader: Reader, node: Node, key: str, names: tuple[str, ...]) -> Formula | None:
    """The parsed formula over ``names``, or None with its one error (the column) recorded."""
    if not isinstance(node, ScalarNode):
        reader.fail(node, key, f"a formula (text) in {', '.join(names)}")
        return None
    if len(node.value) > MAX_LENGTH:
        reader.fail(node, key, f"at most {MAX_LENGTH} characters",
                    got=f"{len(node.value)} characters")
        return None
    try:
        return parse_formula(node.value, key, file=reader.file, line=node_line(node),
                             functions=FORMULA_FUNCTIONS, variables=names)
    except FormulaError as exc:
        reader.errors.append(exc)
        return None
