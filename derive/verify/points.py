"""Where the gradients are compared, and in which precision: the example's first update
and seeded random points; every parameter, or a seeded sample of them on large networks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import sympy as sp

from ..calculus import Derivation, Network
from ..numbers import FLOAT64, MPMATH, Forward, Precision, WorkedExample
from ..registry import ActivationFunction

__all__ = ["KINKS", "MPMATH_PARAMETERS", "RANDOM_POINTS", "SMOOTH", "Point", "check_points",
           "check_precision", "compared_parameters", "has_kinks"]

MPMATH_PARAMETERS = 60        # up to this many parameters, the check runs in 50 digits
MAX_FINITE_DIFFERENCE = 400   # parameters compared by finite differences; beyond, a seeded sample
MPMATH_LIMIT_EVALUATION = 2_000   # beyond: a smaller finite-difference sample (LARGE_SAMPLE)
LARGE_SAMPLE = 100            # the finite-difference sample beyond MPMATH_LIMIT_EVALUATION
RANDOM_POINTS = 2
SMOOTH = 100        # parameters above which a network without kinks gets one random point
KINKS = (sp.Piecewise, sp.Heaviside, sp.Abs, sp.sign, sp.Max, sp.Min)   # what a kink is made of


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


def has_kinks(network: Network) -> bool:
    """Whether a function of the network is piecewise (ReLU, |·|, Huber, a formula's Max…)."""
    nodes = [*(e for layer in network.layers for e in layer.a_expr), network.loss_expr]
    functions = {(f.func, f.args[1:]) for e in nodes for f in e.atoms(ActivationFunction)}
    return any(e.has(*KINKS) for e in nodes) or any(
        f(sp.Symbol("u"), *options).elementary().has(*KINKS) for f, options in functions)


def check_points(derivation: Derivation, worked: WorkedExample | None, seed: int) -> list[Point]:
    """The example's first update (when the spec has one), then RANDOM_POINTS seeded ones.

    Beside the example, one random point on a network of more than SMOOTH parameters without
    a kink: a wrong analytic gradient agrees with the differences only on a set of measure
    zero, which a random point misses with probability 1 (the page audit's rule, and most of
    a third of the check at 151 parameters). A kink keeps the second point, a second chance
    to meet each piece.
    """
    rng = random.Random(seed)
    points = []
    network = derivation.network
    example = network.spec.example
    if worked is not None and example is not None:
        first = worked.first
        points.append(Point("example", first.parameters,
                            tuple(example.x[n] for n in first.samples),
                            tuple(example.y[n] for n in first.samples)))
    count = 1 if points and len(network.parameters) > SMOOTH and not has_kinks(network) \
        else RANDOM_POINTS
    points += [_random_point(network, rng, f"random point {i + 1} (seed {seed})")
               for i in range(count)]
    return points
