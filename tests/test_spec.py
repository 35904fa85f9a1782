"""``spec.load``: YAML text -> ``Spec``, every problem located as FILE:LINE: KEY."""

from __future__ import annotations

import ast
import random
from pathlib import Path

import pytest

import derive

from derive.errors import DeriveError, SpecError, SpecErrors
from derive.registry.notations import DEFAULT_NOTATION, NOTATIONS
from derive.registry import ACTIVATIONS, LOSSES
from derive.spec import (EXAMPLE_KEYS, TOP_KEYS, Choice, Example, LayerInit, LayerSpec, Limits,
                         Spec, load)

FILE = "nets/s.yaml"
ACTIVATION_CHOICES = ", ".join(ACTIVATIONS.names())
LOSS_CHOICES = ", ".join(LOSSES.names())
TOP_CHOICES = ", ".join(sorted(TOP_KEYS))
EXAMPLE_CHOICES = ", ".join(sorted(EXAMPLE_KEYS))

BASE = """\
inputs: 1
layers:
  - {units: 1, activation: linear}
loss: squared_error
"""


def errors_of(text: str, file: str = FILE, **kwargs: object) -> SpecErrors:
    with pytest.raises(SpecErrors) as info:
        load(text, file, **kwargs)  # type: ignore[arg-type]
    return info.value


def only_error(text: str) -> SpecError:
    err = errors_of(text)
    assert len(err.errors) == 1, str(err)
    return err.errors[0]


def with_example(example: str, head: str = BASE) -> str:
    return head + "example:\n" + example


# --------------------------------------------------------------------------- valid specs


def test_registry_choices_are_listed_sorted() -> None:
    """Every 'one of ...' message below relies on names() being sorted (STYLE §5)."""
    assert {"title", "inputs", "layers", "loss", "reduction", "notation",
            "example"} <= set(TOP_KEYS)
    assert set(EXAMPLE_KEYS) == {"x", "y", "init", "learning_rate", "steps", "mode", "digits",
                                 "optimizer"}
    assert list(ACTIVATIONS.names()) == sorted(ACTIVATIONS.names())
    assert list(LOSSES.names()) == sorted(LOSSES.names())
    assert {"linear", "sigmoid", "tanh", "relu"} <= set(ACTIVATIONS.names())
    assert {"squared_error", "half_squared_error"} <= set(LOSSES.names())


def test_full_spec_round_trips_into_dataclasses() -> None:
    text = """\
title: The 9 derivatives of a 2-2-1 network
inputs: [iq, cgpa]
layers:
  - units: 2
    activation: sigmoid
  - units: 1
    activation: linear
    bias: false
loss: half_squared_error
reduction: sum
notation: nielsen
example:
  x: [2.0, 3.0]
  y: [1.0]
  init:
    - {W: [[1, 2], [3, 4]], b: [0.5, -0.5]}
    - {W: [[-1, 0.25]]}
  learning_rate: 0.25
  steps: 3
  mode: sgd
"""
    spec = load(text, FILE)
    expected = Spec(
        title="The 9 derivatives of a 2-2-1 network",
        inputs=("iq", "cgpa"),
        layers=(LayerSpec(2, Choice("sigmoid")), LayerSpec(1, Choice("linear"), False)),
        loss=Choice("half_squared_error"),
        reduction="sum",
        notation="nielsen",
        example=Example(x=((2.0, 3.0),), y=((1.0,),),
                        init=(LayerInit(((1.0, 2.0), (3.0, 4.0)), (0.5, -0.5)),
                              LayerInit(((-1.0, 0.25),), ())),
                        learning_rate=0.25, steps=3, mode="sgd"),
        file=FILE,
    )
    assert spec == expected
    assert spec.line_of("layers[1].bias") == 8
    assert spec.line_of("example.init") == 16
    assert spec.line_of("example.mode") == 20
    assert spec.line_of("nowhere") is None


def test_inputs_by_count_are_named_x1_x2() -> None:
    spec = load(BASE.replace("inputs: 1", "inputs: 2"), FILE)
    assert spec.inputs == ("x1", "x2")


def test_defaults_bias_reduction_notation_title() -> None:
    spec = load(BASE, FILE)
    assert spec.layers == (LayerSpec(1, Choice("linear"), True),)
    assert spec.layers[0].bias is True
    assert spec.reduction == "mean"
    assert spec.notation == DEFAULT_NOTATION and DEFAULT_NOTATION in NOTATIONS
    assert spec.example is None
    assert spec.title == FILE
    assert load(BASE, FILE, default_title="s").title == "s"


