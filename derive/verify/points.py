"""Where the gradients are compared, and in which precision: the example's first update
and seeded random points; every parameter, or a seeded sample of them on large networks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..calculus import Derivation, Network
from ..numbers import FLOAT64, MPMATH, Forward, Precision, WorkedExample

__all__ = ["MPMATH_PARAMETERS", "RANDOM_POINTS", "Point", "check_points", "check_precision",
           "compared_parameters"]

MPMATH_PARAMETERS = 60        # up to this many parameters, the check runs in 50 digits
MAX_FINITE_DIFFERENCE = 400   # parameters compared by finite differences; beyond, a seeded sample
MPMATH_LIMIT_EVALUATION = 2_000   # beyond: a smaller finite-difference sample (LARGE_SAMPLE)
LARGE_SAMPLE = 100            # the finite-difference sample beyond MPMATH_LIMIT_EVALUATION
RANDOM_POINTS = 2


@dataclass(frozen=True, slots=True)
class Point:
    """Where the gradients are compared: parameter values and a batch."""

    name: str
    params: tuple
    x: tuple
    y: tuple
    forwards: tuple[Forward, ...] = ()    # each sample's forward pass, made by the check


def check_precision(network: Network) -> Precision:
    """50-digit mpmath for small networks (finite-difference errors near 1e-30), else float64
    (errors near 1e-10): the symbolic values are as precise as the differences they meet."""
    return MPMATH if len(network.parameters) <= MPMATH_PARAMETERS else FLOAT64


def compared_parameters(derivation: Derivation, seed: int) -> tuple[int, ...]:
    """All parameters up to MAX_FINITE_DIFFERENCE, else a seeded sample from every layer."""
    count = len(derivation.network.parameters)
    if count <= MAX_FINITE_DIFFERENCE:
        return tuple(range(count))
    sample = MAX_FINITE_DIFFERENCE if count <= MPMATH_LIMIT_EVALUATION else LARGE_SAMPLE
    rng = random.Random(seed)
    by_layer: dict[int, list[int]] = {}
    for index, g in enumerate(derivation.gradients):
        by_layer.setdefault(g.role.layer, []).append(index)
    share = sample // len(by_layer)
    chosen = [i for indices in by_layer.values()
              for i in rng.sample(indices, min(share, len(indices)))]
    return tuple(sorted(chosen))


def _random_point(network: Network, rng: random.Random, name: str) -> Point:
    """Seeded parameters and sample, as numbers of the check's precision."""
    params = tuple(map(check_precision(network).convert,
                       (rng.uniform(-1, 1) for _ in network.parameters)))
    x = (tuple(rng.uniform(-2, 2) for _ in network.x),)
    y = (network.loss.sample_targets(rng, len(network.y)),)
    return Point(name, params, x, y)


def check_points(derivation: Derivation, worked: WorkedExample | None, seed: int) -> list[Point]:
    """The example's first update (when the spec has one), then RANDOM_POINTS seeded ones."""
    rng = random.Random(seed)
    points = []
    example = derivation.network.spec.example
    if worked is not None and example is not None:
        first = worked.first
        points.append(Point("example", first.parameters,
                            tuple(example.x[n] for n in first.samples),
                            tuple(example.y[n] for n in first.samples)))
    points += [_random_point(derivation.network, rng, f"random point {i + 1} (seed {seed})")
               for i in range(RANDOM_POINTS)]
    return points
