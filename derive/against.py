"""Check a user's backward(): ``check SPEC --against module:function``.

The function takes ``(params, x, y)`` (the dict, arrays and shapes of ``Result.gradients``)
and returns its own dict of gradients. Each tensor is compared with the derivation's at the
example and at seeded random points. A wrong tensor is diagnosed the way claims are: the
user's numbers are tested against mutations of the backward pass (a missing g′, g where g′
belongs, a flipped sign, a missing 1/N, W where Wᵀ belongs, the δ of another layer, a
transposed result), and the mutation that explains them at every point is named.
"""

from __future__ import annotations

import importlib
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .api import Result, real_array
from .calculus import Network
from .errors import SpecError
from .numbers import Engine, FLOAT64

__all__ = ["Finding", "check_implementation", "load_function"]

RELATIVE = 1e-6


@dataclass(frozen=True, slots=True)
class Finding:
    """A tensor the implementation gets wrong, and what explains its numbers."""

    tensor: str
    diagnosis: str
    error: float


def _stops_the_run(exc: BaseException) -> bool:
    """Ctrl-C and a signal (``Stopped``, a SystemExit subclass) end the run; anything else
    the user's code raises, sys.exit and BaseException subclasses such as pytest.fail's
    included, is a line about that code."""
    return isinstance(exc, KeyboardInterrupt) or (
        isinstance(exc, SystemExit) and type(exc) is not SystemExit)


def load_function(target: str) -> Callable[..., Any]:
    """``package.module:function`` -> the function (the current folder is importable)."""
    module_name, _, name = target.partition(":")
    if not module_name or not name.isidentifier():
        raise SpecError("--against", "module:function", got_text=repr(target), stage="check")
    if "" not in sys.path:
        sys.path.insert(0, "")
    try:
        module = importlib.import_module(module_name)
    except BaseException as exc:  # noqa: BLE001 - the user's module: bad input
        if _stops_the_run(exc):
            raise
        what = (f"it called sys.exit({exc.code!r}) while importing" if isinstance(exc, SystemExit)
                else f"{type(exc).__name__}: {exc}")       # sys.exit(0) ended a check 'ok'
        raise SpecError("--against", f"an importable module {module_name!r}",
                        got_text=what, stage="check") from None
    function = getattr(module, name, None)
    if not callable(function):
        raise SpecError("--against", f"a function {name!r} in {module_name}",
                        got_text="nothing callable", stage="check")
    return function


def check_implementation(result: Result, function: Callable[..., Any], *, seed: int = 0,
                         points: int = 3) -> tuple[list[Finding], int]:
    """The wrong tensors (with diagnoses) and the number of points compared."""
    network = result.derivation.network
    backward = _Backward(network)
    at = list(_points(result, network, random.Random(seed), points))
    wrong: dict[str, list[tuple[np.ndarray, np.ndarray, dict, float]]] = {}
    for params, x, y in at:
        expected = result.gradients(params, x, y)
        got = _call(function, params, x, y)
        floor = 1e-6 * max(float(np.max(np.abs(w), initial=0.0)) for w in expected.values())
        mutants: list[tuple[str, dict]] | None = None
        for name, want in expected.items():
            have = got.get(name)
            if have is None or have.shape != want.shape or not _close(have, want, floor):
                mutants = mutants if mutants is not None else list(backward.mutants(params, x, y))
                wrong.setdefault(name, []).append(
                    (have, want, {m: g[name] for m, g in mutants if name in g}, floor))
    findings = [Finding(name, _diagnose(name, cases), _error(cases))
                for name, cases in wrong.items()]
    return findings, len(at)


def _points(result: Result, network: Network, rng: random.Random,
            count: int) -> Iterator[tuple[dict, np.ndarray, np.ndarray]]:
    example = result.spec.example
    if example is not None:
        yield result.parameters(), np.array(example.x), np.array(example.y)
    shapes = result.shapes()
    for _ in range(count - (example is not None)):
        params = {k: np.array([rng.uniform(-1, 1) for _ in range(int(np.prod(s)))]).reshape(s)
                  for k, s in shapes.items()}
        x = np.array([[rng.uniform(-2, 2) for _ in network.x] for _ in range(3)])
        y = np.array([network.loss.sample_targets(rng, len(network.y)) for _ in range(3)])
        yield params, x, y