def test_activation_and_loss_are_choices_by_name() -> None:
    spec = load(BASE.replace("linear", "tanh").replace("squared_error", "half_squared_error"),
                FILE)
    assert spec.layers[0].activation == Choice("tanh", ())
    assert spec.loss == Choice("half_squared_error", ())


def test_choice_may_be_written_as_a_mapping_with_name() -> None:
    text = BASE.replace("activation: linear", "activation: {name: relu}")
    text = text.replace("loss: squared_error", "loss: {name: squared_error}")
    spec = load(text, FILE)
    assert spec.layers[0].activation == Choice("relu")
    assert spec.loss == Choice("squared_error")


def test_example_one_sample_is_one_row() -> None:
    spec = load(with_example("  x: [2]\n  y: [1]\n"), FILE)
    assert spec.example == Example(x=((2.0,),), y=((1.0,),),
                                   init=(LayerInit(((1.0,),), (0.0,)),))
    assert (spec.example.learning_rate, spec.example.steps, spec.example.mode) == (0.1, 1, "batch")


def test_example_scalar_sample_for_one_input() -> None:
    spec = load(with_example("  x: 2\n  y: -1\n"), FILE)
    assert spec.example is not None
    assert (spec.example.x, spec.example.y) == (((2.0,),), ((-1.0,),))


def test_example_batch_is_rows_of_samples() -> None:
    head = BASE.replace("inputs: 1", "inputs: 2").replace("units: 1", "units: 2")
    spec = load(with_example("  x: [[1, 2], [3, 4], [5, 6]]\n  y: [[1, 0], [0, 1], [1, 1]]\n",
                             head), FILE)
    assert spec.example is not None
    assert spec.example.x == ((1.0, 2.0), (3.0, 4.0), (5.0, 6.0))
    assert spec.example.y == ((1.0, 0.0), (0.0, 1.0), (1.0, 1.0))


TWO_LAYERS = """\
inputs: 2
layers:
  - {units: 3, activation: tanh}
  - {units: 1, activation: linear, bias: false}
loss: squared_error
"""


def test_init_default_is_w1_b0_for_every_layer() -> None:
    spec = load(with_example("  x: [1, 2]\n  y: [0]\n", TWO_LAYERS), FILE)
    assert spec.example is not None
    assert spec.example.init == (LayerInit(((1.0, 1.0),) * 3, (0.0,) * 3),
                                 LayerInit(((1.0, 1.0, 1.0),), ()))


def test_init_constants_fill_every_layer() -> None:
    spec = load(with_example("  x: [1, 2]\n  y: [0]\n  init: {W: 0.5, b: -2}\n", TWO_LAYERS),
                FILE)
    assert spec.example is not None
    assert spec.example.init == (LayerInit(((0.5, 0.5),) * 3, (-2.0,) * 3),
                                 LayerInit(((0.5, 0.5, 0.5),), ()))


def test_init_per_layer_explicit_and_scalar_broadcast() -> None:
    init = ("  init:\n"
            "    - {W: [[1, 2], [3, 4], [5, 6]], b: 7}\n"
            "    - {W: -1}\n")
    spec = load(with_example("  x: [1, 2]\n  y: [0]\n" + init, TWO_LAYERS), FILE)
    assert spec.example is not None
    assert spec.example.init == (LayerInit(((1.0, 2.0), (3.0, 4.0), (5.0, 6.0)), (7.0,) * 3),
                                 LayerInit(((-1.0, -1.0, -1.0),), ()))


def test_init_missing_b_defaults_to_zero() -> None:
    init = "  init:\n    - {W: [[1, 2], [3, 4], [5, 6]]}\n    - {W: [[1, 1, 1]]}\n"
    spec = load(with_example("  x: [1, 2]\n  y: [0]\n" + init, TWO_LAYERS), FILE)
    assert spec.example is not None
    assert spec.example.init[0].b == (0.0, 0.0, 0.0)


def _draws(seed: int, count: int) -> list[float]:
    rng = random.Random(seed)
    return [rng.uniform(-1.0, 1.0) for _ in range(count)]


