"""The ``example`` section read from its node: samples, initial values and training steps,
and the checks that tie it to the loss (target range) and to the work limit.

Initial values are explicit per layer, constants ``{W: 1, b: 0}`` (the default) or drawn
from ``{seed, scheme}`` with ``random.Random(seed)``, so a page is the same on every run.
"""

from __future__ import annotations

import random

from ..registry import INIT_SCHEMES, LOSSES, OPTIMIZERS
from .model import LIMIT_HINT, Choice, Example, LayerInit, LayerSpec, Limits
from .reader import Reader
from .yaml_nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["EXAMPLE_KEYS", "check_evaluations", "check_targets", "read_example", "target_problem"]

EXAMPLE_KEYS = ("x", "y", "init", "learning_rate", "steps", "mode", "digits", "optimizer")
Shape = tuple[int, int, int]       # units, fan_in, biases (0, 1 shared, or units) of one layer


def read_example(reader: Reader, node: Node, n_inputs: int,
                 layers: tuple[LayerSpec, ...], limits: Limits) -> Example | None:
    values = reader.mapping(node, "example", EXAMPLE_KEYS, required=("x", "y"))
    if values is None or "x" not in values or "y" not in values:
        return None
    x = _read_samples(reader, values["x"], "example.x", n_inputs, "input", limits)
    y = _read_samples(reader, values["y"], "example.y", layers[-1].units, "output", limits)
    if x is not None and y is not None and len(x) != len(y):
        reader.fail(values["y"], "example.y", f"{len(x)} samples (as many as example.x)",
                    got=f"{len(y)} samples")
    init = _read_init(reader, values.get("init"), n_inputs, layers)
    rate = (reader.number(values["learning_rate"], "example.learning_rate", positive=True)
            if "learning_rate" in values else 0.1)
    steps = (reader.integer(values["steps"], "example.steps", minimum=0, maximum=limits.steps,
                            limit_hint=LIMIT_HINT)
             if "steps" in values else 1)
    mode = reader.word(values.get("mode"), "example.mode", ("batch", "sgd"), "batch")
    digits = (reader.integer(values["digits"], "example.digits", minimum=1, maximum=17)
              if "digits" in values else 6)
    optimizer = (reader.choice(values["optimizer"], "example.optimizer", OPTIMIZERS)
                 if "optimizer" in values else Choice("sgd"))
    if None in (x, y, init, rate, steps, digits, optimizer):
        return None
    return Example(x=x, y=y, init=init, learning_rate=rate, steps=steps,  # type: ignore[arg-type]
                   mode=mode, digits=digits, optimizer=optimizer)  # type: ignore[arg-type]


def check_evaluations(reader: Reader, node: Node, example: Example, parameters: int,
                      limits: Limits) -> None:
    """The worked example's work: parameters x samples per update x (steps + 1)."""
    per_step = len(example.x) if example.mode == "batch" else 1
    work = parameters * per_step * (example.steps + 1)
    if work > limits.evaluations:
        reader.fail(node, "example", f"at most {limits.evaluations} gradient evaluations "
                                     "(parameters x samples per update x (steps + 1))",
                    got=f"{parameters} x {per_step} x {example.steps + 1} = {work}",
                    hint=LIMIT_HINT)


def target_problem(loss_name: str, rows: tuple[tuple[float, ...], ...]) -> tuple[str, str] | None:
    """(expected, got) for the first sample a loss cannot take, or None: in [0, 1] for the
    cross-entropies, summing to 1 for cross_entropy (its derived δ = ŷ − y needs it); a
    loss given by formula (not in ``LOSSES``) takes any targets."""
    if loss_name not in LOSSES:
        return None
    entry = LOSSES[loss_name]
    low, high = entry.target_range
    for row in rows:
        if entry.requires_output and any(v < low or v > high for v in row):
            return f"targets in [{low:g}, {high:g}] for {loss_name}", repr(list(row))
        if entry.targets_sum_to_one and abs(sum(row) - 1) > 1e-9:
            return (f"targets of each sample summing to 1 for {loss_name}",
                    f"{list(row)!r} (sum {sum(row):g})")
    return None


def check_targets(reader: Reader, node: Node, example: Example, loss: Choice) -> None:
    """The example's targets, by ``target_problem``."""
    problem = None if loss.entry is not None else target_problem(loss.name, example.y)
    if problem is not None:
        y_node = next(v for k, v in node.value if isinstance(k, ScalarNode) and k.value == "y")
        reader.fail(y_node, "example.y", problem[0], got=problem[1])


def _read_row(reader: Reader, node: Node, key: str, width: int,
              what: str) -> tuple[float, ...] | None:
    if isinstance(node, ScalarNode) and width == 1:
        value = reader.number(node, key)
        return None if value is None else (value,)
    items = reader.sequence(node, key, f"a list of {width} numbers (one per {what})")
    if items is None:
        return None
    if len(items) != width:
        reader.fail(node, key, f"a list of {width} numbers (one per {what})",
                    got=f"{len(items)} numbers")
        return None
    row = [reader.number(item, f"{key}[{i}]") for i, item in enumerate(items)]
    return tuple(row) if None not in row else None  # type: ignore[arg-type]


