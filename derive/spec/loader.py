"""YAML text -> ``Spec``: the only module that imports yaml.

The text is composed (not constructed) with PyYAML's SafeLoader so that every
value keeps its line; each value is then read by a small typed reader that
records every problem instead of stopping at the first. Numbers are read from
the scalar's text, so YAML 1.1 traps (``1e3`` as a string, ``010`` as octal)
mean what the user wrote. Aliases (alias bombs), explicit tags (``!!python/...``),
deep nesting and oversized texts are refused before any value is read.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction

import yaml

from ..errors import SpecError, SpecErrors
from ..registry import DEFAULT_NOTATION, NOTATIONS
from ..registry import ACTIVATIONS, INIT_SCHEMES, LOSSES, Registry

__all__ = ["Choice", "LayerSpec", "LayerInit", "Example", "Claim", "Limits", "Spec", "load"]

NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
MAX_DEPTH = 20
MAX_SHOWN = 60            # characters of a value quoted in an error message
# Characters a one-line text may not hold: controls (C0, C1), lone surrogates, line and
# paragraph separators, and the bidirectional overrides that reorder what a reader sees.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True, slots=True)
class Choice:
    """A registry name with its options, e.g. ``huber`` with ``(("delta", 0.5),)``."""

    name: str
    options: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class LayerSpec:
    """One layer as the spec wrote it."""

    units: int
    activation: Choice
    bias: bool = True


@dataclass(frozen=True, slots=True)
class LayerInit:
    """Initial values of one layer: W is units x fan_in; b is empty without a bias."""

    W: tuple[tuple[float, ...], ...]
    b: tuple[float, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Example:
    """Worked numbers: samples are rows of ``x`` and ``y``."""

    x: tuple[tuple[float, ...], ...]
    y: tuple[tuple[float, ...], ...]
    init: tuple[LayerInit, ...]
    learning_rate: float = 0.1
    steps: int = 1
    mode: str = "batch"


@dataclass(frozen=True, slots=True)
class Claim:
    """A hand-written result to verify: ``parameter`` and ``formula`` as an author writes them."""

    parameter: str
    formula: str
    line: int
    syntax: str = "latex"
    expect: str = "equal"     # "different" marks a known mistake the page shows as such
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Sizes that keep one run bounded (about a minute at most); ``--no-limits`` lifts them.

    ``evaluations`` bounds the worked example: parameters x samples per update x (steps + 1).
    """

    parameters: int = 5_000
    layers: int = 16
    units: int = 1_000
    batch: int = 256
    steps: int = 1_000
    evaluations: int = 200_000
    claims: int = 50
    bytes: int = 1_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Spec:
    """A validated spec; ``lines`` maps key paths to 1-based source lines."""

    title: str
    inputs: tuple[str, ...]
    layers: tuple[LayerSpec, ...]
    about: str = ""
    loss: Choice
    reduction: str = "mean"
    notation: str = DEFAULT_NOTATION
    example: Example | None = None
    claims: tuple[Claim, ...] = ()
    file: str = "<spec>"
    lines: tuple[tuple[str, int], ...] = field(default=(), compare=False)

    def line_of(self, key: str) -> int | None:
        return dict(self.lines).get(key)

    def batch_scale(self, samples: int) -> Fraction:
        """The factor the reduction puts on a sum of ``samples`` per-sample losses: 1/N or 1.

        The one place the reduction is applied; callers convert it to their number type.
        """
        return Fraction(1, samples) if self.reduction == "mean" else Fraction(1)


# --------------------------------------------------------------------------- YAML


_YAML_TAG = "tag:yaml.org,2002:"


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses aliases, explicit tags and deep nesting while composing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise SpecError("(yaml)", "no anchors or aliases", got_text="an alias",
                            line=event.start_mark.line + 1)
        tag = getattr(event, "tag", None)
        if tag is not None:
            shown = "!!" + tag[len(_YAML_TAG):] if tag.startswith(_YAML_TAG) else tag
            raise SpecError("(yaml)", "plain values without tags", got_text=_shorten(shown),
                            line=event.start_mark.line + 1)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise SpecError("(yaml)", f"at most {MAX_DEPTH} levels of nesting",
                            got_text="deeper nesting", line=self.peek_event().start_mark.line + 1)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_BREAKS = re.compile(r"\r\n|\r|\n")