def test_init_seed_uniform_draws_w_then_b_row_major() -> None:
    text = with_example("  x: [1, 2]\n  y: [0]\n  init: {seed: 7, scheme: uniform}\n", TWO_LAYERS)
    spec = load(text, FILE)
    assert spec.example is not None
    d = _draws(7, 6 + 3 + 3)
    assert spec.example.init == (
        LayerInit(((d[0], d[1]), (d[2], d[3]), (d[4], d[5])), (d[6], d[7], d[8])),
        LayerInit(((d[9], d[10], d[11]),), ()),
    )
    assert spec == load(text, FILE)   # a seed always gives the same numbers
    values = [v for layer in spec.example.init for row in layer.W for v in row]
    values += [v for layer in spec.example.init for v in layer.b]
    assert all(-1.0 <= v <= 1.0 for v in values)
    assert len(set(values)) == len(values)


def test_init_seed_scheme_defaults_to_uniform_and_seeds_differ() -> None:
    one = load(with_example("  x: [1, 2]\n  y: [0]\n  init: {seed: 3}\n", TWO_LAYERS), FILE)
    named = load(with_example("  x: [1, 2]\n  y: [0]\n  init: {seed: 3, scheme: uniform}\n",
                              TWO_LAYERS), FILE)
    other = load(with_example("  x: [1, 2]\n  y: [0]\n  init: {seed: 4}\n", TWO_LAYERS), FILE)
    assert one == named
    assert one.example is not None and other.example is not None
    assert one.example.init != other.example.init


def test_init_xavier_uniform_is_within_its_limit() -> None:
    text = with_example("  x: [1, 2]\n  y: [0]\n  init: {seed: 1, scheme: xavier_uniform}\n",
                        TWO_LAYERS)
    spec = load(text, FILE)
    assert spec.example is not None
    first, second = spec.example.init
    assert all(abs(v) <= (6 / (2 + 3)) ** 0.5 for row in first.W for v in row)
    assert all(abs(v) <= (6 / (3 + 1)) ** 0.5 for row in second.W for v in row)
    assert spec == load(text, FILE)


# --------------------------------------------------------------------------- YAML traps


def test_exponent_without_dot_is_a_number() -> None:
    """YAML 1.1 reads ``1e-3`` as a string; the user means 0.001."""
    spec = load(with_example("  x: [1e2]\n  y: [-2E-1]\n  learning_rate: 1e-3\n"), FILE)
    assert spec.example is not None
    assert spec.example.learning_rate == 0.001
    assert spec.example.x == ((100.0,),)
    assert spec.example.y == ((-0.2,),)


def test_leading_zero_is_decimal_not_octal() -> None:
    spec = load(BASE.replace("units: 1", "units: 010"), FILE)
    assert spec.layers[0].units == 10
    spec = load(with_example("  x: [010]\n  y: [1]\n  steps: 010\n"), FILE)
    assert spec.example is not None
    assert spec.example.x == ((10.0,),) and spec.example.steps == 10


def test_underscores_and_bare_dots_in_numbers() -> None:
    spec = load(with_example("  x: [.5]\n  y: [5.]\n  steps: 1_0\n"), FILE)
    assert spec.example is not None
    assert (spec.example.x, spec.example.y, spec.example.steps) == (((0.5,),), ((5.0,),), 10)


def test_norway_words_are_input_names() -> None:
    spec = load(BASE.replace("inputs: 1", "inputs: [no, yes, off, on, null]"), FILE)
    assert spec.inputs == ("no", "yes", "off", "on", "null")


def test_yes_no_are_booleans_for_bias() -> None:
    assert load(BASE.replace("linear}", "linear, bias: no}"), FILE).layers[0].bias is False
    assert load(BASE.replace("linear}", "linear, bias: yes}"), FILE).layers[0].bias is True


def test_duplicate_key_is_an_error() -> None:
    err = only_error("inputs: 1\n" + BASE)
    assert (err.file, err.line, err.key) == (FILE, 2, "inputs")
    assert str(err) == f"{FILE}:2: inputs: expected each key once, got a duplicate key"


def test_duplicate_key_inside_a_flow_mapping() -> None:
    err = only_error(BASE.replace("{units: 1,", "{units: 1, units: 2,"))
    assert str(err) == f"{FILE}:3: layers[0].units: expected each key once, got a duplicate key"


