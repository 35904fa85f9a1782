"""The spec's sections read from their nodes: title, inputs, layers, claims, and the checks
that tie layers to the loss and to the size limits.

Each reader takes the ``Reader`` (which collects the problems), the section's node and the
``Limits``, and returns the section's value, or None when a problem was recorded.
"""

from __future__ import annotations

from types import MappingProxyType

from ..display import is_blank
from ..registry import ACTIVATIONS, LOSSES
from .model import LIMIT_HINT, Choice, Claim, LayerSpec, Limits, count_parameters
from .reader import Reader
from .structure import read_bias
from .yaml_nodes import Node, ScalarNode, node_line

__all__ = ["CLAIM_KEYS", "LAYER_KEYS", "MAX_FORMULA", "check_combinations", "check_size",
           "layer_items", "read_claims", "read_inputs", "read_layers", "read_title",
           "read_trainable"]

LAYER_KEYS = ("units", "activation", "bias", "trainable", "name", "add")
CLAIM_KEYS = ("parameter", "formula", "syntax", "expect", "note")
MAX_FORMULA = 2_000

# A custom activation's formula written on the layer: it belongs to the activation.
_FORMULA_IN_THE_LAYER = MappingProxyType({"formula": (
    "activation", "a formula goes in the activation: activation: {name: NAME, formula: ...}")})


def read_title(reader: Reader, node: Node) -> str | None:
    title = reader.text(node, "title")
    if title is not None and is_blank(title):
        reader.fail(node, "title", "a title with at least one visible character")
        return None
    return title


def read_inputs(reader: Reader, node: Node | None, limits: Limits) -> tuple[str, ...] | None:
    """A count (``inputs: 2`` names them x1, x2) or a list of unique names."""
    if node is None:
        return None
    if isinstance(node, ScalarNode):
        count = reader.integer(node, "inputs", minimum=1, maximum=limits.units,
                               limit_hint=LIMIT_HINT)
        return tuple(f"x{k}" for k in range(1, count + 1)) if count else None
    items = reader.nonempty_sequence(node, "inputs", "a list of input names or a count",
                                     "at least one input")
    if items is None:
        return None
    names = [reader.name(item, f"inputs[{i}]") for i, item in enumerate(items)]
    seen: set[str] = set()
    for i, (item, name) in enumerate(zip(items, names)):
        if name is not None and name in seen:
            reader.fail(item, f"inputs[{i}]", "unique input names", got=repr(name))
        seen.add(name or "")
    if len(items) > limits.units:
        reader.fail(node, "inputs", f"at most {limits.units} inputs",
                    hint=LIMIT_HINT)
    return tuple(n for n in names if n) if all(names) else None


def layer_items(reader: Reader, node: Node | None, limits: Limits) -> list[Node] | None:
    """The ``layers:`` list's item nodes (a plain or a typed-layer spec's), its length checked."""
    if node is None:
        return None
    items = reader.nonempty_sequence(node, "layers", "a list of layers",
                                     "at least one layer (the output layer)")
    if items is not None and len(items) > limits.layers:
        reader.fail(node, "layers", f"at most {limits.layers} layers", hint=LIMIT_HINT)
    return items


def read_layers(reader: Reader, node: Node | None,
                limits: Limits) -> tuple[LayerSpec, ...] | None:
    items = layer_items(reader, node, limits)
    if items is None:
        return None
    layers = []
    for i, item in enumerate(items):
        key = f"layers[{i}]"
        values = reader.mapping(item, key, LAYER_KEYS, required=("units", "activation"),
                                misplaced=_FORMULA_IN_THE_LAYER)
        if values is None or "units" not in values or "activation" not in values:
            layers.append(None)
            continue
        units = reader.integer(values["units"], f"{key}.units", minimum=1,
                               maximum=limits.units, limit_hint=LIMIT_HINT)
        activation = reader.choice(values["activation"], f"{key}.activation", ACTIVATIONS)
        bias = read_bias(reader, values["bias"], f"{key}.bias") if "bias" in values \
            else (True, False)
        trains = read_trainable(reader, values["trainable"], f"{key}.trainable") \
            if "trainable" in values else ("W", "b")
        name = reader.name(values["name"], f"{key}.name") if "name" in values else ""
        add = reader.name(values["add"], f"{key}.add") if "add" in values else ""
        ok = units is not None and activation is not None and bias is not None \
            and trains is not None and name is not None and add is not None
        layers.append(LayerSpec(units, activation, bias[0], trains,  # type: ignore[arg-type,index]
                                shared=bias[1], name=name, add=add)  # type: ignore[index]
                      if ok else None)
    return tuple(layers) if all(layers) else None  # type: ignore[arg-type]


