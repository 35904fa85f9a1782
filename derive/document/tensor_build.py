"""(Model, TensorWorked, TensorCheck) -> the audited ``Document`` of a typed-layer page."""

from __future__ import annotations

from ..tensor import Model, TensorCheck, TensorWorked
from .lessons import LESSONS
from .model import Display, Section, math, plain
from .audit import AuditReport
from .tensor_audit import audit_tensor_page
from .tensor_page import TensorContext, TensorTex, loss_text, tensor_document
from .lessons import numbers_line

__all__ = ["build_tensor_document"]


def _forward(ctx: TensorContext) -> Section:
    blocks: list = [plain("One sample's input has shape ")
                    + math(ctx.tex.shape(ctx.model.x.sample_shape)) + plain(".")]
    for record in ctx.model.layers:
        blocks += LESSONS[record.spec.type].forward(ctx, record)
    loss = ctx.model.graph.loss
    blocks += [loss_text(ctx), Display((numbers_line(
        ctx, rf"\mathcal{{L}} = {ctx.tex.number(ctx.value(loss))}", loss, ctx.value(loss)),))]
    return Section(plain("Forward pass"), tuple(blocks))


def build_tensor_document(model: Model, worked: TensorWorked, check: TensorCheck, *,
                          stem: str, seed: int = 0):  # type: ignore[no-untyped-def]
    """(the page's ``Document``, its ``TensorContext``, what its audit compared)."""
    ctx = TensorContext(model, worked, check, TensorTex(model), stem)
    backward = tuple(section for record in reversed(model.layers)
                     for section in LESSONS[record.spec.type].backward(ctx, record))
    forward = (_forward(ctx),)
    draft = tensor_document(ctx, forward, backward, AuditReport(0, 0, 0))
    audited = audit_tensor_page(draft, model, seed=seed)
    return tensor_document(ctx, forward, backward, audited), ctx, audited