ALIAS = """\
inputs: 1
layers:
  - &layer {units: 1, activation: linear}
  - *layer
loss: squared_error
"""


def test_aliases_are_written_out() -> None:
    """An alias stands for its anchor's value (bounded: see test_hostile_input)."""
    spec = load(ALIAS, FILE)
    assert [layer.units for layer in spec.layers] == [1, 1]


def test_yaml_syntax_error_is_located() -> None:
    with pytest.raises(SpecError) as info:
        load("inputs: [1\nlayers: 2\n", FILE)
    err = info.value
    assert (err.file, err.line, err.key) == (FILE, 2, "(yaml)")
    assert str(err) == (f"{FILE}:2: (yaml): expected valid YAML, "
                        "got expected ',' or ']', but got ':'")
    assert isinstance(err.__cause__, Exception)


def test_deep_nesting_is_refused() -> None:
    text = with_example("  x: " + "[" * 25 + "]" * 25 + "\n  y: [1]\n")
    with pytest.raises(SpecError) as info:
        load(text, FILE)
    assert str(info.value) == (f"{FILE}:6: (yaml): expected at most 20 levels of nesting, "
                               "got deeper nesting")


def test_two_documents_are_refused() -> None:
    with pytest.raises(SpecError) as info:
        load(BASE + "---\n" + BASE, FILE)
    assert (info.value.line, info.value.key) == (5, "(yaml)")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(text: str) -> None:
    err = only_error(text)
    assert (err.file, err.line, err.key) == (FILE, 1, "(file)")
    assert str(err) == (f"{FILE}:1: (file): expected a spec with inputs, layers and loss, "
                        "got an empty file")


# --------------------------------------------------------------------------- error format


def test_misspelled_activation_has_a_hint() -> None:
    text = BASE.replace("  - {units: 1, activation: linear}",
                        "  - {units: 1, activation: linear}\n  - {units: 1, activation: sigmod}")
    err = only_error(text)
    assert (err.file, err.line, err.key) == (FILE, 4, "layers[1].activation")
    assert err.hint == "did you mean 'sigmoid'?"
    assert str(err) == (f"{FILE}:4: layers[1].activation: expected one of {ACTIVATION_CHOICES}, "
                        "got 'sigmod'; did you mean 'sigmoid'?")


def test_misspelled_loss_and_top_key_have_hints() -> None:
    err = errors_of(BASE.replace("loss: squared_error", "loss: squared_eror\ntitel: t"))
    assert [str(e) for e in err.errors] == [
        f"{FILE}:4: loss: expected one of {LOSS_CHOICES}, got 'squared_eror'; "
        "did you mean 'squared_error'?",
        f"{FILE}:5: titel: expected one of {TOP_CHOICES}, got 'titel'; did you mean 'title'?",
    ]


def test_unknown_name_far_from_any_choice_has_no_hint() -> None:
    err = only_error(BASE.replace("loss: squared_error", "loss: banana"))
    assert err.hint == ""
    assert str(err) == f"{FILE}:4: loss: expected one of {LOSS_CHOICES}, got 'banana'"


def test_another_tools_name_is_refused_with_ours_as_the_guess() -> None:
    err = only_error(BASE.replace("loss: squared_error", "loss: mse"))
    assert str(err) == (f"{FILE}:4: loss: expected one of {LOSS_CHOICES}, got 'mse'; "
                        "did you mean 'squared_error'?")


def test_misspelled_words_in_example() -> None:
    text = (BASE + "reduction: maen\nexample:\n  x: [1]\n  y: [1]\n"
            "  learning_rte: 0.1\n  mode: sgdd\n")
    assert str(errors_of(text)) == "\n".join([
        f"{FILE}:5: reduction: expected one of mean, sum, got 'maen'; did you mean 'mean'?",
        f"{FILE}:9: example.learning_rte: expected one of {EXAMPLE_CHOICES}, "
        "got 'learning_rte'; did you mean 'learning_rate'?",
        f"{FILE}:10: example.mode: expected one of batch, sgd, got 'sgdd'; did you mean 'sgd'?",
    ])


def test_misspelled_notation_and_init_scheme() -> None:
    text = "notation: nielson\n" + with_example(
        "  x: [1]\n  y: [1]\n  init: {seed: 1, scheme: unifrom}\n")
    assert str(errors_of(text)) == "\n".join([
        f"{FILE}:1: notation: expected one of {', '.join(sorted(NOTATIONS))}, got 'nielson'; "
        "did you mean 'nielsen'?",
        f"{FILE}:9: example.init.scheme: expected one of uniform, xavier_uniform, "
        "got 'unifrom'; did you mean 'uniform'?",
    ])


