"""A spec of typed layers (``type: conv2d``, ``rnn``, ``batchnorm``...) over shaped inputs.

Additive to SPEC.md v1.1 (docs/layers.md): a spec whose ``inputs`` is ``{shape: [...]}`` or
whose layers carry ``type:`` is read here into a ``TensorSpec``; the plain ``layers:`` spec
is unchanged. Shapes are checked where they are known: the samples against the input shape
here, every layer's shape and parameters when the graph is built (``derive.tensor``), each
problem a one-line ``SpecError`` at its key's line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import prod
from types import MappingProxyType

from ..errors import SpecErrors
from ..registry import ACTIVATIONS, LOSSES
from .model import LIMIT_HINT, Choice, Limits
from .reader import Reader
from .sections import layer_items, read_title, read_trainable
from .structure import read_regularization
from .tensor_example import MAX_SIZE, TensorExample, read_tensor_example
from .yaml_nodes import MappingNode, Node, ScalarNode, SequenceNode, compose

__all__ = ["LAYER_TYPES", "TensorExample", "TensorLayer", "TensorSpec", "load_tensor"]

TOP_KEYS = ("title", "about", "inputs", "layers", "loss", "reduction", "example", "order",
            "regularization")
# type -> (required keys, optional keys); docs/layers.md says what each means
LAYER_TYPES = MappingProxyType({
    "dense": (("units",), ("activation", "bias")),
    "flatten": ((), ()),
    "conv1d": (("channels", "kernel"), ("stride", "padding", "activation", "bias")),
    "conv2d": (("channels", "kernel"), ("stride", "padding", "activation", "bias")),
    "rnn": (("units",), ("activation", "bias", "return")),
    "batchnorm": ((), ("eps", "activation")),
})


@dataclass(frozen=True, slots=True)
class TensorLayer:
    """One layer as written: its type, its options (key -> value) and its line."""

    type: str
    options: tuple[tuple[str, object], ...]
    key: str                                  # "layers[2]", for error lines

    def get(self, name: str, default: object = None) -> object:
        return dict(self.options).get(name, default)

    @property
    def activation(self) -> Choice:
        found = self.get("activation")
        return found if isinstance(found, Choice) else Choice("linear")


@dataclass(frozen=True, slots=True, kw_only=True)
class TensorSpec:
    """A spec of typed layers (dense, conv, rnn, batch norm), as read."""

    title: str
    about: str = ""
    shape: tuple[int, ...]                    # one sample's input
    layers: tuple[TensorLayer, ...]
    loss: Choice
    reduction: str = "mean"
    example: TensorExample
    l2: float = 0.0           # regularization: {l2: λ} adds (λ/2) Σ w² of trainable weights
    order: int | None = None
    file: str = "<spec>"
    lines: tuple[tuple[str, int], ...] = field(default=(), compare=False)

    def line_of(self, key: str) -> int | None:
        lines = dict(self.lines)
        while key and key not in lines:
            key = key.rpartition(".")[0]
        return lines.get(key)


def is_tensor_spec(root: Node | None) -> bool:
    """A mapping whose ``inputs`` is ``{shape: ...}`` or whose layers carry ``type:``."""
    if not isinstance(root, MappingNode):
        return False
    top = {k.value: v for k, v in root.value if isinstance(k, ScalarNode)}
    inputs, layers = top.get("inputs"), top.get("layers")
    if isinstance(inputs, MappingNode) and any(
            isinstance(k, ScalarNode) and k.value == "shape" for k, _ in inputs.value):
        return True
    return isinstance(layers, SequenceNode) and any(
        isinstance(item, MappingNode) and any(isinstance(k, ScalarNode) and k.value == "type"
                                              for k, _ in item.value) for item in layers.value)


def load_tensor(text: str, file: str, *, default_title: str,
                limits: Limits | None = None) -> TensorSpec | None:
    """The spec as a ``TensorSpec`` when it is one (``is_tensor_spec``); None otherwise."""
    root = compose(text, file)
    if not is_tensor_spec(root):
        return None
    limits = limits or Limits()
    reader = Reader(file)
    top = reader.mapping(root, "", TOP_KEYS, required=("inputs", "layers", "loss", "example"))
    assert top is not None
    shape = _read_shape(reader, top.get("inputs"))
    layers = _read_layers(reader, top.get("layers"), limits)
    loss = reader.choice(top["loss"], "loss", LOSSES) if "loss" in top else None
    reduction = reader.word(top.get("reduction"), "reduction", ("mean", "sum"), "mean")
    title = read_title(reader, top["title"]) if "title" in top else None
    about = reader.text(top["about"], "about") if "about" in top else ""
    example = read_tensor_example(reader, top["example"], shape, limits) \
        if "example" in top and shape is not None else None
    order = reader.integer(top["order"], "order", minimum=0, maximum=1_000_000) \
        if "order" in top else None
    l2 = read_regularization(reader, top["regularization"]) if "regularization" in top else 0.0
    if reader.errors:
        raise SpecErrors(reader.errors)
    assert shape is not None and layers is not None and loss is not None and example
    return TensorSpec(title=title if title is not None else default_title, about=about or "",
                      shape=shape, layers=layers, loss=loss, reduction=reduction,
                      example=example, l2=l2 or 0.0, order=order, file=file,
                      lines=tuple(sorted(reader.lines.items())))


def _read_shape(reader: Reader, node: Node | None) -> tuple[int, ...] | None:
    if node is None:
        return None
    values = reader.mapping(node, "inputs", ("shape",), required=("shape",))
    if not values or "shape" not in values:
        return None
    items = reader.nonempty_sequence(values["shape"], "inputs.shape",
                                     "a list of sizes ([features], [channels, length], "
                                     "[channels, height, width] or [steps, features])",
                                     "1 to 3 sizes")
    if items is None:
        return None
    sizes = [reader.integer(item, f"inputs.shape[{i}]", minimum=1) for i, item in
             enumerate(items)]
    if len(items) > 3:
        reader.fail(values["shape"], "inputs.shape", "1 to 3 sizes", got=f"{len(items)} sizes")
    if None in sizes or len(items) > 3:
        return None
    if prod(sizes) > MAX_SIZE:      # type: ignore[arg-type]
        reader.fail(values["shape"], "inputs.shape", f"at most {MAX_SIZE} inputs per sample",
                    got=f"{prod(sizes)}", hint=LIMIT_HINT)   # type: ignore[arg-type]
        return None
    return tuple(sizes)             # type: ignore[arg-type]


def _read_option(reader: Reader, node: Node, key: str, name: str) -> object:
    """One layer option by its name: sizes are whole numbers, the rest as named."""
    if name == "activation":
        return reader.choice(node, key, ACTIVATIONS)
    if name == "bias":
        return reader.boolean(node, key)
    if name == "return":
        return reader.word(node, key, ("last", "sequence"), "last")
    if name == "eps":
        return reader.number(node, key, positive=True)
    if name == "trainable":
        return read_trainable(reader, node, key)
    least = 0 if name == "padding" else 1
    if name in ("kernel", "stride", "padding") and isinstance(node, SequenceNode) and node.value:
        sizes = tuple(reader.integer(v, f"{key}[{i}]", minimum=least, maximum=MAX_SIZE,
                                     limit_hint=LIMIT_HINT) for i, v in enumerate(node.value))
        return None if None in sizes else sizes         # one per spatial axis: [kh, kw]
    return reader.integer(node, key, minimum=least, maximum=MAX_SIZE, limit_hint=LIMIT_HINT)


def _read_layers(reader: Reader, node: Node | None,
                 limits: Limits) -> tuple[TensorLayer, ...] | None:
    items = layer_items(reader, node, limits)
    if items is None:
        return None
    out: list[TensorLayer | None] = []
    for i, item in enumerate(items):
        key = f"layers[{i}]"
        kind_node = next((v for k, v in item.value if isinstance(k, ScalarNode)
                          and k.value == "type"), None) if isinstance(item, MappingNode) else None
        kind = reader.word(kind_node, f"{key}.type", tuple(LAYER_TYPES), "") \
            if kind_node is not None else "dense"
        if not kind:            # an unknown type: its keys cannot be judged
            out.append(None)
            continue
        required, optional = LAYER_TYPES[kind]
        values = reader.mapping(item, key, ("type", "trainable") + required + optional,
                                required=required)
        if values is None or any(k not in values for k in required):
            out.append(None)
            continue
        options = tuple((name, _read_option(reader, values[name], f"{key}.{name}", name))
                        for name in required + optional + ("trainable",) if name in values)
        out.append(TensorLayer(kind, options, key)
                   if all(v is not None for _, v in options) else None)
    return tuple(out) if all(out) else None     # type: ignore[arg-type]
