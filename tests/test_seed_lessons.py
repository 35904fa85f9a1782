"""Every seed lesson is covered by an example whose page derives the seed's formulas.

Per seed, the formulas it teaches are listed below, either as the example's claims (each
must be proved on the page) or as symbolic equalities with the derived results. Where a
seed is wrong (seed 004's dropped sign, seed 003's incomplete sigma') the page is right and
the wrong formula is pinned as a claim that differs.
"""

from __future__ import annotations

import re
from pathlib import Path

import mpmath
import pytest
import sympy as sp
import yaml

from derive import build_network, check, derive, load_spec, work_example
from derive.calculus.expressions import as_expr
from derive.registry.functions import sigmoid
from derive.calculus.symbols import (activation_symbol, pre_activation_symbol, target_symbol,
                                     weight_symbol)

from .conftest import EXAMPLES, NETWORK_EXAMPLES, OUTPUT

# seed -> (example, claims it must prove, claims it must show as wrong)
SEED_EXAMPLES = {
    "000": ("nine-derivatives-2-2-1-linear", 9, 0),
    "001": ("relu-worked-example-1-1-1", 2, 0),
    "002": ("sigmoid-chain-one-node-layers", 3, 0),
    "003": ("linear-model-batch-matrix-form", 3, 0),
    "003 stacked": ("stacked-layers-sigmoid-batch", 1, 1),
    "004": ("output-and-hidden-layers-sigmoid", 2, 1),
}


def pipeline(stem: str):  # type: ignore[no-untyped-def]
    path = EXAMPLES / f"{stem}.yaml"
    spec = load_spec(path.read_text(encoding="utf-8"), str(path))
    derivation = derive(build_network(spec))
    worked = work_example(derivation)
    return derivation, worked, check(derivation, worked)


@pytest.mark.parametrize("seed", sorted(SEED_EXAMPLES))
def test_seed_claims_are_proved_and_mistakes_shown(seed: str) -> None:
    stem, proved, wrong = SEED_EXAMPLES[seed]
    _, _, report = pipeline(stem)
    assert report.passed
    assert sum(c.status == "proved" for c in report.claims) == proved
    assert sum(c.status == "differs" and c.passed for c in report.claims) == wrong
    page = (OUTPUT / f"{stem}.md").read_text(encoding="utf-8")
    # "mistakes" only where a claim is one; a page of right formulas says what it holds
    heading = "## Common mistakes, checked" if wrong else "## Hand-written formulas, checked"
    other = "## Hand-written formulas, checked" if wrong else "## Common mistakes, checked"
    assert other not in page
    mistakes = page.split(heading, 1)[1]
    assert mistakes.count("**proved equal**, as expected") == proved
    assert mistakes.count("**differs**") == wrong


# seed -> what its page says it teaches, right under the title (the seed's own lesson, in
# the page's notation; which seed it is stays in the spec's comments: a student never saw it)
SEED_OPENINGS = {
    "000": ("9 derivatives", "(Y − Ŷ)²", "one sample at a time", "w = 1, b = 0"),
    "001": ("δ₂ = ∂L/∂ŷ · F′(z₂)", "δ₁ = (W₂ᵀ δ₂) ⊙ g′(z₁)", "3 and w₂ = 0.5 become 2.8 and −0.7"),
    "002": ("3Blue1Brown", "C₀ = (a − y)²", "averaged over the training samples"),
    "003": ("Ŷ = XW + b", "∂L/∂W = Xᵀ ∂L/∂Ŷ", "over the batch"),
    "003 stacked": ("H = σ(XW⁽¹⁾ + b⁽¹⁾)", "Ŷ = HW⁽²⁾ + b⁽²⁾", "1 − σ"),
    "004": ("δ = (a − y) σ′(z)", "hidden layer", "∂L/∂b = δ", "sign slip"),
}
# what a student cannot read: the project's own references, and math typed in ASCII
JARGON = re.compile(r"[Ss]eed\b|tests/|\.py\b|[a-z]-hat|\bd[A-Z]\w*/d|\bsigma\b|\bdelta\b|[\^_]")


