"""``Role`` -> SymPy symbol: every quantity of the network carries what it stands for.

An input, target, weight, bias, pre-activation z, activation a or δ is a SymPy
symbol that holds its ``Role`` (kind, layer, index, sample) as data; ``role_of``
reads it back, so nothing ever parses a name. The name (``w:1:0:1``, ``z:2:0@1``)
is made from the role only to keep SymPy's canonical order, and so every printed
page, as before; its ``:`` keeps it apart from any name a spec may use.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import sympy as sp
from sympy.core.cache import cacheit

__all__ = ["LOSS", "Role", "Symbol", "activation_symbol", "bias_symbol", "delta_symbol",
           "for_sample", "input_symbol", "pre_activation_symbol", "role_of", "target_symbol",
           "weight_symbol"]

LOSS = sp.Symbol("L")

_LETTERS = MappingProxyType({"W": "w", "delta": "d"})  # the name's first letter; other kinds are their own
_PER_SAMPLE = frozenset({"x", "y", "z", "a", "delta"})    # kinds that differ between samples


@dataclass(frozen=True, slots=True, order=True)
class Role:
    """What a symbol stands for: kind (x, W, b, z, a, y, delta), layer (0 for x, y), 0-based index,
    and the sample it belongs to in a batch (None: the one sample of a scalar derivation)."""

    kind: str
    layer: int
    index: tuple[int, ...]
    sample: int | None = None

    @property
    def per_sample(self) -> bool:
        """Whether each sample of a batch has its own (x, y, z, a, δ; not W, b)."""
        return self.kind in _PER_SAMPLE

    @property
    def label(self) -> str:
        """``w_1[0,1]``: layer and 0-based index as in the check's messages (no sample)."""
        index = ",".join(map(str, self.index))
        return f"{_LETTERS.get(self.kind, self.kind)}_{self.layer}[{index}]"

    def _name(self) -> str:
        parts = [_LETTERS.get(self.kind, self.kind), str(self.layer), *map(str, self.index)]
        return ":".join(parts) + (f"@{self.sample}" if self.sample is not None else "")


class Symbol(sp.Symbol):
    """A SymPy symbol that carries its ``Role``; equal exactly when name and role are.

    The class keeps SymPy's name ``Symbol`` on purpose: SymPy orders the arguments of
    every sum and product by class name first (``Basic.compare``, ``class_key``), so a
    subclass named otherwise would reorder, and so reprint, every formula. Made like
    SymPy's own ``Dummy`` (``Symbol.__xnew__``), pickled by its role (site workers run in
    other processes), and never rebuilt from its name.
    """

    __slots__ = ("_content", "role")
    role: Role

    def __new__(cls, role: Role) -> Symbol:
        return _symbol(role.kind, role.layer, role.index, role.sample)

    def __getnewargs_ex__(self) -> tuple[tuple[Role], dict]:
        return (self.role,), {}

    def _hashable_content(self) -> tuple:
        """Symbol's (name, assumptions), then the role; made once (SymPy's ordering asks often)."""
        return self._content


def role_of(symbol: object) -> Role | None:
    """The role a network symbol carries (None for L and anything else)."""
    return symbol.role if isinstance(symbol, Symbol) else None


@cacheit
def _symbol(kind: str, layer: int, index: tuple[int, ...], sample: int | None = None) -> Symbol:
    """The symbol of a role, made once like every SymPy symbol (SymPy's ``cacheit``).

    It pays: keyed by plain values, a hit costs 0.3 µs against 2.7 µs to make the symbol
    (a plain ``sp.Symbol``, cached the same way, 0.5 µs), and the thousands of δ and a
    symbols a matrix proof asks for are then the network's own objects, which dict
    lookups find by identity.
    """
    role = Role(kind, layer, index, sample)
    symbol = sp.Symbol.__xnew__(Symbol, role._name())
    symbol.role = role
    symbol._content = (*sp.Symbol._hashable_content(symbol), role)
    return symbol


def input_symbol(k: int, sample: int | None = None) -> Symbol:
    return _symbol("x", 0, (k,), sample)


def target_symbol(j: int, sample: int | None = None) -> Symbol:
    return _symbol("y", 0, (j,), sample)


def weight_symbol(l: int, j: int, k: int) -> Symbol:  # noqa: E741 - l is the layer, as in the math
    return _symbol("W", l, (j, k))


def bias_symbol(l: int, j: int) -> Symbol:  # noqa: E741
    return _symbol("b", l, (j,))


def pre_activation_symbol(l: int, j: int, sample: int | None = None) -> Symbol:  # noqa: E741
    return _symbol("z", l, (j,), sample)


def activation_symbol(l: int, j: int, sample: int | None = None) -> Symbol:  # noqa: E741
    """a^{(l)}_j; layer 0 is the input x."""
    return input_symbol(j, sample) if l == 0 else _symbol("a", l, (j,), sample)


def delta_symbol(l: int, j: int, sample: int | None = None) -> Symbol:  # noqa: E741
    return _symbol("delta", l, (j,), sample)


def for_sample(expr: sp.Expr, n: int) -> sp.Expr:
    """``expr`` for sample n of a batch: each x, y, z, a and δ in it becomes sample n's."""
    roles = {symbol: symbol.role for symbol in expr.free_symbols if isinstance(symbol, Symbol)}
    mapping = {symbol: _symbol(role.kind, role.layer, role.index, n)
               for symbol, role in roles.items() if role.per_sample}
    return expr.xreplace(mapping)
