"""The convolution's lesson page: audited on many shapes, a false equation stops it, the
printed index formulas are right (checked against torch, not against the lesson's own
sides), the picture shades what the weight touches, and bad shapes stop the CLI."""

from __future__ import annotations

import dataclasses
import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sympy as sp
from click.testing import CliRunner

from derive.cli import cli
from derive.document.audit import FalseEquation
from derive.document.tensor_audit import audit_tensor_page
from derive.document.tensor_build import build_tensor_document
from derive.formats.tensor_pictures import tensor_pictures
from derive.spec.tensor import load_tensor
from derive.tensor import LAYERS, Evaluator, build_model, check_model, work_model
from derive.tensor.graph import Builder
from derive.tensor.layers import Site

from .conftest import EXAMPLES

EXAMPLE = EXAMPLES / "convolution-2d-kernel-gradient.yaml"


def _run(text: str):  # type: ignore[no-untyped-def]
    spec = load_tensor(text, "case.yaml", default_title="t")
    model = build_model(spec)
    ev = Evaluator(model.graph)
    worked = work_model(model, ev)
    return model, worked, check_model(model, ev)


def _with_targets(inputs: list[int], layers: list[dict], samples: int) -> str:
    """A spec whose inputs follow a fixed rule and whose targets fit the network's output."""
    size = math.prod(inputs)
    xs = [[round(((k * 7 + n * 3) % 11) / 5 - 1, 2) for k in range(size)] for n in range(samples)]
    spec = {"inputs": {"shape": inputs}, "layers": layers, "loss": "half_squared_error",
            "example": {"x": xs, "y": [[0.0]] * samples, "init": {"seed": 3}}}
    probe = load_tensor(json.dumps(spec), "probe", default_title="t")
    builder = Builder(samples)
    a = builder.leaf("x", "x", tuple(inputs), "input")
    for number, layer in enumerate(probe.layers, start=1):
        builder.layer = number
        a = LAYERS[layer.type].build(builder, Site(probe, layer), a)
    out = math.prod(a.sample_shape)
    spec["example"]["y"] = [[round(0.1 * (k % 5) - 0.2, 2) for k in range(out)]
                            for _ in range(samples)]
    return json.dumps(spec)


CASES = {
    "conv1d": ([2, 5], [{"type": "conv1d", "channels": 2, "kernel": 3, "activation": "tanh"}], 1),
    "conv1d stride 2 padding 1, two samples": (
        [1, 6], [{"type": "conv1d", "channels": 2, "kernel": 2, "stride": 2, "padding": 1}], 2),
    "conv2d no bias, relu": (
        [2, 3, 4], [{"type": "conv2d", "channels": 1, "kernel": [2, 3], "bias": False,
                     "activation": "relu"}], 1),
    "conv2d stride [1, 2], padding [1, 0]": (
        [1, 4, 5], [{"type": "conv2d", "channels": 2, "kernel": 2, "stride": [1, 2],
                     "padding": [1, 0], "activation": "sigmoid"}], 2),
    "padding larger than kernel - 1": (
        [1, 3, 3], [{"type": "conv2d", "channels": 1, "kernel": 2, "padding": 2}], 1),
    "two convs, then dense": (
        [1, 5, 5], [{"type": "conv2d", "channels": 2, "kernel": 2, "activation": "tanh"},
                    {"type": "conv2d", "channels": 1, "kernel": 2},
                    {"type": "flatten"}, {"type": "dense", "units": 1}], 2),
}


@pytest.mark.parametrize("name", CASES)
def test_every_equation_of_the_lesson_holds(name: str) -> None:
    inputs, layers, samples = CASES[name]
    model, worked, check = _run(_with_targets(inputs, layers, samples))
    document, _, audited = build_tensor_document(model, worked, check, stem="out/case")
    titles = [t for s in document.sections for _, t in s.title.segments]
    convs = sum(layer["type"].startswith("conv") for layer in layers)
    assert sum("conv" in t and "gradients" in t for t in titles) == convs
    assert audited.equations >= 9 * convs and audited.at_kinks == 0
    pictures = tensor_pictures(model, worked, "out/case")
    assert len(pictures) == convs
    for svg in pictures.values():
        ET.fromstring(svg)


def _kernel_line(document):  # type: ignore[no-untyped-def]
    for _, display in document.displays():
        for line in display.lines:
            if line.latex.startswith(r"\frac{\partial \mathcal{L}}{\partial W^{(1)}_{o,"):
                return display, line
    raise AssertionError("no kernel-gradient formula on the page")


