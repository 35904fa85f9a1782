"""Fuzzing bad input: whatever the text, the tool ends in a result or a located DeriveError.

Hypothesis draws (1) YAML-ish text from the spec's own vocabulary, YAML syntax and traps;
(2) valid specs mutated in their text (spans deleted, doubled or swapped, scalars replaced
by extreme or malformed values); (3) claim formulas from LaTeX tokens. ``spec.load`` must
return a ``Spec`` or raise ``SpecErrors`` whose every line is ``FILE:LINE: key: expected …``;
a spec that loads runs through the whole pipeline (small limits keep it quick) and ends in
files without ``nan``/``inf`` or in a ``DeriveError``; a claim ends in a verdict. Any other
exception is a bug. Bounded by ``max_examples``: the file takes well under a minute.
"""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from derive import build_network, check, derive, load_spec, render, work_example
from derive.verify.claims import verify_claims
from derive.errors import DeriveError, SpecError, SpecErrors
from derive.registry import ACTIVATIONS, LOSSES
from derive.spec import CLAIM_KEYS, EXAMPLE_KEYS, LAYER_KEYS, TOP_KEYS, Limits

FILE = "fuzz.yaml"
LINE = re.compile(r"fuzz\.yaml(:\d+)?: [^\n]+: expected [^\n]*, got [^\n]*")
NON_FINITE = re.compile(r"(?<![A-Za-z\\])(nan|NaN|inf|Infinity)(?![A-Za-z])")
SMALL = Limits(parameters=24, layers=4, units=6, batch=4, steps=4, evaluations=400, claims=4,
               bytes=20_000)
HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]


def fuzz(examples: int) -> settings:
    """The loaded profile (``ci``: derandomized) with a fixed budget of examples."""
    return settings(max_examples=examples, deadline=None, suppress_health_check=HEALTH)

# --------------------------------------------------------------------------- vocabulary

WORDS = sorted({*TOP_KEYS, *LAYER_KEYS, *EXAMPLE_KEYS, *CLAIM_KEYS, *ACTIVATIONS.names(),
                *LOSSES.names(), "name", "slope", "delta", "alpha", "W", "b", "seed", "scheme",
                "uniform", "batch", "sgd", "mean", "sum", "nielsen", "latex", "different",
                "sigmod", "titel", "layer", "unit", "squared_eror"})
TRAPS = ["yes", "no", "on", "off", "null", "~", "true", "False", "y", "n", "1e3", "1E-3", "010",
         "0o10", "0x1F", "1_000", ".5", "5.", "+1", "-0", ".inf", "-.Inf", ".nan", "1e400",
         "-1e400", "1e-400", "1e308", "9" * 40, "0.1e-320", "2001-12-14", "12:30:45", "1:20",
         "<<", "=", "!!str", "!!python/object:os.system", "!include", "&a", "*a", "@x", "`x`",
         "%x", "|", ">-", "'quoted'", '"dq\\u0000"', '"\\ud800"', '"\\x85"', "\t", "\x00",
         "\u2028", "\ufeff", "\\input{/etc/passwd}", "{{ 7*7 }}", "<script>", "é", "😀"]
NUMBERS = ["0", "1", "-1", "2", "3", "0.5", "-0.5", "1e-3", "100", "1e6", "1e150", "-1e150",
           "1e300", "1e-300", "1000", "1001", "257", "17", "-1e-300", "0.0001"]
EXTREMES = ["1e300", "-1e300", "1e200", "1e150", "-1e150", "1e-300", "1e100", "1e6", "1000",
            "-1000", "200", "0", "1", "0.5", "-1e-300"]
YAML_SYNTAX = "?:-[]{}#&*!|>'\"%@`,.~ \n\t\rab01"
SCALARS = st.one_of(st.sampled_from(WORDS), st.sampled_from(TRAPS), st.sampled_from(NUMBERS),
                    st.text(max_size=8))


@st.composite
def flow(draw: st.DrawFn, depth: int = 0) -> str:
    """A scalar, or a flow list / mapping of them, a few levels deep."""
    kind = draw(st.integers(0, 2 if depth < 3 else 0))
    if kind == 0:
        return draw(SCALARS)
    items = draw(st.lists(flow(depth + 1), max_size=4))
    if kind == 1:
        return "[" + ", ".join(items) + "]"
    keys = draw(st.lists(st.sampled_from(WORDS), min_size=len(items), max_size=len(items)))
    return "{" + ", ".join(f"{k}: {v}" for k, v in zip(keys, items)) + "}"