# YAML 1.1 also breaks lines at NEL, LS and PS, which editors do not show: refused, so that
# every line number means what the user sees.
_HIDDEN_BREAK = re.compile("[\x85\u2028\u2029]")


def _line_at(text: str, position: int) -> int:
    """The 1-based line of ``text[position]``, lines ending at \\r\\n, \\r or \\n."""
    return len(_BREAKS.findall(text, 0, position)) + 1


def _compose(text: str, file: str) -> yaml.Node | None:
    """The document's node tree; any YAML-level problem is a one-line ``SpecErrors``."""
    try:
        return yaml.compose(text, Loader=_Loader)
    except SpecError as exc:
        exc.file = file
        raise SpecErrors([exc]) from None
    except yaml.reader.ReaderError as exc:
        line = _line_at(text, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        error = SpecError("(yaml)", "text without control characters",
                          got_text=f"character U+{code:04X}", file=file, line=line)
        raise SpecErrors([error]) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = str(exc.problem or exc.context or "a syntax error")
        if problem.startswith("but ") and exc.context:     # "expected a single document ..."
            problem = f"{exc.context} {problem}"
        problem = " ".join(problem.split())
        error = SpecError("(yaml)", "valid YAML", got_text=problem, file=file, line=line)
        raise SpecErrors([error]) from exc
    except yaml.YAMLError as exc:
        error = SpecError("(yaml)", "valid YAML", got_text=" ".join(str(exc).split()),
                          file=file, line=1)
        raise SpecErrors([error]) from exc


# --------------------------------------------------------------------------- reader


def _shorten(value: str) -> str:
    """``repr`` of a value for an error line, cut to ``MAX_SHOWN`` characters."""
    if len(value) > MAX_SHOWN:
        return repr(value[:MAX_SHOWN]) + f" ({len(value)} characters)"
    return repr(value)


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return _shorten(node.value)
    if isinstance(node, yaml.SequenceNode):
        return f"a list of {len(node.value)}"
    return "a mapping"


def did_you_mean(word: str, choices: tuple[str, ...] | list[str]) -> str:
    import difflib  # only on the error path

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""


class _Reader:
    """Reads typed values out of composed nodes, collecting every problem."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[SpecError] = []
        self.lines: dict[str, int] = {}

    def fail(self, node: yaml.Node, key: str, expected: str, got: str | None = None,
             hint: str = "") -> None:
        self.errors.append(SpecError(key, expected, got_text=got or _describe(node),
                                     file=self.file, line=node.start_mark.line + 1, hint=hint))

    def mark(self, node: yaml.Node, key: str) -> None:
        self.lines.setdefault(key, node.start_mark.line + 1)

    def mapping(self, node: yaml.Node, key: str, allowed: tuple[str, ...],
                required: tuple[str, ...] = ()) -> dict[str, yaml.Node] | None:
        """Return the mapping's value nodes by key; unknown, duplicate and missing keys fail."""
        self.mark(node, key)
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, key, "a mapping")
            return None
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, key or "(spec)", "keys that are names, one of "
                          + ", ".join(sorted(allowed)))
                continue
            name = key_node.value
            path = f"{key}.{name}" if key else name
            if name not in allowed:
                # a key path shows the name only when it is one visible, short word
                shown = name and name.isprintable() and name.split() == [name] \
                    and len(name) <= MAX_SHOWN
                self.fail(key_node, path if shown else key or "(spec)",
                          "one of " + ", ".join(sorted(allowed)),
                          got=_shorten(name), hint=did_you_mean(name[:100], allowed))
            elif name in out:
                self.fail(key_node, path, "each key once", got="a duplicate key")
            else:
                out[name] = value_node
                self.mark(value_node, path)
        for name in required:
            if name not in out:
                self.fail(node, f"{key}.{name}" if key else name, "a value", got="nothing",
                          hint=f"add '{name}:'")
        return out

    def sequence(self, node: yaml.Node, key: str, expected: str) -> list[yaml.Node] | None:
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, key, expected)
            return None
        return list(node.value)

    def _plain(self, node: yaml.Node) -> str | None:
        if isinstance(node, yaml.ScalarNode):
            return node.value.strip()
        return None

    def number(self, node: yaml.Node, key: str, *, positive: bool = False) -> float | None:
        text = self._plain(node)
        value = _parse_number(text) if text is not None and node.style is None else None
        if value is None or not math.isfinite(value) or (positive and value <= 0):
            self.fail(node, key, "a number > 0" if positive else "a finite number")
            return None
        return value

    def integer(self, node: yaml.Node, key: str, *, minimum: int, maximum: int | None = None,
                limit_hint: str = "") -> int | None:
        value = self.number(node, key)
        if value is None:
            return None
        if value != int(value) or value < minimum:
            self.fail(node, key, f"a whole number >= {minimum}")
            return None
        if maximum is not None and value > maximum:
            self.fail(node, key, f"at most {maximum}", hint=limit_hint)
            return None
        return int(value)

    def boolean(self, node: yaml.Node, key: str) -> bool | None:
        text = (self._plain(node) or "").lower()
        plain = isinstance(node, yaml.ScalarNode) and node.style is None
        if plain and text in ("true", "yes", "on"):
            return True
        if plain and text in ("false", "no", "off"):
            return False
        self.fail(node, key, "true or false")
        return None

    def text(self, node: yaml.Node, key: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, key, "text")
            return None
        value = node.value
        if any(unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") or c in _BIDI
               for c in value):
            self.fail(node, key, "one line of text without control characters",
                      got=repr(value[:40]))
            return None
        return value

    def name(self, node: yaml.Node, key: str) -> str | None:
        value = self._plain(node)
        if value is None or not NAME_RE.fullmatch(value):
            self.fail(node, key, "a name of letters, digits and _ starting with a letter "
                                 "(at most 32 characters)")
            return None
        return value

    def choice(self, node: yaml.Node, key: str, registry: Registry) -> Choice | None:
        """A registry name, or ``{name: ..., option: value}``."""
        if isinstance(node, yaml.MappingNode):
            names = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
            entry = self._entry(names.get("name", node), f"{key}.name", registry)
            if entry is None:
                return None
            allowed = ("name",) + tuple(o.name for o in entry.options)
            values = self.mapping(node, key, allowed, required=("name",)) or {}
            options = []
            for option in entry.options:
                value = option.default
                if option.name in values:
                    read = self.number(values[option.name], f"{key}.{option.name}")
                    if read is not None and not option.valid(read):
                        self.fail(values[option.name], f"{key}.{option.name}", option.expected)
                    value = read if read is not None else value
                options.append((option.name, value))
            return Choice(entry.name, tuple(options))
        entry = self._entry(node, key, registry)
        if entry is None:
            return None
        return Choice(entry.name, tuple((o.name, o.default) for o in entry.options))

    def _entry(self, node: yaml.Node, key: str, registry: Registry):  # type: ignore[no-untyped-def]
        value = self._plain(node)
        if value is None or value not in registry:
            shown = _shorten(value) if value is not None else _describe(node)
            self.fail(node, key, f"one of {', '.join(registry.names())}", got=shown,
                      hint=did_you_mean(str(value), registry.names()))
            return None
        return registry[value]


