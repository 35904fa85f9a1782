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


def _layer(rng: random.Random, i: int, width: int, widths: list[int], inputs: int) -> str:
    """One layer, using the v1.1 keys at random: a formula activation, a shared bias, frozen
    tensors, a residual ``add`` of an earlier output of the same width."""
    activation = rng.choice(ACTIVATIONS + ('{name: swish, formula: "z*sigmoid(z)"}',))
    keys = [f"units: {width}", f"activation: {activation}", f"name: h{i}"]
    if rng.random() < 0.2:
        keys.append("bias: shared")
    if rng.random() < 0.2:
        keys.append(f"trainable: {rng.choice(('false', '[W]', '[b]'))}")
    same = [f"h{k}" for k in range(i) if widths[k] == width] + (["inputs"] if inputs == width else [])
    if same and rng.random() < 0.4:
        keys.append(f"add: {rng.choice(same)}")
    return "  - {" + ", ".join(keys) + "}"


def _random_spec(rng: random.Random) -> str:
    inputs, widths = rng.randint(1, 3), [rng.randint(1, 3) for _ in range(rng.randint(1, 3))]
    layers = "\n".join(_layer(rng, i, w, widths, inputs) for i, w in enumerate(widths))
    samples = rng.randint(1, 3)
    x = [[round(rng.uniform(-2, 2), 2) for _ in range(inputs)] for _ in range(samples)]
    y = [[round(rng.uniform(-1, 1), 2) for _ in range(widths[-1])] for _ in range(samples)]
    optimizer = rng.choice(("sgd", "{name: momentum, momentum: 0.5}", "adam"))
    decay = f"regularization: {{l2: {rng.choice((0.01, 0.1))}}}\n" if rng.random() < 0.3 else ""
    return (f"inputs: {inputs}\nlayers:\n{layers}\nloss: "
            f"{rng.choice(('squared_error', 'half_squared_error', 'absolute_error'))}\n"
            f"reduction: {rng.choice(('mean', 'sum'))}\n{decay}"
            f"example:\n  x: {x}\n  y: {y}\n  init: {{seed: {rng.randint(0, 9)}, "
            f"scheme: uniform}}\n  steps: {rng.randint(1, 3)}\n  learning_rate: 0.1\n"
            f"  optimizer: {optimizer}\n")


@pytest.mark.parametrize("case", range(60))
def test_random_layer_specs_agree_with_reverse_mode_over_the_graph(tmp_path, case) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"case{case}.yaml"
    path.write_text(_random_spec(random.Random(case)))
    assert _agree(path)