@st.composite
def yamlish(draw: st.DrawFn) -> str:
    """Lines of ``indent [- ] [key:] value``, the shape of a spec, with YAML noise."""
    lines = []
    for _ in range(draw(st.integers(0, 14))):
        indent = " " * draw(st.sampled_from([0, 0, 2, 2, 4, 6, 1, 3]))
        dash = draw(st.sampled_from(["", "", "- "]))
        key = draw(st.one_of(st.just(""), st.sampled_from(WORDS).map(lambda w: f"{w}: ")))
        lines.append(indent + dash + key + draw(flow()))
    return draw(st.sampled_from(["\n", "\r\n", "\n\n"])).join(lines) + draw(
        st.sampled_from(["", "\n", "\n---\n", "\n...\n"]))


# --------------------------------------------------------------------------- mutations

VALID = [
    """title: Fuzz base
about: 'a <b>page</b> & {{ x }}'
inputs: [iq, cgpa]
layers:
  - {units: 2, activation: sigmoid}
  - {units: 1, activation: linear, bias: true}
loss: squared_error
reduction: mean
notation: nielsen
example:
  x: [[0.5, -1.0], [1.0, 2.0]]
  y: [[1.0], [0.0]]
  init:
    - {W: [[1, 2], [3, 4]], b: [0.5, -0.5]}
    - {W: [[-1, 0.25]], b: [0]}
  learning_rate: 0.1
  steps: 2
  mode: batch
""",
    """inputs: 1
layers:
  - units: 2
    activation: {name: leaky_relu, slope: 0.2}
  - units: 2
    activation: softmax
loss: cross_entropy
example:
  x: 1.5
  y: [0.25, 0.75]
  init: {seed: 3, scheme: xavier_uniform}
  steps: 3
  mode: sgd
claims:
  - {parameter: b_2_1, formula: 'yhat_1 - y_1', syntax: sympy}
""",
    """title: BCE
inputs: [a]
layers:
  - {units: 1, activation: sigmoid}
loss: binary_cross_entropy
example:
  x: [2]
  y: [1]
  init: {W: 0.5, b: 0}
  learning_rate: 0.5
  steps: 2
claims:
  - {parameter: 'w^{(1)}_{11}', formula: '(\\hat{y} - y) a', note: 'x'}
""",
    """inputs: 2
layers:
  - {units: 1, activation: elu}
loss: {name: huber, delta: 0.5}
example:
  x: [1, -2]
  y: 3
""",
]
SCALAR_SPAN = re.compile(r"(?<=[\[{:,\s])[A-Za-z0-9_.+\-']+(?=[\]},\s]|$)", re.MULTILINE)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A valid spec with one to three edits of its text."""
    text = draw(st.sampled_from(VALID))
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["scalar", "scalar", "scalar", "delete", "double", "swap",
                                    "insert", "indent"]))
        if how == "scalar":
            spans = list(SCALAR_SPAN.finditer(text))
            if spans:
                span = draw(st.sampled_from(spans))
                value = draw(st.one_of(st.sampled_from(NUMBERS), flow()))
                text = text[:span.start()] + value + text[span.end():]
            continue
        lines = text.split("\n")
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        j = draw(st.integers(0, max(0, len(lines) - 1)))
        if how == "delete":
            del lines[min(i, j):max(i, j) + 1]
        elif how == "double":
            lines[i:i] = lines[min(i, j):max(i, j) + 1]
        elif how == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif how == "insert":
            lines.insert(i, draw(yamlish()))
        else:
            lines[i] = " " * draw(st.integers(1, 3)) + lines[i]
        text = "\n".join(lines)
    return text


NUMBER_SPAN = re.compile(r"(?<=[\[{:,\s])-?\d[\d.e+\-]*(?=[\]},\s]|$)", re.MULTILINE)


@st.composite
def renumbered(draw: st.DrawFn) -> str:
    """A valid spec whose example numbers are replaced by others (huge, tiny, negative,
    zero): still valid YAML, often a valid spec, so the numeric stages run."""
    text = draw(st.sampled_from(VALID))
    start = text.index("example:")            # the numbers of the worked example
    spans = [m for m in NUMBER_SPAN.finditer(text) if m.start() > start]
    for span in sorted(draw(st.lists(st.sampled_from(spans), min_size=1, max_size=4,
                                     unique_by=lambda m: m.start())),
                       key=lambda m: m.start(), reverse=True):
        text = text[:span.start()] + draw(st.sampled_from(EXTREMES)) + text[span.end():]
    return text


# --------------------------------------------------------------------------- checks


def _load_or_located_error(text: str, limits: Limits | None = None):  # type: ignore[no-untyped-def]
    """``load`` returns a Spec, or raises SpecErrors whose every line is located and one line."""
    try:
        return load_spec(text, FILE, limits=limits)
    except SpecErrors as err:
        assert isinstance(err, SpecError) and err.exit_code == 2
        lines = str(err).split("\n")
        assert len(lines) == min(len(err.errors), SpecErrors.SHOWN + 1)
        for e in err.errors:
            assert e.file == FILE and e.key
            lines_in_text = len(re.findall(r"\r\n|\r|\n", text)) + 1
            assert e.line is not None and 1 <= e.line <= lines_in_text + 1, (e.line, str(e))
            assert LINE.fullmatch(str(e)), str(e)
            assert not set(str(e)) & {"\r", "\x85", "\u2028", "\u2029"}, str(e)
        return None


@fuzz(400)
@given(st.one_of(yamlish(), st.text(max_size=200), st.text(YAML_SYNTAX, max_size=40)))
def test_yamlish_text_loads_or_fails_located(text: str) -> None:
    _load_or_located_error(text)


@fuzz(300)
@given(mutated())
def test_mutated_spec_loads_or_fails_located(text: str) -> None:
    _load_or_located_error(text)


def _moderate(worked) -> bool:  # type: ignore[no-untyped-def]
    """Every number of the example's first forward pass 0 or between 1e-8 and 1e8."""
    if worked is None:
        return True
    values = [abs(float(v)) for f in worked.first.forwards for v in f.env.values()]
    return all(v == 0 or 1e-8 <= v <= 1e8 for v in values)