_NUMBER_RE = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def _parse_number(text: str) -> float | None:
    """Read a decimal number as written (``1e-3``, ``010`` -> 10, ``.5``)."""
    cleaned = text.replace("_", "")
    if not _NUMBER_RE.fullmatch(cleaned):
        return None
    return float(cleaned)


# --------------------------------------------------------------------------- spec


TOP_KEYS = ("title", "about", "inputs", "layers", "loss", "reduction", "notation", "example",
            "claims", "exercise")   # exercise: read by `derive-backprop exercises`
CLAIM_KEYS = ("parameter", "formula", "syntax", "expect", "note")
MAX_FORMULA = 2_000
LAYER_KEYS = ("units", "activation", "bias")
EXAMPLE_KEYS = ("x", "y", "init", "learning_rate", "steps", "mode")


def load(text: str, file: str = "<spec>", *, limits: Limits | None = None,
         default_title: str | None = None) -> Spec:
    """Validate spec text in one pass; raise ``SpecErrors`` listing every problem."""
    limits = limits or Limits()
    if len(text) > limits.bytes:
        raise SpecErrors([SpecError("(file)", f"at most {limits.bytes} bytes",
                                    got_text=f"{len(text)} characters", file=file, line=1,
                                    hint=LIMIT_HINT)])
    hidden = _HIDDEN_BREAK.search(text)
    if hidden:
        raise SpecErrors([SpecError("(yaml)", "text without control characters",
                                    got_text=f"character U+{ord(hidden.group()):04X}", file=file,
                                    line=_line_at(text, hidden.start()))])
    root = _compose(text, file)
    reader = _Reader(file)
    if root is None:
        raise SpecErrors([SpecError("(file)", "a spec with inputs, layers and loss",
                                    got_text="an empty file", file=file, line=1)])
    if not isinstance(root, yaml.MappingNode):
        reader.fail(root, "(spec)", "a mapping with inputs, layers and loss")
        raise SpecErrors(reader.errors)
    top = reader.mapping(root, "", TOP_KEYS, required=("inputs", "layers", "loss"))
    assert top is not None
    inputs = _read_inputs(reader, top.get("inputs"), limits)
    layers = _read_layers(reader, top.get("layers"), limits)
    loss = reader.choice(top["loss"], "loss", LOSSES) if "loss" in top else None
    reduction = _read_word(reader, top.get("reduction"), "reduction", ("mean", "sum"), "mean")
    notation = _read_word(reader, top.get("notation"), "notation", tuple(NOTATIONS),
                          DEFAULT_NOTATION)
    title = _read_title(reader, top["title"]) if "title" in top else None
    about = reader.text(top["about"], "about") if "about" in top else ""
    _check_size(reader, top.get("layers", root), inputs, layers, limits)
    _check_combinations(reader, top, layers, loss)
    example = None
    if "example" in top and inputs is not None and layers is not None:
        example = _read_example(reader, top["example"], len(inputs), layers, limits)
        if example is not None and loss is not None:
            _check_targets(reader, top["example"], example, loss)
        if example is not None:
            _check_evaluations(reader, top["example"], example,
                               count_parameters(len(inputs), layers), limits)
    claims = _read_claims(reader, top["claims"], limits) if "claims" in top else ()
    if reader.errors:
        raise SpecErrors(reader.errors)
    assert inputs is not None and layers is not None and loss is not None
    return Spec(title=title if title is not None else (default_title or file), about=about or "",
                inputs=inputs,
                layers=layers, loss=loss, reduction=reduction, notation=notation,
                example=example, claims=claims, file=file,
                lines=tuple(sorted(reader.lines.items())))


