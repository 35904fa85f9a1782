r"""``Network`` -> ``Derivation``: every ∂L/∂θ, the δ recursion and the matrix form.

Derived structurally, as a textbook does: the chain rule walks the graph from
θ to L one local factor at a time (∂z/∂θ, ∂a/∂z, ∂z/∂a_prev, ∂L/∂ŷ), each
factor differentiated on its own. Nothing is expanded into one big loss, so the
cost grows with the number of edges, not with depth.

    δ^{(L)}_j = ∂L/∂ŷ_j · g'(z^{(L)}_j)
    δ^{(l)}_j = (Σ_i w^{(l+1)}_{ij} δ^{(l+1)}_i) · g'(z^{(l)}_j)
    ∂L/∂w^{(l)}_{jk} = δ^{(l)}_j a^{(l-1)}_k,   ∂L/∂b^{(l)}_j = δ^{(l)}_j

Small networks also get every path written out (seed 000's style) and the sum
over paths is proved equal to the δ form; the batch-matrix form is proved equal
to the scalar results entry by entry, in SymPy.
"""

from __future__ import annotations

from dataclasses import dataclass

import functools

import sympy as sp

from .expressions import ChainProduct, ChainSum, Factor, Partial, as_expr, chain_product, chain_sum
from ..registry import SHORTCUTS
from .network import Layer, Network
from .symbols import LOSS, Role, activation_symbol, delta_symbol, for_sample, role_of

__all__ = ["Gradient", "DeltaEquation", "MatrixCheck", "Derivation", "derive", "MAX_PATHS"]

MAX_PATHS = 16          # write every path out up to this many per parameter
MAX_SYMBOLIC_CHECK = 100_000  # prove the matrix form (a corner of wide layers) up to this many parameters
FEATURE_ALL_UP_TO = 24  # a page shows every derivative in full up to this many parameters


@dataclass(frozen=True, slots=True, kw_only=True)
class Gradient:
    """∂L/∂θ for one scalar parameter of one sample's loss."""

    parameter: sp.Symbol
    role: Role
    paths: tuple[tuple[Factor, ...], ...]
    last: Factor
    delta_form: object
    result: object | None
    proved: bool | None

    @property
    def value(self) -> object:
        """The simplified result printed on the page and in JSON."""
        return self.result if self.result is not None else self.delta_form


@dataclass(frozen=True, slots=True, kw_only=True)
class DeltaEquation:
    """δ^{(l)}_j = value, with ``value`` in local symbols and the next layer's δ."""

    layer: int
    unit: int
    symbol: sp.Symbol
    value: object
    general: object | None = None
    reason: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class MatrixCheck:
    """Whether the batch-matrix equations of one layer equal the scalar ones."""

    layer: int
    samples: int
    weights: bool
    bias: bool
    delta: bool
    symbolic: bool
    shape: tuple[int, int] = (0, 0)          # the shape Δᵀ A came out with (W's shape)
    entries: tuple[int, int] = (0, 0)        # entries proved, entries in all


@dataclass(frozen=True, slots=True, kw_only=True)
class Derivation:
    """Everything derived from one network, for the check and the pages."""

    network: Network
    deltas: tuple[tuple[DeltaEquation, ...], ...]
    gradients: tuple[Gradient, ...]
    matrix: tuple[MatrixCheck, ...]
    shortcut_proved: bool = True
    featured: tuple[int, ...] = ()      # gradients a page shows in full (indices)

    def delta(self, layer: int, unit: int) -> DeltaEquation:
        return self.deltas[layer - 1][unit]


# --------------------------------------------------------------------------- factors


def loss_factor(network: Network, j: int) -> Factor:
    """∂L/∂ŷ_j = ∂/∂ŷ_j ℓ = ℓ'(ŷ_j, y_j)."""
    return Factor(Partial(LOSS, network.output.a[j]), network.loss_expr,
                  network.loss_derivative(j))


def activation_factor(layer: Layer, i: int, j: int) -> Factor:
    """∂a_i/∂z_j = ∂/∂z_j g(z)_i: g'(z_j) on the diagonal, a_i(δ_ij − a_j) for softmax."""
    return Factor(Partial(layer.a[i], layer.z[j]), layer.a_expr[i], layer.jacobian(i, j))


