"""A ``layers:`` spec compiled to the typed-layer graph: the same network as dense layers over
a ``[inputs]`` shape, so one reverse mode over one graph computes what the layer-by-layer
derivation prints (tests/test_graph_core.py holds the two equal on every example).

Every key compiles (a shared bias, a residual ``add``, frozen tensors, weight decay, momentum
and Adam) except per-sample updates of a batch (``mode: sgd``), which give None.
"""

from __future__ import annotations

from ..spec import Spec
from ..spec.tensor import TensorExample, TensorLayer, TensorSpec

__all__ = ["tensor_spec_of"]


def _plain(spec: Spec) -> bool:
    example = spec.example
    return example is not None and (example.mode == "batch" or len(example.x) == 1)


def tensor_spec_of(spec: Spec) -> TensorSpec | None:
    """The spec as dense typed layers with its example's numbers, or None (see above)."""
    if not _plain(spec):
        return None
    example = spec.example
    assert example is not None
    layers = tuple(TensorLayer("dense", (
        ("units", layer.units), ("activation", layer.activation), ("bias", layer.bias),
        ("shared", layer.shared), ("trainable", layer.trainable),
        *((("add", spec.residual(i + 1)),) if layer.add else ())), f"layers[{i}]")
        for i, layer in enumerate(spec.layers))
    init = tuple((("W", tuple(v for row in values.W for v in row)),) +
                 ((("b", values.b),) if values.b else ())
                 for values in example.init)
    return TensorSpec(title=spec.title, shape=(len(spec.inputs),), layers=layers, loss=spec.loss,
                      reduction=spec.reduction, file=spec.file, lines=spec.lines, l2=spec.l2,
                      example=TensorExample(x=example.x, y=example.y, seed=None, init=init,
                                            learning_rate=example.learning_rate,
                                            steps=example.steps, digits=example.digits,
                                            optimizer=example.optimizer))
