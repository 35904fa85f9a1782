"""Where a claim is compared with the derived result: points spread over the whole domain.

Points near the origin alone pass a claim that is false only far out (a ReLU(x − 5) added,
a term that matters only for y > 3). So besides the seeded points at scale 1, inputs,
targets (when the loss takes any real target) and parameters are drawn at the example's
magnitude and beyond (×10, ×1000), each point mirrored. A point whose numbers leave float
range is skipped: the claim is compared where the network can be evaluated.
"""

from __future__ import annotations

import math
import random

import mpmath

from ..calculus import Derivation
from ..errors import NumericError
from ..numbers import Engine, forward, parameter_env, precise, with_deltas

__all__ = ["FAR_SCALES", "POINTS", "domain_envs"]

POINTS = 4                  # seeded points at scale 1 (the first is the one a message quotes)
FAR_SCALES = (10, 1000)     # times the example's magnitude: four far points each


def _magnitude(derivation: Derivation) -> float:
    """The largest |x| or |y| of the spec's example (1 without one)."""
    example = derivation.network.spec.example
    if example is None:
        return 1.0
    values = [abs(float(v)) for rows in (example.x, example.y) for row in rows for v in row]
    return max([1.0, *values])


def _far(rng: random.Random, count: int, size: float) -> list[float]:
    """``count`` values of magnitude between size and 2·size, of random signs."""
    return [rng.choice((-1, 1)) * rng.uniform(size, 2 * size) for _ in range(count)]


def _env(derivation: Derivation, params: list, x: list, y: list, engine: Engine,
         strict: bool = False) -> dict | None:
    """The point's forward pass and δs; None when it leaves float range (the error itself
    when ``strict``)."""
    network = derivation.network
    if not all(map(math.isfinite, (*params, *x, *y))):
        return None       # a far point beyond float range (an example with x = 1e308)
    try:
        env = forward(network, parameter_env(network, tuple(map(mpmath.mpf, params))), x, y,
                      engine=engine).env
        return with_deltas(derivation, env, engine=engine)
    except (NumericError, ArithmeticError):
        if strict:
            raise
        return None


def _near(derivation: Derivation, rng: random.Random, engine: Engine,
          strict: bool) -> dict | None:
    """A seeded point at scale 1: parameters within ±1, x within ±2, targets the loss's."""
    network = derivation.network
    params = [rng.uniform(-1, 1) for _ in network.parameters]
    x = [rng.uniform(-2, 2) for _ in network.x]
    return _env(derivation, params, x, list(network.loss.sample_targets(rng, len(network.y))),
                engine, strict)


def _far_points(derivation: Derivation, rng: random.Random, size: float,
                engine: Engine) -> list[dict | None]:
    """Inputs (and targets, when the loss takes any real number) of magnitude size..2·size,
    with parameters near 1 and then of the same magnitude; each point also mirrored (every
    sign flipped), so that a claim false only beyond x₁ > k, for any k < size, is met."""
    network = derivation.network
    real_targets = network.loss.target_range[0] < 0 and not network.loss.targets_sum_to_one
    out = []
    for weights in (None, size):
        params = (_far(rng, len(network.parameters), weights) if weights
                  else [rng.uniform(-1, 1) for _ in network.parameters])
        x = _far(rng, len(network.x), size)
        y = (_far(rng, len(network.y), size) if real_targets
             else list(network.loss.sample_targets(rng, len(network.y))))
        for sign in (1, -1):
            out.append(_env(derivation, [sign * p for p in params] if weights else params,
                            [sign * v for v in x], [sign * v for v in y] if real_targets else y,
                            engine))
    return out


@precise
def domain_envs(derivation: Derivation, seed: int, *, engine: Engine,
                near: int = POINTS) -> tuple[list[dict], list[dict]]:
    """(``near`` seeded points at scale 1, the far points): every z, a and δ agrees with the
    forward pass (50 digits). The first near point must exist: its error (a network no point
    can evaluate) is the run's."""
    rng = random.Random(seed)
    envs = [_near(derivation, rng, engine, strict=i == 0) for i in range(near)]
    magnitude = _magnitude(derivation)
    far = [env for scale in FAR_SCALES for env in _far_points(derivation, rng, magnitude * scale,
                                                              engine)]
    return [e for e in envs if e is not None], [e for e in far if e is not None]
