"""Every equation a page displays is checked: by our audit before writing, and by the
independent reader of SPEC.md v1.1 (../shared/tools/audit_page.py) on what was written."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import sympy as sp

from derive import build_network, check, derive, load_spec, render, work_example
from derive.document import FalseEquation, audit, build_document
from derive.formats.page import Page
from derive.document.model import Display, Equation, Line, Section

from .conftest import EXAMPLES, NETWORK_EXAMPLES, OUTPUT

AUDITOR = Path(__file__).resolve().parents[2] / "shared" / "tools" / "audit_page.py"
SPECS = list(NETWORK_EXAMPLES)     # the v1.1 page mathematics is a network page's

UNSEEN = {
    "softmax-batch-sgd": """
title: Softmax over a batch, SGD
inputs: [x1, x2]
layers:
  - {units: 3, activation: tanh}
  - {units: 3, activation: softmax}
loss: cross_entropy
example:
  x: [[0.5, -1.0], [1.5, 0.25], [-0.3, 0.8]]
  y: [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
  init: {scheme: uniform, seed: 3}
  mode: sgd
  steps: 2
""",
    "huber-vector": """
title: Huber loss in the vector notation
notation: vector
inputs: [x1, x2]
layers:
  - {units: 2, activation: relu}
  - {units: 1, activation: linear}
loss: {name: huber, delta: 0.5}
example:
  x: [[1.0, 2.0], [0.5, -1.5]]
  y: [[3.0], [-1.0]]
  init: {scheme: uniform, seed: 7}
""",
    "nielsen-elu": """
title: Nielsen's notation with ELU and a sum
notation: nielsen
reduction: sum
inputs: [x]
layers:
  - {units: 3, activation: {name: elu, alpha: 0.7}}
  - {units: 2, activation: sigmoid}
loss: binary_cross_entropy
example:
  x: [[0.8], [-1.2]]
  y: [[1, 0], [0.2, 0.9]]
  init: {scheme: uniform, seed: 11}
""",
    "batch-notation-leaky": """
title: Row batches, leaky ReLU, squared error
notation: batch
inputs: [x1, x2, x3]
layers:
  - {units: 2, activation: {name: leaky_relu, slope: 0.1}}
  - {units: 2, activation: linear}
loss: squared_error
example:
  x: [[1, 2, 3], [-1, 0.5, 2]]
  y: [[1, 0], [0, 1]]
  init: {scheme: uniform, seed: 5}
""",
    "mazur-shared-bias": """
title: Mazur's network, one bias per layer, never trained
inputs: [i1, i2]
layers:
  - {units: 2, activation: sigmoid, bias: shared, trainable: [W]}
  - {units: 2, activation: sigmoid, bias: shared, trainable: [W]}
loss: half_squared_error
reduction: sum
example:
  x: [[0.05, 0.10]]
  y: [[0.01, 0.99]]
  learning_rate: 0.5
  digits: 9
  init:
    - {W: [[0.15, 0.20], [0.25, 0.30]], b: [0.35]}
    - {W: [[0.40, 0.45], [0.50, 0.55]], b: [0.60]}
""",
    "residual-decay": """
title: A residual block with weight decay
inputs: [x1, x2]
regularization: {l2: 0.01}
layers:
  - {units: 2, activation: tanh, name: h1}
  - {units: 2, activation: sigmoid, add: h1}
  - {units: 1, activation: linear, bias: shared}
loss: squared_error
example:
  x: [[0.5, -1.0], [1.0, 0.3]]
  y: [[1.0], [0.0]]
  init: {scheme: uniform, seed: 3}
  steps: 2
""",
    "adam-swish": """
title: Adam on a swish network with a log-cosh loss
inputs: [x1, x2]
layers:
  - {units: 2, activation: {name: swish, formula: "z*sigmoid(z)"}}
  - {units: 1, activation: linear}
loss: {name: log_cosh, formula: "log(cosh(yhat - y))"}
example:
  x: [[0.5, -1.0], [1.0, 2.0]]
  y: [[1.0], [0.0]]
  init: {scheme: uniform, seed: 2}
  optimizer: {name: adam, beta1: 0.9, beta2: 0.999, eps: 1.0e-8}
  steps: 3
""",
}


def _pages(text: str, name: str) -> dict[str, str]:
    spec = load_spec(text, f"{name}.yaml", default_title=name)
    derivation = derive(build_network(spec))
    worked = work_example(derivation)
    return render(derivation, worked, check(derivation, worked), stem=name,
                  formats=("md", "tex", "json"))


def _audit(tmp_path: Path, spec_text: str, name: str, files: dict[str, str]) -> str:
    (tmp_path / f"{name}.yaml").write_text(spec_text, encoding="utf-8")
    for suffix in ("json", "md"):
        (tmp_path / f"{name}.{suffix}").write_text(files[f"{name}.{suffix}"], encoding="utf-8")
    run = subprocess.run([sys.executable, str(AUDITOR), *(str(tmp_path / f"{name}.{s}")
                                                          for s in ("yaml", "json", "md"))],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


needs_auditor = pytest.mark.skipif(not AUDITOR.exists(), reason="../shared/tools not beside")


# typed-layer pages carry the v1.1 graph (the whole batch) and equations too, and circuit
# pages theirs (every node, a node per wire, every line at the circuit's inputs)
AUDITED = sorted(EXAMPLES.glob("*.yaml"))


@needs_auditor
@pytest.mark.parametrize("spec_path", AUDITED, ids=[p.stem for p in AUDITED])
def test_the_reference_audit_finds_no_false_equation_in_output(spec_path: Path) -> None:
    stem = spec_path.stem
    run = subprocess.run([sys.executable, str(AUDITOR), str(spec_path),
                          str(OUTPUT / f"{stem}.json"), str(OUTPUT / f"{stem}.md")],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout
    assert re.search(r": [1-9]\d* equations", run.stdout)


@needs_auditor
@pytest.mark.parametrize("name", sorted(UNSEEN))
def test_the_reference_audit_passes_unseen_specs(tmp_path: Path, name: str) -> None:
    _audit(tmp_path, UNSEEN[name], name, _pages(UNSEEN[name], name))


def _displays_md(md: str) -> list[str]:
    return [re.sub(r"\\(begin|end)\{aligned\}|\s", "", b)
            for b in re.findall(r"\$\$(.*?)\$\$", md, flags=re.S)]


def _displays_tex(tex: str) -> list[str]:
    blocks = re.findall(r"\\begin\{align\*\}(.*?)\\end\{align\*\}|\\\[(.*?)\\\]", tex, flags=re.S)
    return [re.sub(r"\s", "", a or b) for a, b in blocks]


@pytest.mark.parametrize("spec_path", SPECS, ids=[p.stem for p in SPECS])
def test_markdown_and_latex_show_the_same_mathematics(spec_path: Path) -> None:
    stem = spec_path.stem
    md = (OUTPUT / f"{stem}.md").read_text(encoding="utf-8")
    tex = (OUTPUT / f"{stem}.tex").read_text(encoding="utf-8")
    assert _displays_md(md) == _displays_tex(tex)
    assert len(_displays_md(md)) > 5


def _built(name: str):
    spec = load_spec(UNSEEN[name], f"{name}.yaml", default_title=name)
    derivation = derive(build_network(spec))
    worked = work_example(derivation)
    return derivation, worked, build_document(derivation, worked, check(derivation, worked),
                                              Page(derivation, worked).printer)


def _tampered(document, change):
    """The document with the first equation of the δ section changed by ``change``."""
    sections = list(document.sections)
    k = next(i for i, s in enumerate(sections) if "recursion" in s.title.segments[0][1])
    blocks = list(sections[k].blocks)
    b = next(i for i, x in enumerate(blocks) if isinstance(x, Display))
    lines = list(blocks[b].lines)
    eq = lines[0].equation
    lines[0] = Line(lines[0].latex, replace(eq, sides=change(eq.sides)))
    blocks[b] = Display(tuple(lines), aligned=True)
    sections[k] = Section(sections[k].title, tuple(blocks))
    return replace(document, sections=tuple(sections))


@pytest.mark.parametrize("change", [
    lambda sides: (*sides[:-1], sides[-1] * 2),                  # a lost factor of 2
    lambda sides: (*sides[:-1], -sides[-1]),                     # a flipped sign
    lambda sides: (*sides[:-1], sides[-1] + sp.Float(1e-3)),      # off by a constant
], ids=["factor", "sign", "constant"])
def test_a_false_equation_stops_the_run_naming_its_section(change) -> None:
    derivation, worked, (document, report) = _built("softmax-batch-sgd")
    assert report.equations > 30
    with pytest.raises(FalseEquation) as caught:
        audit(_tampered(document, change), derivation.network, worked)
    assert "δ recursion" in str(caught.value) and caught.value.exit_code == 1


def test_the_generic_elementwise_delta_is_false_for_softmax_and_is_caught() -> None:
    """The old page's δ⁽ᴸ⁾ⱼ = ∂L/∂ŷⱼ · ∂ŷⱼ/∂zⱼ (one path) is exactly what the audit rejects."""
    derivation, worked, (document, _) = _built("softmax-batch-sgd")
    layer = derivation.network.output
    from derive.document.quantities import PARTIAL
    from derive.calculus import LOSS, delta_symbol
    wrong = Equation((delta_symbol(2, 0), PARTIAL(LOSS, layer.a[0]) * PARTIAL(layer.a[0], layer.z[0])))
    tampered = _tampered(document, lambda sides: wrong.sides)
    with pytest.raises(FalseEquation):
        audit(tampered, derivation.network, worked)


def test_the_banner_gives_three_verdicts_and_json_counts_them() -> None:
    import json
    data = json.loads((OUTPUT / "output-and-hidden-layers-sigmoid.json").read_text())
    md = (OUTPUT / "output-and-hidden-layers-sigmoid.md").read_text()
    verified = data["verified"]
    assert verified["equations"] >= len(data["equations"]) - 5 > 30
    assert f"{verified['equations']} equations on this page" in md
    assert f"{verified['gradients']} gradient values agree" in md
    assert "3 of 3 claims checked as expected" in md
