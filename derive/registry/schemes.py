"""The init schemes a spec may name: reproducible random initial weights and biases."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from .table import Option, Registry

__all__ = ["InitScheme", "INIT_SCHEMES"]


@dataclass(frozen=True, slots=True, kw_only=True)
class InitScheme:
    """Reproducible random initial values: ``draw(rng, fan_in, fan_out)`` gives one number."""

    name: str
    formula: str
    draw: Callable[[random.Random, int, int], float]
    options: tuple[Option, ...] = ()


def _uniform(rng: random.Random, fan_in: int, fan_out: int) -> float:
    return rng.uniform(-1.0, 1.0)


def _xavier_uniform(rng: random.Random, fan_in: int, fan_out: int) -> float:
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit)


INIT_SCHEMES: Registry[InitScheme] = Registry("init scheme", (
    InitScheme(name="uniform", formula="U(-1, 1)", draw=_uniform),
    InitScheme(name="xavier_uniform", formula="U(-r, r), r = sqrt(6 / (fan_in + fan_out))",
               draw=_xavier_uniform),
))
