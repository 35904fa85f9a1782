r"""``derivation.derive`` on small hand-built networks: paths, factor order, δ, big networks.

    δ^{(L)}_j = ∂L/∂ŷ_j · g'(z^{(L)}_j)
    δ^{(l)}_j = (Σ_i w^{(l+1)}_{ij} δ^{(l+1)}_i) · g'(z^{(l)}_j)
    ∂L/∂w^{(l)}_{jk} = δ^{(l)}_j a^{(l-1)}_k,   ∂L/∂b^{(l)}_j = δ^{(l)}_j
"""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from derive import build_network, check, derive, load_spec
from derive.calculus import Derivation, Gradient, prove_equal
from derive.calculus.chain import MAX_PATHS, path_count, paths_to_loss
from derive.calculus.derivation import batch_scale
from derive.calculus.expressions import ChainProduct, ChainSum, Partial, as_expr
from derive.calculus.matrix import matrix_check
from derive.calculus.proofs import prove_unit
from derive.calculus.symbols import (LOSS, activation_symbol, bias_symbol, delta_symbol,
                                     input_symbol, pre_activation_symbol, target_symbol,
                                     weight_symbol)
from derive.registry.functions import sigmoid


def derivation_of(text: str) -> Derivation:
    return derive(build_network(load_spec(text, "net.yaml")))


def network_text(inputs: int, layers: list[tuple[int, str]], loss: str = "half_squared_error",
                 extra: str = "") -> str:
    rows = "".join(f"  - {{units: {u}, activation: {g}}}\n" for u, g in layers)
    return f"inputs: {inputs}\nlayers:\n{rows}loss: {loss}\n{extra}"


def by_parameter(d: Derivation) -> dict[sp.Symbol, Gradient]:
    return {g.parameter: g for g in d.gradients}


def same(left: object, right: object) -> bool:
    return sp.expand(as_expr(left) - as_expr(right)) == 0


@pytest.fixture(scope="module")
def net_232() -> Derivation:
    """2 inputs, 3 sigmoid hidden units, 2 sigmoid outputs, ½ Σ (ŷ − y)²."""
    return derivation_of(network_text(2, [(3, "sigmoid"), (2, "sigmoid")]))


# --------------------------------------------------------------------------- paths


def test_gradients_in_parameter_order(net_232: Derivation) -> None:
    params = [g.parameter for g in net_232.gradients]
    expected = [weight_symbol(1, j, k) for j in range(3) for k in range(2)]
    expected += [bias_symbol(1, j) for j in range(3)]
    expected += [weight_symbol(2, j, k) for j in range(2) for k in range(3)]
    expected += [bias_symbol(2, j) for j in range(2)]
    assert params == expected
    roles = [(g.role.kind, g.role.layer, g.role.index) for g in net_232.gradients[:1]]
    assert roles == [("W", 1, (0, 0))]


def test_number_of_paths(net_232: Derivation) -> None:
    grads = by_parameter(net_232)
    assert len(grads[weight_symbol(1, 0, 0)].paths) == 2   # through each output unit
    assert len(grads[bias_symbol(1, 2)].paths) == 2
    assert len(grads[weight_symbol(2, 1, 2)].paths) == 1
    assert len(grads[bias_symbol(2, 0)].paths) == 1
    assert (path_count(net_232.network, 1), path_count(net_232.network, 2)) == (2, 1)


def test_number_of_paths_multiplies_through_layers() -> None:
    d = derivation_of(network_text(1, [(2, "tanh"), (3, "tanh"), (2, "linear")]))
    grads = by_parameter(d)
    assert len(grads[weight_symbol(1, 0, 0)].paths) == 3 * 2
    assert len(grads[weight_symbol(2, 0, 0)].paths) == 2
    assert len(grads[weight_symbol(3, 0, 0)].paths) == 1