@pytest.mark.parametrize("seed", sorted(SEED_EXAMPLES))
def test_each_seed_page_says_what_it_covers(seed: str) -> None:
    """Right under the title, before the verdicts: the seed's lesson, in the page's words."""
    stem = SEED_EXAMPLES[seed][0]
    page = (OUTPUT / f"{stem}.md").read_text(encoding="utf-8")
    opening = page.split("\n# ", 1)[1].split("!!!", 1)[0]
    missing = [words for words in SEED_OPENINGS[seed] if words not in opening]
    assert missing == [], f"{stem}: the opening does not say {missing}"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_what_a_student_reads_is_written_for_a_student(path: Path) -> None:
    """An example's about and its claims' notes are prose a student reads on the page and in
    the course index: no seed numbers, test files or ASCII math (``dL/dw``, ``y-hat``)."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    texts = [spec.get("about", ""), *(c.get("note", "") for c in spec.get("claims") or [])]
    found = [(text, JARGON.search(text).group()) for text in texts if JARGON.search(text)]
    assert found == [], found


def test_seed001_vector_form_deltas() -> None:
    """delta_2 = dL/dy-hat F'(z_2) and delta_1 = (W_2^T delta_2) g'(z_1) (1-1-1: products)."""
    derivation, worked, _ = pipeline("relu-worked-example-1-1-1")
    from derive.registry.functions import relu_prime
    y, yhat, z2 = target_symbol(0), activation_symbol(2, 0), pre_activation_symbol(2, 0)
    delta2, delta1 = derivation.deltas[1][0], derivation.deltas[0][0]
    assert sp.expand(as_expr(delta2.value) - (yhat - y) * relu_prime(z2)) == 0
    assert sp.expand(as_expr(delta1.value) - weight_symbol(2, 0, 0) * delta2.symbol) == 0
    assert [float(g) for g in worked.first.gradients] == [2.0, 12.0]


def test_seed001_binary_cross_entropy_and_its_delta() -> None:
    """L = -y log y-hat - (1 - y) log(1 - y-hat); with a sigmoid output delta = y-hat - y."""
    derivation, _, report = pipeline("binary-cross-entropy-sigmoid")
    network = derivation.network
    y, yhat = network.y[0], network.output.a[0]
    assert sp.expand(network.loss_expr - (-y * sp.log(yhat) - (1 - y) * sp.log(1 - yhat))) == 0
    assert sp.expand(as_expr(derivation.deltas[-1][0].value) - (yhat - y)) == 0
    assert derivation.shortcut_proved and report.passed


def test_seed002_average_over_samples() -> None:
    """dC/dw = 1/n sum_k dC_k/dw: the worked gradient is the mean of the per-sample ones."""
    from derive.numbers.worked import batch_gradient
    derivation, worked, _ = pipeline("sigmoid-chain-one-node-layers")
    example = derivation.network.spec.example
    singles = [batch_gradient(derivation, worked.initial, (n,), example.x, example.y)[1]
               for n in range(len(example.x))]
    with mpmath.workdps(50):        # derive's precision is local to its own calls
        for i, value in enumerate(worked.first.gradients):
            assert abs(value - sum(s[i] for s in singles) / len(singles)) < 1e-40


def test_seed003_matrix_form_in_row_convention() -> None:
    """dL/dW = X^T dL/dY-hat (fan_in x units) and dL/db = sum over the batch."""
    page = (OUTPUT / "linear-model-batch-matrix-form.md").read_text(encoding="utf-8")
    assert r"\frac{\partial \mathcal{L}}{\partial W^{(1)}} &= \left(X\right)^{\top} \Delta^{(1)}" \
        in page
    assert r"\Delta^{(1)} &= \frac{\partial \mathcal{L}}{\partial \hat{Y}}" in page
    assert "| 1 | 3 × 1 | 2 × 1 | 2 × 3 |" in page


def test_seed003_sigmoid_derivative_is_complete() -> None:
    """The seed writes (sigma(x))' = sigma(x); the page multiplies by (1 - sigma(x))."""
    derivation, _, report = pipeline("stacked-layers-sigmoid-batch")
    wrong = [c for c in report.claims if c.status == "differs"]
    assert len(wrong) == 1 and "missing factor" in wrong[0].message
    z = pre_activation_symbol(1, 0)
    from derive.calculus.chain import activation_factor
    factor = activation_factor(derivation.network.layers[0], 0, 0)
    assert sp.expand(as_expr(factor.value) - sigmoid(z) * (1 - sigmoid(z))) == 0


def test_seed004_output_and_hidden_cases() -> None:
    """delta^L_j = (a_j - y_j) sigma'(z_j), dL/dw_ij = delta_j a_i, dL/db_j = delta_j."""
    derivation, _, report = pipeline("output-and-hidden-layers-sigmoid")
    for g in derivation.gradients:
        expected = derivation.delta(g.role.layer, g.role.index[0]).symbol
        if g.role.kind == "W":
            expected *= g.last.value
        assert sp.expand(as_expr(g.delta_form) - expected) == 0
    wrong = [c for c in report.claims if c.status == "differs"]
    assert [c.message for c in wrong] == ["sign differs"]
    page = (OUTPUT / "output-and-hidden-layers-sigmoid.md").read_text(encoding="utf-8")
    assert "## An output-layer weight, ∂L/∂w⁽²⁾₁₁\n\nThe derivative" in page
    assert "## A hidden-layer weight, ∂L/∂w⁽¹⁾₁₁\n\nThe derivative" in page
    assert "computes each δ once, instead of once per path" in page


@pytest.mark.parametrize("spec_path", NETWORK_EXAMPLES, ids=lambda p: p.stem)
def test_pages_embed_their_pictures(spec_path) -> None:  # type: ignore[no-untyped-def]
    """Each page links its network picture (and loss curve with steps > 1), files that exist."""
    import xml.etree.ElementTree as ElementTree

    stem = spec_path.stem
    page = (OUTPUT / f"{stem}.md").read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+\.svg)\)", page)
    assert f"{stem}/network.svg" in links
    spec = load_spec(spec_path.read_text(encoding="utf-8"), str(spec_path))
    assert (f"{stem}/loss.svg" in links) == (spec.example is not None and spec.example.steps > 1)
    for link in links:
        root = ElementTree.parse(OUTPUT / link).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
