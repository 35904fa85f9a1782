"""The CLI's endings: every invalid spec reported (each its own lines, exit 2, nothing
written), exit codes a script can tell apart (130 Ctrl-C, 70 a bug, on the new paths too:
stdin, check, site), and the messages of issue 20.14 (no "check: check:", a disagreement
printed once, the oracle's own tolerance)."""

from __future__ import annotations

import signal
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from derive import pipeline
from derive.cli import cli
from derive.pipeline import Options, Result, run
from derive.verify.report import Disagreement, OracleResult

from .conftest import EXAMPLES, installed_cli
from .test_faults import in_process

RELU = EXAMPLES / "relu-worked-example-1-1-1.yaml"
SMALL = "inputs: [x]\nlayers:\n  - {units: 1, activation: sigmoid}\nloss: half_squared_error\n"
WRONG_CLAIM = SMALL + "claims:\n  - {parameter: 'w^{(1)}_{11}', formula: '(\\hat{y} - y) x'}\n"
BAD_UNITS = SMALL.replace("units: 1", "units: 0")
BAD_LOSS = SMALL.replace("half_squared_error", "half_squared_eror")


def invoke(*args: str | Path, stdin: str = "") -> object:
    return CliRunner().invoke(cli, [str(a) for a in args], input=stdin,
                              prog_name="derive-backprop", catch_exceptions=False)


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    """good.yaml at the top; two invalid specs, one of them in a sub-folder."""
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "good.yaml").write_text(SMALL, encoding="utf-8")
    (tmp_path / "units.yaml").write_text(BAD_UNITS, encoding="utf-8")
    (tmp_path / "deep" / "er" / "loss.yml").write_text(BAD_LOSS, encoding="utf-8")
    return tmp_path


def test_render_reports_every_invalid_spec_and_writes_nothing(specs: Path) -> None:
    result = invoke(specs / "units.yaml", specs / "good.yaml", specs / "deep/er/loss.yml",
                    "-o", specs / "out")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{specs / 'units.yaml'}:3: layers[0].units: expected a whole number >= 1, got '0'",
        f"{specs / 'deep/er/loss.yml'}:4: loss: expected one of absolute_error, "
        f"binary_cross_entropy, cross_entropy, half_squared_error, huber, squared_error, got "
        f"'half_squared_eror'; did you mean 'half_squared_error'?"]
    assert not (specs / "out").exists()


def test_check_dir_is_recursive_and_reports_every_invalid_spec(specs: Path) -> None:
    result = invoke("check", specs, "--oracle", "finite_difference")
    assert result.exit_code == 2
    assert result.stdout.startswith(f"{specs / 'good.yaml'}: ok: ")
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{specs / 'deep/er/loss.yml'}:4: loss: expected one of")
    assert lines[1].startswith(f"{specs / 'units.yaml'}:3: layers[0].units: expected")
    assert lines[2] == f"{specs}: specs: expected valid specs, got 2 invalid specs of 3"
    assert len(lines) == 3


def test_check_of_one_invalid_spec_is_its_line_alone(specs: Path) -> None:
    result = invoke("check", specs / "units.yaml")
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"{specs / 'units.yaml'}:3: layers[0].units:")


def test_an_empty_folder_is_bad_input(tmp_path: Path) -> None:
    result = invoke("check", tmp_path)
    assert result.exit_code == 2
    assert result.stderr == (f"{tmp_path}: SPEC: expected a folder with .yaml or .yml specs, "
                             f"got no spec files\n")


def test_check_failing_names_the_spec_not_check_check(tmp_path: Path) -> None:
    """Issue 20.14: the last line named no file ("check: check: ...")."""
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(WRONG_CLAIM, encoding="utf-8")
    result = invoke("check", wrong, "--oracle", "finite_difference")
    assert result.exit_code == 1
    assert "check: check:" not in result.stderr
    assert result.stderr == (f"{wrong}: specs: expected every symbolic gradient equal to every "
                             f"oracle and every claim true, got 1 failing spec of 1: {wrong}\n")


def _disagreeing(precision: str) -> Result:
    """The relu example's result with one wrong gradient, found twice (value and δ form), with
    the tolerance the comparison in that precision uses."""
    result = run(str(RELU), Options())
    wrong = Disagreement(0, "example", 2.5, 2.0, "finite_difference",
                         tolerance=1e-9 if precision == "mpmath" else 1e-6)
    oracle = OracleResult("finite_difference", 12, 0.5, 0.25, False, precision)
    report = replace(result.report, passed=False, disagreements=(wrong, wrong),
                     oracles=(oracle,))
    return replace(result, report=report)


@pytest.mark.parametrize("precision, tolerance", [("mpmath", "1e-09"), ("float64", "1e-06")])
def test_a_disagreement_is_printed_once_with_its_oracles_tolerance(
        precision: str, tolerance: str) -> None:
    lines = _disagreeing(precision).problems()
    assert lines == [f"{RELU}: check: dL/dW_1[0,0] at example: expected 2.0 (finite "
                     f"difference), got 2.5 (symbolic); rel err 0.25 > {tolerance}"]


