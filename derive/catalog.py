"""What ``derive-backprop list`` prints: every name a spec may use, one plain line each.

The registries hold the mathematics; the plain sentence a newcomer reads first lives here,
one per entry (``PLAIN``), so a new registry entry without one fails its test rather than
printing a bare formula. No click, no printing (``cli`` echoes the lines).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .registry import ACTIVATIONS, INIT_SCHEMES, LOSSES, NOTATIONS, OPTIMIZERS

__all__ = ["PLAIN", "catalog_lines"]

LEGEND = ("Names a spec may use. In the formulas z is what a unit adds up (its weights times",
          "its inputs, plus its bias), y is a target, and yhat the network's output.")

# kind -> (name, the one plain sentence ``list`` prints before the entry's formula).
PLAIN: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("activation", (
        ("linear", "passes z through unchanged"),
        ("sigmoid", "squashes z into (0, 1)"),
        ("tanh", "squashes z into (-1, 1)"),
        ("relu", "z when it is positive, else 0"),
        ("leaky_relu", "like relu, with a small slope below 0"),
        ("softplus", "a smooth relu"),
        ("elu", "like relu, bending smoothly down to -alpha below 0"),
        ("softmax", "turns the output layer into probabilities that sum to 1"),
    )),
    ("loss", (
        ("squared_error", "the squared differences from the targets, added up"),
        ("half_squared_error", "half the squared differences (its gradient is just yhat - y)"),
        ("binary_cross_entropy", "for yes/no outputs between 0 and 1"),
        ("cross_entropy", "for classes, after a softmax output layer"),
        ("absolute_error", "the sizes of the differences, added up"),
        ("huber", "squared for small differences, absolute for large ones"),
    )),
    ("optimizer", (
        ("sgd", "plain gradient descent: each step moves against the gradient"),
        ("momentum", "gradient descent that keeps a running velocity (torch.optim.SGD)"),
        ("adam", "steps scaled by running averages of the gradient and its square "
                 "(torch.optim.Adam)"),
    )),
    ("init scheme", (
        ("uniform", "random weights and biases between -1 and 1"),
        ("xavier_uniform", "random, in a range that shrinks as the layers grow"),
    )),
    ("notation", (
        ("standard", "the default: w(l)jk is the weight into unit j of layer l from unit k, "
                     "the output is yhat, the loss L"),
        ("nielsen", "as in Nielsen's book and 3Blue1Brown: the output is a(L), the loss C"),
        ("layer-prime", "first-layer weights primed (w'ij from input i to unit j), second "
                        "layer w2ij"),
        ("vector", "layers as subscripts with column vectors: z1 = W1 x + b1"),
        ("batch", "one sample per row, as code writes it: Yhat = X W + b"),
    )),
)


def sections() -> tuple[tuple[str, str, str, Any], ...]:
    """(kind, heading, where a spec names it, entries) per registry; the layer types are
    loaded here, only when the catalog is printed (a plain run never reads them)."""
    from .tensor import LAYERS

    return (
        ("activation", "activations", "a layer's activation:", ACTIVATIONS),
        ("loss", "losses", "loss:", LOSSES),
        ("optimizer", "optimizers", "example.optimizer:", OPTIMIZERS),
        ("init scheme", "init schemes", "example.init: {seed: 0, scheme: ...}", INIT_SCHEMES),
        ("notation", "notations", "notation:", tuple(NOTATIONS.values())),
        ("layer type", "layer types (docs/layers.md)",
         "a layer's type: over inputs: {shape: [...]}", LAYERS),
    )


def _options(entry: Any) -> str:
    """``  [options, defaults shown: {name: leaky_relu, slope: 0.01}]``, or nothing."""
    options = ", ".join(f"{o.name}: {o.default:g}" for o in getattr(entry, "options", ()))
    return f"  [options, defaults shown: {{name: {entry.name}, {options}}}]" if options else ""


def _line(kind: str, entry: Any) -> str:
    formula = getattr(entry, "formula", "") if kind in ("activation", "loss") else ""
    text = entry.summary if kind == "layer type" else \
        dict(dict(PLAIN)[kind])[entry.name] + (f": {formula}" if formula else "")
    return f"  {entry.name:<20} {text}{_options(entry)}"


def catalog_lines(chosen: Iterable[tuple[str, str, str, Any]] | None = None) -> list[str]:
    """The legend, then per registry a heading naming the spec key and one line per name."""
    lines = list(LEGEND)
    for kind, heading, key, entries in sections() if chosen is None else chosen:
        lines += ["", f"{heading} ({key})"]
        lines += [_line(kind, entry) for entry in entries]
    return lines