def test_factor_order_loss_first_parameter_last(net_232: Derivation) -> None:
    g = by_parameter(net_232)[weight_symbol(1, 1, 0)]   # w^{(1)}_{21}: from x_1 to hidden unit 2
    a1, z1 = activation_symbol(1, 1), pre_activation_symbol(1, 1)
    chains = [tuple(f.partial for f in path) for path in g.paths]
    assert chains == [
        (Partial(LOSS, activation_symbol(2, i)),
         Partial(activation_symbol(2, i), pre_activation_symbol(2, i)),
         Partial(pre_activation_symbol(2, i), a1),
         Partial(a1, z1))
        for i in range(2)
    ]
    assert g.last.partial == Partial(z1, weight_symbol(1, 1, 0))
    assert g.last.value == input_symbol(0)


def test_factor_values_are_local_derivatives(net_232: Derivation) -> None:
    g = by_parameter(net_232)[weight_symbol(1, 1, 0)]
    loss, act, weight, hidden = g.paths[1]
    a2, y2, z2 = activation_symbol(2, 1), target_symbol(1), pre_activation_symbol(2, 1)
    z1 = pre_activation_symbol(1, 1)
    assert same(loss.value, a2 - y2)
    assert same(act.value, sigmoid(z2) * (1 - sigmoid(z2)))
    assert weight.value == weight_symbol(2, 1, 1)
    assert same(hidden.value, sigmoid(z1) * (1 - sigmoid(z1)))


def test_path_sum_equals_delta_form_and_is_proved(net_232: Derivation) -> None:
    assert all(g.proved is True for g in net_232.gradients)
    g = by_parameter(net_232)[weight_symbol(1, 0, 1)]
    assert isinstance(g.result, ChainSum) and len(g.result.terms) == 2
    assert all(isinstance(t, ChainProduct) for t in g.result.terms)
    # each term is the product of its path's factor values and ∂z/∂w = x_2
    for term, path in zip(g.result.terms, g.paths):
        assert same(term, sp.Mul(*(as_expr(f.value) for f in path)) * input_symbol(1))


def test_path_proof_fails_against_a_wrong_delta(net_232: Derivation) -> None:
    """The path proof (local derivatives as opaque symbols) still tells a wrong δ apart:
    a lost σ′, a flipped sign in a later layer, a wrong weight index."""
    network = net_232.network
    paths = tuple(paths_to_loss(network, 1, 0))
    assert prove_unit(network, 1, 0, paths, net_232.deltas)
    hidden, output = net_232.deltas
    no_slope = dataclasses.replace(hidden[0], value=hidden[0].value.factors[0])
    flipped = dataclasses.replace(output[1], value=ChainProduct((-1, output[1].value)),
                                  general_of=None)
    back = hidden[0].value.factors[0]
    swapped = ChainSum((ChainProduct((network.layers[1].W[0][1], delta_symbol(2, 0))),
                        *back.terms[1:]))
    wrong_index = dataclasses.replace(hidden[0], value=ChainProduct(
        (swapped, *hidden[0].value.factors[1:])))
    for wrong in (((no_slope, *hidden[1:]), output), (hidden, (output[0], flipped)),
                  ((wrong_index, *hidden[1:]), output)):
        assert not prove_unit(network, 1, 0, paths, wrong)


# --------------------------------------------------------------------------- δ form


def test_delta_form_of_a_weight_is_delta_times_input(net_232: Derivation) -> None:
    grads = by_parameter(net_232)
    assert grads[weight_symbol(2, 1, 2)].delta_form == ChainProduct(
        (delta_symbol(2, 1), activation_symbol(1, 2)))
    assert grads[weight_symbol(1, 0, 1)].delta_form == ChainProduct(
        (delta_symbol(1, 0), input_symbol(1)))


def test_delta_form_of_a_bias_is_delta(net_232: Derivation) -> None:
    grads = by_parameter(net_232)
    assert grads[bias_symbol(2, 0)].delta_form == delta_symbol(2, 0)
    assert grads[bias_symbol(1, 2)].delta_form == delta_symbol(1, 2)
    assert grads[bias_symbol(1, 2)].last.value == 1


