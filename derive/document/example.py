"""The worked example: data, forward values, the first update, the loss over the steps, and
what the numbers say (a gradient that shrinks through the layers, a saturated or dead unit)."""

from __future__ import annotations

from math import isfinite

import sympy as sp

from ..numbers import trained
from ..registry import OPTIMIZERS
from ..spec import Choice
from .context import Context
from .evaluate import Point
from .forward import count
from .lines import display, line, number
from .model import Figure, Section, Table, Text, math, plain

__all__ = ["example_section", "optimizer_words"]

SATURATED = 0.01     # |g'(z)| below this: the unit barely passes its error back
SHRINK = 4           # a drop of the gradient from the output back to layer 1 worth a word
SLOW = 0.01          # a loss that falls by less than this share over the steps
STEP_ROWS = 6        # steps listed (the first ones and the last); the loss curve shows all


def _num(c: Context, value) -> Text:
    return plain(f"{float(value):.{c.digits}g}")


def _shrinking(c: Context) -> list[str]:
    """The largest weight gradient per layer: a drop from the output back is worth a word."""
    worked, net = c.worked, c.network
    assert worked is not None
    by_layer: dict[int, float] = {}
    for g, value in zip(c.derivation.gradients, worked.first.gradients):
        if g.role.kind == "W":
            by_layer[g.role.layer] = max(by_layer.get(g.role.layer, 0.0), abs(float(value)))
    squashing = any(layer.activation.name in ("sigmoid", "tanh") for layer in net.layers[:-1])
    if len(by_layer) < 2 or by_layer[1] == 0 or not squashing:
        return []
    last = len(net.layers)
    ratio = by_layer[last] / by_layer[1]
    if ratio < SHRINK:
        return []
    sigmoid = any(layer.activation.name == "sigmoid" for layer in net.layers[:-1])
    smaller = (f"is {ratio:.3g} times smaller in layer 1 than in layer {last}"
               if isfinite(ratio) else      # past float range: say both
               f"is {by_layer[1]:.3g} in layer 1 and {by_layer[last]:.3g} in layer {last}")
    return [f"The largest weight gradient {smaller}: each layer back multiplies the error by a "
            "weight and by its activation's derivative" + (", and σ′ is at most ¼" if sigmoid else "") +
            ", so the error shrinks on its way back (the vanishing gradient)."]


def _saturated(c: Context) -> list[str]:
    env = c.worked.first.forwards[0].env if c.worked else {}
    notes = []
    for layer in c.network.layers:
        if layer.activation.vector or layer.activation.name == "linear":
            continue
        for j, z in enumerate(layer.z):
            slope = abs(c.at_example(layer.derivative(j)))
            here = f"its activation's slope is {slope:.2g} at z = {float(env[z]):.4g}"
            if slope == 0:      # ReLU at z < 0: not saturated, off
                notes.append(f"Unit {j + 1} of layer {layer.number} passes no error back: "
                             f"{here}, so the weights into it get no gradient from this "
                             "sample.")
            elif slope < SATURATED:
                notes.append(f"Unit {j + 1} of layer {layer.number} is saturated: {here}, so "
                             "almost no error flows back through it.")
    return notes


def _dead_after_update(c: Context) -> list[str]:
    """A ReLU unit active before the first update and inactive for every sample after it."""
    worked, net = c.worked, c.network
    relus = [layer for layer in net.layers if layer.activation.name == "relu"]
    if worked is None or not worked.updated or not relus:
        return []
    first = worked.first
    point = c.example_point()
    assert point is not None
    after = [Point(point.graph, {**dict(zip(net.parameters, map(float, worked.updated))),
                                 **{s: float(f.env[s]) for s in (*net.x, *net.y)}})
             for f in first.forwards]
    notes = []
    for layer in relus:
        for j, z in enumerate(layer.z):
            if float(first.forwards[0].env[z]) > 0 and all(p.env[z] <= 0 for p in after):
                notes.append(f"After the first update, z of ReLU unit {j + 1} in layer "
                             f"{layer.number} is {float(after[0].env[z]):.4g} ≤ 0: its output and "
                             "gradient are now 0, so it stops learning (a dead ReLU) unless "
                             "another sample revives it.")
    return notes


def _slow(c: Context) -> list[str]:
    """A loss that barely moves: say why, and that the curve's axis magnifies the drop."""
    worked = c.worked
    assert worked is not None
    first, last = float(worked.losses[0]), float(worked.losses[-1])
    if len(worked.steps) < 2 or first == 0 or (first - last) / abs(first) >= SLOW:
        return []
    largest = max(abs(float(g)) for g in worked.first.gradients)
    rate = worked.learning_rate
    sigmoid = any(layer.activation.name == "sigmoid" for layer in c.network.layers)
    sigmoid_note = "every sigmoid on the way back multiplies by σ′ ≤ ¼" if sigmoid else ""
    if worked.first.state or c.network.spec.l2:     # a step is not η·g: say what it was
        assert worked.updated is not None
        moved = max(abs(float(a) - float(b)) for a, b in zip(worked.updated, worked.initial))
        why = (f"the first update moved no parameter by more than {moved:.3g} (η = {rate:g}, "
               f"the largest gradient {largest:.3g}"
               + (f"; {sigmoid_note})" if sigmoid else ")"))
    else:
        why = (f"the largest gradient is {largest:.3g}, so a step moves a parameter by at "
               f"most η·{largest:.3g} = {rate * largest:.3g}"
               + (f" ({sigmoid_note})" if sigmoid else ""))
    return [f"Over {len(worked.steps)} steps the loss falls by only "
            f"{100 * (first - last) / abs(first):.2g} %: {why}"
            ". The loss curve's axis spans only that small range, which makes the drop look "
            "larger than it is."]


def _observations(c: Context) -> list[str]:
    """What the example's numbers say, computed from them, only when it happens."""
    return [*_shrinking(c), *_saturated(c), *_dead_after_update(c), *_slow(c)]


def optimizer_words(choice: Choice) -> Text:
    """The optimizer as prose: "gradient descent with momentum (μ = 0.9), exactly as
    torch.optim does: its rule, with g the gradient"; plain sgd as its rule alone."""
    rule = choice.of(OPTIMIZERS)
    if not rule.options:
        return Text() + f"{rule.title}, " + math(rule.latex)
    return (Text() + f"{rule.title} (" + math(rule.described(choice.options))
            + "), exactly as torch.optim does: " + math(rule.latex) + ", with g the gradient"
            + (" and t the step" if "^t" in rule.latex else ""))


def _optimizer_steps(c: Context, i: int) -> list:
    """Momentum or Adam: the rule as torch.optim applies it, and one parameter's state."""
    worked, example = c.worked, c.network.spec.example
    assert worked is not None and example is not None
    names = [name for name, _ in worked.steps[0].state] if worked.steps[0].state else []
    after = [s.parameters[i] for s in worked.steps[1:]] + [worked.final[i]]
    rows = tuple((plain(str(s.index + 1)), _num(c, s.gradients[i]),
                  *(_num(c, values[i]) if values[i] is not None else plain("")
                    for _, values in s.state), _num(c, theta))
                 for s, theta in zip(worked.steps, after))
    return [Text() + "The parameters move by " + optimizer_words(example.optimizer) + ". For " + math(c.tex(c.network.parameters[i])) + ", step by step:",
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