def _call(function: Callable[..., Any], params: dict, x: np.ndarray,
          y: np.ndarray) -> dict[str, np.ndarray]:
    try:
        got = function({k: v.copy() for k, v in params.items()}, x.copy(), y.copy())
    except BaseException as exc:  # noqa: BLE001 - the user's code: one line
        if _stops_the_run(exc):
            raise
        what = (f"it called sys.exit({exc.code!r})" if isinstance(exc, SystemExit)
                else f"it raised {type(exc).__name__}: {exc}")
        raise SpecError("--against", "a function that returns a dict of gradients",
                        got_text=what, stage="check") from None
    if not isinstance(got, dict):
        raise SpecError("--against", "a dict of gradients (W1, b1, ...)",
                        got_text=type(got).__name__, stage="check")
    return {str(name): real_array(value, "--against", f"real numbers for each gradient, {name} "
                                  "among them", "check") for name, value in got.items()}


ABSOLUTE = 1e-12     # float rounding where the true gradient is exactly 0 (a perfect fit)


def _scale(want: np.ndarray, floor: float) -> float:
    """What a tensor's differences are relative to: its largest entry (gradients of 3e-8
    are held to 3e-14, not to an absolute 1e-6 that zeros would meet), or ``floor`` (1e-6 of
    the point's largest gradient) for a tensor that is zero or nearly: a softmax's shared
    bias has ∂L/∂b = Σ(ŷ − y) = 0, which a right float computation gives as 1e-17."""
    return max(float(np.max(np.abs(want), initial=0.0)), floor, ABSOLUTE / RELATIVE)


def _close(a: np.ndarray, b: np.ndarray, floor: float) -> bool:
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= RELATIVE * _scale(b, floor)))


def _error(cases: list) -> float:
    errors = [float(np.max(np.abs(have - want), initial=0.0) / _scale(want, floor))
              for have, want, _, floor in cases if have is not None and have.shape == want.shape
              and np.all(np.isfinite(have))]
    return max(errors, default=float("inf"))


def _diagnose(name: str, cases: list) -> str:
    """The mutation that explains the numbers at every point, or what is known."""
    have, want, _, _ = cases[0]
    if have is None:
        return "no gradient for it in the returned dict"
    if have.shape != want.shape:
        if have.shape == want.T.shape:
            return f"transposed: shape {have.shape}, expected {want.shape}"
        return f"shape {have.shape}, expected {want.shape}"
    broken = sum(int(np.sum(~np.isfinite(h))) for h, _, _, _ in cases)
    if broken:
        size = sum(h.size for h, _, _, _ in cases)
        return f"{broken} of its {size} numbers at the {len(cases)} points not finite (nan or inf)"
    if all(_close(h, w.T, f) for h, w, _, f in cases) and want.ndim == 2:
        return "transposed (the gradient of Wᵀ, not W)"
    for mutation in cases[0][2]:
        if all(mutation in m and m[mutation].shape == h.shape and _close(h, m[mutation], f)
               for h, _, m, f in cases):
            return mutation
    return "differs, and no single known mistake explains it"