MANY = """\
titl: x
inputs: [x]
layers:
  - units: 0
    activation: reluu
    bias: maybe
reduction: avg
loss: mse
"""


def test_several_problems_are_all_reported_sorted_by_line() -> None:
    err = errors_of(MANY)
    assert [(e.file, e.line, e.key) for e in err.errors] == [
        (FILE, 1, "titl"), (FILE, 4, "layers[0].units"), (FILE, 5, "layers[0].activation"),
        (FILE, 6, "layers[0].bias"), (FILE, 7, "reduction"), (FILE, 8, "loss"),
    ]
    assert str(err) == "\n".join([
        f"{FILE}:1: titl: expected one of {TOP_CHOICES}, got 'titl'; did you mean 'title'?",
        f"{FILE}:4: layers[0].units: expected a whole number >= 1, got '0'",
        f"{FILE}:5: layers[0].activation: expected one of {ACTIVATION_CHOICES}, got 'reluu'; "
        "did you mean 'relu'?",
        f"{FILE}:6: layers[0].bias: expected true, false or shared, got 'maybe'",
        f"{FILE}:7: reduction: expected one of mean, sum, got 'avg'",
        f"{FILE}:8: loss: expected one of {LOSS_CHOICES}, got 'mse'; "
        "did you mean 'squared_error'?",
    ])
    # the aggregate carries the first problem's fields and the exit code of bad input
    assert (err.file, err.line, err.key) == (FILE, 1, "titl")
    assert err.exit_code == 2
    assert isinstance(err, DeriveError)


def test_missing_required_keys() -> None:
    err = errors_of("inputs: 1\nlayers:\n  - {activation: linear}\n")
    assert str(err) == "\n".join([
        f"{FILE}:1: loss: expected a value, got nothing; add 'loss:'",
        f"{FILE}:3: layers[0].units: expected a value, got nothing; add 'units:'",
    ])


def test_missing_example_x_and_y() -> None:
    assert str(errors_of(BASE + "example: {}\n")) == "\n".join([
        f"{FILE}:5: example.x: expected a value, got nothing; add 'x:'",
        f"{FILE}:5: example.y: expected a value, got nothing; add 'y:'",
    ])


@pytest.mark.parametrize("text, message", [
    ("inputs: []\n" + BASE.split("\n", 1)[1],
     "1: inputs: expected at least one input, got a list of 0"),
    (BASE.replace("  - {units: 1, activation: linear}\n", "").replace("layers:", "layers: []"),
     "2: layers: expected at least one layer (the output layer), got a list of 0"),
    (BASE.replace("layers:\n  - {units: 1, activation: linear}", "layers: 3"),
     "2: layers: expected a list of layers, got '3'"),
    (BASE.replace("{units: 1, activation: linear}", "3"),
     "3: layers[0]: expected a mapping, got '3'"),
    (BASE.replace("loss: squared_error", "loss: [squared_error]"),
     f"4: loss: expected one of {LOSS_CHOICES}, got a list of 1"),
    (BASE.replace("loss: squared_error", "loss: {}"),
     f"4: loss.name: expected one of {LOSS_CHOICES}, got a mapping"),
    (BASE.replace("inputs: 1", "inputs: '1'"),
     "1: inputs: expected a whole number >= 1, got '1'; write the number without quotes"),
    (BASE.replace("inputs: 1", "inputs: {a: 1}"),
     "1: inputs: expected a list of input names or a count, got a mapping"),
    (BASE.replace("inputs: 1", "inputs: [a, b, a]"),
     "1: inputs[2]: expected unique input names, got 'a'"),
    (BASE.replace("inputs: 1", "inputs: [1abc]"),
     "1: inputs[0]: expected a name of letters, digits and _ starting with a letter "
     "(at most 32 characters), got '1abc'"),
    (BASE.replace("inputs: 1", "inputs: [" + "a" * 33 + "]"),
     "1: inputs[0]: expected a name of letters, digits and _ starting with a letter "
     f"(at most 32 characters), got '{'a' * 33}'"),
    (BASE.replace("units: 1", "units: 1.5"),
     "3: layers[0].units: expected a whole number >= 1, got '1.5'"),
    (BASE.replace("linear}", "linear, bias: 1}"),
     "3: layers[0].bias: expected true, false or shared, got '1'"),
    (BASE.replace("linear}", "linear, bias: 'true'}"),
     "3: layers[0].bias: expected true, false or shared, got 'true'"),
    (BASE.replace("activation: linear", "activation: {name: linear, slope: 2}"),
     "3: layers[0].activation.slope: expected one of name, got 'slope'"),
    ('title: "a\\tb"\n' + BASE,
     "1: title: expected one line of text without control characters, got 'a\\tb'"),
    ("title: [a]\n" + BASE, "1: title: expected text, got a list of 1"),
])
def test_type_and_value_errors(text: str, message: str) -> None:
    assert str(only_error(text)) == f"{FILE}:{message}"


