"""The PyTorch side of the typed-layer differential tests: the spec's loss and SGD steps in
float64 around any forward pass (each layer type's test builds its modules)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["assert_agree", "close", "sgd_run"]


def close(a: float, b: float) -> bool:
    """Equal to 1e-9 relative (absolute below 1)."""
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def sgd_run(model: Any, torch: Any, params: dict[str, Any],
            forward: Callable[[Any], Any]) -> tuple[list, dict, dict, dict]:
    """(losses, first gradients, updated, final) by parameter name: ``forward(x)`` is the
    network on the example's batch, ``params`` the leaf tensors it reads, trained in place."""
    spec = model.spec
    x = torch.tensor(spec.example.x, dtype=torch.float64).reshape(-1, *spec.shape)
    y = torch.tensor(spec.example.y, dtype=torch.float64)
    losses, grads, updated = [], {}, {}
    for step in range(spec.example.steps + 1):
        a = forward(x).reshape(len(x), -1)
        per = (y - a) ** 2 if spec.loss.name == "squared_error" else 0.5 * (a - y) ** 2
        loss = per.sum(1).mean() if spec.reduction == "mean" else per.sum()
        losses.append(loss.item())
        if step == spec.example.steps:
            break
        for p in params.values():
            p.grad = None
        loss.backward()
        with torch.no_grad():
            if step == 0:
                grads = {k: p.grad.flatten().tolist() for k, p in params.items()}
            for p in params.values():
                p -= spec.example.learning_rate * p.grad
            if step == 0:
                updated = {k: p.flatten().tolist() for k, p in params.items()}
    return losses, grads, updated, {k: p.detach().flatten().tolist() for k, p in params.items()}


def assert_agree(model: Any, worked: Any, run: tuple[list, dict, dict, dict],
                 case: object = None) -> int:
    """Every loss, first gradient, updated and final value of ``worked`` equals torch's
    ``run`` (``sgd_run``'s result) to 1e-9; the number of parameters compared."""
    losses, grads, updated, final = run
    assert len(losses) == len(worked.losses), case
    assert all(close(a, b) for a, b in zip(worked.losses, losses)), case
    count = 0
    for tensor in model.graph.parameters:
        for k, s in enumerate(tensor.symbols):
            assert close(worked.grads.get(s, 0.0), grads[tensor.name][k]), (case, s)
            assert close(worked.updated[s], updated[tensor.name][k]), (case, s)
            assert close(worked.final[s], final[tensor.name][k]), (case, s)
            count += 1
    return count