LIMIT_HINT = "raise it with --no-limits"


def _read_title(reader: _Reader, node: yaml.Node) -> str | None:
    title = reader.text(node, "title")
    if title is not None and not title.strip():
        reader.fail(node, "title", "a title with at least one visible character")
        return None
    return title


def _read_word(reader: _Reader, node: yaml.Node | None, key: str, choices: tuple[str, ...],
               default: str) -> str:
    if node is None:
        return default
    value = reader._plain(node)
    if value not in choices:
        reader.fail(node, key, "one of " + ", ".join(sorted(choices)),
                    hint=did_you_mean(str(value), choices))
        return default
    return value


def _read_inputs(reader: _Reader, node: yaml.Node | None,
                 limits: Limits) -> tuple[str, ...] | None:
    if node is None:
        return None
    if isinstance(node, yaml.ScalarNode):
        count = reader.integer(node, "inputs", minimum=1, maximum=limits.units,
                               limit_hint=LIMIT_HINT)
        return tuple(f"x{k}" for k in range(1, count + 1)) if count else None
    items = reader.sequence(node, "inputs", "a list of input names or a count")
    if items is None:
        return None
    if not items:
        reader.fail(node, "inputs", "at least one input")
        return None
    names = [reader.name(item, f"inputs[{i}]") for i, item in enumerate(items)]
    seen: set[str] = set()
    for i, (item, name) in enumerate(zip(items, names)):
        if name is not None and name in seen:
            reader.fail(item, f"inputs[{i}]", "unique input names", got=repr(name))
        seen.add(name or "")
    if len(items) > limits.units:
        reader.fail(node, "inputs", f"at most {limits.units} inputs",
                    hint=LIMIT_HINT)
    return tuple(n for n in names if n) if all(names) else None


