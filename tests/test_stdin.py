"""``derive-backprop -`` and ``check -``: the spec on stdin.

Its messages name it ``<stdin>``; its files are named after its title, made safe, or
``stdin.*`` without one; the same bytes as the same spec read from a file.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from click.testing import CliRunner

from derive.cli import cli

from .conftest import EXAMPLES

RELU = EXAMPLES / "relu-worked-example-1-1-1.yaml"
SMALL = "inputs: [x]\nlayers:\n  - {units: 1, activation: sigmoid}\nloss: half_squared_error\n"


def invoke(*args: str | Path, stdin: str | bytes = "") -> object:
    return CliRunner().invoke(cli, [str(a) for a in args], input=stdin,
                              prog_name="derive-backprop", catch_exceptions=False)


def test_stdin_page_equals_the_files_page(tmp_path: Path) -> None:
    text = RELU.read_text(encoding="utf-8")
    result = invoke("-", "--format", "json", "-o", "-", stdin=text)
    from_file = invoke(RELU, "--format", "json", "-o", "-")
    assert result.exit_code == 0 and result.stdout == from_file.stdout


def test_stdin_files_are_named_after_the_title(tmp_path: Path) -> None:
    result = invoke("-", "-o", tmp_path, "--format", "tex",
                    stdin="title: 'XOR, one layer'\n" + SMALL)
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["XOR_one_layer.tex"]


def test_stdin_without_a_title_writes_stdin_files(tmp_path: Path) -> None:
    result = invoke("-", "-o", tmp_path, "--format", "json", stdin=SMALL)
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["stdin.json"]
    assert '"title": "stdin"' in (tmp_path / "stdin.json").read_text(encoding="utf-8")


def test_a_bad_spec_on_stdin_is_named_stdin_and_writes_nothing(tmp_path: Path) -> None:
    result = invoke("-", "-o", tmp_path / "out", stdin=SMALL.replace("sigmoid", "sigmod"))
    assert result.exit_code == 2
    assert result.stderr.startswith("<stdin>:3: layers[0].activation: expected ")
    assert len(result.stderr.splitlines()) == 1 and not (tmp_path / "out").exists()


def test_non_utf8_stdin_is_one_line() -> None:
    result = invoke("check", "-", stdin=b"inputs: 1\n\xff\n")
    assert result.exit_code == 2
    assert result.stderr == "<stdin>:2: (file): expected UTF-8 text, got byte 0xff\n"


def test_check_reads_stdin_beside_files() -> None:
    result = invoke("check", RELU, "-", "--oracle", "finite_difference", stdin=SMALL)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{RELU}: ok: ") and lines[1].startswith("<stdin>: ok: ")


def test_stdin_twice_is_refused() -> None:
    result = invoke("check", "-", "-", stdin=SMALL)
    assert result.exit_code == 2 and "at most one - (stdin)" in result.stderr


def test_stdin_and_a_file_of_the_same_stem_clash(tmp_path: Path) -> None:
    spec = tmp_path / "stdin.yaml"
    spec.write_text(SMALL, encoding="utf-8")
    result = invoke(spec, "-", "-o", tmp_path / "out", stdin=SMALL)
    assert result.exit_code == 2 and "both give stdin.*" in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_installed_command_reads_a_pipe(cli_path: str, tmp_path: Path) -> None:
    done = subprocess.run([cli_path, "check", "-", "--oracle", "finite_difference"],
                          input=SMALL, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.startswith("<stdin>: ok: 8 comparisons (")


def test_a_typed_lesson_on_stdin_is_named_after_its_title(tmp_path: Path) -> None:
    """It was written as stdin.* whatever its title (the title was read as a network's)."""
    text = (EXAMPLES / "rnn-backprop-through-time.yaml").read_text(encoding="utf-8")
    result = invoke("-", "-o", tmp_path, "--format", "json", stdin=text)
    assert result.exit_code == 0, result.stderr
    from derive.spec.tensor import load_tensor
    from derive.write import safe_stem

    title = load_tensor(text, "-", default_title="stdin").title
    written = [p.name for p in tmp_path.iterdir() if p.is_file()]
    assert written == [f"{safe_stem(title)}.json"] and written != ["stdin.json"]


def test_numpy_of_a_typed_lesson_is_refused(tmp_path: Path) -> None:
    """--format numpy of a conv lesson wrote nothing and exited 0."""
    spec = EXAMPLES / "convolution-2d-kernel-gradient.yaml"
    result = invoke(spec, "--format", "numpy", "-o", tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (f"{spec}: --format numpy: expected a network spec (layers:), "
                             "got a typed-layer spec\n")