# hypothesis found it: weights of 1e300 and 1e150 make a loss near 1e300, where a weight's slope
# of 1/4 is 1e-300 of the loss (the check took 50-digit differences of it and reported a
# false disagreement), and a layer-1 gradient 1e434 times smaller (the page said "inf times")
HUGE = ("title: Fuzz base\ninputs: [iq, cgpa]\nlayers:\n  - {units: 2, activation: sigmoid}\n"
        "  - {units: 1, activation: linear, bias: true}\nloss: squared_error\nreduction: mean\n"
        "example:\n  x: [[0.5, -1.0], [1.0, 2.0]]\n  y: [[1.0], [0.0]]\n  init:\n"
        "    - {W: [[1e300, -1e300], [3, 1000]], b: [0.5, -0.5]}\n"
        "    - {W: [[1e150, 0.25]], b: [0]}\n  learning_rate: 0.1\n  steps: 2\n  mode: batch\n")


@fuzz(60)
@given(renumbered())
@example(HUGE)
def test_mutated_spec_runs_through_or_fails_cleanly(text: str) -> None:
    """Small limits keep each run short; what loads is derived, worked, checked, rendered.
    Where the example's numbers are moderate the check finds nothing wrong (the derivation
    is right whatever the numbers: a disagreement there would be the check's own mistake).
    Far out, 50 digits may not hold the example itself (x = 1e200 + 1e100 minus y = 1e200
    is 0 to 50 digits, not 1e100): the check may then say so, in one line."""
    spec = _load_or_located_error(text, SMALL)
    if spec is None:
        return
    try:
        derivation = derive(build_network(spec))
        worked = work_example(derivation)
        report = check(derivation, worked)
        files = render(derivation, worked, report, stem="fuzz", formats=("md", "tex", "json"))
    except DeriveError as err:
        assert err.exit_code in (1, 2) and "\n" not in str(err), str(err)
        return
    if _moderate(worked):
        assert not report.disagreements, report.disagreements[:3]
    for name, content in files.items():
        if isinstance(content, str):
            assert not NON_FINITE.search(content), (name, NON_FINITE.search(content))


FORMULA_TOKENS = ["x1", "y", "yhat", "w_1_1_1", "b_1_1", "z_1_1", "a_1_1", "delta_1_1", "e", "2",
                  "0", "0.5", "999999999", "64", "+", "-", "*", "/", "^", "_", "'", "(", ")",
                  "{", "}", "[", "]", "|", r"\frac", r"\sqrt", r"\sigma", r"\tanh", r"\log",
                  r"\exp", r"\hat", r"\partial", r"\cdot", r"\left(", r"\right)", r"\input",
                  r"\write18", "=", ",", " ", "}}{{", "L", "σ", "\\", "&", "%", "#", "$"]


@fuzz(80)
@given(st.lists(st.sampled_from(FORMULA_TOKENS), max_size=40).map("".join),
       st.sampled_from(["w_1_1_1", "b_1_1", r"\frac{\partial L}{\partial w^{(1)}_{11}}",
                        r"\input{x}", "}{", ""]))
def test_claim_formulas_end_in_a_verdict(formula: str, parameter: str) -> None:
    """A claim is parsed and judged (or 'could not be read'); never an exception."""
    claim = f"{{parameter: {json.dumps(parameter)}, formula: {json.dumps(formula)}}}"
    text = ("inputs: 1\nlayers:\n  - {units: 1, activation: sigmoid}\nloss: squared_error\n"
            f"claims:\n  - {claim}\n")
    spec = _load_or_located_error(text)
    if spec is None:
        return
    results = verify_claims(derive(build_network(spec)))
    assert len(results) == 1
    assert results[0].status in ("proved", "equal at points", "differs", "unreadable")
    assert "\n" not in results[0].message
