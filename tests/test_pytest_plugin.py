"""``pytest --derive-specs DIR``: each spec is an item; a wrong claim fails with a readable report."""

from __future__ import annotations

import pytest

from .conftest import EXAMPLES


GOOD = r"""inputs: [x]
layers:
  - {units: 1, activation: sigmoid}
loss: half_squared_error
claims:
  - {parameter: 'w^{(1)}_{11}', formula: '(\hat{y} - y) \sigma(z^{(1)}_1)(1 - \sigma(z^{(1)}_1)) x'}
"""

WRONG = r"""inputs: [x]
layers:
  - {units: 1, activation: sigmoid}
loss: half_squared_error
claims:
  - parameter: 'w^{(1)}_{11}'
    formula: '(\hat{y} - y) x'
"""


def test_examples_pass(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--derive-specs", str(EXAMPLES), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=len(list(EXAMPLES.glob("*.yaml"))))


def test_wrong_claim_is_a_failing_item_with_a_report(pytester: pytest.Pytester) -> None:
    specs = pytester.mkdir("specs")
    (specs / "good.yaml").write_text(GOOD)
    (specs / "wrong.yaml").write_text(WRONG)
    result = pytester.runpytest_subprocess("--derive-specs", str(specs), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*wrong.yaml:7: claim for w^{(1)}_{11}: expected equal to the derived result, got "
        "differs (missing factor \\sigma\\left(z^{(1)}_{1}\\right) \\left(1 - "
        "\\sigma\\left(z^{(1)}_{1}\\right)\\right)); claimed *, derived * at random point 1, "
        "difference *"])


def test_missing_folder_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--derive-specs", "nowhere")
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_yml_specs_and_the_ini_option(pytester) -> None:
    from .conftest import EXAMPLES
    specs = pytester.mkdir("specs")
    text = (EXAMPLES / "relu-worked-example-1-1-1.yaml").read_text(encoding="utf-8")
    (specs / "one.yml").write_text(text)
    (specs / "two.yaml").write_text(text)
    pytester.makeini("[pytest]\nderive_specs = specs\n")
    result = pytester.runpytest_subprocess("--derive-oracle", "finite_difference",
                                           "-p", "no:cacheprovider")
    assert "2 passed" in result.stdout.str(), result.stdout.str() + result.stderr.str()
