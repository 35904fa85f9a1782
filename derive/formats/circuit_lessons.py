"""The backward patterns of cs231n's circuits, each one sentence computed from the graph and
tied to the node where it happens: an add gate distributes the upstream gradient, a multiply
gate swaps its inputs' values, a max (min) gate routes it to the larger (smaller) input, and
where a value fans out the gradients along its wires add.

A gate's sentence belongs to the gate (what it sends back to its inputs); a fan-out's to the
node that fans out (what it collects). Each sentence quotes the numbers of this circuit.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

from ..circuit import CircuitDerivation, Quantity
from ..document.model import Text, math
from .circuit_tex import CircuitTex

__all__ = ["lessons"]


def _names(tex: CircuitTex, names: list[str]) -> Text:
    out = Text()
    for i, name in enumerate(names):
        out += ("" if i == 0 else " and " if i == len(names) - 1 else ", ") + math(tex.name(name))
    return out


def _add(tex: CircuitTex, result: CircuitDerivation, q: Quantity) -> Text:
    parents = [e.parent for e in result.edges_into(q.name)]
    return ("At " + math(tex.definition(q)) + ", an add gate distributes: "
            + _names(tex, parents) + " each receive the upstream gradient "
            + math(f"{tex.partial(result.output.name, q.name)} = {tex.number(q.grad)}")
            + " unchanged (every local derivative is 1).")


def _multiply(tex: CircuitTex, result: CircuitDerivation, q: Quantity) -> Text:
    (a, b) = [e.parent for e in result.edges_into(q.name)]
    up = tex.number(q.grad)
    return ("At " + math(tex.definition(q)) + ", a multiply gate swaps: "
            + math(tex.name(a)) + " receives the upstream gradient " + math(up)
            + " times the other input's value " + math(tex.valued(b)) + ", and "
            + math(tex.name(b)) + " receives it times " + math(tex.valued(a)) + ".")


def _route(word: str, torch: str) -> Callable[[CircuitTex, CircuitDerivation, Quantity], Text]:
    def sentence(tex: CircuitTex, result: CircuitDerivation, q: Quantity) -> Text:
        edges = result.edges_into(q.name)
        winners = [e.parent for e in edges if e.local_value != 0]
        losers = [e.parent for e in edges if e.local_value == 0]
        up = tex.number(q.grad)
        head = "At " + math(tex.definition(q)) + f", a {'max' if word == 'larger' else 'min'} " \
            "gate routes: "
        if len(winners) == 1:
            return (head + math(tex.valued(winners[0])) + f" is the {word} input and receives "
                    "the whole upstream gradient " + math(up) + "; " + _names(tex, losers)
                    + (" receives" if len(losers) == 1 else " receive") + " 0.")
        shares = ", ".join(f"{tex.name(e.parent)}: {tex.number(e.contribution)}" for e in edges)
        return (head + _names(tex, winners) + f" tie as the {word}, so the upstream gradient "
                + math(up) + f" is shared as {torch} does (" + math(shares) + ").")
    return sentence


_GATES = MappingProxyType({
    "add": _add,
    "multiply": _multiply,
    "max": _route("larger", "torch.maximum"),
    "min": _route("smaller", "torch.minimum"),
})


def _fan_out(tex: CircuitTex, result: CircuitDerivation, q: Quantity) -> Text:
    edges = result.edges_out_of(q.name)
    terms = " + ".join(tex.number(e.contribution, factor=i > 0) for i, e in enumerate(edges))
    return (math(tex.name(q.name)) + " fans out to " + _names(tex, [e.child for e in edges])
            + f": the gradients flowing back along its {len(edges)} wires add, "
            + math(f"{terms} = {tex.number(q.grad)}") + ".")


def lessons(tex: CircuitTex, result: CircuitDerivation, q: Quantity) -> tuple[Text, ...]:
    """The sentences that belong at node ``q`` (none when it is neither a gate nor a fan-out)."""
    out = []
    if q.consumers > 1:
        out.append(_fan_out(tex, result, q))
    if q.rule is not None:
        out.append(_GATES[q.rule](tex, result, q))
    return tuple(out)
