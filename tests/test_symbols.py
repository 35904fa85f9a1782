"""``calculus.symbols``: a network symbol carries its role as data, and nothing reads its name.

The names (``w:1:0:1``, ``z:2:0@1``) only keep SymPy's order and the printed pages as
they were; a plain SymPy symbol spelled the same has no role, is not equal, and is
never renamed, which a name parser could not tell apart.
"""

from __future__ import annotations

import copy
import pickle

import pytest
import sympy as sp
from sympy.core.cache import clear_cache

from derive import build_network, derive, load_spec
from derive.calculus import LOSS, Role, Symbol, role_of
from derive.calculus.names import network_symbols
from derive.calculus.symbols import (activation_symbol, bias_symbol, delta_symbol, for_sample,
                                     input_symbol, pre_activation_symbol, target_symbol,
                                     weight_symbol)

SPEC = """\
inputs: [x1, x2]
layers:
  - {units: 2, activation: sigmoid}
  - {units: 3, activation: softmax}
loss: cross_entropy
"""


@pytest.fixture(scope="module")
def derivation():  # type: ignore[no-untyped-def]
    return derive(build_network(load_spec(SPEC, "net.yaml")))


def test_each_constructor_gives_its_role() -> None:
    assert role_of(input_symbol(1)) == Role("x", 0, (1,))
    assert role_of(target_symbol(0, 2)) == Role("y", 0, (0,), 2)
    assert role_of(weight_symbol(2, 0, 1)) == Role("W", 2, (0, 1))
    assert role_of(bias_symbol(1, 3)) == Role("b", 1, (3,))
    assert role_of(pre_activation_symbol(2, 1, 0)) == Role("z", 2, (1,), 0)
    assert role_of(activation_symbol(1, 0)) == Role("a", 1, (0,))
    assert role_of(activation_symbol(0, 1)) == Role("x", 0, (1,))       # a^{(0)} is the input
    assert role_of(delta_symbol(3, 2)) == Role("delta", 3, (2,))
    assert role_of(LOSS) is None and role_of(sp.Integer(2)) is None and role_of("w:1:0:1") is None


def test_the_network_places_each_symbol_by_its_role(derivation) -> None:  # type: ignore[no-untyped-def]
    network = derivation.network
    for layer in network.layers:
        for j in range(layer.units):
            assert role_of(layer.z[j]) == Role("z", layer.number, (j,))
            assert role_of(layer.a[j]) == Role("a", layer.number, (j,))
            for k in range(layer.fan_in):
                assert role_of(layer.W[j][k]) == Role("W", layer.number, (j, k))
    assert [role_of(g.parameter) for g in derivation.gradients] == [
        g.role for g in derivation.gradients]


def test_a_plain_symbol_spelled_alike_is_not_confused(derivation) -> None:  # type: ignore[no-untyped-def]
    """Same name, different role (none): not equal, no role, not a key for the other."""
    w = derivation.network.layers[0].W[0][1]
    impostor = sp.Symbol(w.name)
    assert impostor != w and role_of(impostor) is None
    assert {w: 1}.get(impostor) is None
    assert (w + impostor).xreplace({w: 5}) == 5 + impostor


def test_equal_roles_are_one_symbol_and_different_roles_never_share_a_name(derivation) -> None:  # type: ignore[no-untyped-def]
    symbols = network_symbols(derivation.network)
    roles = [role_of(s) for s in symbols]
    assert len(set(roles)) == len(roles) == len({s.name for s in symbols})
    assert all(Symbol(role) == s for role, s in zip(roles, symbols))
    assert Symbol(Role("z", 1, (0,), 1)) != Symbol(Role("z", 1, (0,)))


def test_roles_survive_xreplace_subs_copy_and_pickle(derivation) -> None:  # type: ignore[no-untyped-def]
    network = derivation.network
    expr = network.loss_expr + derivation.gradients[0].parameter
    output = network.output
    replaced = expr.xreplace({output.a[0]: output.a_expr[0]})      # ŷ_1 = softmax(z)_1
    substituted = expr.subs(network.y[0], 1 - network.y[1])
    for changed in (replaced, substituted, copy.deepcopy(expr)):
        for symbol in changed.free_symbols:
            assert role_of(symbol) is not None
            assert symbol == Symbol(role_of(symbol))
    data = pickle.dumps([expr, *network_symbols(network)])
    clear_cache()                      # as in another process: nothing left to reuse
    loaded_expr, *loaded = pickle.loads(data)
    assert loaded_expr == expr
    assert [role_of(s) for s in loaded] == [role_of(s) for s in network_symbols(network)]
    assert loaded == network_symbols(network)


def test_for_sample_renames_by_role_only() -> None:
    """x, y, z, a and δ become sample n's; W, b, L and a look-alike plain symbol stay."""
    z, w, b = pre_activation_symbol(1, 0), weight_symbol(1, 0, 0), bias_symbol(1, 0)
    look_alike = sp.Symbol("z:1:0")
    expr = (w * input_symbol(0) + b + z * delta_symbol(1, 0) + target_symbol(0, 1) + LOSS
            + look_alike)
    assert for_sample(expr, 2) == (w * input_symbol(0, 2) + b
                                   + pre_activation_symbol(1, 0, 2) * delta_symbol(1, 0, 2)
                                   + target_symbol(0, 2) + LOSS + look_alike)