def test_a_false_kernel_gradient_stops_the_page() -> None:
    """The flipped kernel is the classic mistake: the audit must refuse it."""
    model, worked, check = _run(EXAMPLE.read_text(encoding="utf-8"))
    document, _, _ = build_tensor_document(model, worked, check, stem="out/case")
    display, line = _kernel_line(document)
    left, right = line.equation.sides
    flipped = tuple(tuple(reversed(row)) for row in reversed(right))
    bad = dataclasses.replace(line, equation=dataclasses.replace(line.equation,
                                                                 sides=(left, flipped)))
    swapped = dataclasses.replace(display, lines=tuple(bad if x is line else x
                                                       for x in display.lines))
    sections = tuple(dataclasses.replace(s, blocks=tuple(swapped if b is display else b
                                                         for b in s.blocks))
                     for s in document.sections)
    with pytest.raises(FalseEquation):
        audit_tensor_page(dataclasses.replace(document, sections=sections), model)


def test_the_printed_formulas_for_a_strided_padded_conv() -> None:
    """The index formulas as printed (1-based), for stride 2 and padding 1."""
    text = _with_targets([1, 5, 5], [{"type": "conv2d", "channels": 2, "kernel": 3,
                                      "stride": 2, "padding": 1}], 2)
    model, worked, check = _run(text)
    document, _, _ = build_tensor_document(model, worked, check, stem="out/case")
    rows = [line.latex for _, d in document.displays() for line in d.lines]
    assert (r"z^{(1)}_{n,o,i,j} = b^{(1)}_{o} + \sum_{p=1}^{3} \sum_{q=1}^{3} "
            r"W^{(1)}_{o,1,p,q}\, x_{n,1,2(i-1)+p-1,2(j-1)+q-1}") in rows
    assert (r"\frac{\partial \mathcal{L}}{\partial W^{(1)}_{o,1,p,q}} = \sum_{n=1}^{2} "
            r"\sum_{i=1}^{3} \sum_{j=1}^{3} \delta^{(1)}_{n,o,i,j}\, "
            r"x_{n,1,2(i-1)+p-1,2(j-1)+q-1}") in rows
    assert (r"\frac{\partial \mathcal{L}}{\partial x_{n,1,u,v}} = \sum_{o=1}^{2} "
            r"\sum_{p=1}^{3} \sum_{q=1}^{3} W^{(1)}_{o,1,p,q}\, "
            r"\delta^{(1)}_{n,o,\frac{u-p+1}{2}+1,\frac{v-q+1}{2}+1}") in rows


def test_the_printed_formulas_agree_with_torch() -> None:
    """The lesson's 1-based formulas, evaluated by loops written here from the printed text
    (stride 2, padding 1 input gradient; stride 1 full convolution with the flipped kernel),
    equal torch's autograd."""
    torch = pytest.importorskip("torch")
    gen = torch.Generator().manual_seed(0)
    for s, pad, k, n in ((2, 1, 3, 5), (1, 0, 2, 6), (1, 1, 3, 4)):
        x = torch.randn(1, 1, n, n, generator=gen, dtype=torch.float64, requires_grad=True)
        W = torch.randn(2, 1, k, k, generator=gen, dtype=torch.float64, requires_grad=True)
        z = torch.nn.functional.conv2d(x, W, stride=s, padding=pad)
        delta = torch.randn(z.shape, generator=gen, dtype=torch.float64)
        (z * delta).sum().backward()
        out = z.shape[-1]
        d = delta[0]
        # ∂L/∂W_{o,1,p,q} = Σ_{i,j} δ_{o,i,j} x_{1, s(i−1)+p−pad, s(j−1)+q−pad} (1-based)
        for o, p, q in ((0, 1, 1), (1, k, k), (1, 1, k)):
            total = 0.0
            for i in range(1, out + 1):
                for j in range(1, out + 1):
                    u, v = s * (i - 1) + p - pad, s * (j - 1) + q - pad
                    if 1 <= u <= n and 1 <= v <= n:
                        total += d[o, i - 1, j - 1].item() * x[0, 0, u - 1, v - 1].item()
            assert total == pytest.approx(W.grad[o, 0, p - 1, q - 1].item(), rel=1e-12, abs=1e-12)
        for u in range(1, n + 1):
            for v in range(1, n + 1):
                total = 0.0
                for o in range(2):
                    for p in range(1, k + 1):
                        for q in range(1, k + 1):
                            if s == 1:      # δ̃ padded by k − 1 − pad, kernel flipped
                                m = k - 1 - pad
                                i, j = u + p - 1 - m, v + q - 1 - m
                                w = W[o, 0, k - p, k - q].item()
                            else:           # δ at ((u − p + pad)/s + 1, …) when whole
                                if (u - p + pad) % s or (v - q + pad) % s:
                                    continue
                                i, j = (u - p + pad) // s + 1, (v - q + pad) // s + 1
                                w = W[o, 0, p - 1, q - 1].item()
                            if 1 <= i <= out and 1 <= j <= out:
                                total += d[o, i - 1, j - 1].item() * w
                assert total == pytest.approx(x.grad[0, 0, u - 1, v - 1].item(),
                                              rel=1e-12, abs=1e-12)


