"""Hostile and careless input that used to be misread (issue 20.9, 20.14, 20.15 and the review).

Each case is a run of the installed command: one line ``FILE:LINE: KEY: expected …, got …``,
exit 2 (a spec problem) or 1 (a claim the check refuses), no traceback, nothing written.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from derive import load_spec
from derive.errors import SpecErrors

from .conftest import installed_cli

HEAD = "title: t\ninputs: [x1]\nlayers:\n  - {units: 1, activation: linear}\nloss: squared_error\n"
EXAMPLE = "example:\n  x: [[1]]\n  y: [[2]]\n  init: {W: 1, b: 0}\n"


def run(tmp_path: Path, text: str, *args: str) -> subprocess.CompletedProcess:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    return subprocess.run([installed_cli(), *args, str(spec), "-o", str(out)], text=True,
                          capture_output=True, timeout=120, cwd=tmp_path)


def one_line(result: subprocess.CompletedProcess, code: int = 2) -> str:
    assert result.returncode == code, result.stderr
    shown = result.stdout + result.stderr
    assert "Traceback" not in shown and "internal error" not in shown
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_a_claim_in_fullwidth_digits_is_one_clear_line(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(HEAD + 'claims:\n  - {parameter: "w_1_1_1", formula: "３.５ x1"}\n',
                    encoding="utf-8")
    result = subprocess.run([installed_cli(), "check", str(spec)], text=True,
                            capture_output=True, timeout=120)
    assert result.returncode == 1
    shown = result.stdout + result.stderr
    assert "Traceback" not in shown and "internal error" not in shown
    assert "spec.yaml:7: claim for w_1_1_1: expected a formula in the page's notation, got " \
           "'３' (U+FF13), a digit other than 0-9" in result.stdout + result.stderr


@pytest.mark.parametrize("value, got", [
    ("units: ２", "'２'; write the digits 0-9"),
    ("units: ١", "'١'; write the digits 0-9"),
    ("units: '3'", "'3'; write the number without quotes"),
    ("units: three", "'three'"),
    ("units: [3]", "a list of 1"),
    ("units: .inf", "'.inf'"),
])
def test_a_count_that_is_no_whole_number_says_so(tmp_path: Path, value: str, got: str) -> None:
    """A count (units) is asked for as what it is, a whole number, whatever was written;
    quotes and other scripts' digits are named as the reason."""
    text = HEAD.replace("units: 1", value)
    assert one_line(run(tmp_path, text)) == (f"{tmp_path / 'spec.yaml'}:4: layers[0].units: "
                                             f"expected a whole number >= 1, got {got}")


def test_a_quoted_learning_rate_says_why(tmp_path: Path) -> None:
    line = one_line(run(tmp_path, HEAD + EXAMPLE + "  learning_rate: '0.1'\n"))
    assert line.endswith("example.learning_rate: expected a number > 0, got '0.1'; "
                         "write the number without quotes")


def test_a_learning_rate_in_arabic_digits_is_refused(tmp_path: Path) -> None:
    line = one_line(run(tmp_path, HEAD + EXAMPLE + "  learning_rate: ٠.١\n"))
    assert line.endswith("example.learning_rate: expected a number > 0, got '٠.١'; "
                         "write the digits 0-9")


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1e999"])
def test_a_non_finite_learning_rate_says_finite(tmp_path: Path, value: str) -> None:
    line = one_line(run(tmp_path, HEAD + EXAMPLE + f"  learning_rate: {value}\n"))
    assert f"example.learning_rate: expected a finite number > 0, got '{value}'" in line


def test_a_zero_learning_rate_keeps_its_message(tmp_path: Path) -> None:
    line = one_line(run(tmp_path, HEAD + EXAMPLE + "  learning_rate: 0\n"))
    assert line.endswith("example.learning_rate: expected a number > 0, got '0'")


@pytest.mark.parametrize("title", ["null", "~", "Null"])
def test_a_null_title_is_refused(tmp_path: Path, title: str) -> None:
    line = one_line(run(tmp_path, HEAD.replace("title: t", f"title: {title}")))
    assert line == f"{tmp_path / 'spec.yaml'}:1: title: expected text, got null"


def test_a_quoted_null_is_a_title(tmp_path: Path) -> None:
    spec = load_spec(HEAD.replace("title: t", 'title: "null"'), "spec.yaml")
    assert spec.title == "null"


def test_a_title_of_combining_marks_only_is_refused(tmp_path: Path) -> None:
    line = one_line(run(tmp_path, HEAD.replace("title: t", 'title: "\\u0301\\u200b"')))
    assert ":1: title: expected" in line


def test_a_big_seed_is_not_rounded_through_float() -> None:
    """2^53 + 1 and 2^53 are different seeds: the draws differ (float made them one)."""
    def init(seed: int):  # type: ignore[no-untyped-def]
        text = HEAD.replace("units: 1", "units: 3") + (
            f"example:\n  x: [[1]]\n  y: [[2, 2, 2]]\n  init: {{seed: {seed}}}\n")
        return load_spec(text, "spec.yaml").example.init
    assert init(2 ** 53 + 1) != init(2 ** 53)