def _read_layers(reader: _Reader, node: yaml.Node | None,
                 limits: Limits) -> tuple[LayerSpec, ...] | None:
    if node is None:
        return None
    items = reader.sequence(node, "layers", "a list of layers")
    if items is None:
        return None
    if not items:
        reader.fail(node, "layers", "at least one layer (the output layer)")
        return None
    if len(items) > limits.layers:
        reader.fail(node, "layers", f"at most {limits.layers} layers",
                    hint=LIMIT_HINT)
    layers = []
    for i, item in enumerate(items):
        key = f"layers[{i}]"
        values = reader.mapping(item, key, LAYER_KEYS, required=("units", "activation"))
        if values is None or "units" not in values or "activation" not in values:
            layers.append(None)
            continue
        units = reader.integer(values["units"], f"{key}.units", minimum=1,
                               maximum=limits.units, limit_hint=LIMIT_HINT)
        activation = reader.choice(values["activation"], f"{key}.activation", ACTIVATIONS)
        bias = reader.boolean(values["bias"], f"{key}.bias") if "bias" in values else True
        ok = units is not None and activation is not None and bias is not None
        layers.append(LayerSpec(units, activation, bias) if ok else None)  # type: ignore[arg-type]
    return tuple(layers) if all(layers) else None  # type: ignore[arg-type]


def count_parameters(n_inputs: int, layers: tuple[LayerSpec, ...]) -> int:
    total, fan_in = 0, n_inputs
    for layer in layers:
        total += layer.units * fan_in + (layer.units if layer.bias else 0)
        fan_in = layer.units
    return total


def _check_size(reader: _Reader, node: yaml.Node, inputs: tuple[str, ...] | None,
                layers: tuple[LayerSpec, ...] | None, limits: Limits) -> None:
    if inputs is None or layers is None:
        return
    count = count_parameters(len(inputs), layers)
    if count > limits.parameters:
        reader.fail(node, "layers", f"at most {limits.parameters} parameters",
                    got=f"{count} parameters", hint=LIMIT_HINT)


def _check_combinations(reader: _Reader, top: dict[str, yaml.Node],
                        layers: tuple[LayerSpec, ...] | None, loss: Choice | None) -> None:
    """softmax only on the output layer; a loss that needs a given output activation gets it."""
    if layers is None:
        return
    items = top["layers"].value
    for i, layer in enumerate(layers[:-1]):
        if ACTIVATIONS[layer.activation.name].vector:
            name = layer.activation.name
            reader.fail(items[i], f"layers[{i}].activation",
                        f"an elementwise activation ({name} only on the output layer)",
                        got=repr(name))
    if loss is None:
        return
    needed = LOSSES[loss.name].requires_output
    output = layers[-1].activation.name
    if needed and output not in needed:
        reader.fail(top["loss"], "loss", f"an output layer with activation {' or '.join(needed)} "
                                         f"for {loss.name}", got=f"{output!r}")


def _check_evaluations(reader: _Reader, node: yaml.Node, example: Example, parameters: int,
                       limits: Limits) -> None:
    """The worked example's work: parameters x samples per update x (steps + 1)."""
    per_step = len(example.x) if example.mode == "batch" else 1
    work = parameters * per_step * (example.steps + 1)
    if work > limits.evaluations:
        reader.fail(node, "example", f"at most {limits.evaluations} gradient evaluations "
                                     "(parameters x samples per update x (steps + 1))",
                    got=f"{parameters} x {per_step} x {example.steps + 1} = {work}",
                    hint=LIMIT_HINT)


def _check_targets(reader: _Reader, node: yaml.Node, example: Example, loss: Choice) -> None:
    """Targets a loss accepts: in [0, 1] for cross-entropies, summing to 1 for cross_entropy."""
    entry = LOSSES[loss.name]
    y_node = next(v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == "y")
    low, high = entry.target_range
    for n, row in enumerate(example.y):
        if entry.requires_output and any(v < low or v > high for v in row):
            reader.fail(y_node, "example.y", f"targets in [{low:g}, {high:g}] for {loss.name}",
                        got=repr(list(row)))
            return
        if entry.targets_sum_to_one and abs(sum(row) - 1) > 1e-9:
            reader.fail(y_node, "example.y", f"targets of each sample summing to 1 for {loss.name}",
                        got=f"{list(row)!r} (sum {sum(row):g})")
            return