def weight_factor(layer: Layer, i: int, j: int) -> Factor:
    """∂z_i/∂a^{prev}_j = ∂/∂a_j (Σ_k w_ik a_k + b_i) = w_ij."""
    return Factor(Partial(layer.z[i], layer.inputs[j]), layer.z_sum(i), layer.W[i][j])


def parameter_factor(layer: Layer, role: Role, parameter: sp.Symbol) -> Factor:
    """∂z_j/∂w_jk = a^{prev}_k and ∂z_j/∂b_j = 1."""
    j = role.index[0]
    value = layer.inputs[role.index[1]] if role.kind == "W" else sp.S.One
    return Factor(Partial(layer.z[j], parameter), layer.z_sum(j), value)


# --------------------------------------------------------------------------- δ


def output_deltas(network: Network) -> tuple[DeltaEquation, ...]:
    """δ^{(L)}_j = Σ_i ∂L/∂ŷ_i · ∂ŷ_i/∂z_j (one term unless softmax), simplified when a shortcut applies."""
    layer = network.output
    shortcut = SHORTCUTS.get((network.loss.name, layer.activation.name))
    out = []
    for j in range(layer.units):
        general = chain_sum([chain_product([network.loss_derivative(i), layer.jacobian(i, j)])
                             for i in layer.fanout(j)])
        value = shortcut.delta(layer.a[j], network.y[j]) if shortcut else general
        out.append(DeltaEquation(layer=layer.number, unit=j, symbol=delta_symbol(layer.number, j),
                                 value=value, general=general if shortcut else None,
                                 reason=shortcut.reason if shortcut else ()))
    return tuple(out)


def hidden_deltas(layer: Layer, following: Layer) -> tuple[DeltaEquation, ...]:
    """δ^{(l)}_j = (Σ_i w^{(l+1)}_{ij} δ^{(l+1)}_i) · g'(z^{(l)}_j)."""
    out = []
    for j in range(layer.units):
        back = chain_sum([ChainProduct((following.W[i][j], delta_symbol(following.number, i)))
                          for i in range(following.units)])
        out.append(DeltaEquation(layer=layer.number, unit=j, symbol=delta_symbol(layer.number, j),
                                 value=chain_product([back, layer.derivative(j)])))
    return tuple(out)


def delta_recursion(network: Network) -> tuple[tuple[DeltaEquation, ...], ...]:
    """All δ, output layer first computed, returned in layer order."""
    deltas = [output_deltas(network)]
    for layer, following in zip(reversed(network.layers[:-1]), reversed(network.layers[1:])):
        deltas.append(hidden_deltas(layer, following))
    return tuple(reversed(deltas))


def expanded_deltas(network: Network,
                    deltas: tuple[tuple[DeltaEquation, ...], ...]) -> dict[sp.Symbol, sp.Expr]:
    """Each δ with every later δ substituted, for the layers whose paths are written out."""
    full: dict[sp.Symbol, sp.Expr] = {}
    for layer in reversed(deltas):
        if path_count(network, layer[0].layer) > MAX_PATHS:
            break
        for eq in layer:
            value = eq.general if eq.general is not None else eq.value
            full[eq.symbol] = as_expr(value).xreplace(full)
    return full


# --------------------------------------------------------------------------- gradients


def path_count(network: Network, layer_number: int) -> int:
    """Paths from z^{(l)}_j to L: the fan through each later layer (and through softmax)."""
    fan = lambda layer: layer.units if layer.activation.vector else 1  # noqa: E731
    count = fan(network.layers[layer_number - 1])
    for layer in network.layers[layer_number:]:
        count *= layer.units * fan(layer)
    return count


def paths_to_loss(network: Network, layer_number: int, j: int) -> list[tuple[Factor, ...]]:
    """Every chain from z^{(l)}_j to L, factors in chain order (∂L/∂ŷ first)."""
    layer = network.layers[layer_number - 1]
    out: list[tuple[Factor, ...]] = []
    for i in layer.fanout(j):
        here = activation_factor(layer, i, j)
        if layer_number == len(network.layers):
            out.append((loss_factor(network, i), here))
            continue
        following = network.layers[layer_number]
        out += [path + (weight_factor(following, m, i), here)
                for m in range(following.units)
                for path in paths_to_loss(network, layer_number + 1, m)]
    return out


