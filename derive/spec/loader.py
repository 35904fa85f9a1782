"""Spec text -> a validated, frozen ``Spec``, in one pass that reports every problem.

The order of the pass: the size of the text, then YAML (``yaml_nodes.compose``), then the
top-level mapping, then each section (``sections``, ``example``) read through one
``Reader`` that collects the problems; any problem ends the pass in one ``SpecErrors``
listing them all by line.
"""

from __future__ import annotations

from types import MappingProxyType

from ..errors import SpecError, SpecErrors
from ..registry import DEFAULT_NOTATION, LOSSES, NOTATIONS
from .example import EXAMPLE_KEYS, check_evaluations, check_targets, read_example
from .model import LIMIT_HINT, Limits, Spec, count_parameters
from .reader import Reader
from .sections import (check_combinations, check_size, read_claims, read_inputs, read_layers,
                       read_title)
from .structure import check_residuals, read_regularization
from .yaml_nodes import MappingNode, compose

__all__ = ["TOP_KEYS", "load"]

TOP_KEYS = ("title", "about", "inputs", "layers", "loss", "reduction", "notation", "example",
            "claims", "exercise",   # exercise: read by `derive-backprop exercises`
            "regularization", "order")   # order: the spec's place in a course (site, book)
# The example's own keys written at the top: said where they go.
_EXAMPLE_KEYS_AT_TOP = MappingProxyType({key: ("example", f"{key} goes under example:")
                                         for key in EXAMPLE_KEYS if key not in TOP_KEYS})


def load(text: str, file: str = "<spec>", *, limits: Limits | None = None,
         default_title: str | None = None) -> Spec:
    """Validate spec text in one pass; raise ``SpecErrors`` listing every problem."""
    limits = limits or Limits()
    if len(text) > limits.bytes:
        raise SpecErrors([SpecError("(file)", f"at most {limits.bytes} bytes",
                                    got_text=f"{len(text)} characters", file=file, line=1,
                                    hint=LIMIT_HINT)])
    root = compose(text, file)
    reader = Reader(file)
    if root is None:
        raise SpecErrors([SpecError("(file)", "a spec with inputs, layers and loss",
                                    got_text="an empty file", file=file, line=1)])
    if not isinstance(root, MappingNode):
        reader.fail(root, "(spec)", "a mapping with inputs, layers and loss")
        raise SpecErrors(reader.errors)
    top = reader.mapping(root, "", TOP_KEYS, required=("inputs", "layers", "loss"),
                         misplaced=_EXAMPLE_KEYS_AT_TOP)
    assert top is not None
    inputs = read_inputs(reader, top.get("inputs"), limits)
    layers = read_layers(reader, top.get("layers"), limits)
    loss = reader.choice(top["loss"], "loss", LOSSES) if "loss" in top else None
    reduction = reader.word(top.get("reduction"), "reduction", ("mean", "sum"), "mean")
    notation = reader.word(top.get("notation"), "notation", tuple(NOTATIONS), DEFAULT_NOTATION)
    title = read_title(reader, top["title"]) if "title" in top else None
    about = reader.text(top["about"], "about") if "about" in top else ""
    check_size(reader, top.get("layers", root), inputs, layers, limits)
    check_combinations(reader, top, layers, loss)
    if inputs is not None and layers is not None:
        check_residuals(reader, top["layers"], len(inputs), layers)
    l2 = read_regularization(reader, top["regularization"]) if "regularization" in top else 0.0
    if "exercise" in top:         # read by `exercises`, as plain data: its errors need lines
        reader.mark_tree(top["exercise"], "exercise")
    example = None
    if "example" in top and inputs is not None and layers is not None:
        example = read_example(reader, top["example"], len(inputs), layers, limits)
        if example is not None and loss is not None:
            check_targets(reader, top["example"], example, loss)
        if example is not None:
            check_evaluations(reader, top["example"], example,
                              count_parameters(len(inputs), layers), limits)
    claims = read_claims(reader, top["claims"], limits) if "claims" in top else ()
    order = reader.integer(top["order"], "order", minimum=0, maximum=1_000_000) \
        if "order" in top else None
    if reader.errors:
        raise SpecErrors(reader.errors)
    assert inputs is not None and layers is not None and loss is not None
    return Spec(title=title if title is not None else (default_title or file), about=about or "",
                inputs=inputs,
                layers=layers, loss=loss, reduction=reduction, notation=notation,
                example=example, claims=claims, l2=l2 or 0.0, order=order, file=file,
                lines=tuple(sorted(reader.lines.items())))
