"""The network's quantities under the ASCII names of SPEC.md v1.1 ("the page's mathematics").

``x_1``, ``y_1``, ``w_2_1_1``, ``b_2_1``, ``z_2_1``, ``a_1_1``, ``yhat_1``, ``L``,
``delta_2_1``; a sample of a batch adds ``__n``, the batch loss is ``L_batch``. The JSON
``graph`` lists one sample's quantities with their definitions, and every side of an equation
is printed in these names with only the functions a reader's ``sympy.parse_expr`` knows.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.str import StrPrinter

from ..calculus import LOSS, Memoized, Network, delta_symbol, role_of
from ..registry import ActivationFunction

__all__ = ["BATCH_LOSS", "PARTIAL", "TextPrinter", "graph_entries", "layer_nodes", "name_of",
           "real_derivative", "sample_loss", "sample_nodes", "shared_sum", "text_of"]

PARTIAL = sp.Function("partial")     # partial(A, B): ∂A/∂B through the graph
BATCH_LOSS = sp.Symbol("L_batch")

_PREFIX = MappingProxyType({"W": "w"})      # the name's letter where it is not the kind
_PLAIN_FACTORS = (sp.Symbol, AppliedUndef, sp.Add)     # printed without StrPrinter's Mul rules
_ARGUMENT = sp.Symbol("⟨z⟩")     # stands for an activation's argument in its printed form
_PLAIN_TERMS = (sp.Symbol, sp.Number, sp.Mul, sp.Pow, AppliedUndef)   # none binds looser than +


def layer_nodes(layer: Any) -> list[tuple[sp.Symbol, sp.Expr]]:
    """A layer's quantities in forward order: each z, each a. A vector activation's shared
    denominator (softmax's Σ exp z) is one node ``S_l`` of its own, so that n outputs read
    it instead of each holding an n-term sum (n² terms for a wide layer)."""
    nodes = list(zip(layer.z, layer.z_expr))
    a_exprs = list(layer.a_expr)
    if layer.activation.vector and a_exprs:
        sums = [p.base for p in a_exprs[0].atoms(sp.Pow)
                if p.exp == -1 and isinstance(p.base, sp.Add)]
        if sums:
            total = shared_sum(layer.number)
            nodes.append((total, sums[0]))
            a_exprs = [e.xreplace({sums[0]: total}) for e in a_exprs]
    return nodes + list(zip(layer.a, a_exprs))


def sample_nodes(network: Network) -> list[tuple[sp.Symbol, sp.Expr]]:
    """One sample's forward graph: every layer's nodes, then the loss."""
    return [*(node for layer in network.layers for node in layer_nodes(layer)),
            (LOSS, network.loss_expr)]


def shared_sum(layer: int, sample: int | None = None) -> sp.Symbol:
    """Softmax's denominator Σ_k exp(z_k) of a layer (of sample n in a batch)."""
    return sp.Symbol(f"S_{layer}" + (f"__{sample}" if sample is not None else ""))


def sample_loss(n: int) -> sp.Symbol:
    """Sample n's loss in a batch equation (``L__n``)."""
    return sp.Symbol(f"L__{n}")


def _plain_factor(a: Any) -> bool:
    """A factor ``StrPrinter`` puts in a product's numerator as printed (a sum bracketed)."""
    return isinstance(a, _PLAIN_FACTORS) or isinstance(a, sp.Pow) and \
        isinstance(a.exp, sp.Integer) and a.exp > 0


def name_of(symbol: sp.Symbol, output_layer: int) -> str:
    """The ASCII name of a network symbol (``w_2_1_1``; the output layer's a is ``yhat``)."""
    role = role_of(symbol)
    if role is None:
        return symbol.name
    one = [str(i + 1) for i in role.index]
    if role.kind in ("x", "y"):
        base = f"{role.kind}_{one[0]}"
    elif role.kind == "a" and role.layer == output_layer:
        base = f"yhat_{one[0]}"
    else:
        base = "_".join([_PREFIX.get(role.kind, role.kind), str(role.layer), *one])
    return base + (f"__{role.sample}" if role.sample is not None else "")


# What differentiates differently for a complex argument than for a real one.
_COMPLEX_PARTS = (sp.Abs, sp.sign, sp.re, sp.im, sp.arg, sp.conjugate)


def real_derivative(expr: sp.Expr, symbol: sp.Symbol) -> sp.Expr:
    """d expr / d symbol, the symbol a real number as every network quantity is: |z|′ = sign z
    (SymPy differentiates |z| of a complex z into re and im)."""
    if not expr.has(*_COMPLEX_PARTS):       # the same in both calculi; no assumption queries
        return sp.diff(expr, symbol)
    real = sp.Dummy(str(symbol), real=True)
    return sp.diff(expr.xreplace({symbol: real}), real).xreplace({real: symbol})


def elementary(expr: sp.Expr) -> sp.Expr:
    """The expression with every activation function written in elementary functions."""
    functions = [f for f in expr.atoms(ActivationFunction)]
    if not functions:
        return expr
    return expr.xreplace({f: elementary(f.elementary()) for f in functions})


class TextPrinter(Memoized, StrPrinter):
    """Sides as ``sympy.parse_expr`` text in graph names, printed once per expression.

    Activations print in elementary functions, and |u| as a piecewise: a reader's SymPy
    differentiates |u| of a complex u into re and im."""

    def __init__(self, output_layer: int) -> None:
        super().__init__({"order": "none", "full_prec": False})
        self.output_layer = output_layer
        self._memo: dict[object, str] = {}
        self._elementary: dict[tuple, str] = {}

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        return name_of(expr, self.output_layer)

    def _print_Function(self, expr: Any, **kwargs: Any) -> str:
        """An activation in elementary functions (SymPy's printers skip a Function subclass's
        own bases when they look for a method, so the check is here)."""
        if isinstance(expr, ActivationFunction):
            z, *options = expr.args
            if not isinstance(z, sp.Symbol) or not all(o.is_Number for o in options):
                return self._print(expr.elementary())
            # of a symbol: the form is printed once per function and options, then the
            # symbol's name put in (SymPy builds 1/(1 + exp(-z)) slowly, and a page has
            # one per unit; with one symbol in it, its name changes no order of terms)
            key = (type(expr), tuple(options))
            form = self._elementary.get(key)
            if form is None:
                form = self._elementary[key] = self._print(
                    type(expr)(_ARGUMENT, *options).elementary())
            return form.replace(_ARGUMENT.name, self._print(z))
        return super()._print_Function(expr, **kwargs)

    def _print_Mul(self, expr: sp.Mul) -> str:
        """A product of symbols, ∂s, sums and positive integer powers, after an integer, as
        ``StrPrinter`` prints it (``-2*x*(a + b)``) without its general machinery: pages print
        thousands."""
        args = expr.args
        first = args[0]
        sign = lead = ""
        if isinstance(first, sp.Integer) and first is not sp.S.One:
            sign, lead = ("-" if first < 0 else ""), ("" if abs(first) == 1 else
                                                     f"{abs(first)}*")
            args = args[1:]
        if not args or not all(_plain_factor(a) for a in args):
            return super()._print_Mul(expr)
        return sign + lead + "*".join(f"({self._print(a)})" if isinstance(a, sp.Add)
                                      else self._print(a) for a in args)

    def _print_AppliedUndef(self, expr: Any) -> str:
        """``partial(A, B)`` as ``StrPrinter`` prints a function (no argument bracketed)."""
        return f"{expr.func.__name__}({', '.join(self._print(a) for a in expr.args)})"

    def _print_Add(self, expr: sp.Add, order: Any = None) -> str:
        """A sum as ``StrPrinter`` prints it with ``order="none"`` (a term printed with a
        leading minus is subtracted; none of these terms binds looser than ``+``)."""
        if order is not None or not all(isinstance(t, _PLAIN_TERMS) for t in expr.args):
            return super()._print_Add(expr, order=order)
        parts = []
        for term in expr.args:
            text = self._print(term)
            parts += ["-", text[1:]] if text.startswith("-") else ["+", text]
        return ("" if parts[0] == "+" else "-") + " ".join(parts[1:])

    def _print_Abs(self, expr: sp.Abs) -> str:
        u = self._print(expr.args[0])
        return f"Piecewise(({u}, {u} >= 0), (-({u}), True))"

    def side(self, expr: Any) -> Any:
        """A side as text; a matrix side as rows of texts."""
        if isinstance(expr, tuple):
            return [[self.side(e) for e in row] for row in expr]
        return self.doprint(sp.sympify(expr))


def text_of(expr: Any, output_layer: int) -> Any:
    """One side as text (a new printer: for many sides, keep one ``TextPrinter``)."""
    return TextPrinter(output_layer).side(expr)


def graph_entries(network: Network, latex: dict[sp.Symbol, str],
                  text: TextPrinter | None = None) -> list[dict[str, Any]]:
    """One sample's quantities in forward order, as the JSON ``graph`` (``text``: the page's
    printer of sides, whose memo the equations share)."""
    last = len(network.layers)
    text = TextPrinter(last) if text is None else text
    entries: list[dict[str, Any]] = []

    def add(symbol: sp.Symbol, role: str, definition: Any) -> None:
        shown = latex[symbol] if symbol in latex else str(symbol)    # str() only if needed
        entries.append({"name": name_of(symbol, last), "latex": shown, "role": role,
                        "definition": None if definition is None else text.side(definition)})

    for x in network.x:
        add(x, "input", None)
    for y in network.y:
        add(y, "target", None)
    for p in network.parameters:
        add(p, "parameter", None)
    for layer in network.layers:
        role = "output" if layer.number == last else "activation"
        for symbol, definition in layer_nodes(layer):
            kind = role_of(symbol)
            add(symbol, "pre_activation" if kind is not None and kind.kind == "z" else
                role if kind is not None else "sum", definition)
    add(LOSS, "loss", network.loss_expr)
    for layer in network.layers:
        for j, z in enumerate(layer.z):
            add(delta_symbol(layer.number, j), "delta", PARTIAL(LOSS, z))
    return entries
