"""The patterns a ``graph:`` page teaches, each one sentence at the node where it happens, with
this circuit's numbers: add distributes, multiply swaps, max/min route (a tie splits as
torch.maximum does), and gradients add where a value fans out."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings

from derive.circuit import derive_circuit
from derive.formats.circuit_page import circuit_latex, circuit_markdown

from .test_circuit import ADD_MUL, circuits

ROUTES = {"inputs": {"x": 4, "y": 2, "z": 3},
          "nodes": {"m": "max(x, y)", "n": "min(x, z)", "f": "m * n"}, "output": "f"}
FAN_OUT = {"inputs": {"a": 3}, "nodes": {"s": "a * a", "b": "s + a"}, "output": "b"}
TIE = {"inputs": {"a": 1, "b": 1, "c": 2}, "nodes": {"m": "max(a, b)", "f": "m * c"},
       "output": "f"}


def _page(mapping: dict) -> str:
    return circuit_markdown(derive_circuit(mapping), "t", "t/circuit.svg")


def _after_row(page: str, name: str, output: str) -> str:
    """The text between the backward row of ∂output/∂name and the next display."""
    row = page.index(rf"\frac{{\partial {output}}}{{\partial {name}}} &= ",
                     page.index("Backward pass"))
    start = page.index("$$", row) + 2
    return page[start:page.find("$$", start) if "$$" in page[start:] else len(page)]


def test_add_distributes_and_multiply_swaps_at_their_nodes() -> None:
    page = _page(ADD_MUL)
    assert (r"At \(f = q z\), a multiply gate swaps: \(q\) receives the upstream gradient \(1\) "
            r"times the other input's value \(z = -4\), and \(z\) receives it times \(q = 3\)."
            ) in _after_row(page, "f", "f")
    assert (r"At \(q = x + y\), an add gate distributes: \(x\) and \(y\) each receive the "
            r"upstream gradient \(\frac{\partial f}{\partial q} = -4\) unchanged"
            ) in _after_row(page, "q", "f")


def test_max_and_min_route_to_the_winner() -> None:
    page = _page(ROUTES)
    assert (r"a max gate routes: \(x = 4\) is the larger input and receives the whole upstream "
            r"gradient \(3\); \(y\) receives 0.") in _after_row(page, "m", "f")
    assert (r"a min gate routes: \(z = 3\) is the smaller input and receives the whole upstream "
            r"gradient \(4\); \(x\) receives 0.") in _after_row(page, "n", "f")


def test_a_tie_splits_the_gradient_as_torch_maximum() -> None:
    sentence = _after_row(_page(TIE), "m", "f")
    assert r"\(a\) and \(b\) tie as the larger, so the upstream gradient \(2\) is shared as " \
           r"torch.maximum does (\(a: 1, b: 1\))." in sentence


def test_gradients_add_where_a_value_fans_out() -> None:
    page = _page(FAN_OUT)
    assert (r"\(a\) fans out to \(s\) and \(b\): the gradients flowing back along its 2 wires "
            r"add, \(6 + 1 = 7\).") in _after_row(page, "a", "b")


def test_the_latex_page_has_the_same_sentences_escaped() -> None:
    latex = circuit_latex(derive_circuit(FAN_OUT), "t")
    assert r"\(a\) fans out to \(s\) and \(b\)" in latex and "an add gate distributes" in latex


@settings(max_examples=30, deadline=None)
@given(circuits())
def test_each_gate_and_fan_out_has_one_sentence_whose_numbers_hold(mapping: dict) -> None:
    result = derive_circuit(mapping)
    page = _page(mapping)
    live = [q for q in result.quantities
            if q.name == result.output.name or result.edges_out_of(q.name)]
    gates = [q for q in live if q.rule is not None]
    assert page.count(", an add gate") + page.count(", a multiply gate") + \
        page.count(", a max gate") + page.count(", a min gate") == len(gates)
    fans = [q for q in live if q.consumers > 1]
    sums = re.findall(r"wires add, \\\((.*?) = (\S+)\\\)\.", page)
    assert len(sums) == len(fans)
    for terms, total in sums:       # the printed shares add up to the printed gradient
        parts = [float(t.replace(r"\left(", "").replace(r"\right)", ""))
                 for t in terms.split(" + ")]
        scale = max(map(abs, parts), default=0.0)   # 6 printed digits of each share
        assert sum(parts) == pytest.approx(float(total), abs=1e-5 * scale + 1e-12)
