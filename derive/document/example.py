"""The worked example: data, forward values, the first update, the loss over the steps, and
what the numbers say (a gradient that shrinks through the layers, a saturated or dead unit)."""

from __future__ import annotations

import sympy as sp

from ..numbers import trained
from ..registry import OPTIMIZERS
from .context import Context
from .forward import count
from .lines import display, line, number
from .model import Figure, Section, Table, Text, math, plain

__all__ = ["example_section"]

SATURATED = 0.01     # |g'(z)| below this: the unit barely passes its error back
STEP_ROWS = 6        # steps listed (the first ones and the last); the loss curve shows all


def _num(c: Context, value) -> Text:
    return plain(f"{float(value):.{c.digits}g}")


def _observations(c: Context) -> list[str]:
    worked, net = c.worked, c.network
    assert worked is not None
    notes = []
    by_layer: dict[int, float] = {}
    for g, value in zip(c.derivation.gradients, worked.first.gradients):
        if g.role.kind == "W":
            by_layer[g.role.layer] = max(by_layer.get(g.role.layer, 0.0), abs(float(value)))
    if len(by_layer) > 1 and by_layer[1] > 0:
        ratio = by_layer[len(net.layers)] / by_layer[1]
        if ratio >= 10:
            notes.append(f"The largest weight gradient is {ratio:.3g} times smaller in layer 1 "
                         f"than in layer {len(net.layers)}: each layer multiplies the error by "
                         "its activation's derivative, and those products shrink it (the "
                         "vanishing gradient).")
    env = worked.first.forwards[0].env
    for layer in net.layers:
        if layer.activation.vector or layer.activation.name == "linear":
            continue
        for j, z in enumerate(layer.z):
            slope = abs(c.at_example(layer.derivative(j)))
            if slope < SATURATED:
                notes.append(f"Unit {j + 1} of layer {layer.number} is saturated: its "
                             f"activation's slope is {slope:.2g} at z = {float(env[z]):.4g}, so "
                             "almost no error flows back through it.")
    if len(worked.steps) > 1:
        after = worked.steps[1].forwards
        for layer in net.layers:
            if layer.activation.name != "relu":
                continue
            for j, z in enumerate(layer.z):
                if float(env[z]) > 0 and all(float(f.env[z]) <= 0 for f in after):
                    notes.append(f"After the first update, ReLU unit {j + 1} of layer "
                                 f"{layer.number} has z ≤ 0: its output and its gradient are "
                                 "0, so it stops learning (a dead ReLU) unless another sample "
                                 "revives it.")
    return notes


def _optimizer_steps(c: Context, i: int) -> list:
    """Momentum or Adam: the rule as torch.optim applies it, and one parameter's state."""
    worked, example = c.worked, c.network.spec.example
    assert worked is not None and example is not None
    rule = OPTIMIZERS[example.optimizer.name]
    options = ", ".join(f"{k} = {v:g}" for k, v in example.optimizer.options)
    names = [name for name, _ in worked.steps[0].state] if worked.steps[0].state else []
    after = [s.parameters[i] for s in worked.steps[1:]] + [worked.final[i]]
    rows = tuple((plain(str(s.index + 1)), _num(c, s.gradients[i]),
                  *(_num(c, values[i]) if values[i] is not None else plain("")
                    for _, values in s.state), _num(c, theta))
                 for s, theta in zip(worked.steps, after))
    return [Text() + f"The parameters move by {example.optimizer.name} ({options}), exactly as "
            "torch.optim does: " + math(rule.latex) + ", with g the gradient and t the step. "
            "For " + math(c.tex(c.network.parameters[i])) + ", step by step:",
            Table((plain("step"), plain("gradient"), *(plain(n) for n in names),
                   plain("after the step")), rows)]


