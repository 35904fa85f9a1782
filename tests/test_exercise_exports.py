"""The exports a course imports: a PrairieLearn question directory, GIFT, LaTeX sheets.

PrairieLearn: ``info.json`` holds exactly the keys its question schema requires (uuid v4,
type v3, title, topic); ``server.py`` is imported and called as PrairieLearn calls it
(``generate(data)``, then ``grade(data)`` after the elements graded the numbers), its
correct answers checked against PyTorch float64 from the variant's own numbers. GIFT is read
back by a small reader written here from the format's rules. Each LaTeX sheet compiles with
pdflatex and prints its seed.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import re
import shutil
import uuid
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from derive.cli import cli
from derive.exercises.prairie import answer_name

from .conftest import EXAMPLES
from .test_exercises import _torch_answers

SPEC = EXAMPLES / "exercise-one-step-sigmoid-2-2-1.yaml"
ASK = 'ask: [loss, grad, updated, {formula: "w^{(2)}_{11}"}]'
VARIANTS = 4


def _make(folder: Path, seed: int) -> Path:
    spec = folder / "exercise-formulas.yaml"
    spec.write_text(SPEC.read_text().replace("ask: [loss, grad, updated]", ASK))
    result = CliRunner().invoke(cli, ["exercises", str(spec), "--variants", str(VARIANTS),
                                      "--seed", str(seed), "-o", str(folder / "out")])
    assert result.exit_code == 0, result.output
    return folder / "out"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _make(tmp_path_factory.mktemp("exports"), 21)


def _key(made: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((made / "answers.csv").read_text())))


# --------------------------------------------------------------------------- PrairieLearn

QUESTION = "prairielearn/exercise-formulas"


def test_info_json_has_exactly_the_schema_keys_and_a_v4_uuid(made: Path,
                                                            tmp_path: Path) -> None:
    info = json.loads((made / QUESTION / "info.json").read_text())
    assert sorted(info) == ["title", "topic", "type", "uuid"]
    assert info["type"] == "v3" and info["topic"] and info["title"].startswith("Exercise: ")
    parsed = uuid.UUID(info["uuid"])
    assert str(parsed) == info["uuid"] and parsed.version == 4
    assert parsed.variant == uuid.RFC_4122
    other = json.loads((_make(tmp_path, 22) / QUESTION / "info.json").read_text())
    assert other["uuid"] != info["uuid"]                 # another seed, another question


def test_question_html_has_an_input_per_answer(made: Path) -> None:
    html = (made / QUESTION / "question.html").read_text()
    names = re.findall(r'<pl-number-input answers-name="([A-Za-z0-9_]+)"', html)
    formulas = re.findall(r'<pl-string-input answers-name="([A-Za-z0-9_]+)"', html)
    quantities = [r["quantity"] for r in _key(made) if r["variant"] == "1"]
    assert len(names) + len(formulas) == len(quantities) == 20
    assert formulas == ["L2_W_0_0_formula"] and "L2_W_0_1_grad" in names
    assert 'atol="5e-05"' in html and "{{{params.sheet}}}" in html


def _server(made: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("pl_server", made / QUESTION / "server.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _data(seed: object) -> dict:
    """The dict PrairieLearn passes to ``generate``."""
    return {"params": {}, "correct_answers": {}, "variant_seed": seed, "options": {}}


def _torch(params: dict) -> dict[str, float]:
    """PyTorch float64 from the variant's numbers, by PrairieLearn's answer names."""
    return {answer_name(q): v for q, v in _torch_answers({"example": params}).items()}


@pytest.mark.parametrize("seed", [7, "1234567", "a1b2-c3"])
def test_server_generates_a_variant_whose_answers_agree_with_torch(made: Path,
                                                                   seed: object) -> None:
    server = _server(made)
    data = _data(seed)
    server.generate(data)
    correct = data["correct_answers"]
    want = _torch(data["params"])
    numbers = {k: v for k, v in correct.items() if not k.endswith("_formula")}
    assert set(numbers) == set(want)
    for name, value in numbers.items():
        assert value == pytest.approx(want[name], rel=1e-9, abs=1e-12), name
    assert r"\sigma" in correct["L2_W_0_0_formula"]
    assert json.loads(json.dumps(data)) == data                     # JSON, as PrairieLearn stores
    again = _data(seed)
    server.generate(again)
    assert again == data                                            # the seed decides the variant
    other = _data(f"{seed}9")
    server.generate(other)
    assert other["params"]["init"] != data["params"]["init"]


def test_server_grades_the_formula_and_the_total(made: Path) -> None:
    server = _server(made)
    data = _data(99)
    server.generate(data)
    numbers = [k for k in data["correct_answers"] if not k.endswith("_formula")]
    # the elements have graded the numbers: all right but one
    data["partial_scores"] = {k: {"score": 1.0, "weight": 1} for k in numbers}
    data["partial_scores"][numbers[0]]["score"] = 0.0
    data["feedback"] = {}
    data["submitted_answers"] = {"L2_W_0_0_formula": r"a^{(1)}_1 \sigma'(z^{(2)}_1)(\hat{y}-y)"}
    server.grade(data)
    assert data["partial_scores"]["L2_W_0_0_formula"] == {"score": 1.0, "weight": 1,
                                                          "feedback": "right"}
    assert data["score"] == pytest.approx((len(numbers) - 1 + 1) / (len(numbers) + 1))
    for submitted, feedback in [(r"(y-\hat{y}) \sigma'(z^{(2)}_1) a^{(1)}_1", "wrong: sign differs"),
                                (r"(\hat{y}-y) \sigma'(z^{(2)}_1)",
                                 r"wrong: missing factor $a^{(1)}_{1}$"),
                                (r"\frac{", "could not read the formula: the formula ends too early"),
                                (None, "no answer")]:
        data["submitted_answers"] = {"L2_W_0_0_formula": submitted}
        server.grade(data)
        assert data["partial_scores"]["L2_W_0_0_formula"]["score"] == 0.0
        assert data["feedback"]["L2_W_0_0_formula"] == feedback


# --------------------------------------------------------------------------- GIFT


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append("\n" if text[i + 1] == "n" else text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _split_unescaped(text: str, mark: str) -> list[str]:
    """Split at ``mark`` where no backslash escapes it."""
    parts, start, i = [], 0, 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(mark, i):
            parts.append(text[start:i])
            i += len(mark)
            start = i
            continue
        i += 1
    return parts + [text[start:]]


def read_gift(text: str) -> tuple[str, list[tuple[str, str, float, float]]]:
    """(category, [(title, text, value, tolerance)]) of a numerical-only GIFT file."""
    category, questions = "", []
    for block in text.split("\n\n"):
        block = block.strip()
        if block.startswith("$CATEGORY:"):
            category = block[len("$CATEGORY:"):].strip()
            continue
        assert "\n" not in block
        _, title, rest = _split_unescaped(block, "::")
        body, answer = _split_unescaped(rest, "{")
        answer, tail = _split_unescaped(answer, "}")
        assert tail == "" and answer.startswith("#") and body.startswith("[html]")
        value, tolerance = answer[1:].split(":")
        questions.append((_unescape(title), _unescape(body[len("[html]"):]), float(value),
                          float(tolerance)))
    return category, questions


def test_gift_has_a_numerical_question_per_answer_with_the_keys_numbers(made: Path) -> None:
    category, questions = read_gift((made / "questions.gift").read_text())
    assert category.startswith("$course$/derive-backprop/Exercise: one step")
    key = [r for r in _key(made) if not r["quantity"].endswith(".formula")]
    assert len(questions) == len(key) == VARIANTS * 19
    for row, (title, text, value, tolerance) in zip(key, questions):
        assert title.endswith(f"(variant {row['variant']}): {row['quantity']}")
        assert f"(seed {row['seed']})" in text and r"\begin{pmatrix}" in text
        assert (value, tolerance) == (float(row["answer"]), float(row["tolerance"]))
    spec = (made / "variant-2" / "spec.yaml").read_text()
    rate = re.search(r"learning_rate: ([\d.]+)", spec).group(1)
    assert rf"\eta = {rate}" in questions[19][1]


def test_gift_escapes_every_special_character() -> None:
    from derive.exercises.gift import gift_escape

    nasty = "a~b=c#d{e}f:g\\h\ni"
    assert gift_escape(nasty) == "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h\\ni"
    assert _unescape(gift_escape(nasty)) == nasty
    block = f"::{gift_escape('t::{x}')}::[html]{gift_escape('{#1:2} = ~ #')}{{#1.5:0.1}}"
    assert read_gift(block) == ("", [("t::{x}", "{#1:2} = ~ #", 1.5, 0.1)])


# --------------------------------------------------------------------------- LaTeX


def test_every_question_sheet_prints_its_seed_and_blanks(made: Path) -> None:
    seeds = {r["variant"]: r["seed"] for r in _key(made)}
    for k in range(1, VARIANTS + 1):
        tex = (made / f"variant-{k}" / "question.tex").read_text()
        assert f"Variant {k}, seed {seeds[str(k)]}." in tex
        assert tex.count("\n\\item ") == 20 and r"\end{document}" in tex
        assert r"Write \(\displaystyle \frac{\partial L}{\partial w^{(2)}_{11}}\)" in tex


def test_a_question_sheet_compiles_with_pdflatex(made: Path, tmp_path: Path) -> None:
    if shutil.which("pdflatex") is None:
        if os.environ.get("CI"):
            pytest.fail("pdflatex is required in CI")
        pytest.skip("pdflatex is not installed")
    from .test_latex import pdflatex

    tex = tmp_path / "question.tex"
    shutil.copy(made / "variant-3" / "question.tex", tex)
    log = pdflatex(tex)
    assert "Overfull" not in log


def test_the_section_the_server_embeds_reads_back_the_same() -> None:
    from derive.exercises import read_exercise
    from derive.spec import plain_mapping

    section = plain_mapping(SPEC.read_text().replace("ask: [loss, grad, updated]", ASK))
    exercise = read_exercise(section["exercise"], "spec.yaml")
    assert exercise.formulas == ("w^{(2)}_{11}",) and exercise.ask == ("loss", "grad", "updated")
    assert read_exercise(exercise.as_mapping(), "spec.yaml") == exercise


def _moodle_split(path: str) -> list[str]:
    """Moodle's qformat_default::split_category_path, in Python: a single / separates, // is a
    slash in a name, names are trimmed (moodle/question/format.php)."""
    import re
    return [part.replace("//", "/").strip() for part in re.split(r"(?<!/)/(?!/)", path)]


@pytest.mark.parametrize("title", ["Week 1/2: backprop", "/leading", "trailing/", "a // b",
                                   "plain  title"])
def test_a_title_with_slashes_is_one_moodle_category(title: str) -> None:
    """'Week 1/2: backprop' made two nested categories, 'Week 1' and '2: backprop'."""
    from derive.exercises.moodle import category_path

    assert _moodle_split(category_path(title)) == ["$course$", "derive-backprop",
                                                   " ".join(title.split())]
