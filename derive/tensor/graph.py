"""The computation graph of a typed-layer spec: named tensors of scalar SymPy nodes.

Every quantity of the whole batch (inputs, targets, parameters, each layer's values, each
sample's loss, the loss) is a scalar node: a SymPy symbol, and for a computed one its
expression of earlier symbols. A parameter may occur in many expressions (a convolution's
kernel, an RNN's tied weights, batch norm's statistics read by every sample); reverse mode
(``reverse``) sums its gradient over them. Tensors only name and shape the nodes: a
``flatten`` is the same nodes under a new shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import product
from math import prod

import sympy as sp

__all__ = ["Builder", "Graph", "Tensor", "row_major"]

KINDS = ("input", "target", "parameter", "value", "loss")


def row_major(shape: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
    """Every index of ``shape`` in row-major order (0-based)."""
    return product(*(range(n) for n in shape))


@dataclass(frozen=True, slots=True)
class Tensor:
    """Named scalar nodes in row-major order; ``batched``: the first axis is the sample."""

    name: str                 # "z1", "W1": the nodes' names start with it (SPEC.md style)
    latex: str                # "z^{(1)}": the page's symbol, indices go in a subscript
    shape: tuple[int, ...]
    symbols: tuple[sp.Symbol, ...]
    kind: str
    batched: bool = True
    layer: int = 0            # 0: inputs and targets, else the layer that made it

    def at(self, *index: int) -> sp.Symbol:
        flat = 0
        for i, n in zip(index, self.shape, strict=True):
            if not 0 <= i < n:
                raise IndexError(f"{self.name}{list(index)} outside {list(self.shape)}")
            flat = flat * n + i
        return self.symbols[flat]

    @property
    def sample_shape(self) -> tuple[int, ...]:
        return self.shape[1:] if self.batched else self.shape

    def sample(self, n: int) -> tuple[sp.Symbol, ...]:
        """Sample ``n``'s nodes, row-major."""
        size = prod(self.sample_shape)
        return self.symbols[n * size:(n + 1) * size]

    def reshaped(self, name: str, latex: str, sample_shape: tuple[int, ...], layer: int) -> Tensor:
        """The same nodes under another per-sample shape (``flatten``)."""
        assert prod(sample_shape) == prod(self.sample_shape)
        return Tensor(name, latex, self.shape[:1] + sample_shape, self.symbols, self.kind,
                      self.batched, layer)

    def index_of(self, symbol: sp.Symbol) -> tuple[int, ...]:
        flat = self.symbols.index(symbol)
        out = []
        for n in reversed(self.shape):
            out.append(flat % n)
            flat //= n
        return tuple(reversed(out))


def _name(tensor: str, index: tuple[int, ...], batched: bool) -> str:
    """``z1_2_3__1``: 1-based indices, the sample after a double underscore."""
    if batched:
        sample, index = index[0], index[1:]
    parts = "_".join(str(i + 1) for i in index)
    name = f"{tensor}_{parts}" if parts else tensor
    return f"{name}__{sample + 1}" if batched else name


@dataclass(frozen=True, slots=True)
class Graph:
    """The batch's graph: tensors by name in the order made, each node's definition."""

    tensors: tuple[Tensor, ...]
    definitions: tuple[tuple[sp.Symbol, sp.Expr], ...]   # forward order
    loss: sp.Symbol
    samples: int

    def tensor(self, name: str) -> Tensor:
        return next(t for t in self.tensors if t.name == name)

    def of_kind(self, kind: str) -> tuple[Tensor, ...]:
        return tuple(t for t in self.tensors if t.kind == kind)

    @property
    def parameters(self) -> tuple[Tensor, ...]:
        return self.of_kind("parameter")

    def owner(self, symbol: sp.Symbol) -> Tensor:
        """The first tensor holding ``symbol`` (a flatten's nodes belong to what it reshaped)."""
        return next(t for t in self.tensors if symbol in t.symbols)


class Builder:
    """Adds tensors to a graph being built, in forward order."""

    def __init__(self, samples: int) -> None:
        self.samples = samples
        self.tensors: list[Tensor] = []
        self.definitions: list[tuple[sp.Symbol, sp.Expr]] = []
        self.layer = 0
        self.outputs: list[Tensor] = []     # each layer's output so far (a residual reads one)

    def leaf(self, name: str, latex: str, shape: tuple[int, ...], kind: str, *,
             batched: bool = True) -> Tensor:
        """Inputs, targets and parameters: nodes without a definition."""
        full = ((self.samples,) if batched else ()) + shape
        symbols = tuple(sp.Symbol(_name(name, i, batched), real=True) for i in row_major(full))
        tensor = Tensor(name, latex, full, symbols, kind, batched, self.layer)
        self.tensors.append(tensor)
        return tensor

    def parameter(self, base: str, latex: str, shape: tuple[int, ...]) -> Tensor:
        """Layer l's parameter ``base`` (``W`` -> ``W1``, LaTeX ``W^{(1)}``)."""
        return self.leaf(f"{base}{self.layer}", f"{latex}^{{({self.layer})}}", shape,
                         "parameter", batched=False)

    def values(self, base: str, latex: str, shape: tuple[int, ...],
               define: Callable[[tuple[int, ...]], sp.Expr], *, batched: bool = True,
               kind: str = "value") -> Tensor:
        """Layer l's computed tensor: ``define(index)`` is each node's expression (the index
        with the sample first when batched)."""
        name = f"{base}{self.layer}" if self.layer else base
        latex = f"{latex}^{{({self.layer})}}" if self.layer else latex
        full = ((self.samples,) if batched else ()) + shape
        symbols = []
        for index in row_major(full):
            symbol = sp.Symbol(_name(name, index, batched), real=True)
            self.definitions.append((symbol, define(index)))
            symbols.append(symbol)
        tensor = Tensor(name, latex, full, tuple(symbols), kind, batched, self.layer)
        self.tensors.append(tensor)
        return tensor

    def declare(self, base: str, latex: str, shape: tuple[int, ...]) -> Tensor:
        """Layer l's batched tensor whose nodes the caller defines itself (``define``), in
        an order of its own: a recurrence interleaves two tensors step by step."""
        name, latex = f"{base}{self.layer}", f"{latex}^{{({self.layer})}}"
        full = (self.samples,) + shape
        symbols = tuple(sp.Symbol(_name(name, i, True), real=True) for i in row_major(full))
        tensor = Tensor(name, latex, full, symbols, "value", True, self.layer)
        self.tensors.append(tensor)
        return tensor

    def define(self, symbol: sp.Symbol, expr: sp.Expr) -> None:
        """A declared node's definition (every node it reads defined before it)."""
        self.definitions.append((symbol, expr))

    def add(self, tensor: Tensor) -> Tensor:
        """A tensor of nodes already defined (a reshape)."""
        self.tensors.append(tensor)
        return tensor

    def graph(self, loss: sp.Symbol) -> Graph:
        return Graph(tuple(self.tensors), tuple(self.definitions), loss, self.samples)