def example_section(c: Context, loss_picture: str | None) -> Section | None:
    worked, net = c.worked, c.network
    if worked is None:
        return None
    example = net.spec.example
    assert example is not None
    data = Table((plain("sample"), *(math(c.tex(x)) for x in net.x),
                  *(math(c.tex(y)) for y in net.y)),
                 tuple((plain(str(n + 1)), *(_num(c, v) for v in xs), *(_num(c, v) for v in ys))
                       for n, (xs, ys) in enumerate(zip(example.x, example.y))))
    first = worked.first
    forward = Table((plain("quantity"), *(plain(f"sample {n + 1}") for n in first.samples)),
                    tuple((math(c.tex(s)), *(_num(c, f.env[s]) for f in first.forwards))
                          for layer in net.layers for s in (*layer.z, *layer.a)))
    mode = ("Each update uses the gradient of the batch loss " + math(c.batch_loss) + " (all "
            f"{count(len(example.x), 'sample')})." if worked.mode == "batch" and c.samples > 1
            else Text() + "Each update uses one sample's gradient, in turn (stochastic "
            "gradient descent)." if c.samples > 1 else Text())
    rate = example.learning_rate
    decay = Text()
    if net.spec.l2:
        decay = (Text() + " With weight decay the objective is " + math(
            rf"J = {c.batch_loss if c.samples > 1 else c.loss} + \frac{{\lambda}}{{2}} \sum w^2")
            + f" over the trained weights (λ = {net.spec.l2:g}, biases excluded), so each "
            "weight's gradient gains " + math(r"\lambda w") + "; the gradients, losses and "
            "updates below include it.")
    blocks: list = [data, Text() + "Learning rate " + math(rf"\eta = {rate:g}") + ". " + mode
                    + decay,
                    plain("The forward pass before the first update:"), forward]
    which = c.batch_loss if worked.mode == "batch" and c.samples > 1 else \
        (rf"{c.loss}_{{1}}" if c.samples > 1 else c.loss)
    blocks.append(Text() + "Loss before the first update: " + math(
        rf"{which} = {float(first.loss):.{c.digits}g}") + ".")
    trains = trained(net)
    if worked.updated and any(trains) and example.optimizer.name != "sgd":
        blocks += _optimizer_steps(c, trains.index(True))
    elif worked.updated and any(trains):
        i = trains.index(True)
        theta, grad, new = (float(first.parameters[i]), float(first.gradients[i]),
                            float(worked.updated[i]))
        t, e, d = number(theta, c.digits), number(rate, c.digits), number(grad, c.digits)
        blocks += [Text() + "Each parameter moves against its gradient, " + math(
            r"\theta \leftarrow \theta - \eta \, \partial " + which + r" / \partial \theta") +
            f"; for {'the first one' if i == 0 else 'the first one that trains'}, "
            + math(c.tex(net.parameters[i])) + ":",
            display([line([(rf"{t[0]} - {e[0]} \cdot {d[0]}",
                            sp.Add(t[1], -sp.Mul(e[1], d[1], evaluate=False), evaluate=False)),
                           number(new, c.digits)], aligned=False, at="example",
                          digits=c.digits)])]
    if len(worked.steps) > 1:
        shown = worked.steps if len(worked.steps) <= STEP_ROWS else \
            (*worked.steps[:STEP_ROWS - 2], None, worked.steps[-1])
        steps = Table((plain("step"), plain("samples"), plain("loss before the step")),
                      tuple((plain(str(s.index + 1)), plain(", ".join(str(n + 1) for n in s.samples)),
                             _num(c, s.loss)) if s is not None else
                            (plain("…"), plain(""), plain("")) for s in shown))
        blocks += [plain(f"{count(len(worked.steps), 'step')}; the loss of each step's samples "
                         "before it, and at the end:"), steps,
                   Text() + "After the last step: " + math(
                       rf"{which} = {float(worked.losses[-1]):.{c.digits}g}") + "."]
        if loss_picture:
            blocks.append(Figure(loss_picture, plain("The loss before each step")))
    notes = _observations(c)
    if notes:
        blocks += [plain("What the numbers show:"), *(plain(n) for n in notes)]
    return Section(plain("Worked example"), tuple(blocks))