def test_output_delta_sigmoid_half_squared_error(net_232: Derivation) -> None:
    """Seed 004: δ^{(L)}_j = (a_j − y_j) σ(z_j)(1 − σ(z_j)), not (y_j − a_j) …"""
    assert len(net_232.deltas) == 2 and len(net_232.deltas[1]) == 2
    for eq in net_232.deltas[1]:
        j = eq.unit
        a, y, z = activation_symbol(2, j), target_symbol(j), pre_activation_symbol(2, j)
        assert (eq.layer, eq.symbol) == (2, delta_symbol(2, j))
        assert same(eq.value, (a - y) * sigmoid(z) * (1 - sigmoid(z)))
        assert not same(eq.value, (y - a) * sigmoid(z) * (1 - sigmoid(z)))
    assert net_232.delta(2, 1) is net_232.deltas[1][1]


def test_output_delta_linear_squared_error() -> None:
    d = derivation_of(network_text(1, [(1, "linear")], loss="squared_error"))
    (eq,) = d.deltas[0]
    assert same(eq.value, -2 * (target_symbol(0) - activation_symbol(1, 0)))


def test_hidden_delta_recursion(net_232: Derivation) -> None:
    for eq in net_232.deltas[0]:
        j = eq.unit
        z = pre_activation_symbol(1, j)
        back = sum(weight_symbol(2, i, j) * delta_symbol(2, i) for i in range(2))
        assert (eq.layer, eq.symbol) == (1, delta_symbol(1, j))
        assert same(eq.value, back * sigmoid(z) * (1 - sigmoid(z)))
        # printed as (Σ_i w_ij δ_i) · g'(z_j), the sum in unit order
        assert isinstance(eq.value, ChainProduct)
        total = eq.value.factors[0]
        assert total == ChainSum(tuple(ChainProduct((weight_symbol(2, i, j), delta_symbol(2, i)))
                                       for i in range(2)))


def test_hidden_delta_with_relu_uses_relu_prime() -> None:
    from derive.registry.functions import relu_prime

    d = derivation_of(network_text(1, [(1, "relu"), (1, "linear")]))
    (eq,) = d.deltas[0]
    assert same(eq.value, weight_symbol(2, 0, 0) * delta_symbol(2, 0)
                * relu_prime(pre_activation_symbol(1, 0)))


def test_no_bias_layer_has_no_bias_gradients() -> None:
    text = "inputs: 2\nlayers:\n  - {units: 2, activation: tanh, bias: false}\n" \
           "  - {units: 1, activation: linear}\nloss: squared_error\n"
    d = derivation_of(text)
    kinds = [(g.role.layer, g.role.kind) for g in d.gradients]
    assert kinds.count((1, "b")) == 0 and kinds.count((2, "b")) == 1
    assert len(d.gradients) == 4 + 2 + 1


# --------------------------------------------------------------------------- matrix form


@pytest.mark.parametrize("reduction, batch", [("mean", 3), ("sum", 2), ("mean", 1)])
def test_matrix_checks_hold(reduction: str, batch: int) -> None:
    xs = ", ".join("[0.5, -1.0]" for _ in range(batch))
    ys = ", ".join("[0.2]" for _ in range(batch))
    text = network_text(2, [(2, "tanh"), (1, "sigmoid")], extra=(
        f"reduction: {reduction}\nexample:\n  x: [{xs}]\n  y: [{ys}]\n"))
    d = derivation_of(text)
    proved = max(batch, 2)      # a single-sample example still proves the batch form for N = 2
    assert [(m.layer, m.samples) for m in d.matrix] == [(1, proved), (2, proved)]
    assert all(m.weights and m.bias and m.delta and m.symbolic for m in d.matrix)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_matrix_checks_catch_a_wrong_scalar_form(reduction: str) -> None:
    """Each matrix equation fails when the scalar form it is compared with is wrong."""
    text = network_text(2, [(3, "sigmoid"), (2, "tanh"), (1, "linear")], extra=(
        f"reduction: {reduction}\nexample:\n  x: [[0.5, -1.0], [0.1, 0.2]]\n  y: [[0.2], [0.4]]\n"))
    network = build_network(load_spec(text, "net.yaml"))
    d = derive(network)
    scale = batch_scale(network, 2)
    wrong_delta = [list(layer) for layer in d.deltas]
    first = wrong_delta[0][1]
    wrong_delta[0][1] = dataclasses.replace(first, value=2 * as_expr(first.value))
    checks = matrix_check(network, tuple(map(tuple, wrong_delta)), d.gradients, 2, scale)
    assert [m.delta for m in checks] == [False, True, True]
    assert all(m.weights and m.bias for m in checks)
    wrong_output = [list(layer) for layer in d.deltas]
    last = wrong_output[-1][0]
    wrong_output[-1][0] = dataclasses.replace(last, value=as_expr(last.value) + LOSS)
    checks = matrix_check(network, tuple(map(tuple, wrong_output)), d.gradients, 2, scale)
    assert [m.delta for m in checks] == [True, True, False]
    w = network.layers[1].W[1][0]
    def tamper(g: Gradient) -> Gradient:
        extra = sigmoid(activation_symbol(1, 0))
        return dataclasses.replace(g, delta_form=ChainProduct((*g.delta_form.factors, extra)))

    tampered = tuple(tamper(g) if g.parameter == w else g for g in d.gradients)
    checks = matrix_check(network, d.deltas, tampered, 2, scale)
    assert [m.weights for m in checks] == [True, False, True]
    assert all(m.delta and m.bias for m in checks)


