"""``TensorSpec`` -> ``Model``: the batch's graph, layer by layer, and the example's numbers.

The loss is the project's: each sample's loss Lₙ sums the loss entry's term ℓ(ŷ, y) over
every output value, and L = (1/N) Σₙ Lₙ (``reduction: mean``) or Σₙ Lₙ (``sum``).
Initial values are the spec's, or drawn from ``random.Random(seed)`` uniform in
[−0.5, 0.5] and rounded to 2 decimals (so a page's numbers can be copied by hand), layer by
layer and tensor by tensor in row-major order; a layer type's own default (batch norm's
γ = 1, β = 0, as PyTorch) is kept unless the spec gives values.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from math import prod

import sympy as sp

from ..errors import SpecError
from ..registry import LOSSES
from ..spec import LIMIT_HINT, Limits
from ..spec.tensor import TensorLayer, TensorSpec
from .graph import Builder, Graph, Tensor
from .layers import LAYERS, Site

__all__ = ["LayerRecord", "Model", "build_model", "check_size"]


@dataclass(frozen=True, slots=True)
class LayerRecord:
    """One built layer: its spec, what it read, what it gave and the tensors it made."""

    number: int
    spec: TensorLayer
    input: Tensor
    output: Tensor
    made: tuple[Tensor, ...]

    @property
    def parameters(self) -> tuple[Tensor, ...]:
        return tuple(t for t in self.made if t.kind == "parameter")

    def trains(self, tensor: Tensor) -> bool:
        """Whether the example updates ``tensor`` (``trainable: false | [W] | [b]``)."""
        kept = self.spec.get("trainable")
        base = tensor.name[:-len(str(self.number))]
        return kept is None or set(kept) == {"W", "b"} or base in kept     # type: ignore[arg-type]

    @property
    def decayed(self) -> tuple[Tensor, ...]:
        """The weights weight decay penalizes: trainable ``W`` (and ``U``), no bias."""
        return tuple(t for t in self.parameters if t.name[0] in "WU" and self.trains(t))


@dataclass(frozen=True, slots=True)
class Model:
    spec: TensorSpec
    graph: Graph
    x: Tensor
    y: Tensor
    output: Tensor
    sample_losses: Tensor
    layers: tuple[LayerRecord, ...]
    data: tuple[tuple[sp.Symbol, float], ...]          # x and y of the example
    initial: tuple[tuple[sp.Symbol, float], ...]       # every parameter's first value

    def values(self) -> dict[sp.Symbol, float]:
        """The example's leaves: data and initial parameters."""
        return dict(self.data + self.initial)


def _loss(builder: Builder, spec: TensorSpec, yhat: Tensor, y: Tensor,
          decayed: tuple[Tensor, ...]) -> tuple[Tensor, sp.Symbol]:
    """Each sample's loss, then 𝓛 = the reduction of them (+ (λ/2) Σ w² with weight decay)."""
    entry, options = spec.loss.of(LOSSES), dict(spec.loss.options)
    size = prod(yhat.sample_shape)
    per = builder.values("L", "L", (), lambda i: sp.Add(*(
        entry.form(p, t, **options) for p, t in zip(yhat.sample(i[0]), y.sample(i[0])))),
        kind="loss")
    assert size
    scale = sp.Rational(1, builder.samples) if spec.reduction == "mean" else sp.Integer(1)
    decay = sp.Float(spec.l2) / 2 * sp.Add(*(w ** 2 for t in decayed for w in t.symbols)) \
        if spec.l2 else sp.Integer(0)
    total = builder.values("L", r"\mathcal{L}", (),
                           lambda i: scale * sp.Add(*per.symbols) + decay,
                           batched=False, kind="loss")
    return per, total.symbols[0]