def test_a_misspelt_key_gives_only_the_guess(tmp_path: Path) -> None:
    line = one_line(run(tmp_path, HEAD.replace("activation: linear", "activaton: linear")))
    assert line.endswith("layers[0].activaton: expected one of activation, add, bias, name, "
                         "trainable, units, got 'activaton'; did you mean 'activation'?")


def test_a_missing_key_without_a_guess_is_still_reported() -> None:
    with pytest.raises(SpecErrors) as caught:
        load_spec(HEAD.replace("activation: linear", "colour: red"), "spec.yaml")
    assert any("layers[0].activation: expected a value, got nothing" in str(e)
               for e in caught.value.errors)


ALIASED = """title: t
inputs: [x1, x2]
layers:
  - {units: 2, activation: linear}
loss: squared_error
example:
  x: [[1, 1]]
  y: [[1, 2]]
  init:
    - {W: [&row [1, 1], *row], b: [0, 0]}
"""


def test_an_alias_stands_for_its_anchor(tmp_path: Path) -> None:
    """The review's ``W: [&row [1, 1], *row]``: the same gradients as the rows written out."""
    import derive

    aliased = derive.load(ALIASED).gradients()
    written = derive.load(ALIASED.replace("[&row [1, 1], *row]", "[[1, 1], [1, 1]]")).gradients()
    assert {k: v.tolist() for k, v in aliased.items()} == {
        k: v.tolist() for k, v in written.items()}


def test_an_alias_bomb_is_one_line(tmp_path: Path) -> None:
    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    line = one_line(run(tmp_path, "\n".join(lines) + "\n" + HEAD))
    assert line == (f"{tmp_path / 'spec.yaml'}:5: (yaml): expected at most 100000 values with "
                    "every alias written out, got more than 100000")


def test_an_alias_inside_its_own_anchor_is_one_line(tmp_path: Path) -> None:
    line = one_line(run(tmp_path, HEAD + "about: &a [1, *a]\n"))
    assert line.endswith(":6: (yaml): expected aliases outside their own anchor, got an alias "
                         "inside its anchor")


def test_nesting_through_aliases_is_bounded(tmp_path: Path) -> None:
    lines = ["d0: &d0 [1]"] + [f"d{i}: &d{i} [*d{i - 1}]" for i in range(1, 25)]
    line = one_line(run(tmp_path, "\n".join(lines) + "\n" + HEAD))
    assert "(yaml): expected at most 20 levels of nesting, got deeper nesting" in line


KINK = """title: Decimal kink
inputs: [x1]
layers:
  - {units: 1, activation: relu}
  - {units: 1, activation: linear}
loss: squared_error
example:
  x: [[3]]
  y: [[1]]
  init:
    - {W: [[0.1]], b: [-0.3]}
    - {W: [[1]], b: [0]}
  learning_rate: 0.1
"""


def test_a_decimal_exact_kink_is_decided_exactly() -> None:
    """z = 0.1·3 − 0.3 is 0 in the decimals written (50-digit binary made it 6.7e-52, so
    ReLU′ was 1): ReLU′(0) = 0, as the page says, so W1 and b1 get no gradient."""
    import derive

    grads = derive.load(KINK).gradients()
    assert grads["W1"].tolist() == [[0.0]] and grads["b1"].tolist() == [0.0]
    assert grads["W2"].tolist() == [[0.0]] and grads["b2"].tolist() == [-2.0]


def test_a_tiny_true_sum_is_not_rounded_to_zero() -> None:
    """1·1e-45 + 1·1 − 1 is 1e-45, not 0: only rounding noise is decided exactly."""
    import derive

    text = KINK.replace("x: [[3]]", "x: [[1e-45]]").replace(
        "{W: [[0.1]], b: [-0.3]}", "{W: [[1]], b: [0]}")
    grads = derive.load(text).gradients()
    assert grads["W1"].tolist() != [[0.0]]


def test_claims_beside_an_input_near_the_float_limit(tmp_path: Path) -> None:
    """The claim checker tries points far beyond the example's largest number; beside an
    input of 1e308 such a point is beyond float range and is left out (it used to end in
    'internal error' from a NaN drawn between two infinities)."""
    text = HEAD.replace("inputs: [x1]", "inputs: [x1, x2]") + (
        'claims:\n  - {parameter: "w_1_1_1", formula: "-2 (y - \\\\hat{y}) x_1"}\n'
        "example:\n  x: [[1, 1.0e+308]]\n  y: [[0.5]]\n  init: [{W: [[0.5, 0]], b: [0]}]\n")
    result = run(tmp_path, text)
    shown = result.stdout + result.stderr
    assert "Traceback" not in shown and "internal error" not in shown
    if result.returncode != 0:      # the page's float64 audit may refuse it: one line, exit 2
        assert "example: expected numbers the page's float64 audit can evaluate" in \
            one_line(result)