def _read_claims(reader: _Reader, node: yaml.Node, limits: Limits) -> tuple[Claim, ...]:
    items = reader.sequence(node, "claims", "a list of {parameter, formula}")
    if items is not None and len(items) > limits.claims:
        reader.fail(node, "claims", f"at most {limits.claims} claims", hint=LIMIT_HINT)
        return ()
    claims = []
    for i, item in enumerate(items or []):
        key = f"claims[{i}]"
        values = reader.mapping(item, key, CLAIM_KEYS, required=("parameter", "formula"))
        if not values or "parameter" not in values or "formula" not in values:
            continue
        parameter = reader.text(values["parameter"], f"{key}.parameter")
        formula = reader.text(values["formula"], f"{key}.formula")
        syntax = _read_word(reader, values.get("syntax"), f"{key}.syntax", ("latex", "sympy"),
                            "latex")
        expect = _read_word(reader, values.get("expect"), f"{key}.expect",
                            ("equal", "different"), "equal")
        note = reader.text(values["note"], f"{key}.note") if "note" in values else ""
        too_long = [name for name, text in (("parameter", parameter), ("formula", formula))
                    if text is not None and len(text) > MAX_FORMULA]
        for name in too_long:
            reader.fail(values[name], f"{key}.{name}", f"at most {MAX_FORMULA} characters",
                        got=f"{len(values[name].value)} characters")
        if too_long:
            continue
        if parameter is not None and formula is not None:
            claims.append(Claim(parameter, formula, values["formula"].start_mark.line + 1, syntax,
                                expect, note or ""))
    return tuple(claims)


# --------------------------------------------------------------------------- example


def _read_example(reader: _Reader, node: yaml.Node, n_inputs: int,
                  layers: tuple[LayerSpec, ...], limits: Limits) -> Example | None:
    values = reader.mapping(node, "example", EXAMPLE_KEYS, required=("x", "y"))
    if values is None or "x" not in values or "y" not in values:
        return None
    x = _read_samples(reader, values["x"], "example.x", n_inputs, "input", limits)
    y = _read_samples(reader, values["y"], "example.y", layers[-1].units, "output", limits)
    if x is not None and y is not None and len(x) != len(y):
        reader.fail(values["y"], "example.y", f"{len(x)} samples (as many as example.x)",
                    got=f"{len(y)} samples")
    init = _read_init(reader, values.get("init"), n_inputs, layers)
    rate = (reader.number(values["learning_rate"], "example.learning_rate", positive=True)
            if "learning_rate" in values else 0.1)
    steps = (reader.integer(values["steps"], "example.steps", minimum=0, maximum=limits.steps,
                            limit_hint=LIMIT_HINT)
             if "steps" in values else 1)
    mode = _read_word(reader, values.get("mode"), "example.mode", ("batch", "sgd"), "batch")
    if None in (x, y, init, rate, steps):
        return None
    return Example(x=x, y=y, init=init, learning_rate=rate, steps=steps,  # type: ignore[arg-type]
                   mode=mode)


def _read_row(reader: _Reader, node: yaml.Node, key: str, width: int,
              what: str) -> tuple[float, ...] | None:
    if isinstance(node, yaml.ScalarNode) and width == 1:
        value = reader.number(node, key)
        return None if value is None else (value,)
    items = reader.sequence(node, key, f"a list of {width} numbers (one per {what})")
    if items is None:
        return None
    if len(items) != width:
        reader.fail(node, key, f"a list of {width} numbers (one per {what})",
                    got=f"{len(items)} numbers")
        return None
    row = [reader.number(item, f"{key}[{i}]") for i, item in enumerate(items)]
    return tuple(row) if None not in row else None  # type: ignore[arg-type]


def _read_samples(reader: _Reader, node: yaml.Node, key: str, width: int, what: str,
                  limits: Limits) -> tuple[tuple[float, ...], ...] | None:
    """One sample (a list of numbers) or a batch (a list of such lists)."""
    is_batch = isinstance(node, yaml.SequenceNode) and any(
        isinstance(item, yaml.SequenceNode) for item in node.value)
    if not is_batch:
        row = _read_row(reader, node, key, width, what)
        return None if row is None else (row,)
    if len(node.value) > limits.batch:
        reader.fail(node, key, f"at most {limits.batch} samples",
                    hint=LIMIT_HINT)
        return None
    rows = [_read_row(reader, item, f"{key}[{n}]", width, what)
            for n, item in enumerate(node.value)]
    return tuple(rows) if None not in rows else None  # type: ignore[arg-type]


