"""A question sheet states everything its answers depend on: the network (activations with
their options and formulas, shared biases, residuals), the loss, weight decay, the optimizer,
the steps and the samples each one uses, the frozen tensors; every equation on it audited.

The differential test changes one setting of a rich spec at a time: whenever the key changes,
the sheet's statement of the task (not its numbers) must change too, in Markdown, LaTeX,
Moodle, GIFT and PrairieLearn alike.
"""

from __future__ import annotations

import copy
import csv
import io
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from derive.cli import cli
from derive.document import FalseEquation
from derive.exercises import prairie
from derive.exercises.sheets import numbers_latex
from derive.formats.page_printers import HtmlPrinter
from derive.document.model import Display, Line, Section, Table, Text, math, plain
from derive.registry import OPTIMIZERS

RICH = {
    "title": "Rich exercise",
    "inputs": 2,
    "layers": [
        {"units": 2, "activation": {"name": "swish", "formula": "z*sigmoid(alpha*z)",
                                    "alpha": 1.5}, "bias": "shared", "name": "h1"},
        {"units": 2, "activation": {"name": "leaky_relu", "slope": 0.2}, "add": "h1",
         "trainable": ["W"]},
        {"units": 1, "activation": "linear"},
    ],
    "loss": {"name": "huber", "delta": 0.5},
    "reduction": "sum",
    "regularization": {"l2": 0.01},
    "example": {"x": [[0.5, -1.0], [1.0, 0.5]], "y": [[1.0], [0.0]],
                "init": {"seed": 0, "scheme": "uniform"}, "learning_rate": 0.5, "steps": 3,
                "mode": "sgd", "optimizer": {"name": "momentum", "momentum": 0.9}},
    "exercise": {"ask": ["loss", "grad", "updated", "final"],
                 "ranges": {"learning_rate": [0.1, 0.5]}},
}


def _set(path: str, value: object):      # noqa: ANN202 - a mutation of the spec
    def change(spec: dict) -> None:
        *keys, last = path.split(".")
        node = spec
        for key in keys:
            node = node[int(key)] if key.isdigit() else node[key]
        if value is None:
            del node[last]
        else:
            node[last] = value
    return change


MUTATIONS = {
    "momentum": _set("example.optimizer.momentum", 0.5),
    "adam": _set("example.optimizer", {"name": "adam"}),
    "sgd optimizer": _set("example.optimizer", "sgd"),
    "l2": _set("regularization.l2", 0.05),
    "no l2": _set("regularization", None),
    "steps": _set("example.steps", 2),
    "batch mode": _set("example.mode", "batch"),
    "trainable": _set("layers.1.trainable", ["W", "b"]),
    "slope": _set("layers.1.activation.slope", 0.3),
    "alpha": _set("layers.0.activation.alpha", 2.0),
    "delta": _set("loss.delta", 0.7),
    "reduction": _set("reduction", "mean"),
    "residual": _set("layers.1.add", None),
}
# a setting that matters only beside another: the reduction over a batch in batch mode
BESIDE = {"reduction": _set("example.mode", "batch")}


