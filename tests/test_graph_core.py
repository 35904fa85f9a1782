"""Issue 16's graph core: a ``layers:`` spec compiles to the typed-layer graph (every value of
the batch a scalar node), and reverse mode over that graph gives what the layer-by-layer
derivation prints — every gradient, update and loss of every example and of random specs."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from derive.pipeline import Options, run
from derive.tensor import Evaluator, build_model, work_model
from derive.tensor.network import tensor_spec_of

EXAMPLES = sorted(Path(__file__).parent.parent.glob("examples/*.yaml"))
ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "softplus", "elu", "leaky_relu")


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _agree(path: Path) -> bool:
    """True when compared (the spec compiles), after asserting every number equal."""
    result = run(str(path), Options())
    if not hasattr(result, "derivation"):
        return False
    typed = tensor_spec_of(result.derivation.network.spec)
    if typed is None or result.worked is None:
        return False
    model = build_model(typed)
    worked = work_model(model, Evaluator(model.graph))
    params = [s for t in model.graph.parameters for s in t.symbols]
    first = result.worked.first
    assert len(params) == len(first.gradients)
    for s, grad, start in zip(params, first.gradients, result.worked.initial):
        assert _close(worked.values[s], float(start)), s
        assert _close(worked.grads.get(s, 0.0), float(grad)), (path, s)
    for s, end in zip(params, result.worked.final):
        assert _close(worked.final[s], float(end)), (path, s)
    assert all(_close(a, float(b)) for a, b in zip(worked.losses, result.worked.losses))
    return True


def test_every_plain_example_compiles_to_the_graph_and_agrees() -> None:
    compared = [path.name for path in EXAMPLES if _agree(path)]
    assert len(compared) >= 6, compared


def _random_spec(rng: random.Random) -> str:
    inputs, widths = rng.randint(1, 3), [rng.randint(1, 4) for _ in range(rng.randint(1, 3))]
    layers = "\n".join(f"  - {{units: {w}, activation: {rng.choice(ACTIVATIONS)}}}"
                       for w in widths)
    samples = rng.randint(1, 3)
    x = [[round(rng.uniform(-2, 2), 2) for _ in range(inputs)] for _ in range(samples)]
    y = [[round(rng.uniform(-1, 1), 2) for _ in range(widths[-1])] for _ in range(samples)]
    return (f"inputs: {inputs}\nlayers:\n{layers}\nloss: "
            f"{rng.choice(('squared_error', 'half_squared_error', 'absolute_error'))}\n"
            f"reduction: {rng.choice(('mean', 'sum'))}\n"
            f"example:\n  x: {x}\n  y: {y}\n  init: {{seed: {rng.randint(0, 9)}, "
            f"scheme: uniform}}\n  steps: {rng.randint(1, 3)}\n  learning_rate: 0.1\n")


@pytest.mark.parametrize("case", range(40))
def test_random_layer_specs_agree_with_reverse_mode_over_the_graph(tmp_path, case) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"case{case}.yaml"
    path.write_text(_random_spec(random.Random(case)))
    assert _agree(path)