def _read_init(reader: _Reader, node: yaml.Node | None, n_inputs: int,
               layers: tuple[LayerSpec, ...]) -> tuple[LayerInit, ...] | None:
    """Explicit per-layer values, constants ``{W: 1, b: 0}`` or ``{seed: 0, scheme: uniform}``."""
    shapes = _shapes(n_inputs, layers)
    if node is None:
        return tuple(_constant_layer(1.0, 0.0, shape) for shape in shapes)
    if isinstance(node, yaml.MappingNode):
        keys = {k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
        if keys & {"seed", "scheme"}:
            return _random_init(reader, node, shapes)
        values = reader.mapping(node, "example.init", ("W", "b"))
        if values is None:
            return None
        w = reader.number(values["W"], "example.init.W") if "W" in values else 1.0
        b = reader.number(values["b"], "example.init.b") if "b" in values else 0.0
        if w is None or b is None:
            return None
        return tuple(_constant_layer(w, b, shape) for shape in shapes)
    items = reader.sequence(node, "example.init", "a list with one {W, b} per layer, "
                                                  "{W: 1, b: 0} or {seed: 0, scheme: uniform}")
    if items is None:
        return None
    if len(items) != len(layers):
        reader.fail(node, "example.init", f"{len(layers)} entries (one per layer)",
                    got=f"{len(items)} entries")
        return None
    out = [_read_layer_init(reader, item, f"example.init[{i}]", shape)
           for i, (item, shape) in enumerate(zip(items, shapes))]
    return tuple(out) if None not in out else None  # type: ignore[arg-type]


def _shapes(n_inputs: int, layers: tuple[LayerSpec, ...]) -> list[tuple[int, int, bool]]:
    fans = [n_inputs] + [layer.units for layer in layers]
    return [(layer.units, fans[i], layer.bias) for i, layer in enumerate(layers)]


def _constant_layer(w: float, b: float, shape: tuple[int, int, bool]) -> LayerInit:
    units, fan_in, bias = shape
    return LayerInit(tuple((w,) * fan_in for _ in range(units)), (b,) * units if bias else ())


def _read_layer_init(reader: _Reader, node: yaml.Node, key: str,
                     shape: tuple[int, int, bool]) -> LayerInit | None:
    units, fan_in, bias = shape
    values = reader.mapping(node, key, ("W", "b"), required=("W",))
    if values is None or "W" not in values:
        return None
    w_node = values["W"]
    if isinstance(w_node, yaml.ScalarNode):
        c = reader.number(w_node, f"{key}.W")
        weights = None if c is None else tuple((c,) * fan_in for _ in range(units))
    else:
        rows = reader.sequence(w_node, f"{key}.W", f"a {units} x {fan_in} list of lists")
        if rows is not None and len(rows) != units:
            reader.fail(w_node, f"{key}.W", f"{units} rows (units x fan_in = {units} x {fan_in})",
                        got=f"{len(rows)} rows")
            rows = None
        read = [_read_row(reader, r, f"{key}.W[{j}]", fan_in, "input of the layer")
                for j, r in enumerate(rows or [])]
        weights = tuple(read) if rows is not None and None not in read else None  # type: ignore
    biases: tuple[float, ...] | None = (0.0,) * units if bias else ()
    if "b" in values:
        if not bias:
            reader.fail(values["b"], f"{key}.b", "no b (the layer has bias: false)")
            return None
        b_node = values["b"]
        if isinstance(b_node, yaml.ScalarNode) and units > 1:
            c = reader.number(b_node, f"{key}.b")
            biases = None if c is None else (c,) * units
        else:
            biases = _read_row(reader, b_node, f"{key}.b", units, "unit of the layer")
    if weights is None or biases is None:
        return None
    return LayerInit(weights, biases)


def _random_init(reader: _Reader, node: yaml.Node,
                 shapes: list[tuple[int, int, bool]]) -> tuple[LayerInit, ...] | None:
    """Draw W then b of each layer, row-major, from ``random.Random(seed)``."""
    values = reader.mapping(node, "example.init", ("seed", "scheme"), required=("seed",))
    if values is None or "seed" not in values:
        return None
    seed = reader.integer(values["seed"], "example.init.seed", minimum=0)
    scheme = (reader.choice(values["scheme"], "example.init.scheme", INIT_SCHEMES)
              if "scheme" in values else Choice("uniform"))
    if seed is None or scheme is None:
        return None
    rng = random.Random(seed)
    draw = INIT_SCHEMES[scheme.name].draw
    out = []
    for units, fan_in, bias in shapes:
        weights = tuple(tuple(draw(rng, fan_in, units) for _ in range(fan_in))
                        for _ in range(units))
        biases = tuple(draw(rng, fan_in, units) for _ in range(units)) if bias else ()
        out.append(LayerInit(weights, biases))
    return tuple(out)