def prove_unit(network: Network, layer_number: int, j: int,
               paths: tuple[tuple[Factor, ...], ...],
               deltas: tuple[tuple[DeltaEquation, ...], ...],
               opaque: _Opaque | None = None) -> bool:
    r"""Σ over paths of Π factors = δ^{(l)}_j (every later δ written out), once per unit.

    Each parameter's result is this sum times its own last factor, and its δ form is
    δ^{(l)}_j times the same factor, so one proof per unit covers all its parameters.
    Both sides are built from the same local derivatives; each stands for a symbol of its
    own (``_Opaque``), because expanding them too (σ(1 − σ) per layer) only multiplies the
    terms. Failing that, the proof is redone with everything written out. One ``opaque``
    may serve every unit of a network (each δ is then written out once).
    """
    opaque = _Opaque() if opaque is None else opaque
    total = sp.Add(*(sp.Mul(*(opaque.factor(f.value) for f in path)) for path in paths))
    if sp.expand(total - opaque.delta(deltas, layer_number, j)) == 0:
        return True
    total = sp.Add(*(sp.Mul(*(as_expr(f.value) for f in path)) for path in paths))
    full = expanded_deltas(network, deltas)
    return sp.expand(total - full[delta_symbol(layer_number, j)]) == 0


class _Opaque:
    """Local derivatives as fresh symbols, and δ written out over them.

    An identity between polynomials in free symbols holds whatever is put in for them,
    so a difference that expands to 0 here is 0 for the real derivatives too.
    """

    def __init__(self) -> None:
        self.symbols: dict[sp.Expr, sp.Dummy] = {}
        self.written: dict[sp.Symbol, sp.Expr] = {}

    def factor(self, value: object) -> sp.Expr:
        """A chain or a factor with each derivative in it (not a weight, δ or number) opaque."""
        if isinstance(value, ChainProduct):
            return sp.Mul(*(self.factor(f) for f in value.factors))
        if isinstance(value, ChainSum):
            return sp.Add(*(self.factor(t) for t in value.terms))
        expr = as_expr(value)
        if isinstance(expr, (sp.Symbol, sp.Number)):
            return self.written.get(expr, expr)
        if expr not in self.symbols:
            self.symbols[expr] = sp.Dummy()
        return self.symbols[expr]

    def delta(self, deltas: tuple[tuple[DeltaEquation, ...], ...], layer: int, j: int) -> sp.Expr:
        """δ^{(layer)}_j with every later δ written out, over the opaque derivatives."""
        for later in reversed(deltas[layer - 1:]):
            for eq in later:
                if eq.symbol not in self.written:
                    value = eq.general if eq.general is not None else eq.value
                    self.written[eq.symbol] = self.factor(value)
        return self.written[delta_symbol(layer, j)]


class UnitProofs:
    """Each unit's path proof, made once and shared by its parameters (one ``_Opaque``)."""

    def __init__(self, network: Network, deltas: tuple[tuple[DeltaEquation, ...], ...]) -> None:
        self.network, self.deltas = network, deltas
        self.opaque = _Opaque()
        self.done: dict[tuple[int, int], bool] = {}

    def proved(self, layer: int, j: int, paths: tuple[tuple[Factor, ...], ...]) -> bool:
        if (layer, j) not in self.done:
            self.done[(layer, j)] = prove_unit(self.network, layer, j, paths, self.deltas,
                                               self.opaque)
        return self.done[(layer, j)]


def gradient(network: Network, parameter: sp.Symbol, proofs: UnitProofs, *,
             paths: bool = True) -> Gradient:
    """∂L/∂θ as factor chains, δ form and (when small, and ``paths``) the sum over paths.

    Large networks write paths out only for the gradients their pages show in full.
    """
    role = role_of(parameter)
    assert role is not None
    layer = network.layers[role.layer - 1]
    j = role.index[0]
    delta = delta_symbol(role.layer, j)
    last = parameter_factor(layer, role, parameter)
    delta_form = chain_product([delta, last.value])
    if not paths or path_count(network, role.layer) > MAX_PATHS:
        return Gradient(parameter=parameter, role=role, paths=(), last=last,
                        delta_form=delta_form, result=None, proved=None)
    paths = tuple(paths_to_loss(network, role.layer, j))
    result = chain_sum([chain_product([f.value for f in path] + [last.value]) for path in paths])
    proved = proofs.proved(role.layer, j, paths)
    return Gradient(parameter=parameter, role=role, paths=paths, last=last,
                    delta_form=delta_form, result=result, proved=proved)


