"""Start-up and shut-down of the installed command's own process, and nothing else.

``cli.console_main`` runs ``main`` inside ``one_run()``. Both changes below pay only in a
process that does one run and exits, and both measured (benchmarks/PROFILE.md); a caller
of ``cli.main`` in its own process (tests, the pytest plugin) gets neither.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib
import sys
import types
from collections.abc import Iterator

__all__ = ["TENSOR_MODULE", "defer_tensor_module", "one_run"]

TENSOR_MODULE = "sympy.tensor.tensor"


class _TensorPlaceholder:
    """No expression is an instance: none can be while the real module is not loaded."""


class _DeferredTensorModule(types.ModuleType):
    """Stands in for ``sympy.tensor.tensor`` until something other than ``Add`` needs it.

    SymPy's ``Add.flatten`` imports ``TensExpr`` and ``TensAdd`` from that module on every
    call, only to ask whether a term is a ``TensExpr``. Importing it for the first sum of a
    run pulls in ``sympy.combinatorics``, which builds its polyhedra at import: 0.021 s CPU,
    7% of a bare ``import sympy``, for an answer that is always "no" here. So ``flatten``,
    and only ``flatten``, gets a placeholder class. Any other name, or those two asked for
    from anywhere else, imports the real module and puts it in ``sys.modules``;
    ``flatten`` looks the module up again on its next call and then gets the real classes.
    """

    def __getattr__(self, name: str) -> object:
        if name == "__path__":          # asked by every ``from .. import ..``: not a package
            raise AttributeError(name)
        if name in ("TensExpr", "TensAdd") and sys._getframe(1).f_code is _flatten_code():
            return _TensorPlaceholder
        return getattr(_load_real_tensor_module(self), name)


@functools.cache
def _flatten_code() -> types.CodeType:
    from sympy.core.add import Add
    return Add.flatten.__func__.__code__


def _load_real_tensor_module(placeholder: types.ModuleType) -> types.ModuleType:
    if sys.modules.get(TENSOR_MODULE) is placeholder:
        del sys.modules[TENSOR_MODULE]
    return importlib.import_module(TENSOR_MODULE)


def defer_tensor_module() -> None:
    """Put the placeholder in ``sys.modules``, unless the real module is already there."""
    if TENSOR_MODULE not in sys.modules:
        sys.modules[TENSOR_MODULE] = _DeferredTensorModule(TENSOR_MODULE)


@contextlib.contextmanager
def one_run() -> Iterator[None]:
    """Set the process up for one run and leave the heap frozen for the exit.

    Frozen objects are skipped by every collection: those during the run, and the full
    ones Python runs while tearing the interpreter down, which cost 0.05-0.07 s CPU on
    every run (SymPy's import-time objects). By exit the outputs are written, fsynced and
    closed; ``atexit`` still runs.
    """
    defer_tensor_module()
    gc.freeze()
    try:
        yield
    finally:
        gc.freeze()
