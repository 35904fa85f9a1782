r"""Formula blanks and ``derive-backprop grade``: a class's numbers and formulas against the key.

Formulas are graded by the claim checker: the right formula in another order or notation
(``\sigma'`` for ``\sigma(1-\sigma)``, δ written out or not, SymPy-style names) is right;
the seed lessons' classic mistakes (a dropped minus, σ′ written as σ, a missing factor) are
wrong with their diagnosis; malformed LaTeX is one clear line, never a crash. Numbers are
right within the key's tolerance. A bad answer file is one ``FILE:LINE:`` line and exit 2.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.cli import cli
from derive.exercises.formulas import grade_formulas, spec_derivation
from derive.exercises.grade import grade_number
from derive.exercises.sheets import TYPING_FORMULAS
from derive.spec import load

from .conftest import EXAMPLES

SPEC = EXAMPLES / "exercise-one-step-sigmoid-2-2-1.yaml"
ASK = 'ask: [loss, grad, {formula: "w^{(2)}_{11}"}, {formula: w_1_1_2}]'
W2 = "L2.W[0][0].formula"          # ∂L/∂w⁽²⁾₁₁
W1 = "L1.W[0][1].formula"          # ∂L/∂w⁽¹⁾₁₂


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("grade")
    spec = folder / "formulas.yaml"
    spec.write_text(SPEC.read_text().replace("ask: [loss, grad, updated]", ASK))
    result = CliRunner().invoke(cli, ["exercises", str(spec), "--variants", "3", "--seed", "4",
                                      "-o", str(folder / "out")])
    assert result.exit_code == 0, result.output
    return folder / "out"


def _key(made: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((made / "answers.csv").read_text())))


def _grade(made: Path, rows: list[tuple[str, ...]], *extra: str) -> tuple[int, list[dict]]:
    answers = made.parent / "answers-in.csv"
    with answers.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "variant", "quantity", "answer"])
        writer.writerows(rows)
    result = CliRunner().invoke(cli, ["grade", str(made), str(answers), *extra])
    graded = list(csv.DictReader(io.StringIO(result.stdout))) if result.exit_code == 0 else []
    return result.exit_code, graded


# --------------------------------------------------------------------------- the key


def test_the_key_has_a_formula_row_per_blank_and_sheets_ask_for_it(made: Path) -> None:
    key = _key(made)
    formulas = [r for r in key if r["quantity"].endswith(".formula")]
    assert [r["quantity"] for r in formulas] == [W2, W1] * 3
    assert all(r["tolerance"] == "" and r"\sigma" in r["answer"] for r in formulas)
    sheet = (made / "variant-2" / "question.md").read_text()
    assert r"Write \(\frac{\partial L}{\partial w^{(1)}_{12}}\) as a formula" in sheet
    assert sheet.rstrip().endswith(TYPING_FORMULAS)        # how to type one, where one is typed
    assert "{formula" not in (made / "questions.gift").read_text()     # numbers only there


def test_what_the_sheet_says_may_be_typed_is_read(derivation) -> None:  # type: ignore[no-untyped-def]
    """Every form TYPING_FORMULAS names, each in a right answer."""
    assert all(word in TYPING_FORMULAS for word in ("yhat", "a_1_1", "sigmoid(z_2_1)", "σ", "ŷ"))
    typed = ["(yhat - y)*a_1_1*sigmoid(z_2_1)*(1 - sigmoid(z_2_1))",
             "(ŷ − y)·σ(z^{(2)}_1)·(1 − σ(z^{(2)}_1))·a^{(1)}_1", "(ŷ − y) σ′(z^{(2)}_1) a_1_1"]
    verdicts = grade_formulas(derivation, [(W2, f) for f in typed])
    assert [(v.correct, v.feedback) for v in verdicts] == [(True, "right")] * len(typed)


NOT_A_PARAMETER = ("exercise.ask.formula: expected a parameter of this network, like "
                   "w^{(2)}_{11} or w_2_1_1, got ")


@pytest.mark.parametrize(("ask", "message"), [
    ("[loss, {formula: w_3_1_1}]", NOT_A_PARAMETER + "'w_3_1_1'"),
    ("[loss, {formula: '\\frac{'}]", NOT_A_PARAMETER + "'\\\\frac{'"),
    ("[loss, {formla: w_2_1_1}]", ("exercise.ask[1]: expected {formula: PARAMETER}, like "
                                   "{formula: w_2_1_1}, got a mapping with the key 'formla'")),
    ("[grad, lost]", ("exercise.ask[1]: expected one of loss, grad, updated, final or "
                      "{formula: PARAMETER}, got 'lost'; did you mean 'loss'?")),
])
def test_a_bad_ask_is_one_line_and_exit_2(tmp_path: Path, ask: str, message: str) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(SPEC.read_text().replace("ask: [loss, grad, updated]", f"ask: {ask}"))
    result = CliRunner().invoke(cli, ["exercises", str(spec), "--variants", "1",
                                      "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    line = SPEC.read_text().splitlines().index("exercise:") + 2     # the section's first line
    assert result.stderr == f"{spec}:{line}: {message}\n"
    assert not (tmp_path / "o").exists()


# --------------------------------------------------------------------------- formulas

RIGHT_W2 = [
    r"(\hat{y} - y) \sigma(z^{(2)}_1)(1 - \sigma(z^{(2)}_1)) a^{(1)}_1",     # the derived form
    r"a^{(1)}_1 \sigma'(z^{(2)}_1) (\hat{y} - y)",                         # order, σ′
    r"-(y - \hat{y})\, a_1^{(1)} \cdot \sigma'\left(z_1^{(2)}\right)",      # sign moved, scripts
    r"\delta^{(2)}_1 a^{(1)}_1",                                           # in δ
    "(yhat - y)*a_1_1*sigmoid(z_2_1)*(1 - sigmoid(z_2_1))",                # SymPy-style names
    r"(\hat{y} - y) \hat{y} (1 - \hat{y}) a^{(1)}_1",                        # σ(z) as ŷ
    "(ŷ − y)·σ(z^{(2)}_1)·(1 − σ(z^{(2)}_1))·a^{(1)}_1",                   # copied from a page
    "(y\u0302 - y) σ′(z^{(2)}₁) a^{(1)}₁",                                  # combining hat, ₁
    "δ^{(2)}_1 × a^{(1)}_1",
]
RIGHT_W1 = [
    r"\delta^{(1)}_1 x_2",
    r"(\hat{y}-y)\sigma'(z^{(2)}_1) w^{(2)}_{11} \sigma'(z^{(1)}_1) x_2",
    r"x_2 \sigma'(z^{(1)}_1) w^{(2)}_{11} \delta^{(2)}_1",
]
WRONG_W2 = [
    (r"(y - \hat{y}) \sigma'(z^{(2)}_1) a^{(1)}_1", "wrong: sign differs"),
    (r"(\hat{y} - y) \sigma(z^{(2)}_1) a^{(1)}_1",
     r"wrong: missing factor $1 - \sigma\left(z^{(2)}_{1}\right)$"),              # σ′ as σ
    (r"(\hat{y} - y) \sigma'(z^{(2)}_1)", r"wrong: missing factor $a^{(1)}_{1}$"),
    (r"2 (\hat{y} - y) \sigma'(z^{(2)}_1) a^{(1)}_1", "wrong: off by a factor of 2.0"),
]
MALFORMED = [r"(\hat{y} - y \sigma'(z^{(2)}_1", r"\frac{", r"\foo{x}", "(" * 500, "a^^^b",
             "\\" * 300, "", "   ", "1/0", "w_9_9_9"]


@pytest.fixture(scope="module")
def derivation():  # type: ignore[no-untyped-def]
    return spec_derivation(load(SPEC.read_text(), str(SPEC)))


def test_right_formulas_in_other_orders_and_notations_are_right(derivation) -> None:  # type: ignore[no-untyped-def]
    asked = [(W2, f) for f in RIGHT_W2] + [(W1, f) for f in RIGHT_W1]
    verdicts = grade_formulas(derivation, asked)
    assert [(v.correct, v.feedback) for v in verdicts] == [(True, "right")] * len(asked)


def test_the_json_graph_names_of_a_single_output_are_read(derivation) -> None:  # type: ignore[no-untyped-def]
    """The page's JSON graph names a single output yhat_1 and its target y_1; the grader
    knew only yhat and y ("unknown symbol 'yhat_{1}'")."""
    verdicts = grade_formulas(derivation, [(W2, "(yhat_1 - y_1)*yhat_1*(1 - yhat_1)*a_1_1")])
    assert [(v.correct, v.feedback) for v in verdicts] == [(True, "right")]


def test_the_classic_mistakes_are_wrong_with_their_diagnosis(derivation) -> None:  # type: ignore[no-untyped-def]
    verdicts = grade_formulas(derivation, [(W2, f) for f, _ in WRONG_W2])
    assert [(v.correct, v.feedback) for v in verdicts] == [(False, d) for _, d in WRONG_W2]


def test_malformed_latex_is_a_clear_line_never_a_crash(derivation) -> None:  # type: ignore[no-untyped-def]
    verdicts = grade_formulas(derivation, [(W2, f) for f in MALFORMED])
    assert not any(v.correct for v in verdicts)
    for formula, v in zip(MALFORMED, verdicts):
        assert "\n" not in v.feedback and v.feedback, formula
        assert v.feedback == "no answer" if not formula.strip() else \
            v.feedback.startswith(("could not read the formula: ", "wrong: ")), v.feedback


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(list("\\{}()^_'+-*/ 0123456789xyzwabσδ^") +
                                [r"\sigma", r"\hat{y}", r"\frac", r"\left(", "z^{(2)}_1",
                                 "a^{(1)}_1"]), max_size=40).map("".join))
def test_any_text_gets_a_verdict(derivation, text: str) -> None:  # type: ignore[no-untyped-def]
    (verdict,) = grade_formulas(derivation, [(W2, text)])
    assert isinstance(verdict.correct, bool) and verdict.feedback and "\n" not in verdict.feedback


# --------------------------------------------------------------------------- numbers


@settings(max_examples=200, deadline=None)
@given(st.floats(-50, 50), st.floats(-1, 1), st.sampled_from([5e-05, 5e-04, 0.005]))
def test_a_number_is_right_exactly_within_the_tolerance(value: float, shift: float,
                                                        tolerance: float) -> None:
    offset = shift * 2 * tolerance
    verdict = grade_number(repr(value + offset), value, tolerance)
    if abs(offset) < 0.99 * tolerance:
        assert verdict.correct
    elif abs(offset) > 1.01 * tolerance:
        assert not verdict.correct


def test_numbers_round_to_the_asked_digits_and_their_mistakes() -> None:
    assert grade_number("0.1235", 0.12347, 5e-05).correct
    assert grade_number(" −0.1235 ", -0.12347, 5e-05).correct          # a Unicode minus
    assert grade_number("-0.1235", 0.12347, 5e-05).feedback == "wrong: sign differs"
    assert grade_number("0.13", 0.12347, 5e-05).feedback.startswith("wrong: off by 0.00653")
    assert grade_number("twelve", 0.1, 5e-05).feedback == "not a number: 'twelve'"
    assert grade_number("nan", 0.1, 5e-05).feedback == "not a finite number: 'nan'"
    assert grade_number("", 0.1, 5e-05).feedback == "no answer"


@pytest.mark.parametrize(("text", "feedback"), [
    ("1_0", "not a number: '1_0'"),           # float() reads 10
    ("１０", "not a number: '１０'"),           # float() reads fullwidth digits
    ("٠.١", "not a number: '٠.١'"),
    ("1,5,0", "not a number: '1,5,0'"),
    ("-inf", "not a finite number: '-inf'"),
])
def test_only_a_number_as_typed_in_ascii_digits_is_read(text: str, feedback: str) -> None:
    assert grade_number(text, 10.0, 0.5).feedback == feedback


def test_a_decimal_comma_is_a_decimal_point() -> None:
    assert grade_number("0,1235", 0.12347, 5e-05).correct
    assert grade_number("-1,5e-3", -0.0015, 5e-08).correct


def test_a_header_column_twice_is_one_line_and_blank_lines_before_the_header_are_skipped(
        made: Path, tmp_path: Path) -> None:
    key = {(r["variant"], r["quantity"]): r["answer"] for r in _key(made)}
    answers = tmp_path / "twice.csv"
    answers.write_text("student,variant,quantity,answer,answer\nAda,1,loss,1,2\n")
    result = CliRunner().invoke(cli, ["grade", str(made), str(answers)])
    assert result.exit_code == 2
    assert result.stderr == f"{answers}:1: header: expected each column once, got " \
                            "'answer' twice\n"
    answers.write_text(f"\n,,\nstudent,variant,quantity,answer,,\n"
                       f"Ada\x00,1,loss,{key['1', 'loss']},,\n")
    result = CliRunner().invoke(cli, ["grade", str(made), str(answers)])
    assert result.exit_code == 0, result.output
    graded = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(g["student"], g["correct"]) for g in graded] == [("Ada", "yes")]


# --------------------------------------------------------------------------- the command


def test_grade_writes_a_row_per_answer_with_feedback(made: Path, tmp_path: Path) -> None:
    key = {(r["variant"], r["quantity"]): r["answer"] for r in _key(made)}
    loss2 = float(key["2", "loss"])
    grad = float(key["1", "L2.b[0].grad"])
    rows = [("Ada", "1", "L2.b[0].grad", f"{grad:.4f}"),
            ("Ada", "1", "L2.b[0].grad", f"{-grad:.4f}"),
            ("Ada", "1", W2, RIGHT_W2[1]),
            ("Ada", "1", W2, key["1", W2]),                        # the key's own answer
            ("Alan", "2", W1, RIGHT_W1[0]),
            ("Alan", "2", W2, WRONG_W2[1][0]),
            ("Alan", "2", W2, MALFORMED[0]),
            ("Alan", "2", "loss", f"{loss2 + 0.01:.4f}"),
            ("Alan", "3", "loss", "")]
    code, graded = _grade(made, rows)
    assert code == 0
    assert [(g["student"], g["correct"], g["feedback"]) for g in graded] == [
        ("Ada", "yes", "right"), ("Ada", "no", "wrong: sign differs"),
        ("Ada", "yes", "right"), ("Ada", "yes", "right"), ("Alan", "yes", "right"),
        ("Alan", "no", WRONG_W2[1][1]), ("Alan", "no", graded[6]["feedback"]),
        ("Alan", "no", graded[7]["feedback"]), ("Alan", "no", "no answer")]
    assert graded[6]["feedback"].startswith("could not read the formula: ")
    assert graded[7]["feedback"].startswith("wrong: off by 0.01")
    assert [g["answer"] for g in graded] == [r[3] for r in rows]
    assert graded[0]["expected"] == key["1", "L2.b[0].grad"]
    out = tmp_path / "graded" / "class.csv"
    code, _ = _grade(made, rows, "-o", str(out))
    assert code == 0 and list(csv.DictReader(io.StringIO(out.read_text()))) == graded


@pytest.mark.parametrize(("content", "line", "message"), [
    ("student,variant,quantity,answer\nA,1,loss,1\nA,7,loss,1\n", 3,
     "variant: expected a variant of the key (1 … 3), got '7'"),
    ("student,variant,quantity,answer\nA,1,lss,1\n", 2,
     "quantity: expected a quantity of variant 1 in the key, like loss, got 'lss'"),
    ("student,variant,quantiy,answer\nA,1,loss,1\n", 1,
     "header: expected the columns variant, quantity, answer, got 'student,variant,quantiy,answer'"),
    ("variant,quantity,answer\n1,loss,1,2\n", 2, "row: expected 3 fields like the header, got 4"),
    ("variant,quantity,answer\n1,loss,\"1\n", 2, "row: expected CSV, got unexpected end of data"),
    ("", 1, "header: expected the columns variant, quantity, answer, got ''"),
])
def test_a_bad_answer_file_is_one_line_and_exit_2(made: Path, tmp_path: Path, content: str,
                                                  line: int, message: str) -> None:
    answers = tmp_path / "class.csv"
    answers.write_text(content)
    out = tmp_path / "graded.csv"
    result = CliRunner().invoke(cli, ["grade", str(made / "answers.csv"), str(answers),
                                      "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr == f"{answers}:{line}: {message}\n"
    assert not out.exists()


def test_an_unreadable_answer_file_or_key_is_one_line(made: Path, tmp_path: Path) -> None:
    (tmp_path / "latin.csv").write_bytes(b"variant,quantity,answer\n1,loss,\xe9\n")
    result = CliRunner().invoke(cli, ["grade", str(made), str(tmp_path / "latin.csv")])
    assert (result.exit_code, result.stderr) == (
        2, (f"{tmp_path / 'latin.csv'}: ANSWERS: expected a readable UTF-8 CSV file, got "
            "UnicodeDecodeError\n"))
    result = CliRunner().invoke(cli, ["grade", str(tmp_path / "nothing"), str(tmp_path / "x")])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    bad_key = tmp_path / "key.csv"
    bad_key.write_text("variant,seed,quantity,answer,tolerance\n1,1,loss,abc,5e-05\n")
    result = CliRunner().invoke(cli, ["grade", str(bad_key), str(tmp_path / "latin.csv")])
    assert (result.exit_code, result.stderr) == (
        2, f"{bad_key}:2: answer: expected a number, got 'abc'\n")


def test_a_spreadsheets_csv_with_a_bom_and_crlf_is_graded(made: Path, tmp_path: Path) -> None:
    """Excel's and LibreOffice's "CSV UTF-8" starts with a byte-order mark: the header was
    refused as '\\ufeffvariant,...'."""
    loss = _key(made)[0]["answer"]
    answers = tmp_path / "class.csv"
    answers.write_bytes(f"\ufeffvariant,quantity,answer\r\n1,loss,{float(loss):.4f}\r\n"
                        .encode("utf-8"))
    result = CliRunner().invoke(cli, ["grade", str(made), str(answers)])
    assert result.exit_code == 0, result.output
    assert [g["correct"] for g in csv.DictReader(io.StringIO(result.stdout))] == ["yes"]
    assert result.stderr == "graded 1 answer: 1 right\n"


def test_every_unknown_variant_and_quantity_is_its_own_line(made: Path, tmp_path: Path) -> None:
    answers = tmp_path / "class.csv"
    answers.write_text("variant,quantity,answer\n7,loss,1\n1,loss,1\n1,lss,1\n9,grad,2\n")
    result = CliRunner().invoke(cli, ["grade", str(made), str(answers)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{answers}:2: variant: expected a variant of the key (1 … 3), got '7'",
        f"{answers}:4: quantity: expected a quantity of variant 1 in the key, like loss, "
        "got 'lss'",
        f"{answers}:5: variant: expected a variant of the key (1 … 3), got '9'"]


def test_text_that_a_spreadsheet_would_run_is_written_inert(made: Path) -> None:
    """A student's '=HYPERLINK(...)' or '@SUM(...)' reached the graded CSV as it was, a
    formula for the teacher's spreadsheet to run; numbers, negative ones too, stay as typed."""
    code, graded = _grade(made, [("=cmd|' /C calc'!A0", "1", "loss", "-0.5"),
                                 ("Ada", "1", "loss", "=HYPERLINK(\"http://x\")"),
                                 ("+Bob", "1", "loss", "@SUM(A1)"),
                                 ("Eve", "1", "loss", "\u22120.5")])
    assert code == 0
    assert [(g["student"], g["answer"]) for g in graded] == [
        ("'=cmd|' /C calc'!A0", "-0.5"), ("Ada", "'=HYPERLINK(\"http://x\")"),
        ("'+Bob", "'@SUM(A1)"), ("Eve", "\u22120.5")]