class _Backward:
    """The backward pass in matrix form (rows are samples), and its classic mistakes."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.engine = Engine(FLOAT64)

    def _value(self, expr: object, env: dict) -> float:
        return float(self.engine.evaluate(expr, env))

    def _forward(self, params: dict, x: np.ndarray) -> tuple[list, list]:
        zs, acts = [], [x]
        for layer in self.network.layers:
            z = acts[-1] @ params[f"W{layer.number}"].T
            z = z + params[f"b{layer.number}"] if layer.b else z
            skip = acts[layer.source] if layer.source is not None else z[:, :0]   # residual
            a = np.array([[self._value(layer.a_expr[j], dict(zip(layer.z, row))
                                       | dict(zip(layer.skip, added)))
                           for j in range(layer.units)] for row, added in zip(z, skip)])
            zs.append(z)
            acts.append(a)
        return zs, acts

    def _local(self, layer: Any, z: np.ndarray, a: np.ndarray, kind: str) -> np.ndarray:
        """g′(z) (or g(z) for the 'g where g′ belongs' mistake), elementwise."""
        exprs = [layer.derivative(j) if kind == "prime"
                 else layer.activation.value(layer.z, j, **dict(layer.options))
                 for j in range(layer.units)]
        return np.array([[self._value(e, dict(zip(layer.z, zr)) | dict(zip(layer.a, ar)))
                          for e in exprs] for zr, ar in zip(z, a)])

    def _output_delta(self, z: np.ndarray, acts: list, y: np.ndarray,
                      kind: str) -> tuple[np.ndarray, np.ndarray]:
        """Δ of the output layer, and ∂L/∂Ŷ (a residual passes it on to the layer it adds)."""
        net = self.network
        out, a = net.output, acts[-1]
        dl = np.array([[self._value(net.loss_derivative(j), {out.a[j]: ar[j], net.y[j]: yr[j]})
                        for j in range(out.units)] for ar, yr in zip(a, y)])
        if out.activation.vector:
            skip = acts[out.source] if out.source is not None else a[:, :0]
            jac = [[[self._value(out.jacobian(i, j), dict(zip(out.a, ar)) | dict(zip(out.skip, sr)))
                     for j in range(out.units)] for i in range(out.units)]
                   for ar, sr in zip(a, skip)]
            return np.einsum("nij,ni->nj", np.array(jac), dl), dl
        return dl * (1.0 if kind == "none" else self._local(out, z, a, kind)), dl

    def gradients(self, params: dict, x: np.ndarray, y: np.ndarray, *, layer_kind: dict,
                  transpose: bool = False, delta_of: dict | None = None) -> dict:
        zs, acts = self._forward(params, x)
        layers = self.network.layers
        scale = float(self.network.spec.batch_scale(len(x)))
        deltas, upstream = [None] * len(layers), [None] * len(layers)    # Δ and ∂L/∂A
        deltas[-1], upstream[-1] = self._output_delta(zs[-1], acts, y,
                                                      layer_kind.get(len(layers), "prime"))
        for i in range(len(layers) - 2, -1, -1):
            w = params[f"W{layers[i + 1].number}"]
            back = deltas[i + 1] @ (w.T if transpose and w.shape[0] == w.shape[1] else w)
            back = upstream[i] = back + sum(upstream[m.number - 1]     # residuals' +1 paths
                                            for m in self.network.consumers(i + 1))
            kind = layer_kind.get(i + 1, "prime")
            deltas[i] = back * (1.0 if kind == "none" else self._local(layers[i], zs[i],
                                                                        acts[i + 1], kind))
        out = {}
        for i, layer in enumerate(layers):
            delta = deltas[(delta_of or {}).get(i, i)]
            if delta.shape[1] != layer.units:
                continue
            decay = self.network.spec.l2 if self.network.decays(layer.W[0][0]) else 0.0
            weights = params[f"W{layer.number}"]
            out[f"W{layer.number}"] = scale * delta.T @ acts[i] + decay * weights
            if layer.b:     # a shared bias: the sum over the units too
                b = scale * delta.sum(axis=0)
                out[f"b{layer.number}"] = b.sum(keepdims=True) if layer.shared else b
        return out

    def mutants(self, params: dict, x: np.ndarray,
                y: np.ndarray) -> Iterator[tuple[str, dict]]:
        """(what is wrong, the gradients it gives), the most common mistakes first."""
        right = self.gradients(params, x, y, layer_kind={})
        n = len(x)
        yield "the sign is flipped", {k: -v for k, v in right.items()}
        if self.network.spec.reduction == "mean" and n > 1:
            yield "missing the 1/N of the mean over the batch", {k: n * v for k, v in right.items()}
        for layer in self.network.layers:
            if layer.activation.vector or layer.activation.name == "linear":
                continue
            g = layer.activation.name
            yield (f"missing {g}′(z) (the activation's derivative) in layer {layer.number}",
                   self.gradients(params, x, y, layer_kind={layer.number: "none"}))
            yield (f"{g}(z) written where {g}′(z) belongs in layer {layer.number}",
                   self.gradients(params, x, y, layer_kind={layer.number: "value"}))
        if len(self.network.layers) > 1:
            yield ("W and Wᵀ swapped in the δ recursion (δ⁽ˡ⁾ needs W⁽ˡ⁺¹⁾ᵀ δ⁽ˡ⁺¹⁾)",
                   self.gradients(params, x, y, layer_kind={}, transpose=True))
        count = len(self.network.layers)
        for i in range(count):
            for j in range(count):
                if i != j:
                    yield (f"the δ of layer {j + 1} used for layer {i + 1}'s gradient",
                           self.gradients(params, x, y, layer_kind={}, delta_of={i: j}))