@pytest.mark.parametrize("value", ["[1]", "{a: 1}"])
def test_bias_given_a_collection_is_a_spec_error(value: str) -> None:
    err = only_error(BASE.replace("linear}", f"linear, bias: {value}}}"))
    assert (err.line, err.key) == (3, "layers[0].bias")
    assert err.expected == "true, false or shared"


def test_root_that_is_not_a_mapping_has_a_key() -> None:
    err = only_error("- 1\n- 2\n")
    assert err.line == 1
    assert err.key != ""
    assert ": : " not in str(err)


def test_options_of_registry_entries() -> None:
    text = BASE.replace("activation: linear", "activation: {name: leaky_relu, slope: 0.2}")
    text = text.replace("loss: squared_error", "loss: {name: huber, delta: 0.5}")
    spec = load(text, FILE)
    assert spec.layers[0].activation == Choice("leaky_relu", (("slope", 0.2),))
    assert spec.loss == Choice("huber", (("delta", 0.5),))
    spec = load(BASE.replace("linear", "elu").replace("squared_error", "huber"), FILE)
    assert spec.layers[0].activation == Choice("elu", (("alpha", 1.0),))
    assert spec.loss == Choice("huber", (("delta", 1.0),))


def test_bad_options_of_registry_entries() -> None:
    text = BASE.replace("activation: linear", "activation: {name: leaky_relu, slope: -1}")
    text = text.replace("loss: squared_error", "loss: {name: huber, delta: 0, delt: 3}")
    assert str(errors_of(text)) == "\n".join([
        f"{FILE}:3: layers[0].activation.slope: expected a number >= 0, got '-1'",
        f"{FILE}:4: loss.delt: expected one of delta, name, got 'delt'; did you mean 'delta'?",
        f"{FILE}:4: loss.delta: expected a number > 0, got '0'",
    ])


def test_softmax_only_on_the_output_layer() -> None:
    text = BASE.replace("  - {units: 1, activation: linear}",
                        "  - {units: 2, activation: softmax}\n  - {units: 1, activation: linear}")
    assert str(only_error(text)) == (
        f"{FILE}:3: layers[0].activation: expected an elementwise activation "
        "(softmax only on the output layer), got 'softmax'")


def test_loss_that_needs_an_output_activation() -> None:
    text = BASE.replace("linear", "sigmoid").replace("loss: squared_error", "loss: cross_entropy")
    assert str(only_error(text)) == (f"{FILE}:4: loss: expected an output layer with activation "
                                     "softmax for cross_entropy, got 'sigmoid'")


def test_targets_a_loss_accepts() -> None:
    head = BASE.replace("linear", "sigmoid").replace("squared_error", "binary_cross_entropy")
    assert str(only_error(with_example("  x: [1]\n  y: [1.5]\n", head))) == (
        f"{FILE}:7: example.y: expected targets in [0, 1] for binary_cross_entropy, got [1.5]")
    head = BASE.replace("{units: 1, activation: linear}", "{units: 2, activation: softmax}")
    head = head.replace("squared_error", "cross_entropy")
    assert str(only_error(with_example("  x: [1]\n  y: [0.5, 0.6]\n", head))) == (
        f"{FILE}:7: example.y: expected targets of each sample summing to 1 for cross_entropy, "
        "got [0.5, 0.6] (sum 1.1)")
    assert load(with_example("  x: [1]\n  y: [0.25, 0.75]\n", head), FILE).example is not None


# --------------------------------------------------------------------------- shapes


