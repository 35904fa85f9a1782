"""One picture model, two writers: the SVG beside the web page and the TikZ inside the LaTeX
page show the same drawing, with the symbols' LaTeX in TikZ; the softmax coupling and the
path pictures' local derivatives; and pdflatex compiles the pictures (skipped without it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.formats.escape import escape_latex
from derive.formats.figures import page_pictures
from derive.formats.page import Page
from derive.formats.picture import (Circle, Group, Line, Picture, Plate, Polyline, Rect, Text,
                                    Words, svg_text, tikz_text)
from derive.formats.svg import network_svg, path_svg, symbol_labels

from .conftest import EXAMPLES, NETWORK_EXAMPLES
from .test_pictures import NS, built, parse

SPECS = list(NETWORK_EXAMPLES)     # the network pictures
IDS = [p.stem for p in SPECS]


def every_shape(words: Words) -> Picture:
    return Picture(300, 200, "all", "every kind of shape", (
        Text(10, 20, words, "#222222", size=12, anchor="middle", bold=True, rotate=-90),
        Circle(50, 50, 20, "#dcecf7", "#0072B2", 1.5, cls="node", title="t", label=words),
        Rect(80, 80, 40, 20, "#ffffff", "#555555", 1.2, rx=5, dash="4 3"),
        Line(0, 0, 100, 100, "#555555", 1.4, head=True),
        Polyline(((0, 0), (10, 10), (20, 0)), "#0072B2", 2),
        Plate(150, 150, 30, 40, 20, ((words, "#222222", 12.0),), cls="edge-label"),
        Group("g", (Text(5, 5, words, "#555555"),))))


def all_words(shapes: tuple) -> list[Words]:
    out = []
    for shape in shapes:
        if isinstance(shape, Group):
            out += all_words(shape.shapes)
        elif isinstance(shape, (Text,)):
            out.append(shape.words)
        elif isinstance(shape, Circle) and shape.label is not None:
            out.append(shape.label)
        elif isinstance(shape, Plate):
            out += [words for words, _, _ in shape.lines]
    return out


def pictures_of(path: Path) -> dict[str, Picture]:
    _, derivation, worked = built(path)
    return page_pictures(Page(derivation, worked), "p")[0]


# --------------------------------------------------------------------------- the writers


def test_every_shape_is_written_by_both_writers() -> None:
    picture = every_shape(Words("w₁", "$w_{1}$"))
    root = parse(svg_text(picture))
    assert [el.tag.removeprefix(NS) for el in root][3:] == [
        "text", "circle", "text", "rect", "line", "polygon", "polyline", "g", "g"]
    tikz = tikz_text(picture)
    assert tikz.startswith(r"\begin{tikzpicture}") and tikz.endswith(r"\end{tikzpicture}")
    assert tikz.count("$w_{1}$") == 4 and "w₁" not in tikz
    for hex_colour in ("222222", "DCECF7", "0072B2", "555555"):
        assert rf"{{HTML}}{{{hex_colour}}}" in tikz
    assert "rotate=90" in tikz and "rotate=-30" in tikz        # clockwise on a y-down card
    assert "dash pattern=on" in tikz and "circle[radius=" in tikz and "-- cycle;" in tikz


def test_a_wide_picture_shrinks_to_the_text_width_with_its_fonts() -> None:
    narrow, wide = every_shape(Words("a", "a")), Picture(1200, 100, "w", "w", (
        Text(10, 20, Words("a", "a"), "#222222"),))
    assert "x=0.75pt" in tikz_text(narrow)
    scale = 450 / (0.75 * 1200)
    assert f"x={0.75 * scale:.2f}pt" in tikz_text(wide)
    assert rf"\fontsize{{{13 * 0.75 * scale:.2f}pt}}" in tikz_text(wide)


@settings(max_examples=60)
@given(st.text(min_size=1, max_size=30))
def test_any_text_is_escaped_in_both_writers(text: str) -> None:
    words = Words(text, escape_latex(text))
    svg = svg_text(every_shape(words))
    ET.fromstring(svg)                                     # well-formed whatever the text
    tikz = tikz_text(every_shape(words))
    body = tikz.replace(words.tex, "")
    assert not re.search(r"(?<!\\)[%#&]", body)           # the only text is the escaped text


@pytest.mark.parametrize("path", SPECS, ids=IDS)
def test_svg_and_tikz_draw_the_same_words(path: Path) -> None:
    """Every piece of text of every picture: its plain form in the SVG, its LaTeX in TikZ;
    symbols as math (no Unicode scripts reach LaTeX)."""
    for name, picture in pictures_of(path).items():
        svg, tikz = svg_text(picture), tikz_text(picture)
        texts = "".join(ET.fromstring(svg).itertext())
        for words in all_words(picture.shapes):
            assert words.text in texts, name
            assert words.tex in tikz, name
        assert not re.search("[⁰-₟]", tikz), name


def test_tikz_labels_are_the_symbols_latex() -> None:
    pictures = pictures_of(EXAMPLES / "output-and-hidden-layers-sigmoid.yaml")
    tikz = tikz_text(pictures["p/network.svg"])
    for latex in (r"$w^{(2)}_{11}$", r"$a^{(1)}_{1}$", r"$\hat{y}_{3}$", r"$x_{1}$"):
        assert latex in tikz
    paths = tikz_text(pictures["p/paths-w1-1-1.svg"])
    assert r"$\sigma\left(z^{(1)}_{1}\right)$\\" in paths          # σ′ in two lines
    assert r"$\cdot \left(1 - \sigma\left(z^{(1)}_{1}\right)\right)$" in paths


# --------------------------------------------------------------------------- review points


def test_a_softmax_layer_is_one_dashed_box_around_its_units() -> None:
    network, _, _ = built(EXAMPLES / "softmax-cross-entropy-3-classes.yaml")
    root = parse(network_svg(network, symbol_labels(network)))
    boxes = [r for r in root.iter(NS + "rect") if r.get("stroke-dasharray")]
    assert len(boxes) == 1
    x, y, w, h = (float(boxes[0].get(k, "")) for k in ("x", "y", "width", "height"))
    outputs = [g.find(NS + "circle") for g in root.iter(NS + "g")
               if "node" in g.get("class", "") and "ŷ" in "".join(g.itertext())]
    assert len(outputs) == 3
    for circle in outputs:
        cx, cy, r = (float(circle.get(k, "")) for k in ("cx", "cy", "r"))  # type: ignore[union-attr]
        assert x < cx - r and cx + r < x + w and y < cy - r and cy + r < y + h
    others = [g for g in root.iter(NS + "g") if "node" in g.get("class", "")
              and "ŷ" not in "".join(g.itertext())]
    for group in others:
        cx = float(group.find(NS + "circle").get("cx", ""))  # type: ignore[union-attr]
        assert not x < cx < x + w
    assert "depends on every z" in "".join(root.itertext())


@pytest.mark.parametrize("path", [p for p in SPECS if "softmax" not in p.stem],
                         ids=[p.stem for p in SPECS if "softmax" not in p.stem])
def test_no_box_without_softmax(path: Path) -> None:
    network, _, _ = built(path)
    assert "stroke-dasharray" not in network_svg(network, symbol_labels(network))


def test_each_arrow_of_a_chain_carries_its_local_derivative() -> None:
    """3Blue1Brown's chain: x, σ′ as σ(z)(1 − σ(z)), w, …, −2(y − a), as the derivation's
    factors say (written out here by hand); the long chain snakes over two rows."""
    network, derivation, _ = built(EXAMPLES / "sigmoid-chain-one-node-layers.yaml")
    gradient = next(g for g in derivation.gradients if g.parameter == network.layers[0].W[0][0])
    root = parse(path_svg(gradient, symbol_labels(network)))
    labels = ["".join(g.itertext()) for g in root.iter(NS + "g")
              if g.get("class") == "edge-label"]
    sigma = [f"σ(z⁽{n}⁾₁)· (1 − σ(z⁽{n}⁾₁))" for n in "¹²³"]    # each in two lines
    assert sorted(labels) == sorted(["x", sigma[0], "w⁽²⁾₁₁", sigma[1], "w⁽³⁾₁₁", sigma[2],
                                     "−2(y − a⁽³⁾₁)"])
    assert "product of the local derivatives" in "".join(root.itertext())
    rows = {float(g.find(NS + "rect").get("y", "")) for g in root.iter(NS + "g")  # type: ignore[union-attr]
            if "step" in g.get("class", "")}
    assert len(rows) == 2 and int(root.get("width", "")) <= 820


# --------------------------------------------------------------------------- pdflatex


def _have_tikz() -> str:
    binary = shutil.which("pdflatex")
    kpsewhich = shutil.which("kpsewhich")
    if binary is None or kpsewhich is None or not subprocess.run(
            [kpsewhich, "tikz.sty"], capture_output=True, text=True).stdout.strip():
        pytest.skip("pdflatex with tikz (texlive-pictures) is not installed")
    return binary


def _compile(tex: Path) -> str:
    result = subprocess.run([_have_tikz(), "-interaction=nonstopmode", "-halt-on-error",
                             tex.name], cwd=tex.parent, capture_output=True, text=True,
                            timeout=300, errors="replace")
    log = tex.with_suffix(".log").read_text(encoding="latin-1")
    assert result.returncode == 0, [line for line in log.splitlines() if line.startswith("!")]
    return log


def test_each_picture_compiles_on_its_own_with_tikz_and_amsmath(tmp_path: Path) -> None:
    """Standalone: a picture needs tikz (and amsmath for the page's \\operatorname), in an
    article and, where texlive-latex-extra is installed, in ``standalone``'s tikz mode."""
    _have_tikz()
    pictures = [*pictures_of(EXAMPLES / "softmax-cross-entropy-3-classes.yaml").values(),
                every_shape(Words("#1 & 50% {x}", escape_latex("#1 & 50% {x}")))]
    body = "\n\n".join(tikz_text(p) for p in pictures)
    tex = tmp_path / "pictures.tex"
    tex.write_text("\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{tikz}\n"
                   f"\\begin{{document}}\n{body}\n\\end{{document}}\n", encoding="utf-8")
    _compile(tex)
    assert tex.with_suffix(".pdf").stat().st_size > 1000
    if not subprocess.run([shutil.which("kpsewhich") or "kpsewhich", "standalone.cls"],
                          capture_output=True, text=True).stdout.strip():
        return                                          # texlive-latex-extra is not here
    alone = tmp_path / "alone.tex"       # one page per picture, cropped to it
    alone.write_text("\\documentclass[tikz]{standalone}\n\\usepackage{amsmath}\n"
                     f"\\begin{{document}}\n{body}\n\\end{{document}}\n", encoding="utf-8")
    _compile(alone)
    info = shutil.which("pdfinfo")
    if info is not None:
        pages = subprocess.run([info, str(alone.with_suffix(".pdf"))], capture_output=True,
                               text=True, check=True).stdout
        assert re.search(rf"^Pages:\s+{len(pictures)}$", pages, re.M)


def test_the_latex_page_draws_every_figure_of_the_web_page(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from derive.cli import cli

    spec = EXAMPLES / "relu-worked-example-1-1-1.yaml"
    out = CliRunner().invoke(cli, [str(spec), "--format", "all", "-o", str(tmp_path)])
    assert out.exit_code == 0, out.output
    markdown = (tmp_path / f"{spec.stem}.md").read_text(encoding="utf-8")
    tex = tmp_path / f"{spec.stem}.tex"
    latex = tex.read_text(encoding="utf-8")
    figures = re.findall(r"!\[[^\]]*\]\(([^)]+\.svg)\)", markdown)
    assert len(figures) == latex.count(r"\begin{tikzpicture}") >= 3
    assert r"\usepackage{tikz}" in latex
    _compile(tex)
    text = shutil.which("pdftotext")
    if text is not None:
        shown = subprocess.run([text, str(tex.with_suffix(".pdf")), "-"], capture_output=True,
                               text=True, check=True).stdout
        assert "One path:" in shown and "product of the local derivatives" in shown


# --------------------------------------------------------------------------- the circuit


STAGED_NEURON = {"inputs": {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3},
                 "nodes": {"a": "w0*x0", "b": "w1*x1", "c": "a + b", "d": "c + w2",
                           "f": "sigmoid(d)"}, "output": "f"}


def test_the_circuit_keeps_its_numbers_apart_and_draws_them_in_tikz() -> None:
    """cs231n's staged neuron: every wire's value and gradient on a plate that meets no box
    and no other plate; the same numbers and the names' LaTeX in TikZ."""
    from derive.circuit import derive_circuit
    from derive.formats.circuit_picture import circuit_picture
    from derive.formats.svg.geometry import overlap, rect

    result = derive_circuit(STAGED_NEURON)
    picture = circuit_picture(result, "neuron")
    root = parse(svg_text(picture))
    found = []
    for group in root.iter(NS + "g"):
        if group.get("class") == "wire":
            turn = re.fullmatch(r"translate\((\S+) (\S+)\)(?: rotate\((\S+)\))?",
                                group.get("transform", ""))
            plate = group.find(NS + "rect")
            assert turn is not None and plate is not None
            found.append(rect(float(turn[1]), float(turn[2]), float(turn[3] or 0),
                              float(plate.get("width", "")), float(plate.get("height", ""))))
    boxes = [rect(float(r.get("x", "")) + 60, float(r.get("y", "")) + 22, 0, 120, 44)
             for r in root.iter(NS + "rect") if r.get("width") == "120"]
    assert len(found) == 2 * (len(result.edges) + 1) and len(boxes) == 10
    assert not any(overlap(a, b) for i, a in enumerate(found) for b in found[i + 1:] + boxes)
    texts = "".join(root.itertext())
    tikz = tikz_text(picture)
    for number in ("-0.196612", "0.393224", "-0.589836", "0.731059"):
        assert number in texts and f"${number}$" in tikz
    assert "$w_{0}$" in tikz and r"$\sigma\left(d\right)$" in tikz
