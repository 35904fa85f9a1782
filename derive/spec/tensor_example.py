"""The ``example`` of a typed-layer spec: samples as nested lists of the input's shape,
initial values (a seed, or per layer ``{name: nested values}``), the optimizer and its steps."""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

from ..registry import OPTIMIZERS
from .model import LIMIT_HINT, Choice, Limits
from .reader import Reader
from .yaml_nodes import MappingNode, Node, SequenceNode

__all__ = ["EXAMPLE_KEYS", "MAX_SIZE", "TensorExample", "read_tensor_example"]

EXAMPLE_KEYS = ("x", "y", "init", "learning_rate", "steps", "digits", "optimizer")
MAX_SIZE = 4_096        # elements of one sample's input (and of any sample's tensor)


@dataclass(frozen=True, slots=True, kw_only=True)
class TensorExample:
    """Samples as flat row-major tuples; ``init``: a seed or, per layer, name -> flat values."""

    x: tuple[tuple[float, ...], ...]
    y: tuple[tuple[float, ...], ...]
    seed: int | None = 0
    init: tuple[tuple[tuple[str, tuple[float, ...]], ...], ...] = ()
    learning_rate: float = 0.1
    steps: int = 1
    digits: int = 6
    optimizer: Choice = Choice("sgd")       # an OPTIMIZERS name with its options


def _flat(reader: Reader, node: Node, key: str) -> tuple[tuple[float, ...], tuple[int, ...]] | None:
    """Nested lists of numbers -> (row-major values, shape); a ragged list fails."""
    if not isinstance(node, SequenceNode):
        value = reader.number(node, key)
        return None if value is None else ((value,), ())
    parts = [_flat(reader, item, f"{key}[{i}]") for i, item in enumerate(node.value)]
    if not parts or None in parts:
        if not parts:
            reader.fail(node, key, "a non-empty list")
        return None
    shapes = {shape for _, shape in parts}      # type: ignore[misc]
    if len(shapes) != 1:
        reader.fail(node, key, "lists of equal shape (a tensor)", got="a ragged list")
        return None
    return (tuple(v for values, _ in parts for v in values),      # type: ignore[misc]
            (len(parts),) + shapes.pop())


def _read_samples(reader: Reader, node: Node, key: str,
                  shape: tuple[int, ...] | None, limits: Limits) -> tuple[tuple[float, ...], ...] | None:
    """A list of samples, each of ``shape`` (a flat list of the right size is taken too)."""
    items = reader.nonempty_sequence(node, key, "a list of samples", "at least one sample")
    if items is None:
        return None
    if len(items) > limits.batch:
        reader.fail(node, key, f"at most {limits.batch} samples", hint=LIMIT_HINT)
        return None
    out = []
    for i, item in enumerate(items):
        read = _flat(reader, item, f"{key}[{i}]")
        if read is None:
            return None
        values, got = read
        if shape is not None and got != shape and (len(values) != prod(shape) or len(got) > 1):
            reader.fail(item, f"{key}[{i}]", f"a sample of shape {list(shape)}",
                        got=f"shape {list(got)}")
            return None
        if len(values) > MAX_SIZE:
            reader.fail(item, f"{key}[{i}]", f"at most {MAX_SIZE} numbers", hint=LIMIT_HINT)
            return None
        out.append(values)
    return tuple(out)


def _read_init(reader: Reader, node: Node) -> tuple[int | None, tuple] | None:
    """``{seed: S}`` or a list with one mapping per layer (``{W: ..., b: ...}``)."""
    if isinstance(node, MappingNode):
        values = reader.mapping(node, "example.init", ("seed",), required=("seed",))
        seed = reader.integer(values["seed"], "example.init.seed", minimum=0) \
            if values and "seed" in values else None
        return None if seed is None else (seed, ())
    items = reader.sequence(node, "example.init", "{seed: S} or a list with one mapping "
                            "per layer ({W: ..., b: ...}; {} for a layer without parameters)")
    if items is None:
        return None
    layers = []
    for i, item in enumerate(items):
        key = f"example.init[{i}]"
        if not isinstance(item, MappingNode):
            reader.fail(item, key, "a mapping of parameter names to values")
            return None
        entries = []
        for k, v in item.value:
            name = reader.name(k, key)
            read = _flat(reader, v, f"{key}.{name}") if name else None
            if read is None:
                return None
            reader.mark(v, f"{key}.{name}")
            entries.append((name, read[0]))
        layers.append(tuple(entries))
    return None, tuple(layers)


def read_tensor_example(reader: Reader, node: Node, shape: tuple[int, ...],
                  limits: Limits) -> TensorExample | None:
    values = reader.mapping(node, "example", EXAMPLE_KEYS, required=("x", "y"))
    if values is None or "x" not in values or "y" not in values:
        return None
    x = _read_samples(reader, values["x"], "example.x", shape, limits)
    y = _read_samples(reader, values["y"], "example.y", None, limits)
    if x is not None and y is not None and len(x) != len(y):
        reader.fail(values["y"], "example.y", f"{len(x)} samples (as many as example.x)",
                    got=f"{len(y)} samples")
        return None
    init = _read_init(reader, values["init"]) if "init" in values else (0, ())
    rate = reader.number(values["learning_rate"], "example.learning_rate", positive=True) \
        if "learning_rate" in values else 0.1
    steps = reader.integer(values["steps"], "example.steps", minimum=0, maximum=limits.steps,
                           limit_hint=LIMIT_HINT) if "steps" in values else 1
    digits = reader.integer(values["digits"], "example.digits", minimum=1, maximum=17) \
        if "digits" in values else 6
    optimizer = reader.choice(values["optimizer"], "example.optimizer", OPTIMIZERS) \
        if "optimizer" in values else Choice("sgd")
    if None in (x, y, init, rate, steps, digits, optimizer):
        return None
    seed, layers = init         # type: ignore[misc]
    return TensorExample(x=x, y=y, seed=seed, init=layers, learning_rate=rate,  # type: ignore[arg-type]
                         steps=steps, digits=digits, optimizer=optimizer)  # type: ignore[arg-type]