def test_render_prints_a_disagreement_once(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    monkeypatch.setattr("derive.commands.run", lambda path, options: _disagreeing("mpmath"))
    result = invoke(RELU, "-o", tmp_path)
    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if "rel err" in line]
    assert len(problems) == 1
    assert result.stderr.splitlines()[-1] == (
        f"{RELU}: check: expected symbolic gradients equal to every oracle and true claims, "
        f"got 2 disagreements, 0 failed claims")


def _false_equation(text: str, path: str, options: Options, **_: object) -> Result:
    from derive.document.audit import FalseEquation

    raise FalseEquation("Backward pass", "equal sides (1 on the left)", got_text="2 in x &= y",
                        stage="audit")


@pytest.mark.parametrize("command", [[], ["check"]])
def test_a_false_equation_exits_1_naming_its_file(command: list[str],
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    """A page's false equation is a failed check (exit 1, as issue 15 asks), not invalid
    input: it exited 2, and its line named no file ("audit: Backward pass: ...")."""
    monkeypatch.setattr("derive.pipeline.run_text", _false_equation)   # below run: it names
    result = invoke(*command, RELU, "-o" if not command else "-q", *([tmp_path] if not command
                                                                    else []))
    assert result.exit_code == 1
    assert result.stderr == (f"{RELU}: Backward pass: expected equal sides (1 on the left), "
                             f"got 2 in x &= y\n")
    assert not list(tmp_path.iterdir())


def test_a_false_equation_beside_an_invalid_spec_exits_2(monkeypatch: pytest.MonkeyPatch,
                                                         specs: Path) -> None:
    real = pipeline.run_text
    monkeypatch.setattr("derive.pipeline.run_text", lambda text, path, options, **kw:
                        _false_equation(text, path, options) if path.endswith("good.yaml")
                        else real(text, path, options, **kw))
    result = invoke("check", specs)
    assert result.exit_code == 2
    assert f"{specs / 'good.yaml'}: Backward pass: expected equal sides" in result.stderr


def test_false_equations_alone_in_a_folder_exit_1(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(SMALL, encoding="utf-8")
    monkeypatch.setattr("derive.pipeline.run_text", _false_equation)
    result = invoke("check", tmp_path)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].endswith(
        f"got 2 failing specs of 2: {tmp_path / 'a.yaml'}, {tmp_path / 'b.yaml'}")


# --------------------------------------------------------------------------- exit codes


@pytest.mark.parametrize("argv", [["check", "{spec}"], ["site", "{folder}", "-o", "{out}",
                                                         "-j", "1"], ["{spec}", "-o", "{out}"]])
def test_a_bug_exits_70_with_one_line_on_every_command(
        argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "spec.yaml").write_text(SMALL, encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(pipeline, "run_spec", broken)
    names = {"spec": tmp_path / "course" / "spec.yaml", "folder": tmp_path / "course",
             "out": tmp_path / "out"}
    assert in_process([a.format(**names) for a in argv], monkeypatch) == 70
    assert capfd.readouterr().err.splitlines()[-1] == \
        "derive-backprop: internal error: KeyError: 'boom' (please report)"
    assert not (tmp_path / "out").exists()


def test_ctrl_c_while_waiting_for_stdin_exits_130(tmp_path: Path) -> None:
    process = subprocess.Popen([installed_cli(), "-", "-o", str(tmp_path / "out")],
                               stdin=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    time.sleep(3)                              # started and blocked on the open pipe
    process.send_signal(signal.SIGINT)
    err = process.communicate(timeout=60)[1].decode()
    assert process.returncode == 130, err
    assert err == "derive-backprop: stopped by SIGINT\n"
    assert not (tmp_path / "out").exists()


def test_sigterm_to_site_exits_143_with_one_line(tmp_path: Path) -> None:
    course = tmp_path / "course"
    course.mkdir()
    for index in range(6):
        (course / f"spec{index}.yaml").write_text(SMALL, encoding="utf-8")
    process = subprocess.Popen([installed_cli(), "site", str(course), "-o",
                                str(tmp_path / "out"), "-j", "2"],
                               stderr=subprocess.PIPE, cwd=tmp_path)
    time.sleep(3)
    process.send_signal(signal.SIGTERM)
    err = process.communicate(timeout=60)[1].decode()
    assert process.returncode in (143, 0), err
    assert "Traceback" not in err
    if process.returncode == 143:
        assert err.splitlines()[-1] == "derive-backprop: stopped by SIGTERM"


def test_a_signal_during_the_renames_waits_even_with_another_thread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    """The mask that holds a signal is the main thread's; with another thread alive (torch
    starts some) the kernel gives it the signal, yet the renames still all happen first."""
    import threading

    from .test_faults import _signal_on, old_set, state

    out = old_set(tmp_path)
    monkeypatch.chdir(tmp_path)
    done = threading.Event()
    helper = threading.Thread(target=done.wait, daemon=True)
    helper.start()
    try:
        _signal_on("replace", signal.SIGTERM, monkeypatch, when=1)
        assert in_process(["spec.yaml", "-o", "out", "--format", "all"], monkeypatch) == 143
    finally:
        done.set()
        helper.join()
    assert capfd.readouterr().err.endswith("derive-backprop: stopped by SIGTERM\n")
    assert all(b"\nold\n" not in data for data, _ in state(out).values() if data)
