"""Time bounded by construction: a wide softmax layer's calculus is linear in its units.

Proving the softmax + cross-entropy shortcut (δ = ŷ − y) expands a sum over the whole layer,
once per unit: O(units²), 220 s for the 999 units of a spec inside every limit. Now a
window of units is proved (the others are the same equation with other indices) and the
chain rule's form of each δ is built only when asked for.
"""

from __future__ import annotations

import time

from derive.calculus import build_network, derive
from derive.calculus.matrix import MATRIX_WINDOW
from derive.spec import load


def _softmax_spec(units: int) -> str:
    y = [0] * units
    y[1] = 1
    return (f"inputs: 4\nlayers:\n  - {{units: {units}, activation: softmax}}\n"
            f"loss: cross_entropy\nexample:\n  x: [1.0, -0.5, 0.3, 0.2]\n  y: {y}\n"
            f"  init: {{seed: 7, scheme: xavier_uniform}}\n")


def _derive_seconds(units: int) -> tuple[float, object]:
    network = build_network(load(_softmax_spec(units), "wide.yaml"))
    start = time.process_time()
    derivation = derive(network)
    return time.process_time() - start, derivation


def test_a_999_unit_softmax_layer_derives_in_seconds() -> None:
    seconds, derivation = _derive_seconds(999)
    assert derivation.shortcut_proved
    assert derivation.shortcut_units == (MATRIX_WINDOW + 1, 999)
    assert seconds < 30, f"{seconds:.1f} s of CPU (was 220 s: one O(units) proof per unit)"


def test_the_calculus_grows_linearly_with_the_units() -> None:
    small, _ = _derive_seconds(150)
    large, _ = _derive_seconds(600)
    assert large < 8 * small + 1.0, f"150 units {small:.2f} s, 600 units {large:.2f} s"


def test_a_narrow_layer_proves_every_unit_and_the_general_form_is_there() -> None:
    _, derivation = _derive_seconds(3)
    assert derivation.shortcut_units == (3, 3)
    output = derivation.deltas[-1]
    assert all(eq.general is not None for eq in output)
    assert output[0].general is output[0].general          # built once, when first asked for