def _initial(spec: TensorSpec, layers: tuple[LayerRecord, ...]) -> dict[sp.Symbol, float]:
    example, rng = spec.example, random.Random(spec.example.seed or 0)
    given = dict(enumerate(example.init))
    if example.seed is None and len(example.init) != len(layers):
        raise SpecError("example.init", f"one mapping per layer ({len(layers)})",
                        got_text=f"{len(example.init)}", file=spec.file,
                        line=spec.line_of("example.init"))
    values: dict[sp.Symbol, float] = {}
    for record in layers:
        mine = dict(given.get(record.number - 1, ()))
        names = {t.name[:-len(str(record.number))]: t for t in record.parameters}
        for name in mine:
            if name not in names:
                key = f"example.init[{record.number - 1}].{name}"
                raise SpecError(key, "one of " + (", ".join(names) or "no parameters"),
                                got_text=repr(name), file=spec.file, line=spec.line_of(key))
        for base, tensor in names.items():
            if base in mine:
                key = f"example.init[{record.number - 1}].{base}"
                if len(mine[base]) != len(tensor.symbols):
                    raise SpecError(key, f"{len(tensor.symbols)} values (shape "
                                         f"{list(tensor.shape)})",
                                    got_text=f"{len(mine[base])}", file=spec.file,
                                    line=spec.line_of(key))
                drawn = mine[base]
            else:
                default = dict(LAYERS[record.spec.type].defaults).get(base)
                drawn = tuple(default if default is not None else
                              round(rng.uniform(-0.5, 0.5), 2) for _ in tensor.symbols)
            values.update(zip(tensor.symbols, drawn))
    return values


def build_model(spec: TensorSpec) -> Model:
    """The graph of the whole batch, with the example's data and initial values."""
    samples = len(spec.example.x)
    builder = Builder(samples)
    x = builder.leaf("x", "x", spec.shape, "input")
    a, records = x, []
    for number, layer in enumerate(spec.layers, start=1):
        builder.layer, before = number, len(builder.tensors)
        previous = spec.layers[number - 2].type if number > 1 else ""
        out = LAYERS[layer.type].build(builder, Site(spec, layer, previous), a)
        builder.outputs.append(out)
        records.append(LayerRecord(number, layer, a, out, tuple(builder.tensors[before:])))
        a = out
    builder.layer = 0
    size = prod(a.sample_shape)
    for n, row in enumerate(spec.example.y):
        if len(row) != size:
            key = f"example.y[{n}]"
            raise SpecError(key, f"{size} targets (the output's shape {list(a.sample_shape)})",
                            got_text=f"{len(row)}", file=spec.file, line=spec.line_of(key))
    y = builder.leaf("y", "y", a.sample_shape, "target")
    per, loss = _loss(builder, spec, a, y, tuple(t for r in records for t in r.decayed))
    data = tuple(zip(x.symbols, (v for row in spec.example.x for v in row))) + tuple(
        zip(y.symbols, (v for row in spec.example.y for v in row)))
    layers = tuple(records)
    return Model(spec, builder.graph(loss), x, y, a, per, layers, data,
                 tuple(_initial(spec, layers).items()))


def check_size(model: Model, limits: Limits) -> None:
    """The run's work stays bounded: the graph's nodes, the parameters, and the finite
    differences' work (two forward passes of the graph per parameter and point)."""
    spec = model.spec
    nodes = len(model.graph.definitions)
    params = sum(len(t.symbols) for t in model.graph.parameters)
    for over, expected, got in (
            (nodes > limits.nodes, f"at most {limits.nodes} values in the batch's graph",
             f"{nodes}"),
            (params > limits.parameters, f"at most {limits.parameters} parameters", f"{params}"),
            (params * nodes > 10 * limits.evaluations,
             f"parameters x values at most {10 * limits.evaluations}",
             f"{params} x {nodes} = {params * nodes}")):
        if over:
            raise SpecError("layers", expected, got_text=got, file=spec.file,
                            line=spec.line_of("layers"), hint=LIMIT_HINT)
