"""``derive-backprop exercises``: per-student variants, their key, Moodle XML.

Every answer of the key is recomputed with PyTorch float64 from the variant's own spec.yaml
(an independent forward and backward pass), the conditions are checked on the numbers, and
the same seed must give the same bytes.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from derive.cli import cli

from .conftest import EXAMPLES

SPEC = EXAMPLES / "exercise-one-step-sigmoid-2-2-1.yaml"
VARIANTS = 30


def _run(out: Path, *extra: str) -> None:
    result = CliRunner().invoke(cli, ["exercises", str(SPEC), "--variants", str(VARIANTS),
                                      "--seed", "11", "-o", str(out), *extra])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exercises")
    _run(out)
    return out


def _key(made: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((made / "answers.csv").read_text())))


def _torch_answers(spec: dict) -> dict[str, float]:
    torch = pytest.importorskip("torch")
    ex = spec["example"]
    x = torch.tensor([ex["x"]], dtype=torch.float64)
    y = torch.tensor([ex["y"]], dtype=torch.float64)
    params = {}
    for n, layer in enumerate(ex["init"], start=1):
        params[f"W{n}"] = torch.tensor(layer["W"], dtype=torch.float64, requires_grad=True)
        params[f"b{n}"] = torch.tensor(layer["b"], dtype=torch.float64, requires_grad=True)
    a = x
    for n in (1, 2):
        a = torch.sigmoid(a @ params[f"W{n}"].T + params[f"b{n}"])
    loss = (0.5 * (a - y) ** 2).sum(dim=1).mean()
    loss.backward()
    out = {"loss": float(loss.detach())}
    for name, t in params.items():
        layer, kind = int(name[1:]), name[0]
        for index in zip(*[range(s) for s in t.shape]) if t.dim() == 1 else \
                [(i, j) for i in range(t.shape[0]) for j in range(t.shape[1])]:
            q = f"L{layer}.{kind}" + "".join(f"[{i}]" for i in index)
            out[f"{q}.grad"] = float(t.grad[index])
            out[f"{q}.updated"] = float(t.detach()[index] - ex["learning_rate"] * t.grad[index])
    return out


def test_every_answer_agrees_with_torch_from_the_variants_own_numbers(made: Path) -> None:
    key = _key(made)
    assert {int(r["variant"]) for r in key} == set(range(1, VARIANTS + 1))
    for k in range(1, VARIANTS + 1):
        spec = yaml.safe_load((made / f"variant-{k}" / "spec.yaml").read_text())
        want = _torch_answers(spec)
        rows = [r for r in key if int(r["variant"]) == k]
        assert {r["quantity"] for r in rows} == set(want)
        for r in rows:
            assert float(r["answer"]) == pytest.approx(want[r["quantity"]], rel=1e-9, abs=1e-12)
            assert float(r["tolerance"]) == 5e-05


def test_variants_meet_their_conditions_and_differ(made: Path) -> None:
    key = _key(made)
    numbers = set()
    for k in range(1, VARIANTS + 1):
        spec = yaml.safe_load((made / f"variant-{k}" / "spec.yaml").read_text())
        flat = [v for row in spec["example"]["init"] for v in
                [*(w for r in row["W"] for w in r), *row["b"]]]
        assert all(-1 <= v <= 1 and round(v, 1) == v for v in flat)
        assert 0.1 <= spec["example"]["learning_rate"] <= 1.0
        numbers.add(tuple(flat))
        grads = [float(r["answer"]) for r in key if int(r["variant"]) == k
                 and r["quantity"].endswith(".grad")]
        assert all(abs(g) >= 5e-05 for g in grads), "no gradient rounds to 0"
        assert all(abs(float(r["answer"])) <= 50 for r in key if int(r["variant"]) == k)
    assert len(numbers) == VARIANTS


def test_the_same_seed_gives_the_same_bytes(made: Path, tmp_path: Path) -> None:
    _run(tmp_path)
    mine = {p.relative_to(made): p.read_bytes() for p in made.rglob("*") if p.is_file()}
    again = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert mine == again


def test_moodle_xml_has_one_cloze_question_per_variant_with_the_key(made: Path) -> None:
    root = ET.parse(made / "moodle.xml").getroot()
    assert root.tag == "quiz"
    questions = root.findall("question")
    assert questions[0].get("type") == "category"
    cloze = [q for q in questions if q.get("type") == "cloze"]
    assert len(cloze) == VARIANTS
    key = _key(made)
    for k, question in enumerate(cloze, start=1):
        text = question.find("questiontext/text").text
        answers = [r["answer"] for r in key if int(r["variant"]) == k]
        assert text.count(":NUMERICAL:=") == len(answers)
        for a in answers:
            assert f":NUMERICAL:={a}:5e-05}}" in text
        assert "Worked example" in question.find("generalfeedback/text").text


def test_a_roster_gives_each_student_a_variant(tmp_path: Path) -> None:
    roster = tmp_path / "class.txt"
    roster.write_text("Ada Lovelace\nAlan Turing\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["exercises", str(SPEC), "--roster", str(roster),
                                      "--seed", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "roster.csv").read_text() == "variant,student\n1,Ada Lovelace\n2,Alan Turing\n"
    assert (out / "variant-2" / "spec.yaml").is_file() and not (out / "variant-3").exists()


def test_a_bad_exercise_section_is_one_line_and_exit_2(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(SPEC.read_text().replace("decimals: 1", "decimals: 9"))
    result = CliRunner().invoke(cli, ["exercises", str(spec), "--variants", "2", "-o",
                                      str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "exercise.decimals: expected a whole number from 0 to 6" in result.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(("name", "kind"), [
    ("cs231n-circuit-add-multiply", "a graph: spec (a circuit)"),
    ("rnn-backprop-through-time", "a typed-layer spec (conv, rnn, batch norm)"),
    ("convolution-2d-kernel-gradient", "a typed-layer spec (conv, rnn, batch norm)"),
])
def test_a_circuit_or_typed_lesson_is_refused_in_one_line(name: str, kind: str,
                                                          tmp_path: Path) -> None:
    """Not read as a network with wrong keys ("layers[1].type: expected one of activation,
    ...", two lines about a valid spec): one line saying what exercises take."""
    result = CliRunner().invoke(cli, ["exercises", str(EXAMPLES / f"{name}.yaml"), "--variants",
                                      "2", "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(
        f"expected a network spec (dense layers of units): exercises vary a network's "
        f"example, got {kind}"), lines
    assert not (tmp_path / "o").exists()


def test_quiet_lists_no_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["exercises", str(SPEC), "--variants", "1", "-q", "-o",
                                      str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "wrote" not in result.stderr and (tmp_path / "o" / "answers.csv").is_file()


def test_a_roster_from_a_spreadsheet_is_read_and_written_safely(tmp_path: Path) -> None:
    """A byte-order mark and CRLF are read; a name a spreadsheet would run as a formula is
    written inert to roster.csv."""
    roster = tmp_path / "class.txt"
    roster.write_bytes("\ufeffAda Lovelace\r\n=HYPERLINK(\"x\")\r\n".encode("utf-8"))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["exercises", str(SPEC), "--roster", str(roster),
                                      "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert (out / "roster.csv").read_text() == (
        'variant,student\n1,Ada Lovelace\n2,"\'=HYPERLINK(""x"")"\n')


@pytest.mark.parametrize(("text", "message"), [
    ("Ada\nAlan\n\nAda\nAlan\n", ["{r}:4: --roster: expected each student once (first on line "
                                  "1), got 'Ada'",
                                  "{r}:5: --roster: expected each student once (first on line "
                                  "2), got 'Alan'"]),
    ("".join(f"s{n}\n" for n in range(501)),
     ["{r}: --roster: expected at most 500 students (a variant each), got 501"]),
])
def test_a_roster_with_a_name_twice_or_too_many_is_refused(tmp_path: Path, text: str,
                                                           message: list[str]) -> None:
    """A name twice got two variants (its grades would mix them); 10 000 names made 10 000
    derived specs, past --variants' limit of 500."""
    roster = tmp_path / "class.txt"
    roster.write_text(text)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["exercises", str(SPEC), "--roster", str(roster),
                                      "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [m.format(r=roster) for m in message]
    assert not out.exists()


ADAM = """\
title: One Adam step
inputs: 1
layers:
  - {units: 1, activation: linear}
loss: half_squared_error
example:
  x: [1.0]
  y: [0.5]
  init:
    - {W: [[0.5]], b: [0.1]}
  learning_rate: 0.3
  optimizer: adam
exercise:
  ask: [updated]
  ranges: {learning_rate: [0.001, 0.004]}
"""


def test_a_variant_keeps_the_optimizer_and_draws_its_rate_in_range(tmp_path: Path) -> None:
    """Found by a helper's independent numpy pass: variants dropped example.optimizer, so an
    Adam exercise was keyed with plain SGD's updates; and a rate range below 0.01 rounded to
    0 at two decimals and became 0.01, outside the range."""
    import csv
    import io

    import yaml

    spec = tmp_path / "adam.yaml"
    spec.write_text(ADAM)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["exercises", str(spec), "--variants", "3", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO((out / "answers.csv").read_text())))
    for k in (1, 2, 3):
        variant = yaml.safe_load((out / f"variant-{k}" / "spec.yaml").read_text())
        example = variant["example"]
        assert example["optimizer"] == "adam"
        rate = example["learning_rate"]
        assert 0.001 <= rate <= 0.004
        (w,), = example["init"][0]["W"]
        b = example["init"][0]["b"][0]
        x, y = example["x"][0], example["y"][0]
        error = w * x + b - y                       # dL/dyhat of (yhat - y)^2 / 2
        for name, value, grad in (("L1.W[0][0]", w, error * x), ("L1.b[0]", b, error)):
            # torch.optim.Adam's first step: m = (1-b1) g, v = (1-b2) g^2, bias-corrected
            step = rate * grad / (abs(grad) + 1e-8)
            key = next(float(r["answer"]) for r in rows
                       if r["variant"] == str(k) and r["quantity"] == f"{name}.updated")
            assert key == pytest.approx(value - step, abs=1e-9), (k, name)


@pytest.mark.parametrize(("section", "message"), [
    ("ranges: [1, 2]", "exercise.ranges: expected a mapping like {x: [-2, 2]}"),
    ("ranges: x", "exercise.ranges: expected a mapping like {x: [-2, 2]}"),
    ("conditions: 5", "exercise.conditions: expected a mapping like {no_dead_relu: true, "
                      "max_abs: 100}"),
])
def test_a_section_of_the_wrong_kind_is_one_line_not_an_internal_error(
        tmp_path: Path, section: str, message: str) -> None:
    """These ended in exit 70 (TypeError, ValueError) before (a helper's hunt)."""
    key = section.split(":")[0]
    lines = [f"  {section}" if line.startswith(f"  {key}:") else line
             for line in SPEC.read_text().splitlines()]
    spec = tmp_path / "bad.yaml"
    spec.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(cli, ["exercises", str(spec), "--variants", "1", "-o",
                                      str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "internal error" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_numbers_with_an_exponent_are_numbers_in_the_exercise_section(tmp_path: Path) -> None:
    """'1e-2' (YAML 1.1 text without a dot) was refused: got ['1e-2', '5e-2']."""
    spec = tmp_path / "exp.yaml"
    spec.write_text(SPEC.read_text().replace("learning_rate: [0.1, 1.0]",
                                             "learning_rate: [1e-2, 5e-2]"))
    out = tmp_path / "o"
    result = CliRunner().invoke(cli, ["exercises", str(spec), "--variants", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    import yaml
    rate = yaml.safe_load((out / "variant-1" / "spec.yaml").read_text())["example"]["learning_rate"]
    assert 0.01 <= rate <= 0.05


def test_an_unknown_parameter_name_is_one_line_with_its_line(tmp_path: Path) -> None:
    """A misspelt name in exercise.parameters silently asked nothing about it."""
    spec = tmp_path / "names.yaml"
    spec.write_text(SPEC.read_text().replace(
        "  ask: [loss, grad, updated]", "  ask: [loss, grad, updated]\n"
        "  parameters: ['L2.W[0][0]', 'L2.W[0][7]', 'L3.b[0]']"))
    result = CliRunner().invoke(cli, ["exercises", str(spec), "--variants", "1", "-o",
                                      str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    line = SPEC.read_text().splitlines().index("exercise:") + 2     # the section's first line
    assert f"names.yaml:{line}: exercise.parameters: expected parameters of this network " \
           "(L1.W[0][0] … L2.b[0]), got L2.W[0][7], L3.b[0]" in result.stderr
    assert not (tmp_path / "o").exists()


def test_an_asked_update_is_never_within_the_tolerance_and_max_abs_bounds_it(
        tmp_path: Path) -> None:
    """A step smaller than the tolerance let a student who forgot to update be marked right;
    max_abs bounded the gradients and the loss but not the updated parameters."""
    import yaml

    spec = tmp_path / "small.yaml"
    spec.write_text(SPEC.read_text().replace("learning_rate: [0.1, 1.0]",
                                             "learning_rate: [0.002, 0.02]")
                    .replace("max_abs: 50", "max_abs: 1.05"))
    out = tmp_path / "o"
    result = CliRunner().invoke(cli, ["exercises", str(spec), "--variants", "4", "--seed", "2",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = _key(out)
    tolerance = float(rows[0]["tolerance"])
    for k in range(1, 5):
        variant = yaml.safe_load((out / f"variant-{k}" / "spec.yaml").read_text())
        init = variant["example"]["init"]
        before = {f"L{n}.{kind}" + "".join(f"[{i}]" for i in index): value
                  for n, layer in enumerate(init, start=1) for kind in ("W", "b")
                  for index, value in _entries(layer[kind])}
        for row in rows:
            if row["variant"] == str(k) and row["quantity"].endswith(".updated"):
                after = float(row["answer"])
                assert abs(after - before[row["quantity"][:-8]]) > 2 * tolerance, row
                assert abs(after) <= 1.05


def _entries(tensor: list) -> list[tuple[tuple[int, ...], float]]:
    if tensor and isinstance(tensor[0], list):
        return [((j, k), v) for j, row in enumerate(tensor) for k, v in enumerate(row)]
    return [((j,), v) for j, v in enumerate(tensor)]


def test_an_error_in_the_exercise_section_names_its_line(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(SPEC.read_text().replace("  decimals: 1", "  decimals: 9"))
    result = CliRunner().invoke(cli, ["exercises", str(spec), "--variants", "1", "-o",
                                      str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    line = SPEC.read_text().splitlines().index("  decimals: 1") + 1     # the key's own line
    assert f"bad.yaml:{line}: exercise.decimals: expected a whole number from 0 to 6, got '9'" \
        in result.stderr


@pytest.mark.parametrize(("edit", "key", "message"), [
    (("  decimals: 1", "  decimals: [1, 2]"), "  decimals",
     "exercise.decimals: expected a whole number from 0 to 6, got '[1, 2]'"),
    (("  ask: [loss, grad, updated]", "  ask: [loss, gard]"), "  ask",
     "exercise.ask[1]: expected one of loss, grad, updated, final or {formula: PARAMETER}, got "
     "'gard'; did you mean 'grad'?"),
    (("W: [-1, 1]", "W: [1, -1]"), "  ranges",
     "exercise.ranges.W: expected [low, high] with low <= high, got '[1, -1]'"),
    (("conditions: {max_abs: 50}", "conditions: {max_abs: 50, min_abs: 1}"), "  conditions",
     "exercise.conditions.min_abs: expected one of no_dead_relu, max_abs, got 'min_abs'"),
    (("conditions: {max_abs: 50}", "conditions: {no_dead_relu: 'no'}"), "  conditions",
     "exercise.conditions.no_dead_relu: expected true or false, got 'no'"),
    (("conditions: {max_abs: 50}", "conditions: {max_abs: null}"), "  conditions",
     "exercise.conditions.max_abs: expected a number above 0, got nothing"),
])
def test_an_exercise_error_names_its_key_line_and_what_was_written(
        tmp_path: Path, edit: tuple[str, str], key: str, message: str) -> None:
    """Each key's own line; the value as written (a quoted text that was meant as a choice is
    refused, not read as true; an unknown condition is refused, not ignored)."""
    text = SPEC.read_text()
    assert edit[0] in text
    spec = tmp_path / "bad.yaml"
    spec.write_text(text.replace(edit[0], edit[1]))
    result = CliRunner().invoke(cli, ["exercises", str(spec), "--variants", "1", "-o",
                                      str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith(key + ":"))
    assert result.stderr == f"{spec}:{line}: {message}\n"
    assert not (tmp_path / "o").exists()


RELU_STEPS = """\
inputs: 1
layers:
  - {units: 2, activation: relu}
  - {units: 1, activation: linear}
loss: half_squared_error
example: {x: [0.5], y: [0.2], learning_rate: 0.3, steps: 4}
exercise:
  ask: [grad, final]
  ranges: {x: [-1, 1], W: [-1, 1], b: [-0.5, 0.5], learning_rate: [0.1, 0.5]}
  conditions: {no_dead_relu: false}
"""


def test_no_relu_z_is_near_its_kink_at_any_step(tmp_path: Path) -> None:
    """A z of 1e-8 (at step 2) put a student's rounded numbers on either side of the kink.
    Recomputed here by hand from each variant's own numbers: every step's z."""
    import yaml

    spec = tmp_path / "relu.yaml"
    spec.write_text(RELU_STEPS)
    out = tmp_path / "o"
    result = CliRunner().invoke(cli, ["exercises", str(spec), "--variants", "40", "--seed", "1",
                                      "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    for k in range(1, 41):
        example = yaml.safe_load((out / f"variant-{k}" / "spec.yaml").read_text())["example"]
        (x,), (y,), rate = example["x"], example["y"], example["learning_rate"]
        first, second = example["init"]
        w1, b1 = [row[0] for row in first["W"]], list(first["b"])
        v, c = list(second["W"][0]), second["b"][0]
        for _ in range(4):
            z = [w * x + b for w, b in zip(w1, b1)]
            assert all(abs(zj) >= 0.01 - 1e-12 for zj in z), (k, z)
            a = [max(zj, 0.0) for zj in z]
            err = sum(vj * aj for vj, aj in zip(v, a)) + c - y
            delta = [err * vj * (zj > 0) for vj, zj in zip(v, z)]
            v = [vj - rate * err * aj for vj, aj in zip(v, a)]
            c -= rate * err
            w1 = [w - rate * d * x for w, d in zip(w1, delta)]
            b1 = [b - rate * d for b, d in zip(b1, delta)]


def test_a_rerun_with_fewer_variants_removes_the_ones_no_longer_drawn(tmp_path: Path) -> None:
    """variant-3/ stayed beside a key of 2 variants: a sheet whose answers no key held."""
    out = tmp_path / "o"
    for n in ("3", "2"):
        result = CliRunner().invoke(cli, ["exercises", str(SPEC), "--variants", n, "-o",
                                          str(out)])
        assert result.exit_code == 0, result.output
    assert not (out / "variant-3").exists()
    assert f"removed {out / 'variant-3' / 'question.md'} (no longer drawn)" in result.stderr
    assert (out / "variant-2" / "question.md").is_file()
    assert "derive-backprop exercises" in (out / "derive-backprop-files.txt").read_text()


def test_exercises_written_into_a_site_folder_remove_none_of_its_files(tmp_path: Path) -> None:
    out = tmp_path / "o"
    (out / "docs").mkdir(parents=True)
    (out / "docs" / "page.md").write_text("a page\n")
    (out / "derive-backprop-files.txt").write_text(
        "# Every file `derive-backprop site` wrote here; its next run removes the ones it no "
        "longer writes.\ndocs/page.md\n")
    result = CliRunner().invoke(cli, ["exercises", str(SPEC), "--variants", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "docs" / "page.md").read_text() == "a page\n"


SOFTMAX_SHARED = """\
inputs: 2
layers:
  - {units: 3, activation: softmax, bias: shared}
loss: cross_entropy
example: {x: [0.5, -1.0], y: [1, 0, 0], learning_rate: 0.3, steps: 2,
          optimizer: {name: momentum, momentum: 0.8}}
exercise:
  ask: [grad, updated]
"""


def test_a_gradient_that_is_always_0_is_asked_as_0_not_redrawn_forever(tmp_path: Path) -> None:
    """A softmax layer's shared bias has ∂L/∂b = Σ(ŷ − y) = 0 for every draw: no variant met
    "no gradient rounds to 0" ("widen the ranges", which could not help). Found by a fuzzer."""
    spec = tmp_path / "shared.yaml"
    spec.write_text(SOFTMAX_SHARED)
    out = tmp_path / "o"
    result = CliRunner().invoke(cli, ["exercises", str(spec), "--variants", "3", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = {(r["variant"], r["quantity"]): float(r["answer"]) for r in _key(out)}
    import yaml
    for k in ("1", "2", "3"):
        b = yaml.safe_load((out / f"variant-{k}" / "spec.yaml").read_text())["example"]["init"][0]["b"][0]
        assert rows[k, "L1.b[0].grad"] == 0.0 and rows[k, "L1.b[0].updated"] == pytest.approx(b)
        assert rows[k, "L1.W[0][0].grad"] != 0.0
