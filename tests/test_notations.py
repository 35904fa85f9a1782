"""One spec under every notation preset: each page renders, and all of them print the same
mathematics — every gradient's LaTeX, parsed back in its own notation, has the same value at
random points consistent with the forward pass."""

from __future__ import annotations

import json

import mpmath
import pytest

from derive import build_network, check, derive, load_spec, render, work_example
from derive.verify.claims import identifiers, random_envs
from derive.verify.formula import parse_formula, vocabulary
from derive.calculus.names import symbol_names
from derive.registry.notations import NOTATIONS
from derive.numbers import evaluate

from .conftest import EXAMPLES

SPECS = ["output-and-hidden-layers-sigmoid", "softmax-cross-entropy-3-classes",
         "relu-worked-example-1-1-1"]


def pages(stem: str, notation: str):  # type: ignore[no-untyped-def]
    text = (EXAMPLES / f"{stem}.yaml").read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("notation:"))
    text += f"\nnotation: {notation}\n"
    spec = load_spec(text, f"{stem}.yaml")
    derivation = derive(build_network(spec))
    worked = work_example(derivation)
    files = render(derivation, worked, check(derivation, worked), stem="page",
                   formats=("md", "tex", "json"))
    return derivation, files


@pytest.mark.parametrize("stem", SPECS)
def test_every_preset_prints_the_same_mathematics(stem: str) -> None:
    values: dict[str, list[list[mpmath.mpf]]] = {}
    for name, notation in NOTATIONS.items():
        derivation, files = pages(stem, name)
        assert "\n# " in files["page.md"] and files["page.tex"].startswith("\\document")
        network = derivation.network
        vocab = vocabulary(symbol_names(network, notation), identifiers(network))
        envs = random_envs(derivation, seed=7, count=3)
        document = json.loads(files["page.json"])
        assert document["notation"] == name
        rows = []
        for entry, g in zip(document["parameters"], derivation.gradients):
            assert parse_formula(entry["symbol"], vocab) == g.parameter
            for key in ("gradient", "delta_form"):
                parsed = parse_formula(entry[key], vocab)
                rows.append([evaluate(parsed, env) for env in envs])
                for env, got in zip(envs, rows[-1]):
                    want = evaluate(g.value if key == "gradient" else g.delta_form, env)
                    assert abs(got - want) <= 1e-30 * max(1, abs(want)), (name, entry["symbol"])
        values[name] = rows
    reference = values["standard"]
    for name, rows in values.items():
        assert rows == reference, name


@pytest.mark.parametrize("name", sorted(NOTATIONS))
def test_presets_print_their_own_letters(name: str) -> None:
    _, files = pages("output-and-hidden-layers-sigmoid", name)
    page = files["page.md"]
    notation = NOTATIONS[name]
    assert f"\\partial {notation.loss}" in page
    expected = {"standard": "w^{(2)}_{11}", "nielsen": "a^{(2)}_{1}", "layer-prime": "w'_{11}",
                "vector": "w_{2,11}", "batch": "W^{(2)}_{11}"}[name]
    assert expected in page


@pytest.mark.parametrize(("text", "message"), [
    ("W^{(9)}_{11} x_1", "unknown symbol 'W^{(9)}_{11}'"),        # braces shown once
    ("\\frac{\\partial L}{\\partial w} = ", "nothing after the last '='"),
    ("", "the formula is empty"),
])
def test_a_formula_error_shows_what_was_written(text: str, message: str) -> None:
    from derive.verify.formula import FormulaError

    spec = (EXAMPLES / "output-and-hidden-layers-sigmoid.yaml").read_text(encoding="utf-8")
    network = build_network(load_spec(spec, "spec.yaml"))
    vocab = vocabulary(symbol_names(network, NOTATIONS["standard"]), identifiers(network))
    with pytest.raises(FormulaError) as caught:
        parse_formula(text, vocab)
    assert str(caught.value) == message