def test_the_picture_shades_the_inputs_and_outputs_of_one_weight() -> None:
    model, worked, _ = _run(EXAMPLE.read_text(encoding="utf-8"))
    (name, svg), = tensor_pictures(model, worked, "out/conv").items()
    assert name == "out/conv/conv1-weight.svg"
    root = ET.fromstring(svg)
    rects = [r for r in root.iter("{http://www.w3.org/2000/svg}rect")
             if r.get("stroke-width") == "2.5"]
    assert len(rects) == 16 + 1 + 16       # inputs read, the weight, outputs touched
    assert "16 outputs per sample" in svg


def test_the_example_renders_through_the_cli(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, [str(EXAMPLE), "-o", str(tmp_path), "--format", "all"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "convolution-2d-kernel-gradient.md").read_text(encoding="utf-8")
    assert "Layer 1 (conv2d): gradients" in page
    assert "convolution-2d-kernel-gradient/conv1-weight.svg" in page
    assert (tmp_path / "convolution-2d-kernel-gradient" / "conv1-weight.svg").exists()
    verified = json.loads((tmp_path / "convolution-2d-kernel-gradient.json")
                          .read_text(encoding="utf-8"))["verified"]
    assert verified["passed"] and verified["equations"] >= 20 and verified["skipped_at_kinks"] == 0


BAD = {
    "kernel over the padded input": (
        "inputs: {shape: [1, 3, 3]}\nlayers: [{type: conv2d, channels: 1, kernel: 7}]\n"
        "loss: squared_error\nexample: {x: [[[[1,2,3],[4,5,6],[7,8,9]]]], y: [[0]]}\n",
        "layers[0].kernel"),
    "conv after flatten": (
        "inputs: {shape: [1, 3]}\nlayers: [{type: flatten}, {type: conv1d, channels: 1, "
        "kernel: 1}]\nloss: squared_error\nexample: {x: [[[1, 2, 3]]], y: [[0]]}\n",
        "layers[1].type"),
    "two kernel sizes for conv1d": (
        "inputs: {shape: [1, 3]}\nlayers: [{type: conv1d, channels: 1, kernel: [2, 2]}]\n"
        "loss: squared_error\nexample: {x: [[[1, 2, 3]]], y: [[0, 0]]}\n", "layers[0].kernel"),
}


@pytest.mark.parametrize("name", BAD)
def test_impossible_shapes_stop_the_cli(tmp_path: Path, name: str) -> None:
    text, key = BAD[name]
    spec = tmp_path / "bad.yaml"
    spec.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [str(spec), "-o", str(out), "--format", "all"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f": {key}: expected " in lines[0] and ", got " in lines[0], lines
    assert not out.exists() or not any(out.iterdir())


def test_sides_are_sympy() -> None:
    """Every equation of the conv layer's section carries SymPy sides (the audit reads them)."""
    model, worked, check = _run(EXAMPLE.read_text(encoding="utf-8"))
    document, _, _ = build_tensor_document(model, worked, check, stem="out/case")
    mine = [(where, d) for where, d in document.displays() if "(conv2d)" in where]
    assert len(mine) >= 8
    for _, display in mine:
        for line in display.lines:
            assert line.equation is not None, line.latex
            for side in line.equation.sides:
                flat = [e for row in side for e in row] if isinstance(side, tuple) else [side]
                assert all(isinstance(e, sp.Basic) for e in flat)
