"""``Derivation`` -> ``WorkedExample``: the spec's numbers, step by step.

Evaluates the printed symbolic gradients (never a numeric derivative) at the
example: forward values, loss, every ∂L/∂θ, the update θ ← θ − η ∂L/∂θ (or the
example's optimizer: momentum, Adam, with their state per step), for
``steps`` updates in batch mode (the reduced loss of all samples) or sgd mode
(update i uses sample i mod N alone).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import mpmath

from ..calculus import Derivation, Network, role_of
from ..errors import NumericError
from ..numerals import show_number
from ..registry import OPTIMIZERS
from ..spec import Example
from .decay import decay_gradients, penalty
from .engine import Compiled, Engine, Engines
from .forward_pass import Forward, forward, parameter_env
from .precision import FLOAT64, MPMATH, NonFinite, Precision, decimal, in_float_range, precise

FLOAT_ABOVE = 2_000   # parameters: beyond, the worked example runs in float64

__all__ = ["Step", "WorkedExample", "batch_gradient", "factor_values", "gradient_forms",
           "with_deltas", "work_example", "trained"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One update: the samples it uses, the values before it and its gradient.

    ``state`` is the optimizer's state after the update, per state name (momentum's
    ``velocity``; Adam's ``m``, ``v``), one value per parameter, None for a frozen one;
    empty for plain sgd.
    """

    index: int
    samples: tuple[int, ...]
    parameters: tuple[mpmath.mpf, ...]
    loss: mpmath.mpf
    gradients: tuple[mpmath.mpf, ...]
    forwards: tuple[Forward, ...]
    state: tuple[tuple[str, tuple[mpmath.mpf | None, ...]], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkedExample:
    """The example's numbers: each step's values, θ before and after, the losses."""

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


def _precision_for(network: Network) -> Precision:
    """50-digit mpmath, or float64 beyond FLOAT_ABOVE parameters (errors near 1e-15)."""
    return FLOAT64 if len(network.parameters) > FLOAT_ABOVE else MPMATH


@precise
def with_deltas(derivation: Derivation, env: dict, *, engine: Engine | None = None) -> dict:
    """The forward ``env`` plus every δ, evaluated backwards from the δ equations."""
    env = dict(env)
    _write_deltas(derivation, env, {}, (engine or Engine()).compile)
    return env


@precise
def gradient_forms(derivation: Derivation, env: dict, forms: tuple[str, ...] = ("value",), *,
                   engine: Engine | None = None) -> tuple[tuple, ...]:
    """Every ∂L_n/∂θ in each of ``forms`` (a tuple per form) for one sample's forward ``env``.

    Writes every δ into ``env`` first (backwards from the δ equations). One memo serves all:
    the gradients and their forms share most factors, which are then computed once.
    """
    compiled_of, memo = (engine or Engine()).compile, {}
    _write_deltas(derivation, env, memo, compiled_of)
    return tuple(tuple(compiled_of(getattr(g, form))(env, memo) for g in derivation.gradients)
                 for form in forms)


def _write_deltas(derivation: Derivation, env: dict, memo: dict,
                  compiled_of: Callable[[object], Compiled]) -> None:
    for layer in reversed(derivation.deltas):
        for eq in layer:
            env[eq.symbol] = compiled_of(eq.value)(env, memo)


@precise
def batch_gradient(derivation: Derivation, params: tuple, samples: tuple[int, ...],
                   x: tuple, y: tuple, *, engine: Engine | None = None,
                   ) -> tuple[mpmath.mpf, tuple, tuple[Forward, ...]]:
    """Reduced loss (with any weight decay's penalty), its gradient and the forward passes over
    ``samples``.

    Each sample in ``engine``'s precision (by default ``_precision_for`` the network); the
    reduction, in 50 digits, applies ``Spec.batch_scale``.
    """
    network = derivation.network
    engine = engine or Engine(_precision_for(network))
    env = parameter_env(network, params)
    try:
        forwards = [forward(network, env, x[n], y[n], engine=engine) for n in samples]
        per_sample = [gradient_forms(derivation, dict(f.env), engine=engine)[0]
                      for f in forwards]
    except (OverflowError, ValueError, ZeroDivisionError) as exc:
        raise NumericError("example", "finite numbers in the worked example",
                           got_text=f"{type(exc).__name__} ({exc})", file=network.spec.file,
                           line=network.spec.line_of("example")) from None
    scale = MPMATH.fraction(network.spec.batch_scale(len(samples)))
    decay = decay_gradients(network, params, MPMATH)       # regularization: λ w (else 0)
    grads = tuple(scale * mpmath.fsum(column) + d for column, d in zip(zip(*per_sample), decay))
    passes = tuple(Forward(f.env, mpmath.mpf(f.loss)) for f in forwards)
    return (scale * mpmath.fsum(f.loss for f in passes) + penalty(network, params, MPMATH),
            grads, passes)


def trained(network: Network) -> tuple[bool, ...]:
    """Per parameter: does the update change it (``trainable:`` of its layer)?"""
    layers = network.spec.layers
    return tuple(role.kind in layers[role.layer - 1].trainable
                 for role in map(role_of, network.parameters) if role is not None)


def _step_samples(mode: str, index: int, count: int) -> tuple[int, ...]:
    return tuple(range(count)) if mode == "batch" else (index % count,)


@precise
def work_example(derivation: Derivation, *,
                 engines: Engines | None = None) -> WorkedExample | None:
    """Run the spec's example; None when the spec has none.

    Every number is checked as it is made: one a float cannot hold (overflow, log of 0,
    division by 0) stops the run at once with a ``NumericError`` that names it and its step.
    The updates and reductions run in 50 digits; each sample in ``_precision_for`` the
    network, with the run's ``engines``.
    """
    example = derivation.network.spec.example
    if example is None:
        return None
    engines = engines or Engines()
    engine = engines[_precision_for(derivation.network)]
    params = _initial(example)
    update = _optimizer(example, trained(derivation.network))
    count = len(example.x)
    steps: list[Step] = []
    state: tuple = (None,) * len(params)
    for index in range(example.steps):
        samples = _step_samples(example.mode, index, count)
        loss, grads, forwards = _checked_gradient(derivation, params, samples, index, engine)
        before = params
        params, state, table = update(params, grads, state, index + 1)
        steps.append(Step(index=index, samples=samples, parameters=before, loss=loss,
                          gradients=grads, forwards=forwards, state=table))
        _check_values(derivation, f"after step {index + 1}", zip(derivation.network.parameters,
                                                                 params))
    samples = steps[-1].samples if steps else _step_samples(example.mode, 0, count)
    loss, grads, forwards = _checked_gradient(derivation, params, samples, example.steps,
                                               engine)
    first = steps[0] if steps else Step(index=0, samples=samples, parameters=params, loss=loss,
                                        gradients=grads, forwards=forwards)
    return _finish(derivation, tuple(steps), params, (*(s.loss for s in steps), loss), first,
                   engines[MPMATH])


def _optimizer(example: Example, trains: tuple[bool, ...]) -> Callable[..., tuple]:
    """``update(θ, g, state, t) -> (θ⁺, state⁺, state by name)`` with the example's optimizer
    (its options as the decimals written); frozen parameters keep their value and no state."""
    optimizer = OPTIMIZERS[example.optimizer.name]
    options = {name: decimal(value) for name, value in example.optimizer.options}
    rate = decimal(example.learning_rate)

    def update(params: tuple, grads: tuple, state: tuple, t: int) -> tuple:
        pairs = [optimizer.update(p, g, s, t, rate, **options) if train else (p, None)
                 for p, g, s, train in zip(params, grads, state, trains)]
        new_state = tuple(s for _, s in pairs)
        table = tuple((name, tuple(None if s is None else s[k] for s in new_state))
                      for k, name in enumerate(optimizer.state))
        return tuple(p for p, _ in pairs), new_state, table
    return update


def _quantity(symbol: object) -> str:
    """``w_1[0,1]`` from the symbol's role (0-based, as in the check's messages); ``L`` stays."""
    role = role_of(symbol)
    return role.label if role is not None else str(symbol)


def _numeric_error(derivation: Derivation, what: str) -> NumericError:
    spec = derivation.network.spec
    return NumericError("example", "numbers a float can hold (|x| < 1.8e308) in the worked "
                        "example", got_text=what, file=spec.file, line=spec.line_of("example"),
                        hint="use smaller inputs, weights or learning rate")


def _check_values(derivation: Derivation, when: str, named,  # type: ignore[no-untyped-def]
                  prefix: str = "") -> None:
    """Refuse the first value outside float range, named ``prefix`` + its name or symbol."""
    for name, value in named:
        if not in_float_range(value):
            shown = name if isinstance(name, str) else _quantity(name)
            raise _numeric_error(derivation, f"{prefix}{shown} = {show_number(value)} {when}")


def _checked_gradient(derivation: Derivation, params: tuple, samples: tuple[int, ...],
                      index: int, engine: Engine) -> tuple[mpmath.mpf, tuple, tuple[Forward, ...]]:
    """``batch_gradient`` at update ``index``, every forward value, loss and gradient checked."""
    example = derivation.network.spec.example
    assert example is not None
    when = f"at step {index + 1}" if index < example.steps else "after the last step"
    try:
        loss, grads, forwards = batch_gradient(derivation, params, samples, example.x, example.y,
                                                 engine=engine)
    except NonFinite as exc:
        raise _numeric_error(derivation, f"{exc.got_text} {when}") from None
    network = derivation.network
    for f in forwards:      # every z and a, in the order the forward pass made them
        _check_values(derivation, when, ((s, f.env[s]) for layer in network.layers
                                         for s in (*layer.z, *layer.a)))
        _check_values(derivation, when, (("the loss", f.loss),))
    _check_values(derivation, when, zip(network.parameters, grads), prefix="dL/d")
    _check_values(derivation, when, (("the loss", loss),))
    return loss, grads, forwards


@precise
def factor_values(derivation: Derivation, env: dict, *, engine: Engine | None = None) -> tuple:
    """For each featured gradient written as paths: the number of every factor of every path.

    None for a gradient whose factors a float cannot hold: a finite gradient may pass
    through one (−y/ŷ = −2e434 when logits are 1 000 apart), and no page prints them.
    """
    compiled_of, memo = (engine or Engine()).compile, {}     # the paths share most factors
    out = []
    featured = set(derivation.featured)
    for index, g in enumerate(derivation.gradients):
        if not g.paths or index not in featured:
            out.append(None)
            continue
        try:
            values = tuple(tuple(compiled_of(f.value)(env, memo) for f in (*path, g.last))
                           for path in g.paths)
        except NonFinite:
            values = None
        fits = values is not None and all(in_float_range(v) for path in values for v in path)
        out.append(values if fits else None)
    return tuple(out)


def _initial(example: Example) -> tuple[mpmath.mpf, ...]:
    """Initial values in parameter order: per layer, W row-major, then b."""
    values = []
    for layer in example.init:
        values.extend(v for row in layer.W for v in row)
        values.extend(layer.b)
    return tuple(decimal(v) for v in values)


def _finish(derivation: Derivation, steps: tuple, final: tuple, losses: tuple,
            first: Step, engine: Engine) -> WorkedExample:
    """The example's numbers, and the factors of its paths (in 50 digits: ``engine``)."""
    example = derivation.network.spec.example
    for value in (*final, *losses, *first.gradients):
        if not in_float_range(value):
            raise _numeric_error(derivation, show_number(value))
    numbers = (factor_values(derivation, first.forwards[0].env, engine=engine)
               if len(first.forwards) == 1 else ())
    return WorkedExample(steps=steps, initial=first.parameters, final=final, losses=losses,
                         first=first, learning_rate=example.learning_rate, mode=example.mode,
                         factor_values=numbers)


