"""The naive baseline: expand the whole loss, then ``sympy.diff`` + ``sympy.simplify`` per parameter.

Run as ``python benchmarks/naive.py ARCH_JSON`` where ARCH_JSON is
``{"inputs": n, "layers": [[units, activation, bias], ...], "loss": name}``
(an activation or loss may be ``{"name": ..., option: value}`` as in a spec).
It is what a student would write first: every layer is substituted into the
loss (one big expression in x, y and the parameters), then each ∂L/∂θ is a
separate ``sympy.diff`` of that expression followed by ``sympy.simplify``.

Prints ``built <seconds>`` after the expansion and ``done <i> <seconds>`` after
each parameter (flushed), so a run stopped at its time cap still tells how far
it got; the benchmark extrapolates the total from these lines.

Exit code 3 means the spec names something this baseline does not model.
Only SymPy is imported (no derive code), so the baseline shares nothing with
the tool it is compared with.
"""

from __future__ import annotations

import json
import sys
import time

import sympy as sp


UNSUPPORTED = 3   # exit code for a name this baseline does not know (reported, not an error)


def _name(choice: object) -> tuple[str, dict]:
    """``"relu"`` or ``{"name": "huber", "delta": 0.5}`` -> (name, options)."""
    if isinstance(choice, dict):
        return str(choice["name"]), {k: v for k, v in choice.items() if k != "name"}
    return str(choice), {}


def _unsupported(kind: str, name: str) -> None:
    print(f"naive.py: unsupported {kind} {name}", file=sys.stderr)
    raise SystemExit(UNSUPPORTED)


def activation(choice: object, zs: list[sp.Expr]) -> list[sp.Expr]:
    """g applied to a layer's pre-activations (softmax couples them), in plain SymPy."""
    name, opts = _name(choice)
    if name == "softmax":
        total = sp.Add(*(sp.exp(z) for z in zs))
        return [sp.exp(z) / total for z in zs]
    forms = {
        "linear": lambda z: z,
        "sigmoid": lambda z: 1 / (1 + sp.exp(-z)),
        "tanh": sp.tanh,
        "relu": lambda z: sp.Max(0, z),
        "leaky_relu": lambda z: sp.Piecewise((z, z > 0),
                                             (sp.Float(opts.get("slope", 0.01)) * z, True)),
        "softplus": lambda z: sp.log(1 + sp.exp(z)),
        "elu": lambda z: sp.Piecewise((z, z > 0),
                                      (sp.Float(opts.get("alpha", 1.0)) * (sp.exp(z) - 1), True)),
    }
    if name not in forms:
        _unsupported("activation", name)
    return [forms[name](z) for z in zs]


def loss_term(choice: object, yhat: sp.Expr, y: sp.Expr) -> sp.Expr:
    name, opts = _name(choice)
    delta = sp.Float(opts.get("delta", 1.0))
    forms = {
        "squared_error": lambda: (y - yhat) ** 2,
        "half_squared_error": lambda: sp.Rational(1, 2) * (yhat - y) ** 2,
        "binary_cross_entropy": lambda: -(y * sp.log(yhat) + (1 - y) * sp.log(1 - yhat)),
        "cross_entropy": lambda: -y * sp.log(yhat),
        "absolute_error": lambda: sp.Abs(y - yhat),
        "huber": lambda: sp.Piecewise(
            (sp.Rational(1, 2) * (yhat - y) ** 2, sp.Abs(yhat - y) <= delta),
            (delta * (sp.Abs(yhat - y) - delta / 2), True)),
    }
    if name not in forms:
        _unsupported("loss", name)
    return forms[name]()


def main() -> None:
    start = time.perf_counter()
    arch = json.loads(sys.argv[1])
    a: list[sp.Expr] = list(sp.symbols(f"x0:{arch['inputs']}"))
    params: list[sp.Symbol] = []
    for number, (units, act, bias) in enumerate(arch["layers"], start=1):
        out = []
        for j in range(units):
            z: sp.Expr = sp.S.Zero
            for k, prev in enumerate(a):
                w = sp.Symbol(f"w{number}_{j}_{k}")
                params.append(w)
                z += w * prev
            if bias:
                b = sp.Symbol(f"b{number}_{j}")
                params.append(b)
                z += b
            out.append(z)
        a = activation(act, out)
    ys = sp.symbols(f"y0:{len(a)}")
    loss = sp.Add(*(loss_term(arch["loss"], yhat, y) for yhat, y in zip(a, ys)))
    print(f"built {time.perf_counter() - start:.3f} params {len(params)}", flush=True)
    for i, p in enumerate(params, start=1):
        sp.simplify(sp.diff(loss, p))
        print(f"done {i} {time.perf_counter() - start:.3f}", flush=True)


if __name__ == "__main__":
    main()
