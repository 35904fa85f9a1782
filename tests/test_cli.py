"""The command line in-process, through click's ``CliRunner``: every command and option
family, what each prints and writes, and the exit codes (0 success, 1 a check or claim
disagrees, 2 bad input). The installed script itself is tests/test_e2e.py's."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from derive import __version__
from derive.cli import cli

from .conftest import EXAMPLES, OUTPUT

RELU = EXAMPLES / "relu-worked-example-1-1-1.yaml"
STEM = RELU.stem
SMALL = "inputs: [x]\nlayers:\n  - {units: 1, activation: sigmoid}\nloss: half_squared_error\n"
WRONG_CLAIM = SMALL + "claims:\n  - {parameter: 'w^{(1)}_{11}', formula: '(\\hat{y} - y) x'}\n"
BAD = "inputs: [x]\nlayers:\n  - {units: 1, activation: rleu}\nloss: squared_error\n"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str | Path) -> Result:
    return runner.invoke(cli, [str(a) for a in args], prog_name="derive-backprop",
                         catch_exceptions=False)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def masked(text: str) -> dict:
    document = json.loads(text)
    document["generator"]["version"] = "*"
    return document


# --------------------------------------------------------------------------- render


def test_render_is_the_default_command_and_writes_the_page(runner: CliRunner,
                                                           tmp_path: Path) -> None:
    result = invoke(runner, RELU, "-o", tmp_path)
    assert result.exit_code == 0, result.stderr
    page = tmp_path / f"{STEM}.md"
    assert page.read_bytes() == (OUTPUT / f"{STEM}.md").read_bytes()
    assert f"wrote {page}\n" in result.stderr and result.stdout == ""
    assert not (tmp_path / f"{STEM}.tex").exists()


@pytest.mark.parametrize("fmt", ["md", "tex", "json"])
def test_each_format_to_stdout(runner: CliRunner, fmt: str, tmp_path: Path) -> None:
    result = invoke(runner, "render", RELU, "--format", fmt, "-o", "-")
    assert result.exit_code == 0, result.stderr
    golden = (OUTPUT / f"{STEM}.{fmt}").read_text(encoding="utf-8")
    if fmt == "json":
        assert masked(result.stdout) == masked(golden)
    else:
        assert result.stdout == golden
    pictures = sorted(p.name for p in (OUTPUT / STEM).glob("*.svg"))
    assert result.stderr == ("" if fmt != "md" else   # the page links pictures it cannot print
                             f"derive-backprop: -o -: printed {STEM}.md; not written: "
                             f"{len(pictures)} linked files in {STEM}/ (-o DIR writes them)\n")
    assert fmt != "md" or f"]({STEM}/{pictures[0]})" in result.stdout


def test_format_all_writes_every_format_and_the_pictures(runner: CliRunner,
                                                         tmp_path: Path) -> None:
    result = invoke(runner, RELU, "--format", "all", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == [
        f"{STEM}.json", f"{STEM}.md", f"{STEM}.tex"]
    assert (out / STEM / "network.svg").is_file()
    assert (out / f"{STEM}.tex").read_bytes() == (OUTPUT / f"{STEM}.tex").read_bytes()


def test_seed_is_recorded(runner: CliRunner) -> None:
    result = invoke(runner, RELU, "--format", "json", "-o", "-", "--seed", "7")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["check"]["seed"] == 7


def test_no_limits_lifts_the_size_limits(runner: CliRunner, tmp_path: Path) -> None:
    big = write(tmp_path, "big.yaml", SMALL + "#" * 1_000_001 + "\n")
    refused = invoke(runner, big, "-o", tmp_path / "a")
    assert refused.exit_code == 2
    assert refused.stderr.startswith(f"{big}:1: (file): expected at most 1000000 bytes, got ")
    assert refused.stderr.count("\n") == 1 and not (tmp_path / "a").exists()
    lifted = invoke(runner, big, "-o", tmp_path / "b", "--no-limits")
    assert lifted.exit_code == 0, lifted.stderr
    assert (tmp_path / "b" / "big.md").is_file()


def test_oracle_torch_without_torch_is_bad_input(runner: CliRunner) -> None:
    if importlib.util.find_spec("torch") is not None:
        pytest.skip("torch is installed")
    result = invoke(runner, RELU, "-o", "-", "--oracle", "torch")
    assert result.exit_code == 2
    assert result.stderr == ("derive-backprop: --oracle: expected torch installed (pip install "
                             "'derive-backprop[torch]'), got no torch\n")


@pytest.mark.parametrize("args, got", [
    (["--format", "all", "-o", "-"], "1 spec, format all"),
    (["-o", "-", str(RELU)], "2 specs, format md")])
def test_stdout_takes_one_spec_and_one_format(runner: CliRunner, args: list[str],
                                              got: str) -> None:
    result = invoke(runner, RELU, *args)
    assert result.exit_code == 2
    assert result.stderr == (f"derive-backprop: --out: expected one spec and one format with "
                             f"-o -, got {got}\n")


def test_specs_giving_the_same_file_names_write_nothing(runner: CliRunner,
                                                        tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write(tmp_path / "a", "net.yaml", SMALL)
    second = write(tmp_path / "b", "net.yaml", SMALL)
    result = invoke(runner, first, second, "-o", tmp_path / "out")
    assert result.exit_code == 2 and "both give net.*" in result.stderr
    assert not (tmp_path / "out").exists()


def test_bad_spec_is_one_line_exit_2_and_nothing_written(runner: CliRunner,
                                                         tmp_path: Path) -> None:
    good, bad = write(tmp_path, "good.yaml", SMALL), write(tmp_path, "bad.yaml", BAD)
    result = invoke(runner, good, bad, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr == (f"{bad}:3: layers[0].activation: expected one of elu, leaky_relu, "
                             f"linear, relu, sigmoid, softmax, softplus, tanh, got 'rleu'; "
                             f"did you mean 'relu'?\n")
    assert result.stdout == "" and not (tmp_path / "out").exists()


def test_missing_spec_file_is_one_line_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, tmp_path / "nowhere.yaml")
    assert result.exit_code == 2
    assert result.stderr == (f"{tmp_path / 'nowhere.yaml'}: (file): expected a readable file, "
                             f"got No such file or directory\n")


def test_wrong_claim_writes_the_page_and_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    spec = write(tmp_path, "wrong.yaml", WRONG_CLAIM)
    result = invoke(runner, spec, "-o", tmp_path / "out")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"wrote {tmp_path / 'out' / 'wrong.md'}"
    assert any(line.startswith(f"{spec}:6: claim for w^{{(1)}}_{{11}}: expected equal to the "
                               f"derived result, got differs") for line in lines)
    assert lines[-1] == (f"{spec}: check: expected symbolic gradients equal to every oracle and "
                         f"true claims, got 0 disagreements, 1 failed claim")


# --------------------------------------------------------------------------- check


def test_check_says_ok_per_spec(runner: CliRunner) -> None:
    result = invoke(runner, "check", RELU, "--oracle", "finite_difference", "--seed", "3")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"{RELU}: ok: ")
    assert "(finite_difference), largest error " in result.stdout


def test_check_exits_1_and_prints_each_problem(runner: CliRunner, tmp_path: Path) -> None:
    wrong = write(tmp_path, "wrong.yaml", WRONG_CLAIM)
    result = invoke(runner, "check", RELU, wrong, "--oracle", "finite_difference")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{RELU}: ok: ") and lines[1].startswith(f"{wrong}:6: claim for")
    assert result.stderr == (f"{RELU} {wrong}: specs: expected every symbolic gradient equal "
                             f"to every oracle and every claim true, got 1 failing spec of 2: "
                             f"{wrong}\n")


def test_check_needs_a_spec(runner: CliRunner) -> None:
    result = invoke(runner, "check")
    assert result.exit_code == 2 and "Missing argument 'SPECS...'" in result.stderr


# --------------------------------------------------------------------------- site


def test_site_writes_a_project_and_a_book(runner: CliRunner, tmp_path: Path) -> None:
    course = tmp_path / "course"
    (course / "basics").mkdir(parents=True)
    shutil.copy(RELU, course / "basics")
    write(course, "sigmoid.yaml", SMALL)
    result = invoke(runner, "site", course, "-o", tmp_path / "site", "--book",
                    tmp_path / "book.tex", "--title", "My course", "-j", "1")
    assert result.exit_code == 0, result.stderr
    docs = tmp_path / "site" / "docs"
    assert (docs / "sigmoid.md").is_file() and (docs / "basics" / f"{STEM}.md").is_file()
    assert (docs / "index.md").read_text().startswith("# My course\n")
    assert "Deriving" in result.stderr and "(2 pages); build it with: mkdocs build" in result.stderr
    assert (tmp_path / "book.tex").read_text().startswith("\\documentclass")


def test_site_stops_on_an_invalid_spec(runner: CliRunner, tmp_path: Path) -> None:
    course = tmp_path / "course"
    course.mkdir()
    write(course, "good.yaml", SMALL)
    bad = write(course, "bad.yaml", BAD)
    result = invoke(runner, "site", course, "-o", tmp_path / "site", "--jobs", "1")
    assert result.exit_code == 2 and f"{bad}:3: layers[0].activation:" in result.stderr
    assert not (tmp_path / "site").exists()


def test_site_exits_1_when_a_check_fails_but_writes_the_site(runner: CliRunner,
                                                            tmp_path: Path) -> None:
    course = tmp_path / "course"
    course.mkdir()
    write(course, "wrong.yaml", WRONG_CLAIM)
    result = invoke(runner, "site", course, "-o", tmp_path / "site", "--jobs", "1")
    assert result.exit_code == 1     # a failed claim, not a numeric disagreement: both named
    assert result.stderr.splitlines()[-1] == (
        f"{course}: check: expected symbolic gradients equal to every oracle and true claims, "
        f"got disagreements or failed claims in wrong.yaml")
    assert "**failed**" in (tmp_path / "site" / "docs" / "index.md").read_text()


@pytest.mark.parametrize("args, message", [
    (["site", "{empty}", "-o", "out"], "SPECS_DIR: expected a folder with .yaml or .yml specs"),
    (["site", "{empty}"], "Missing option '-o' / '--out'"),
    (["site", "{empty}", "-o", "out", "--jobs", "0"], "Invalid value for '-j' / '--jobs'")])
def test_site_bad_input_exits_2(runner: CliRunner, tmp_path: Path, args: list[str],
                                message: str) -> None:
    result = invoke(runner, *(a.format(empty=tmp_path) for a in args))
    assert result.exit_code == 2 and message in result.stderr


# --------------------------------------------------------------------------- list, help, version


def test_version(runner: CliRunner) -> None:
    result = invoke(runner, "--version")
    assert result.exit_code == 0 and result.stdout == f"derive-backprop, version {__version__}\n"


@pytest.mark.parametrize("args, shown", [
    (["--help"], ["render", "check", "site", "list"]),
    (["render", "-h"], ["--out", "--format", "--seed", "--no-limits", "--oracle"]),
    (["check", "--help"], ["--oracle", "finite_difference]", "torch adds PyTorch"]),
    (["--help"], ["short for `derive-backprop render SPEC...`", "--oracle torch"]),
    (["site", "--help"], ["--book", "--title", "--jobs"])])
def test_help(runner: CliRunner, args: list[str], shown: list[str]) -> None:
    result = invoke(runner, *args)
    assert result.exit_code == 0
    for text in shown:
        assert text in result.stdout, text


@pytest.mark.parametrize("args", [["render"], [str(RELU), "--format", "pdf"],
                                  [str(RELU), "--bogus"]])
def test_usage_errors_exit_2(runner: CliRunner, args: list[str]) -> None:
    result = invoke(runner, *args)
    assert result.exit_code == 2 and "Usage: derive-backprop" in result.stderr


def test_check_takes_a_folder_of_yaml_and_yml_specs(tmp_path) -> None:
    from click.testing import CliRunner as Runner

    from derive.cli import cli as command
    from .conftest import EXAMPLES
    (tmp_path / "week1").mkdir()
    text = (EXAMPLES / "relu-worked-example-1-1-1.yaml").read_text(encoding="utf-8")
    (tmp_path / "week1" / "a.yaml").write_text(text)
    (tmp_path / "b.yml").write_text(text)
    out = Runner().invoke(command, ["check", str(tmp_path), "--oracle", "finite_difference"])
    assert out.exit_code == 0, out.output
    assert sorted(line.split(": ")[0].rsplit("/", 1)[-1] for line in out.stdout.splitlines()) \
        == ["a.yaml", "b.yml"]
