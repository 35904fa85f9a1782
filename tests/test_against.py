"""``check SPEC --against module:function``: a user's backward() checked and its bug named.

tests/implementations/mlp_backward.py is a NumPy backward written by hand, as a student
would, with five copies that each plant one classic bug.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from derive.cli import cli

SPEC = """\
title: A 2-2-2 sigmoid network for checking a backward()
inputs: 2
layers:
  - {units: 2, activation: sigmoid}
  - {units: 2, activation: sigmoid}
loss: squared_error
example:
  x: [[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8]]
  y: [[0.2, 0.9], [0.7, 0.1], [0.4, 0.6]]
  init: {seed: 3, scheme: uniform}
"""

MODULE = "tests.implementations.mlp_backward"


@pytest.fixture
def spec(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return str(path)


def _check(spec: str, function: str):
    return CliRunner().invoke(cli, ["check", spec, "--oracle", "finite_difference",
                                    "--against", f"{MODULE}:{function}"])


def test_a_correct_backward_passes(spec: str) -> None:
    out = _check(spec, "correct")
    assert out.exit_code == 0, out.output
    assert "--against" in out.stdout and "ok: every tensor agrees at 3 points" in out.stdout


@pytest.mark.parametrize(("function", "wrong", "named"), [
    ("missing_sigma_prime", {"W2", "b2", "W1", "b1"}, "missing sigmoid′(z) (the activation's derivative) in layer 2"),
    ("transposed_weight", {"W1", "b1"}, "W and Wᵀ swapped in the δ recursion"),
    ("flipped_sign", {"W2", "b2", "W1", "b1"}, "the sign is flipped"),
    ("missing_mean", {"W2", "b2", "W1", "b1"}, "missing the 1/N of the mean over the batch"),
    ("wrong_layer_delta", {"W1"}, "the δ of layer 2 used for layer 1's gradient"),
])
def test_each_planted_bug_is_found_and_named(spec: str, function: str, wrong: set[str],
                                             named: str) -> None:
    out = _check(spec, function)
    assert out.exit_code == 1, out.output
    lines = [line for line in out.stdout.splitlines() if "--against" in line]
    assert {line.split(": ")[2] for line in lines} == wrong
    assert any(named in line for line in lines), lines


def test_a_bad_target_is_one_line_and_exit_2(spec: str) -> None:
    for target in ("nomodule", "no_such_module_xyz:f", f"{MODULE}:nothing"):
        out = CliRunner().invoke(cli, ["check", spec, "--against", target])
        assert out.exit_code == 2, out.output
        assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.output


@pytest.mark.parametrize(("function", "got"), [
    ("calls_exit", "it called sys.exit(3)"),
    ("returns_text", "W1 among them, got text '0.5x'"),
    ("returns_objects", "got an array holding object '<object object at"),
    ("returns_complex", "got complex numbers"),
    ("returns_unreadable", "got _Unreadable that NumPy cannot read (RuntimeError: 'device lost')"),
    ("fails_like_pytest", "got it raised Failed: the user's own assertion"),   # was a traceback, exit 1
    ("raises_two_lines", "got it raised ValueError: first line second line"),  # was two lines
])
def test_an_unusable_return_or_exit_is_one_line_and_exit_2(spec: str, function: str,
                                                            got: str) -> None:
    """These ended the run with exit 70 (an internal error), exit 3 with no word, or a
    NumPy ComplexWarning and a comparison of the real parts."""
    out = _check(spec, function)
    assert out.exit_code == 2, out.output
    assert len(out.stderr.strip().splitlines()) == 1 and got in out.stderr, out.stderr
    assert "Warning" not in out.output


def test_a_module_that_exits_while_importing_is_one_line_not_a_silent_pass(spec: str) -> None:
    """sys.exit(0) at a module's top level ended ``check --against`` with exit 0 and no word:
    a CI job passed without checking anything."""
    out = CliRunner().invoke(cli, ["check", spec, "--against",
                                   "tests.implementations.exits_on_import:backward"])
    assert out.exit_code == 2, out.output
    assert "--against: expected an importable module 'tests.implementations.exits_on_import', " \
           "got it called sys.exit(0) while importing" in out.stderr


def test_non_finite_gradients_are_named_as_such(spec: str) -> None:
    out = _check(spec, "returns_nan")
    assert out.exit_code == 1, out.output
    lines = [line for line in out.stdout.splitlines() if "--against" in line]
    assert len(lines) == 4
    assert all("of its" in line and "not finite (nan or inf)" in line
               and "largest relative error" not in line for line in lines), lines


@pytest.mark.parametrize(("example", "got"), [("cs231n-circuit-add-multiply", "a graph: spec"),
                                              ("convolution-2d-kernel-gradient",
                                               "a typed-layer spec")])
def test_against_a_spec_without_w_and_b_is_refused(example: str, got: str) -> None:
    """It was silently skipped: 'ok', exit 0, as if the user's function had been checked."""
    from .conftest import EXAMPLES

    spec = str(EXAMPLES / f"{example}.yaml")
    out = CliRunner().invoke(cli, ["check", spec, "--against", f"{MODULE}:correct"])
    assert out.exit_code == 2, out.output
    assert out.stderr == (f"{spec}: --against: expected a network spec (layers:), got {got}\n")