def test_weight_rows_of_the_wrong_width() -> None:
    head = BASE.replace("inputs: 1", "inputs: 2").replace("units: 1", "units: 2")
    text = with_example("  x: [1, 2]\n  y: [1, 2]\n  init:\n"
                        "    - {W: [[1, 2, 3], [1, 2, 3]], b: [0, 0]}\n", head)
    err = errors_of(text)
    assert [(e.line, e.key) for e in err.errors] == [
        (9, "example.init[0].W[0]"), (9, "example.init[0].W[1]")]
    assert str(err.errors[0]) == (f"{FILE}:9: example.init[0].W[0]: expected a list of 2 numbers "
                                  "(one per input of the layer), got 3 numbers")


def test_weight_with_too_few_rows_and_short_bias() -> None:
    head = BASE.replace("inputs: 1", "inputs: 2").replace("units: 1", "units: 2")
    text = with_example("  x: [1, 2]\n  y: [1, 2]\n  init:\n    - {W: [[1, 2]], b: [0]}\n", head)
    assert str(errors_of(text)) == "\n".join([
        f"{FILE}:9: example.init[0].W: expected 2 rows (units x fan_in = 2 x 2), got 1 rows",
        f"{FILE}:9: example.init[0].b: expected a list of 2 numbers (one per unit of the layer), "
        "got 1 numbers",
    ])


def test_weight_transposed_is_refused() -> None:
    """W is units x fan_in (nn.Linear); a fan_in x units matrix is the classic slip."""
    text = with_example("  x: [1, 2]\n  y: [0]\n  init:\n"
                        "    - {W: [[1, 2, 3], [4, 5, 6]]}\n    - {W: [[1, 1, 1]]}\n", TWO_LAYERS)
    err = errors_of(text)
    assert err.errors[0].key == "example.init[0].W"
    assert err.errors[0].expected == "3 rows (units x fan_in = 3 x 2)"
    assert err.errors[0].got_text == "2 rows"


def test_bias_given_for_a_layer_without_bias() -> None:
    text = with_example("  x: [1, 2]\n  y: [0]\n  init:\n"
                        "    - {W: 1}\n    - {W: [[1, 1, 1]], b: [0]}\n", TWO_LAYERS)
    assert str(only_error(text)) == (f"{FILE}:11: example.init[1].b: expected no b "
                                     "(the layer has bias: false), got a list of 1")


def test_init_needs_one_entry_per_layer() -> None:
    text = with_example("  x: [1, 2]\n  y: [0]\n  init:\n    - {W: 1}\n", TWO_LAYERS)
    assert str(only_error(text)) == (f"{FILE}:10: example.init: expected 2 entries "
                                     "(one per layer), got 1 entries")


def test_x_and_y_of_the_wrong_width() -> None:
    head = BASE.replace("inputs: 1", "inputs: 2")
    assert str(errors_of(with_example("  x: [1, 2, 3]\n  y: [1, 2]\n", head))) == "\n".join([
        f"{FILE}:6: example.x: expected a list of 2 numbers (one per input), got 3 numbers",
        f"{FILE}:7: example.y: expected a list of 1 numbers (one per output), got 2 numbers",
    ])


def test_batch_row_of_the_wrong_width() -> None:
    head = BASE.replace("inputs: 1", "inputs: 2")
    err = only_error(with_example("  x: [[1, 2], [3]]\n  y: [[1], [2]]\n", head))
    assert (err.line, err.key) == (6, "example.x[1]")
    assert err.got_text == "1 numbers"


def test_x_and_y_with_different_sample_counts() -> None:
    head = BASE.replace("inputs: 1", "inputs: 2")
    err = only_error(with_example("  x: [[1, 2], [3, 4]]\n  y: [[1], [2], [3]]\n", head))
    assert str(err) == (f"{FILE}:7: example.y: expected 2 samples (as many as example.x), "
                        "got 3 samples")


def test_non_numbers_in_samples() -> None:
    assert str(errors_of(with_example("  x: [abc]\n  y: ['1']\n"))) == "\n".join([
        f"{FILE}:6: example.x[0]: expected a finite number, got 'abc'",
        f"{FILE}:7: example.y[0]: expected a finite number, got '1'; write the number without quotes",
    ])


