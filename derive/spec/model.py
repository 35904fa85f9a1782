"""The frozen data a spec becomes: ``Spec`` and its parts, and the ``Limits`` a run keeps
(with ``count_parameters``, the size those limits are checked against).

Plain values only (tuples, numbers, strings): no YAML node and no raw dict reaches a later
stage. Built by ``loader.load``, never from a dict (attrs' named-constructor point).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..registry import DEFAULT_NOTATION, Registry

__all__ = ["LIMIT_HINT", "NAME_RE", "Choice", "Claim", "Example", "LayerInit", "LayerSpec", "Limits", "Spec",
           "count_parameters", "nearest_line"]

LIMIT_HINT = "raise it with --no-limits"
NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")     # a name a spec gives (input, parameter)


def nearest_line(lines: Mapping[str, int], key: str) -> int | None:
    """The line of ``key`` (``exercise.ranges.W``, ``graph.nodes.q``, ``exercise.ask[1]``), or
    of the nearest key above it that has one."""
    while key and key not in lines:
        key = key.rpartition("[" if key.endswith("]") else ".")[0]
    return lines.get(key)


@dataclass(frozen=True, slots=True)
class Choice:
    """A registry name with its options, e.g. ``huber`` with ``(("delta", 0.5),)``.

    A spec's own activation or loss (``{name: swish, formula: ...}``) carries its registry
    entry, made at load time, and its normalised ``formula`` (which equality compares).
    """

    name: str
    options: tuple[tuple[str, float], ...] = ()
    formula: str = ""
    entry: Any = field(default=None, compare=False, repr=False)

    def of(self, registry: Registry) -> Any:
        """The entry this choice names: its own (a formula's), else the registry's."""
        return self.entry if self.entry is not None else registry[self.name]


@dataclass(frozen=True, slots=True)
class LayerSpec:
    """One layer as the spec wrote it."""

    units: int
    activation: Choice
    bias: bool = True
    trainable: tuple[str, ...] = ("W", "b")     # the tensors the worked example updates
    shared: bool = False    # bias: shared -- ONE bias for the whole layer (Mazur's b1, b2)
    name: str = ""          # an identifier other layers' ``add`` may name
    add: str = ""           # residual: a = g(z) + the output of this layer (or ``inputs``)

    @property
    def biases(self) -> int:
        """How many bias parameters the layer has: one per unit, one shared, or none."""
        return (1 if self.shared else self.units) if self.bias else 0


@dataclass(frozen=True, slots=True)
class LayerInit:
    """Initial values of one layer: W is units x fan_in; b is empty without a bias."""

    W: tuple[tuple[float, ...], ...]
    b: tuple[float, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Example:
    """Worked numbers: samples are rows of ``x`` and ``y``."""

    x: tuple[tuple[float, ...], ...]
    y: tuple[tuple[float, ...], ...]
    init: tuple[LayerInit, ...]
    learning_rate: float = 0.1
    steps: int = 1
    mode: str = "batch"
    digits: int = 6           # significant digits of the page's numbers (JSON: full precision)
    optimizer: Choice = Choice("sgd")   # an OPTIMIZERS name with its options


@dataclass(frozen=True, slots=True)
class Claim:
    """A hand-written result to verify: ``parameter`` and ``formula`` as an author writes them."""

    parameter: str
    formula: str
    line: int
    syntax: str = "latex"
    expect: str = "equal"     # "different" marks a known mistake the page shows as such
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Sizes that keep one run bounded (about a minute at most); ``--no-limits`` lifts them.

    ``evaluations`` bounds the worked example: parameters x samples per update x (steps + 1).
    """

    parameters: int = 5_000
    layers: int = 16
    units: int = 1_000
    batch: int = 256
    steps: int = 1_000
    evaluations: int = 200_000
    claims: int = 50
    bytes: int = 1_000_000
    nodes: int = 20_000         # a typed-layer spec's graph: every value of the whole batch


@dataclass(frozen=True, slots=True, kw_only=True)
class Spec:
    """A validated spec; ``lines`` maps key paths to 1-based source lines."""

    title: str
    inputs: tuple[str, ...]
    layers: tuple[LayerSpec, ...]
    about: str = ""
    loss: Choice
    reduction: str = "mean"
    notation: str = DEFAULT_NOTATION
    example: Example | None = None
    claims: tuple[Claim, ...] = ()
    l2: float = 0.0           # regularization: {l2: λ} adds (λ/2) Σ trainable w² to the loss
    order: int | None = None  # the page's place in its course folder (None: after, by name)
    file: str = "<spec>"
    lines: tuple[tuple[str, int], ...] = field(default=(), compare=False)

    def line_of(self, key: str) -> int | None:
        return dict(self.lines).get(key)

    def residual(self, number: int) -> int | None:
        """The layer whose output layer ``number`` (1-based) adds to its a: 0 for the inputs,
        None without ``add`` (the loader has checked that the name exists and comes before)."""
        add = self.layers[number - 1].add
        if not add:
            return None
        names = [layer.name for layer in self.layers[:number - 1]]
        return 0 if add == "inputs" else names.index(add) + 1

    def batch_scale(self, samples: int) -> Fraction:
        """The factor the reduction puts on a sum of ``samples`` per-sample losses: 1/N or 1.

        The one place the reduction is applied; callers convert it to their number type.
        """
        return Fraction(1, samples) if self.reduction == "mean" else Fraction(1)


def count_parameters(n_inputs: int, layers: tuple[LayerSpec, ...]) -> int:
    """Weights and biases of the whole network: sum of units x fan_in (+ units with a bias)."""
    total, fan_in = 0, n_inputs
    for layer in layers:
        total += layer.units * fan_in + layer.biases
        fan_in = layer.units
    return total