def _exercise(tmp_path: Path, spec: dict, name: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    out = tmp_path / f"{name}-out"
    result = CliRunner().invoke(cli, ["exercises", str(path), "--variants", "1", "--seed", "3",
                                      "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


def _statements(out: Path) -> dict[str, str]:
    """Each format's statement of the task: the sheet up to its numbers."""
    md = (out / "variant-1" / "question.md").read_text()
    tex = (out / "variant-1" / "question.tex").read_text()
    moodle = (out / "moodle.xml").read_text()
    gift = (out / "questions.gift").read_text()
    return {"md": md[:md.index("## Your numbers")],
            "tex": tex[:tex.index("Your numbers")],
            "moodle": moodle[:moodle.index("Your numbers")],
            "gift": gift[:gift.index("Your numbers")]}


def _key(out: Path) -> dict[str, float]:
    rows = csv.DictReader(io.StringIO((out / "answers.csv").read_text()))
    return {r["quantity"]: round(float(r["answer"]), 9) for r in rows}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _exercise(tmp_path_factory.mktemp("sheets"), RICH, "base")


def test_the_sheet_states_every_setting_of_the_rich_spec(base: Path) -> None:
    md = (base / "variant-1" / "question.md").read_text()
    for needle in (r"\mu = 0.9", "3 steps of gradient descent with momentum",
                   "step t uses sample t", r"\lambda = 0.01", "biases excluded",
                   r"Frozen (never updated): \(b^{(2)}\)", r"e^{- 1.5 z^{(1)}_{1}}",
                   r"0.2 z^{(2)}_{1}", r"\leq 0.5", r"a^{(1)}_{1} + \operatorname{LeakyReLU}",
                   r"w^{(1)}_{11} x_{1} + w^{(1)}_{12} x_{2} + b^{(1)} \\",
                   r"J = L_{1} + \frac{\lambda}{2}",
                   r"\(J\) = ______", r"\(\frac{\partial J}{\partial w^{(1)}_{11}}\) = ______",
                   r"\(w^{(1)}_{11}\ \text{after step 3}\) = ______",
                   "LeakyReLU is not differentiable at 0"):
        assert needle in md, needle
    assert "the loss of the batch" not in md       # sgd mode: no step descends it


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_a_setting_that_changes_the_key_changes_the_sheet(base: Path, tmp_path: Path,
                                                          name: str) -> None:
    if name in BESIDE:
        spec = copy.deepcopy(RICH)
        BESIDE[name](spec)
        base = _exercise(tmp_path, spec, "beside")
    spec = copy.deepcopy(RICH)
    for change in (BESIDE.get(name), MUTATIONS[name]):
        if change is not None:
            change(spec)
    out = _exercise(tmp_path, spec, "changed")
    assert _key(out) != _key(base), f"{name}: the mutation should change the answers"
    before, after = _statements(base), _statements(out)
    for fmt in before:
        assert before[fmt] != after[fmt], f"{name}: the {fmt} sheet does not say it"


def test_prairielearn_params_carry_the_same_statement(base: Path) -> None:
    spec_text = (base / "prairielearn" / "base" / "server.py").read_text()
    spec = re.search(r"SPEC = (.*)\n", spec_text).group(1)
    data: dict = {"variant_seed": 5}
    prairie.generate_variant(data, eval(spec))       # noqa: S307 - the repr the file holds
    sheet = data["params"]["sheet"]
    assert r"\mu = 0.9" in sheet and "Frozen" in sheet and "&amp;=" in sheet
    assert "{{{params.sheet}}}" in (base / "prairielearn" / "base" / "question.html").read_text()


def test_every_equation_of_the_sheet_is_audited(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong activation definition (swish without its α) stops the sheet, like a page."""
    import derive.document.sheet as sheet

    monkeypatch.setattr(sheet, "elementary",
                        lambda f: f.args[0] / (1 + __import__("sympy").exp(-f.args[0])))
    path = tmp_path / "rich.yaml"
    path.write_text(yaml.safe_dump(RICH, sort_keys=False))
    from derive.exercises.variants import variant_task
    from derive.pipeline import Options, run

    result = run(str(path), Options(formats=("json",), stem="x"))
    with pytest.raises(FalseEquation):
        variant_task(result)


def test_numbers_print_no_negative_zero_and_biases_as_columns() -> None:
    class Drawn:
        mapping = {"example": {"x": [-0.0, 1.0], "y": [0.5],
                               "init": [{"W": [[-0.0, 0.3]], "b": [-0.0, 0.2]}],
                               "learning_rate": 0.5}}

    lines = numbers_latex(Drawn())          # type: ignore[arg-type]
    assert "-0" not in "".join(lines)
    assert r"b^{(1)} = \begin{pmatrix} 0 \\ 0.2 \end{pmatrix}" in lines[1]


def test_a_drawn_number_is_never_negative_zero(tmp_path: Path) -> None:
    spec = copy.deepcopy(RICH)
    spec["exercise"] = {"ask": ["grad"], "ranges": {"W": [-0.04, 0.04], "b": [-0.04, 0.04]},
                        "decimals": 1, "conditions": {"max_abs": 1e9}}
    spec["example"]["mode"] = "batch"
    path = tmp_path / "zero.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["exercises", str(path), "--variants", "1", "-o",
                                      str(out), "-q"])
    if result.exit_code != 0:          # every gradient rounded to 0: no variant, said so
        assert "exercise.conditions" in result.output
        return
    assert "-0.0" not in (out / "variant-1" / "spec.yaml").read_text()


def test_html_printer_escapes_prose_and_math() -> None:
    printer = HtmlPrinter()
    text = Text() + "a < b & " + math(r"x &= y < z")
    assert printer.doprint(text) == r"a &lt; b &amp; \(x &amp;= y &lt; z\)"
    section = Section(plain("T & U"), (text, Display((Line("a &= b"), Line("&= c")),
                                                     aligned=True),
                                       Table((plain("h"),), ((math("1"),),))))
    html = printer.doprint(section)
    assert html.startswith("<h3>T &amp; U</h3>\n<p>a &lt;")
    assert r"<p>\[\begin{aligned}a &amp;= b \\ &amp;= c\end{aligned}\]</p>" in html
    assert r"<table><tr><th>h</th></tr><tr><td>\(1\)</td></tr></table>" in html


def test_every_optimizer_names_its_method_and_the_letters_of_its_options() -> None:
    for name in OPTIMIZERS.names():
        entry = OPTIMIZERS[name]
        assert entry.title and len(entry.symbols) == len(entry.options), name
        assert all(symbol in entry.latex for symbol in entry.symbols), name
