"""The v1.1 keys that change the network's structure, read from their nodes: ``bias: shared``,
a layer's ``name`` and ``add`` (a residual), and ``regularization: {l2: λ}``.

Kept apart from ``sections`` so that a layer's own keys stay there and these checks, which
tie layers to one another, stay together.
"""

from __future__ import annotations

from .model import LayerSpec
from .reader import Reader
from .yaml_nodes import Node, ScalarNode

__all__ = ["INPUTS", "check_residuals", "read_bias", "read_regularization"]

INPUTS = "inputs"       # ``add: inputs`` adds the network's inputs


def read_bias(reader: Reader, node: Node, key: str) -> tuple[bool, bool] | None:
    """``true`` / ``false`` / ``shared`` -> (has a bias, shared), or None on a problem."""
    if reader.plain(node) == "shared":         # plain or quoted (a dict spec arrives as JSON)
        return True, True
    text = (reader.plain(node) or "").lower()
    if isinstance(node, ScalarNode) and node.style is None and text in (
            "true", "yes", "on", "false", "no", "off"):
        return reader.boolean(node, key), False     # type: ignore[return-value]
    reader.fail(node, key, "true, false or shared")
    return None


def read_regularization(reader: Reader, node: Node) -> float | None:
    """``{l2: λ}`` with λ >= 0: the weight-decay factor, or None on a problem."""
    values = reader.mapping(node, "regularization", ("l2",), required=("l2",))
    if values is None or "l2" not in values:
        return None
    value = reader.number(values["l2"], "regularization.l2")
    if value is not None and value < 0:
        reader.fail(values["l2"], "regularization.l2", "a number >= 0")
        return None
    return value


def check_residuals(reader: Reader, node: Node, n_inputs: int,
                    layers: tuple[LayerSpec, ...]) -> None:
    """Names unique and not ``inputs``; each ``add`` names an earlier layer (or ``inputs``)
    with as many units as the layer it adds to."""
    items = node.value
    widths: dict[str, int] = {INPUTS: n_inputs}
    for i, layer in enumerate(layers):
        if layer.add:
            where = _value_node(items[i], "add")
            if layer.add not in widths:
                earlier = ", ".join(widths)
                reader.fail(where, f"layers[{i}].add",
                            f"the name of an earlier layer or inputs ({earlier})",
                            got=repr(layer.add))
            elif widths[layer.add] != layer.units:
                reader.fail(where, f"layers[{i}].add",
                            f"{layer.add} with {layer.units} units (as many as this layer)",
                            got=f"{widths[layer.add]} units")
        if layer.name:
            if layer.name in widths:
                what = "a name other than inputs" if layer.name == INPUTS else "a unique name"
                reader.fail(_value_node(items[i], "name"), f"layers[{i}].name", what,
                            got=repr(layer.name))
            widths[layer.name] = layer.units


def _value_node(item: Node, key: str) -> Node:
    """The value node of ``key`` in a layer's mapping (for the problem's line)."""
    return next((v for k, v in item.value if isinstance(k, ScalarNode) and k.value == key), item)
