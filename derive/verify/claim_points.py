"""Where a claim is compared with the derived result: points spread over the whole domain.

Points near the origin alone pass a claim that is false only far out (a ReLU(x − 5) added,
a term that matters only for y > 3). So besides the seeded points at scale 1, inputs,
targets (when the loss takes any real target) and parameters are drawn at the example's
magnitude and beyond (×10, ×1000). A point whose numbers leave float range is skipped:
the claim is compared where the network can be evaluated.
"""

from __future__ import annotations

import random

import mpmath

from ..calculus import Derivation
from ..errors import NumericError
from ..numbers import Engine, forward, parameter_env, precise, with_deltas

__all__ = ["FAR_SCALES", "POINTS", "domain_envs"]

POINTS = 4                  # seeded points at scale 1 (the first is the one a message quotes)
FAR_SCALES = (1, 10, 1000)  # times the example's magnitude: each gives two far points


def _magnitude(derivation: Derivation) -> float:
    """The largest |x| or |y| of the spec's example (1 without one)."""
    example = derivation.network.spec.example
    if example is None:
        return 1.0
    values = [abs(float(v)) for rows in (example.x, example.y) for row in rows for v in row]
    return max([1.0, *values])


def _env(derivation: Derivation, rng: random.Random, inputs: float, weights: float,
         engine: Engine) -> dict | None:
    """One seeded point: x within ±2·inputs, parameters within ±weights, targets scaled with
    the inputs when the loss takes any real number; None when it leaves float range."""
    network = derivation.network
    params = tuple(mpmath.mpf(rng.uniform(-weights, weights)) for _ in network.parameters)
    x = tuple(rng.uniform(-2 * inputs, 2 * inputs) for _ in network.x)
    y = network.loss.sample_targets(rng, len(network.y))
    if network.loss.target_range[0] < 0 and not network.loss.targets_sum_to_one:
        y = tuple(v * inputs for v in y)
    try:
        env = forward(network, parameter_env(network, params), x, y, engine=engine).env
        return with_deltas(derivation, env, engine=engine)
    except (NumericError, ArithmeticError):
        return None


@precise
def domain_envs(derivation: Derivation, seed: int, *, engine: Engine,
                near: int = POINTS) -> tuple[list[dict], list[dict]]:
    """(``near`` seeded points at scale 1, the far points): every z, a and δ agrees with the
    forward pass (50 digits). The near points are the same as before far ones existed."""
    rng = random.Random(seed)
    envs = [_env(derivation, rng, 1.0, 1.0, engine) for _ in range(near)]
    magnitude = _magnitude(derivation)
    far = []
    for scale in FAR_SCALES:
        size = magnitude * scale
        far.append(_env(derivation, rng, size, 1.0, engine))    # far inputs and targets
        far.append(_env(derivation, rng, size, size, engine))   # and far weights
    return [e for e in envs if e is not None], [e for e in far if e is not None]