def test_non_finite_numbers_are_refused() -> None:
    assert str(errors_of(with_example("  x: [.inf]\n  y: [1e400]\n"))) == "\n".join([
        f"{FILE}:6: example.x[0]: expected a finite number, got '.inf'",
        f"{FILE}:7: example.y[0]: expected a finite number, got '1e400'",
    ])


# --------------------------------------------------------------------------- ranges and limits


def test_units_zero() -> None:
    assert str(only_error(BASE.replace("units: 1", "units: 0"))) == (
        f"{FILE}:3: layers[0].units: expected a whole number >= 1, got '0'")


def test_inputs_zero_and_negative() -> None:
    assert str(only_error(BASE.replace("inputs: 1", "inputs: 0"))) == (
        f"{FILE}:1: inputs: expected a whole number >= 1, got '0'")
    assert str(only_error(BASE.replace("inputs: 1", "inputs: -3"))) == (
        f"{FILE}:1: inputs: expected a whole number >= 1, got '-3'")


def test_learning_rate_zero_and_steps_negative() -> None:
    err = errors_of(with_example("  x: [1]\n  y: [1]\n  learning_rate: 0\n  steps: -1\n"))
    assert str(err) == "\n".join([
        f"{FILE}:8: example.learning_rate: expected a number > 0, got '0'",
        f"{FILE}:9: example.steps: expected a whole number >= 0, got '-1'",
    ])


def test_steps_zero_is_allowed() -> None:
    spec = load(with_example("  x: [1]\n  y: [1]\n  steps: 0\n"), FILE)
    assert spec.example is not None and spec.example.steps == 0


def test_negative_seed() -> None:
    assert str(only_error(with_example("  x: [1]\n  y: [1]\n  init: {seed: -1}\n"))) == (
        f"{FILE}:8: example.init.seed: expected a whole number >= 0, got '-1'")


def test_size_limits_have_a_hint() -> None:
    assert str(only_error(BASE.replace("units: 1", "units: 1001"))) == (
        f"{FILE}:3: layers[0].units: expected at most 1000, got '1001'; "
        "raise it with --no-limits")
    assert str(only_error(with_example("  x: [1]\n  y: [1]\n  steps: 1001\n"))) == (
        f"{FILE}:8: example.steps: expected at most 1000, got '1001'; raise it with --no-limits")
    big = BASE.replace("inputs: 1", "inputs: 100").replace("units: 1", "units: 300")
    assert str(only_error(big)) == (f"{FILE}:3: layers: expected at most 5000 parameters, "
                                    "got 30300 parameters; raise it with --no-limits")


def test_limits_can_be_lowered_and_lifted() -> None:
    text = BASE.replace("inputs: 1", "inputs: 3")
    err = only_error_with_limits(text, Limits(parameters=3))
    assert (err.line, err.key, err.got_text) == (3, "layers", "4 parameters")
    big = BASE.replace("inputs: 1", "inputs: 100").replace("units: 1", "units: 300")
    spec = load(big, FILE, limits=Limits(parameters=10**9))
    assert spec.layers[0].units == 300


def only_error_with_limits(text: str, limits: Limits) -> SpecError:
    err = errors_of(text, limits=limits)
    assert len(err.errors) == 1
    return err.errors[0]


def test_only_yaml_nodes_imports_yaml() -> None:
    """The package reads YAML nodes through ``spec.yaml_nodes`` alone (STYLE §1)."""
    package = Path(derive.__file__).parent
    importers = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                     else [])
            if any(name == "yaml" or name.startswith("yaml.") for name in names):
                importers.add(path.relative_to(package).as_posix())
    assert importers == {"spec/yaml_nodes.py"}


def test_a_key_written_in_the_wrong_section_says_where_it_goes() -> None:
    """A layer's ``formula`` belongs to its activation, and ``steps`` to the example: the
    line says so, and the key it stands for is not also reported missing."""
    text = BASE.replace("{units: 1, activation: linear}", "{units: 1, formula: 'z*sigmoid(z)'}")
    assert str(errors_of(text)) == (
        f"{FILE}:3: layers[0].formula: expected one of activation, add, bias, name, trainable, "
        "units, got 'formula'; a formula goes in the activation: "
        "activation: {name: NAME, formula: ...}")
    assert str(errors_of(BASE + "steps: 3\n")) == (
        f"{FILE}:5: steps: expected one of {TOP_CHOICES}, got 'steps'; steps goes under example:")