# --------------------------------------------------------------------------- proofs


def _relations(network: Network, sample: int | None) -> dict[sp.Symbol, sp.Expr]:
    """What a shortcut may use: ŷ = g(z) for an elementwise output, Σ y = 1 for distributions."""
    layer = network.output
    relations: dict[sp.Symbol, sp.Expr] = {}
    if not layer.activation.vector:
        relations.update({layer.a[j]: layer.a_expr[j] for j in range(layer.units)})
    if network.loss.targets_sum_to_one:
        relations[network.y[-1]] = 1 - sp.Add(*network.y[:-1])
    if sample is None:
        return relations
    return {for_sample(k, sample): for_sample(v, sample) for k, v in relations.items()}


def prove_equal(network: Network, left: sp.Expr, right: sp.Expr,
                sample: int | None = None) -> bool:
    """left = right by expansion, else after using ŷ = g(z) and Σ y = 1, as rational functions
    (``cancel``: a decision procedure, not blind ``simplify``)."""
    return _proved_equal(left, right, tuple(_relations(network, sample).items()))


@functools.lru_cache(maxsize=4_096)
def _proved_equal(left: sp.Expr, right: sp.Expr,
                  relations: tuple[tuple[sp.Symbol, sp.Expr], ...]) -> bool:
    """``prove_equal``, remembered: the output δ's shortcut is proved for the page and again
    as the first rows of the batch matrix. Before ``cancel``, its cheap half: over one
    denominator, a numerator that expands to 0 already decides (4x faster on BCE's)."""
    difference = sp.expand(left - right)
    if difference == 0:
        return True
    rewritten = difference.xreplace(dict(relations))
    if sp.expand(rewritten) == 0:
        return True
    combined = sp.together(rewritten)
    return sp.expand(sp.numer(combined)) == 0 or sp.cancel(combined) == 0


# --------------------------------------------------------------------------- matrix form


MATRIX_WINDOW = 6   # rows and columns of each matrix proved entry by entry


def matrix_check(network: Network, deltas: tuple[tuple[DeltaEquation, ...], ...],
                 gradients: tuple[Gradient, ...], samples: int,
                 scale: sp.Expr) -> tuple[MatrixCheck, ...]:
    r"""Prove ∂L/∂W = Δᵀ A, ∂L/∂b = Δᵀ 1 and Δ^{(l)} = (Δ^{(l+1)} W^{(l+1)}) ⊙ g'(Z^{(l)}).

    Rows are samples; Δ_{nj} = scale · δ_{nj} with scale = 1/N for a mean loss. Each
    entry must equal scale · Σ_n of the scalar result for sample n. The scale multiplies the
    matrix product (the same matrix), so that SymPy's canonical forms of the two sides are
    usually identical and the difference is 0 without expanding. The product's shape is
    checked against W's; entries are proved in a MATRIX_WINDOW × MATRIX_WINDOW corner (every
    entry of small layers: the others are the same equation with other indices).
    """
    by_param = {g.parameter: g for g in gradients}
    checks = []
    for layer in network.layers:
        l = layer.number  # noqa: E741
        rows, cols = min(layer.units, MATRIX_WINDOW), min(layer.fan_in, MATRIX_WINDOW)
        big_delta = sp.Matrix(samples, layer.units, lambda n, j: delta_symbol(l, j, n))
        a_prev = sp.Matrix(samples, layer.fan_in, lambda n, k: activation_symbol(l - 1, k, n))
        shape = (big_delta.T.shape[0], a_prev.shape[1])
        delta = big_delta[:, :rows]
        grad_w = scale * (delta.T * a_prev[:, :cols])
        weights_ok = shape == (len(layer.W), layer.fan_in) and all(
            sp.expand(grad_w[j, k] - scale * sum(
                for_sample(as_expr(by_param[layer.W[j][k]].delta_form), n)
                for n in range(samples))) == 0
            for j in range(rows) for k in range(cols))
        grad_b = scale * (delta.T * sp.ones(samples, 1))
        bias_ok = all(
            sp.expand(grad_b[j, 0] - scale * sum(
                for_sample(as_expr(by_param[layer.b[j]].delta_form), n)
                for n in range(samples))) == 0
            for j in range(min(len(layer.b), rows)))
        delta_ok = _delta_matrix_ok(network, layer, deltas, samples, scale, rows)
        checks.append(MatrixCheck(layer=l, samples=samples, weights=weights_ok, bias=bias_ok,
                                  delta=delta_ok, symbolic=True, shape=shape,
                                  entries=(rows * cols, layer.units * layer.fan_in)))
    return tuple(checks)