# --------------------------------------------------------------------------- wide networks

WIDE = network_text(1, [(1, "tanh"), (MAX_PATHS + 1, "sigmoid")], extra=(
    "example:\n  x: [0.7]\n  y: [" + ", ".join(["0.5"] * (MAX_PATHS + 1)) + "]\n"
    "  init: {seed: 3}\n"))


@pytest.fixture(scope="module")
def wide() -> Derivation:
    return derivation_of(WIDE)


def test_wider_than_max_paths_has_no_paths(wide: Derivation) -> None:
    assert path_count(wide.network, 1) == MAX_PATHS + 1
    for g in wide.gradients:
        if g.role.layer == 1:
            assert g.paths == () and g.result is None and g.proved is None
            assert g.value is g.delta_form
        elif wide.gradients.index(g) in wide.featured:
            assert len(g.paths) == 1 and g.proved is True
        else:   # a large network writes paths out only for the gradients its page shows
            assert g.paths == () and g.result is None
    w = by_parameter(wide)[weight_symbol(1, 0, 0)]
    assert w.delta_form == ChainProduct((delta_symbol(1, 0), input_symbol(0)))
    assert w.last.partial == Partial(pre_activation_symbol(1, 0), weight_symbol(1, 0, 0))


def test_wider_than_max_paths_still_checks_numerically(wide: Derivation) -> None:
    from derive import work_example

    report = check(wide, work_example(wide))
    assert report.passed
    # every parameter, in both the printed and the δ form, at the example and 2 random points
    assert report.compared == 2 * len(wide.gradients) * 3
    assert report.max_rel_error < 1e-20
    # paths are written out for the featured gradients outside layer 1 (too many paths there)
    assert report.paths_total == sum(wide.gradients[i].role.layer != 1 for i in wide.featured)


def test_check_notices_a_wrong_delta_form(wide: Derivation) -> None:
    """The oracle is not vacuous: δ a with the wrong input fails."""
    gradients = list(wide.gradients)
    g = gradients[0]
    gradients[0] = dataclasses.replace(g, delta_form=ChainProduct((delta_symbol(1, 0), 2)))
    broken = dataclasses.replace(wide, gradients=tuple(gradients))
    report = check(broken)
    assert not report.passed
    assert {d.parameter for d in report.disagreements} == {0}


def test_prove_equal_uses_the_output_relation_and_rejects_a_wrong_shortcut() -> None:
    """BCE with a sigmoid output: ∂L/∂ŷ · σ′(z) = ŷ − y only once ŷ = σ(z) is used (over one
    denominator); a flipped sign or a lost factor is still told apart."""
    d = derivation_of(network_text(1, [(1, "sigmoid")], loss="binary_cross_entropy"))
    network = d.network
    general = as_expr(d.deltas[-1][0].general)
    a, y = network.output.a[0], network.y[0]
    assert prove_equal(network, general, a - y)
    assert not prove_equal(network, general, y - a)
    assert not prove_equal(network, general, 2 * (a - y))
    assert not prove_equal(network, general, a * (a - y))
