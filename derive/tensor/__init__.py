"""Typed layers (dense, flatten, conv1d, conv2d, rnn, batchnorm) as one computation graph.

A ``TensorSpec`` (derive/spec/tensor.py) becomes the batch's graph of scalar nodes
(``graph``, built layer by layer by the ``layers`` registry in ``build``); ``reverse`` runs
it forward and backward (each node's gradient the sum over its consumers), ``worked``
trains the example and checks every gradient against finite differences.
"""

from __future__ import annotations

from .build import LayerRecord, Model, build_model, check_size
from .graph import Graph, Tensor
from .layers import LAYERS, LayerType
from .reverse import Evaluator
from .worked import TensorCheck, TensorWorked, check_model, work_model

__all__ = ["Evaluator", "Graph", "LAYERS", "LayerRecord", "LayerType", "Model", "Tensor",
           "TensorCheck", "TensorWorked", "build_model", "check_size", "check_model", "work_model"]
