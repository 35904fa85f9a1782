"""YAML text -> a validated, frozen ``Spec`` (the only yaml import, in ``yaml_nodes``).

Modules, in the order a text goes through them:

- ``yaml_nodes``: text -> nodes that keep their lines; refuses aliases, tags, deep nesting.
- ``reader``: nodes -> typed values, each problem collected as FILE:LINE: KEY: expected ...
- ``quoting``: how a user's value appears in an error line (cut short, did you mean).
- ``sections``: title, inputs, layers, claims; layers checked against the loss and limits.
- ``structure``: ``bias: shared``, a layer's ``name`` and ``add`` (residual), ``regularization``.
- ``example``: the worked example (samples, initial values, steps) and its checks.
- ``loader``: ``load``, the one pass over every section, raising one ``SpecErrors``.
- ``model``: the frozen dataclasses (``Spec``, ``LayerSpec``, ``Example``, ``Claim``, ...)
  and the ``Limits`` a run keeps.
"""

from __future__ import annotations

from .example import EXAMPLE_KEYS, target_problem
from .graph import GraphSpec, load_graph
from .loader import TOP_KEYS, load
from .yaml_nodes import dump_spec, plain_mapping
from .model import LIMIT_HINT, Choice, Claim, Example, LayerInit, LayerSpec, Limits, Spec
from .sections import CLAIM_KEYS, LAYER_KEYS

__all__ = ["GraphSpec", "load_graph", "CLAIM_KEYS", "EXAMPLE_KEYS", "LAYER_KEYS", "LIMIT_HINT", "TOP_KEYS", "Choice", "Claim",
           "Example", "LayerInit", "LayerSpec", "Limits", "Spec", "dump_spec", "load",
           "plain_mapping", "target_problem"]
