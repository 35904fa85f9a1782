"""A variant: the spec's example with seeded numbers drawn from the exercise's ranges, kept
only when its answers meet the conditions (no dead ReLU, nothing that rounds to 0, nothing
huge). The same seed gives the same variants, byte for byte."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ..document.quantities import elementary
from ..document.sheet import Task, task
from ..errors import DeriveError, SpecError
from ..formats.page import Page
from ..numbers.worked import trained, work_example
from ..pipeline import Options, Result, run_text
from ..spec import Spec, load
from ..verify.points import KINKS
from .settings import Exercise

__all__ = ["EXACT_ZERO", "Variant", "draw_variant", "variant_seed", "variant_task", "DRAWS"]

DRAWS = 200           # draws per variant before giving up on the conditions
EXACT_ZERO = 1e-30    # below: a gradient that is 0 for every draw (a softmax layer's shared
                      # bias, Σ(ŷ − y) = 0), a fair answer; only one that rounds to 0 is redrawn


@dataclass(frozen=True, slots=True)
class Variant:
    """Variant ``number`` (1-based): its seed, its spec as plain data, its results and the
    task its sheets state (the network and its training, audited)."""

    number: int
    seed: int
    mapping: dict[str, Any]
    result: Result
    task: Task


def variant_seed(seed: int, number: int) -> int:
    """Each variant's own seed (printed on its sheets): reproducible on its own."""
    return seed * 100_003 + number


def draw_variant(base: dict[str, Any], spec: Spec, exercise: Exercise, *, seed: int,
                 number: int, dump: Any) -> Variant:
    """Draw until the variant meets the conditions; ``dump`` writes a mapping as YAML."""
    own = variant_seed(seed, number)
    rng = random.Random(own)
    for _ in range(DRAWS):
        mapping = _with_numbers(base, spec, exercise, rng, number)
        try:
            result = run_text(dump(mapping), f"variant-{number}/spec.yaml",
                              Options(formats=("md", "tex", "json"), stem="solution"))
        except DeriveError:
            continue                        # a number left float range: draw again
        if _meets(result, exercise,
                  lambda: _always_zero(result, mapping, spec, own, dump)):  # noqa: B023
            return Variant(number, own, mapping, result, variant_task(result))
    raise SpecError("exercise.conditions", f"a variant meeting the conditions within {DRAWS} "
                    "draws", got_text=f"none for variant {number}; widen the ranges or relax "
                    "the conditions", file=spec.file)


def variant_task(result: Result) -> Task:
    """The task of a variant's spec, in its page's notation."""
    assert result.worked is not None       # a variant always has its example
    return task(result.derivation, result.worked, result.report,
                Page(result.derivation, result.worked).printer)


def _number(rng: random.Random, bounds: tuple[float, float], decimals: int) -> float | int:
    value = round(rng.uniform(*bounds), decimals) + 0.0      # -0.04 to 1 decimal: 0, not -0
    return int(value) if decimals == 0 else value


def _rate_decimals(bounds: tuple[float, float], decimals: int) -> int:
    """Decimals enough for the range's smallest rate to be drawn (0.001 … 0.004 needs 4: at 2
    every draw rounded to 0 and became 0.01, outside the range)."""
    low = min(abs(b) for b in bounds if b) if any(bounds) else 1.0
    return max(decimals, 2, 1 - math.floor(math.log10(low)))


def _targets(rng: random.Random, spec: Spec, exercise: Exercise, outputs: int) -> list:
    if spec.loss.name == "cross_entropy":          # a class label, one-hot
        hot = rng.randrange(outputs)
        return [1 if j == hot else 0 for j in range(outputs)]
    low, high = exercise.range_of("y")
    if spec.loss.name == "binary_cross_entropy":
        low, high = max(low, 0.0), min(high, 1.0)
    return [_number(rng, (low, high), exercise.decimals) for _ in range(outputs)]