def test_a_signal_during_the_users_function_still_stops_the_run() -> None:
    """sys.exit in the user's code is one line; the process's own stop (a SystemExit
    subclass raised by the signal handler) is not caught with it."""
    import numpy as np

    from derive.against import _call
    from derive.process import Stopped

    def stopped(params, x, y):
        raise Stopped(15)

    with pytest.raises(Stopped):
        _call(stopped, {"W1": np.zeros((1, 1))}, np.zeros((1, 1)), np.zeros((1, 1)))


WIDE = SPEC.replace("title: A 2-2-2 sigmoid network for checking a backward()",
                    "title: A 3-2-1 sigmoid network (no square W)").replace(
    "inputs: 2", "inputs: 3").replace("  - {units: 2, activation: sigmoid}\n  - {units: 2, "
                                      "activation: sigmoid}",
                                      "  - {units: 2, activation: sigmoid}\n  - {units: 1, "
                                      "activation: sigmoid}").replace(
    "x: [[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8]]", "x: [[0.5, -1.0, 0.2], [1.5, 0.3, -0.4], "
                                                 "[-0.7, 0.8, 1.1]]").replace(
    "y: [[0.2, 0.9], [0.7, 0.1], [0.4, 0.6]]", "y: [[0.2], [0.7], [0.4]]")


@pytest.mark.parametrize(("function", "named"), [
    ("flipped_sign", "sign"), ("missing_mean", "1/N")])
def test_a_wrong_backward_of_a_network_without_square_w_is_diagnosed(
        tmp_path, function: str, named: str) -> None:
    """A helper's hunt: W.T against a gradient of another shape broadcast, and the check
    ended in an internal error (exit 70) on 7 of 16 random specs."""
    assert "units: 1" in WIDE and "inputs: 3" in WIDE
    spec = tmp_path / "wide.yaml"
    spec.write_text(WIDE, encoding="utf-8")
    out = _check(str(spec), function)
    assert out.exit_code == 1, out.output
    lines = [line for line in out.stdout.splitlines() if "--against" in line]
    assert lines and all(named in line for line in lines), lines


def test_the_tolerance_is_relative_for_small_gradients(tmp_path) -> None:
    """Zeros for gradients near 1e-8 passed ('ok'): differences were held to an absolute
    1e-6 below 1."""
    spec = tmp_path / "small.yaml"
    spec.write_text(SPEC.replace("x: [[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8]]",
                                 "x: [[0.5e-9, -1.0e-9], [1.5e-9, 0.3e-9], [-0.7e-9, 0.8e-9]]"),
                    encoding="utf-8")
    assert _check(str(spec), "correct").exit_code == 0
    out = _check(str(spec), "returns_zeros")
    assert out.exit_code == 1, out.output
    assert "W1: expected the gradient of the loss" in out.stdout


@pytest.mark.parametrize(("function", "got"), [
    ("returns_ragged", "got rows of different lengths: '[[1.0, 2.0], [3.0]]'"),
    ("returns_huge_int", "got a number beyond float range, '1000000000"),
])
def test_ragged_rows_or_a_huge_integer_are_one_line(spec: str, function: str, got: str) -> None:
    out = _check(spec, function)
    assert out.exit_code == 2, out.output
    assert len(out.stderr.strip().splitlines()) == 1 and got in out.stderr, out.stderr


def test_a_right_backward_at_an_exact_fit_passes(tmp_path) -> None:
    """A helper's hunt: where the true gradient is exactly 0 (the example fits), a right
    float computation gives 1e-17, and the relative tolerance of b17f436 failed it
    ('largest relative error 1.5e+291'). Zero tensors are held to 1e-6 of the point's largest
    gradient, and to 1e-12 when every gradient is 0."""
    spec = tmp_path / "fit.yaml"
    spec.write_text("title: An exact fit\ninputs: 3\nlayers:\n  - {units: 1, activation: "
                    "linear}\nloss: squared_error\nexample:\n  x: [[0.1, 0.2, 0.3]]\n"
                    "  y: [[0.6]]\n  init:\n    - {W: [[1, 1, 1]], b: [0]}\n",
                    encoding="utf-8")
    out = CliRunner().invoke(cli, ["check", str(spec), "--oracle", "finite_difference",
                                   "--against", "tests.implementations.linear_backward:correct"])
    assert out.exit_code == 0, out.output