def _delta_matrix_ok(network: Network, layer: Layer,
                     deltas: tuple[tuple[DeltaEquation, ...], ...], samples: int,
                     scale: sp.Expr, rows: int) -> bool:
    """Δ^{(L)} = ∂L/∂Ŷ ⊙ g'(Z^{(L)}) (row by row through the Jacobian for softmax), and
    Δ^{(l)} = (Δ^{(l+1)} W^{(l+1)}) ⊙ g'(Z^{(l)}), for the first ``rows`` units.

    Every row of Δ^{(L)} is one sample's ∂L/∂ŷ times the Jacobian: the same equation with
    renamed symbols, so it is proved once, without sample indices (renaming symbols keeps an
    identity true). A hidden layer's rows come out of the matrix product and are proved each.
    """
    l = layer.number  # noqa: E741
    if layer is network.output:
        return all(prove_equal(network, sp.Add(*(network.loss_derivative(i) * layer.jacobian(i, j)
                                                 for i in layer.fanout(j))),
                               as_expr(deltas[l - 1][j].value))
                   for j in range(rows))
    following = network.layers[l]
    next_delta = sp.Matrix(samples, following.units, lambda n, i: delta_symbol(l + 1, i, n))
    slope = sp.Matrix(samples, rows, lambda n, j: for_sample(layer.derivative(j), n))
    weights = sp.Matrix(following.units, rows, lambda i, j: following.W[i][j])
    matrix = scale * (next_delta * weights).multiply_elementwise(slope)
    return all(
        prove_equal(network, matrix[n, j],
                    scale * for_sample(as_expr(deltas[l - 1][j].value), n), sample=n)
        for n in range(samples) for j in range(rows))


# --------------------------------------------------------------------------- entry point


def featured(parameters: tuple[sp.Symbol, ...]) -> tuple[int, ...]:
    """Every parameter of a small network; else each layer's first weight and first bias."""
    if len(parameters) <= FEATURE_ALL_UP_TO:
        return tuple(range(len(parameters)))
    firsts: dict[tuple[int, str], int] = {}
    for index, parameter in enumerate(parameters):
        role = role_of(parameter)
        assert role is not None
        firsts.setdefault((role.layer, role.kind), index)
    return tuple(sorted(firsts.values()))


def batch_scale(network: Network, samples: int) -> sp.Expr:
    """1/N for a mean over the batch, 1 for a sum."""
    return sp.Rational(1, samples) if network.spec.reduction == "mean" else sp.S.One


def derive(network: Network) -> Derivation:
    """Derive every gradient, the δ recursion and the checked matrix form."""
    deltas = delta_recursion(network)
    proofs = UnitProofs(network, deltas)
    shown = featured(network.parameters)
    expand = set(shown) if len(shown) < len(network.parameters) else None
    gradients = tuple(gradient(network, p, proofs, paths=expand is None or i in expand)
                      for i, p in enumerate(network.parameters))
    example = network.spec.example
    samples = max(2, min(len(example.x), 3)) if example is not None else 2
    matrix = ()
    if len(network.parameters) <= MAX_SYMBOLIC_CHECK:
        matrix = matrix_check(network, deltas, gradients, samples, batch_scale(network, samples))
    shortcut_ok = all(prove_equal(network, as_expr(eq.general), as_expr(eq.value))
                      for eq in deltas[-1] if eq.general is not None)
    return Derivation(
        network=network, shortcut_proved=shortcut_ok, featured=shown,
        deltas=deltas, gradients=gradients, matrix=matrix)