def read_trainable(reader: Reader, node: Node, key: str) -> tuple[str, ...] | None:
    """``true`` (W and b), ``false`` (neither, a frozen layer) or a list of ``W``, ``b``."""
    expected = "true, false or a list of the tensors that train ([W], [b], [W, b])"
    if isinstance(node, ScalarNode):
        trains = reader.boolean(node, key)
        return None if trains is None else (("W", "b") if trains else ())
    items = reader.sequence(node, key, expected)
    names = [reader.plain(item) for item in items or ()]
    if items is None or not all(n in ("W", "b") for n in names) or len(set(names)) != len(names):
        if items is not None:
            reader.fail(node, key, expected)
        return None
    return tuple(n for n in ("W", "b") if n in names)


def check_size(reader: Reader, node: Node, inputs: tuple[str, ...] | None,
               layers: tuple[LayerSpec, ...] | None, limits: Limits) -> None:
    if inputs is None or layers is None:
        return
    count = count_parameters(len(inputs), layers)
    if count > limits.parameters:
        reader.fail(node, "layers", f"at most {limits.parameters} parameters",
                    got=f"{count} parameters", hint=LIMIT_HINT)


def check_combinations(reader: Reader, top: dict[str, Node],
                       layers: tuple[LayerSpec, ...] | None, loss: Choice | None) -> None:
    """softmax only on the output layer; a loss that needs a given output activation gets it."""
    if layers is None:
        return
    items = top["layers"].value
    for i, layer in enumerate(layers[:-1]):
        if layer.activation.of(ACTIVATIONS).vector:
            name = layer.activation.name
            reader.fail(items[i], f"layers[{i}].activation",
                        f"an elementwise activation ({name} only on the output layer)",
                        got=repr(name))
    if loss is None:
        return
    needed = loss.of(LOSSES).requires_output
    output = layers[-1].activation.name
    if needed and output not in needed:
        reader.fail(top["loss"], "loss", f"an output layer with activation {' or '.join(needed)} "
                                         f"for {loss.name}", got=f"{output!r}")


def read_claims(reader: Reader, node: Node, limits: Limits) -> tuple[Claim, ...]:
    """Hand-written results, each ``{parameter, formula}`` at most ``MAX_FORMULA`` long."""
    items = reader.sequence(node, "claims", "a list of {parameter, formula}")
    if items is not None and len(items) > limits.claims:
        reader.fail(node, "claims", f"at most {limits.claims} claims", hint=LIMIT_HINT)
        return ()
    claims = []
    for i, item in enumerate(items or []):
        key = f"claims[{i}]"
        values = reader.mapping(item, key, CLAIM_KEYS, required=("parameter", "formula"))
        if not values or "parameter" not in values or "formula" not in values:
            continue
        parameter = reader.text(values["parameter"], f"{key}.parameter")
        formula = reader.text(values["formula"], f"{key}.formula")
        syntax = reader.word(values.get("syntax"), f"{key}.syntax", ("latex", "sympy"), "latex")
        expect = reader.word(values.get("expect"), f"{key}.expect", ("equal", "different"),
                             "equal")
        note = reader.text(values["note"], f"{key}.note") if "note" in values else ""
        too_long = [name for name, text in (("parameter", parameter), ("formula", formula))
                    if text is not None and len(text) > MAX_FORMULA]
        for name in too_long:
            reader.fail(values[name], f"{key}.{name}", f"at most {MAX_FORMULA} characters",
                        got=f"{len(values[name].value)} characters")
        if too_long:
            continue
        if parameter is not None and formula is not None:
            claims.append(Claim(parameter, formula, node_line(values["formula"]), syntax,
                                expect, note or ""))
    return tuple(claims)
