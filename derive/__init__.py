"""derive-backprop: a YAML network spec in, checked backpropagation notes out.

The pipeline, one sub-package per stage, plain frozen dataclasses between them:

1. ``spec.load``                 YAML text -> ``Spec`` (validated; the only yaml import)
2. ``calculus.build_network``    ``Spec`` -> ``Network`` (SymPy symbols, local forward equations)
3. ``calculus.derive``           ``Network`` -> ``Derivation`` (chain rule, δ, matrix form)
4. ``numbers.work_example``      ``Derivation`` -> ``WorkedExample`` (the spec's numbers)
5. ``verify.check``              ``Derivation`` -> ``CheckReport`` (oracles, claims, proofs)
6. ``formats.render``            all of the above -> ``{file name: text}`` (Jinja; JSON as a dict)
7. ``site``                      many rendered specs -> a MkDocs project and a LaTeX book

``pipeline.run`` chains 1-6 for one spec file; the command line (``cli``), the site's
workers and the pytest plugin all go through it, and ``write.write_outputs`` puts files on
disk atomically. Below every stage: ``errors`` (the one hierarchy), ``numerals`` (number
formats) and ``registry`` (what a spec may name).

``derive.load(source)`` (``api``) is the Python API: a spec as a path, YAML text or a dict ->
a ``Result`` with NumPy gradients and the page in every format; ``%load_ext derive`` adds
the ``%%backprop`` cell magic (``notebook``).

The names below are loaded on first use, so ``import derive.errors`` (the pytest plugin
at collection, the installed command before it sets up its process) does not import SymPy.
"""

from __future__ import annotations

import importlib
from types import MappingProxyType

__version__ = "0.1.0"

__all__ = ["__version__", "Result", "SpecError", "build_network", "check", "derive", "load",
           "load_ipython_extension", "load_spec", "render", "work_example"]


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext derive``: registers the ``%%backprop`` cell magic (derive.notebook)."""
    from .notebook import register

    register(ipython)


# Public name -> (sub-package, its name there): loaded on first use (see above).
_LAZY = MappingProxyType({
    "load": ("api", "load"), "Result": ("api", "Result"), "SpecError": ("errors", "SpecError"),
    "load_spec": ("spec", "load"), "build_network": ("calculus", "build_network"),
    "derive": ("calculus", "derive"), "work_example": ("numbers", "work_example"),
    "check": ("verify", "check"), "render": ("formats", "render"),
})


def __getattr__(name: str) -> object:
    """The public API and stage functions, imported from their sub-package on first use."""
    if name not in _LAZY:
        raise AttributeError(f"module 'derive' has no attribute {name!r}")
    module, attribute = _LAZY[name]
    return getattr(importlib.import_module(f".{module}", __name__), attribute)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