def _read_samples(reader: Reader, node: Node, key: str, width: int, what: str,
                  limits: Limits) -> tuple[tuple[float, ...], ...] | None:
    """One sample (a list of numbers) or a batch (a list of such lists)."""
    is_batch = isinstance(node, SequenceNode) and any(
        isinstance(item, SequenceNode) for item in node.value)
    if not is_batch:
        row = _read_row(reader, node, key, width, what)
        return None if row is None else (row,)
    if len(node.value) > limits.batch:
        reader.fail(node, key, f"at most {limits.batch} samples",
                    hint=LIMIT_HINT)
        return None
    rows = [_read_row(reader, item, f"{key}[{n}]", width, what)
            for n, item in enumerate(node.value)]
    return tuple(rows) if None not in rows else None  # type: ignore[arg-type]


def _read_init(reader: Reader, node: Node | None, n_inputs: int,
               layers: tuple[LayerSpec, ...]) -> tuple[LayerInit, ...] | None:
    """Explicit per-layer values, constants ``{W: 1, b: 0}`` or ``{seed: 0, scheme: uniform}``."""
    shapes = _shapes(n_inputs, layers)
    if node is None:
        return tuple(_constant_layer(1.0, 0.0, shape) for shape in shapes)
    if isinstance(node, MappingNode):
        keys = {k.value for k, _ in node.value if isinstance(k, ScalarNode)}
        if keys & {"seed", "scheme"}:
            return _random_init(reader, node, shapes)
        values = reader.mapping(node, "example.init", ("W", "b"))
        if values is None:
            return None
        w = reader.number(values["W"], "example.init.W") if "W" in values else 1.0
        b = reader.number(values["b"], "example.init.b") if "b" in values else 0.0
        if w is None or b is None:
            return None
        return tuple(_constant_layer(w, b, shape) for shape in shapes)
    items = reader.sequence(node, "example.init", "a list with one {W, b} per layer, "
                                                  "{W: 1, b: 0} or {seed: 0, scheme: uniform}")
    if items is None:
        return None
    if len(items) != len(layers):
        reader.fail(node, "example.init", f"{len(layers)} entries (one per layer)",
                    got=f"{len(items)} entries")
        return None
    out = [_read_layer_init(reader, item, f"example.init[{i}]", shape)
           for i, (item, shape) in enumerate(zip(items, shapes))]
    return tuple(out) if None not in out else None  # type: ignore[arg-type]


def _shapes(n_inputs: int, layers: tuple[LayerSpec, ...]) -> list[Shape]:
    fans = [n_inputs] + [layer.units for layer in layers]
    return [(layer.units, fans[i], layer.biases) for i, layer in enumerate(layers)]


def _constant_layer(w: float, b: float, shape: Shape) -> LayerInit:
    units, fan_in, bias = shape
    return LayerInit(tuple((w,) * fan_in for _ in range(units)), (b,) * bias)


def _read_layer_init(reader: Reader, node: Node, key: str, shape: Shape) -> LayerInit | None:
    units, fan_in, bias = shape
    values = reader.mapping(node, key, ("W", "b"), required=("W",))
    if values is None or "W" not in values:
        return None
    w_node = values["W"]
    if isinstance(w_node, ScalarNode):
        c = reader.number(w_node, f"{key}.W")
        weights = None if c is None else tuple((c,) * fan_in for _ in range(units))
    else:
        rows = reader.sequence(w_node, f"{key}.W", f"a {units} x {fan_in} list of lists")
        if rows is not None and len(rows) != units:
            reader.fail(w_node, f"{key}.W", f"{units} rows (units x fan_in = {units} x {fan_in})",
                        got=f"{len(rows)} rows")
            rows = None
        read = [_read_row(reader, r, f"{key}.W[{j}]", fan_in, "input of the layer")
                for j, r in enumerate(rows or [])]
        weights = tuple(read) if rows is not None and None not in read else None  # type: ignore
    biases: tuple[float, ...] | None = (0.0,) * bias
    if "b" in values:
        if not bias:
            reader.fail(values["b"], f"{key}.b", "no b (the layer has bias: false)")
            return None
        b_node = values["b"]
        if isinstance(b_node, ScalarNode) and bias > 1:
            c = reader.number(b_node, f"{key}.b")
            biases = None if c is None else (c,) * bias
        else:
            biases = _read_row(reader, b_node, f"{key}.b", bias,
                               "unit of the layer" if bias == units else "shared bias")
    if weights is None or biases is None:
        return None
    return LayerInit(weights, biases)


def _random_init(reader: Reader, node: Node, shapes: list[Shape]) -> tuple[LayerInit, ...] | None:
    """Draw W then b of each layer, row-major, from ``random.Random(seed)``."""
    values = reader.mapping(node, "example.init", ("seed", "scheme"), required=("seed",))
    if values is None or "seed" not in values:
        return None
    seed = reader.integer(values["seed"], "example.init.seed", minimum=0)
    scheme = (reader.choice(values["scheme"], "example.init.scheme", INIT_SCHEMES)
              if "scheme" in values else Choice("uniform"))
    if seed is None or scheme is None:
        return None
    rng = random.Random(seed)
    draw = INIT_SCHEMES[scheme.name].draw
    out = []
    for units, fan_in, bias in shapes:
        weights = tuple(tuple(draw(rng, fan_in, units) for _ in range(fan_in))
                        for _ in range(units))
        biases = tuple(draw(rng, fan_in, units) for _ in range(bias))
        out.append(LayerInit(weights, biases))
    return tuple(out)