def _with_numbers(base: dict[str, Any], spec: Spec, exercise: Exercise, rng: random.Random,
                  number: int) -> dict[str, Any]:
    samples = len(spec.example.x) if spec.example else 1
    d = exercise.decimals
    x = [[_number(rng, exercise.range_of("x"), d) for _ in spec.inputs] for _ in range(samples)]
    y = [_targets(rng, spec, exercise, spec.layers[-1].units) for _ in range(samples)]
    init, fan_in = [], len(spec.inputs)
    for layer in spec.layers:
        entry: dict[str, Any] = {"W": [[_number(rng, exercise.range_of("W"), d)
                                        for _ in range(fan_in)] for _ in range(layer.units)]}
        if layer.bias:
            entry["b"] = [_number(rng, exercise.range_of("b"), d) for _ in range(layer.biases)]
        init.append(entry)
        fan_in = layer.units
    rates = exercise.range_of("learning_rate")
    rate = _number(rng, rates, _rate_decimals(rates, d))
    # the drawn numbers replace the spec's; its other example keys (optimizer, digits, ...)
    # stay, or Adam's exercise would be keyed with plain SGD's answers
    kept = {k: v for k, v in (base.get("example") or {}).items()
            if k not in ("x", "y", "init", "learning_rate", "steps", "mode")}
    example = {"x": x if samples > 1 else x[0], "y": y if samples > 1 else y[0], "init": init,
               "learning_rate": rate, "steps": spec.example.steps if spec.example else 1,
               "mode": spec.example.mode if spec.example else "batch", **kept}
    title = spec.title
    return {"title": f"{title} (variant {number})",
            **{k: v for k, v in base.items() if k not in ("example", "title", "exercise")},
            "example": example}


def _always_zero(result: Result, mapping: dict[str, Any], spec: Spec, own: int,
                 dump: Any) -> frozenset[int]:
    """The parameters whose gradient is 0 here and stays 0 when every input and parameter
    moves a little: 0 for every draw (a softmax layer's shared bias, Σ(ŷ − y) = 0) or on a
    whole region the teacher allowed (a dead ReLU without ``no_dead_relu``), not by
    accident (an input of 0, an exact fit). The variant's own draws are unchanged."""
    rng = random.Random(f"zeros {own}")
    nudge = lambda v: v + rng.choice((-1, 1)) * rng.uniform(1e-3, 1e-2)  # noqa: E731
    example = dict(mapping["example"])
    example["x"] = _nudged(example["x"], nudge)
    example["init"] = [{k: _nudged(v, nudge) for k, v in layer.items()}
                       for layer in example["init"]]
    moved = load(dump({**mapping, "example": example}), spec.file)
    derivation = result.derivation
    worked = work_example(replace(derivation, network=replace(derivation.network, spec=moved)))
    assert worked is not None
    return frozenset(i for i, g in enumerate(worked.first.gradients) if abs(g) <= EXACT_ZERO)


def _nudged(value: Any, nudge: Callable[[float], float]) -> Any:
    return [_nudged(v, nudge) for v in value] if isinstance(value, list) else nudge(value)


def _meets(result: Result, exercise: Exercise,
           always_zero: Callable[[], frozenset[int]]) -> bool:
    """No dead ReLU unit, no gradient that rounds to 0 (but is not 0), no asked update too small to
    tell from no update (a student who forgot it would be marked right), no z near a kink,
    nothing asked beyond max_abs."""
    worked = result.worked
    if worked is None:
        return False
    smallest = 0.5 * 10 ** -exercise.answer_digits
    values = [float(v) for v in worked.first.gradients]
    asked = [*values, float(worked.first.loss)]
    moved = []
    for field, after in (("updated", worked.updated), ("final", worked.final)):
        if field in exercise.ask and after is not None:
            asked += map(float, after)
            moved += [abs(float(a) - float(b)) for a, b, trains, g in
                      zip(after, worked.initial, trained(result.derivation.network), values)
                      if trains and abs(g) > EXACT_ZERO]      # a gradient of 0 moves nothing
    zero = [i for i, v in enumerate(values) if abs(v) <= EXACT_ZERO]
    if zero and not set(zero) <= always_zero():
        return False                        # 0 by accident (an input of 0): too easy
    if any(EXACT_ZERO < abs(v) < smallest for v in values) \
            or any(m <= 2 * smallest for m in moved) \
            or any(abs(v) > exercise.max_abs for v in asked):
        return False
    if _near_a_kink(result, margin=20 * smallest):
        return False
    if exercise.no_dead_relu:
        for layer in result.derivation.network.layers:
            if layer.activation.name != "relu":
                continue
            forwards = worked.first.forwards
            if any(all(f.env[z] <= 0 for f in forwards) for z in layer.z):
                return False
    return True


def _near_a_kink(result: Result, margin: float) -> bool:
    """A z within ``margin`` of 0 in a layer whose activation has a kink there (ReLU, leaky
    ReLU), at any step: a student's rounded numbers could land on its other side, where the
    derivative differs (or on the convention at 0 itself)."""
    worked = result.worked
    assert worked is not None
    kinked = [layer for layer in result.derivation.network.layers
              if elementary(layer.a_expr[0]).has(*KINKS)]
    return any(abs(float(f.env[z])) < margin for step in worked.steps for f in step.forwards
               for layer in kinked for z in layer.z)
