"""``Derivation`` -> ``WorkedExample``: the spec's numbers, step by step.

Evaluates the printed symbolic gradients (never a numeric derivative) at the
example: forward values, loss, every ∂L/∂θ, the update θ ← θ − η ∂L/∂θ, for
``steps`` updates in batch mode (the reduced loss of all samples) or sgd mode
(update i uses sample i mod N alone).
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
from .derivation import Derivation
from .errors import NumericError
from .spec import Example
from .numeric import Forward, decimal, evaluate, forward, parameter_env

__all__ = ["Step", "WorkedExample", "work_example", "gradient_values", "with_deltas", "batch_gradient",
           "factor_values"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One update: the samples it uses, the values before it and its gradient."""

    index: int
    samples: tuple[int, ...]
    parameters: tuple[mpmath.mpf, ...]
    loss: mpmath.mpf
    gradients: tuple[mpmath.mpf, ...]
    forwards: tuple[Forward, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkedExample:
    steps: tuple[Step, ...]
    initial: tuple[mpmath.mpf, ...]
    final: tuple[mpmath.mpf, ...]
    losses: tuple[mpmath.mpf, ...]
    first: Step
    learning_rate: float
    mode: str
    factor_values: tuple[tuple[tuple[mpmath.mpf, ...], ...] | None, ...] = ()

    @property
    def updated(self) -> tuple[mpmath.mpf, ...] | None:
        """θ after the first step (None when the example asks for no step)."""
        if not self.steps:
            return None
        return self.steps[1].parameters if len(self.steps) > 1 else self.final


def with_deltas(derivation: Derivation, env: dict) -> dict:
    """The forward ``env`` plus every δ, evaluated backwards from the δ equations."""
    env = dict(env)
    for layer in reversed(derivation.deltas):
        for eq in layer:
            env[eq.symbol] = evaluate(eq.value, env)
    return env


def gradient_values(derivation: Derivation, env: dict, *, form: str = "value") -> tuple:
    """Every ∂L_n/∂θ for one sample's forward ``env``, from the symbolic results."""
    env = with_deltas(derivation, env)
    return tuple(evaluate(getattr(g, form), env) for g in derivation.gradients)


def batch_gradient(derivation: Derivation, params: tuple, samples: tuple[int, ...],
                   x: tuple, y: tuple) -> tuple[mpmath.mpf, tuple, tuple[Forward, ...]]:
    """Reduced loss, its gradient and the forward passes over ``samples``."""
    network = derivation.network
    env = parameter_env(network, params)
    forwards = tuple(forward(network, env, x[n], y[n]) for n in samples)
    scale = mpmath.mpf(1) / len(samples) if network.spec.reduction == "mean" else mpmath.mpf(1)
    per_sample = [gradient_values(derivation, f.env) for f in forwards]
    grads = tuple(scale * mpmath.fsum(column) for column in zip(*per_sample))
    return scale * mpmath.fsum(f.loss for f in forwards), grads, forwards


def _step_samples(mode: str, index: int, count: int) -> tuple[int, ...]:
    return tuple(range(count)) if mode == "batch" else (index % count,)


def work_example(derivation: Derivation) -> WorkedExample | None:
    """Run the spec's example; None when the spec has none."""
    example = derivation.network.spec.example
    if example is None:
        return None
    params = _initial(example)
    rate = decimal(example.learning_rate)
    count = len(example.x)
    steps: list[Step] = []
    for index in range(example.steps):
        samples = _step_samples(example.mode, index, count)
        loss, grads, forwards = batch_gradient(derivation, params, samples, example.x, example.y)
        steps.append(Step(index=index, samples=samples, parameters=params, loss=loss,
                          gradients=grads, forwards=forwards))
        params = tuple(p - rate * g for p, g in zip(params, grads))
    samples = steps[-1].samples if steps else _step_samples(example.mode, 0, count)
    loss, grads, forwards = batch_gradient(derivation, params, samples, example.x, example.y)
    first = steps[0] if steps else Step(index=0, samples=samples, parameters=params, loss=loss,
                                        gradients=grads, forwards=forwards)
    return _finish(derivation, tuple(steps), params, (*(s.loss for s in steps), loss), first)


def factor_values(derivation: Derivation, env: dict) -> tuple:
    """For each gradient written as paths: the number of every factor of every path."""
    out = []
    for g in derivation.gradients:
        if not g.paths:
            out.append(None)
            continue
        out.append(tuple(tuple(evaluate(f.value, env) for f in (*path, g.last))
                         for path in g.paths))
    return tuple(out)


def _initial(example: Example) -> tuple[mpmath.mpf, ...]:
    """Initial values in parameter order: per layer, W row-major, then b."""
    values = []
    for layer in example.init:
        values.extend(v for row in layer.W for v in row)
        values.extend(layer.b)
    return tuple(decimal(v) for v in values)


def _finish(derivation: Derivation, steps: tuple, final: tuple, losses: tuple,
            first: Step) -> WorkedExample:
    example = derivation.network.spec.example
    for value in (*final, *losses, *first.gradients):
        if not mpmath.isfinite(value):
            raise NumericError("example", "finite numbers in the worked example",
                               got_text=mpmath.nstr(value, 6), file=derivation.network.spec.file,
                               line=derivation.network.spec.line_of("example"),
                               hint="use smaller inputs, weights or learning rate")
    numbers = factor_values(derivation, first.forwards[0].env) if len(first.forwards) == 1 else ()
    return WorkedExample(steps=steps, initial=first.parameters, final=final, losses=losses,
                         first=first, learning_rate=example.learning_rate, mode=example.mode,
                         factor_values=numbers)


