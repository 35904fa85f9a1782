"""The `graph:` spec: cs231n's circuits give their published gradients; every gradient equals a
central finite difference of the forward pass alone; bad formulas and graphs fail in one line."""

from __future__ import annotations

import math

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.circuit import FormulaError, derive_circuit, parse_formula
from derive.errors import SpecError

ADD_MUL = {"inputs": {"x": -2, "y": 5, "z": -4}, "nodes": {"q": "x + y", "f": "q * z"},
           "output": "f"}
NEURON = {"inputs": {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3},
          "nodes": {"f": "sigmoid(w0*x0 + w1*x1 + w2)"}, "output": "f"}


def test_add_multiply_circuit_gives_cs231n_numbers() -> None:
    result = derive_circuit(ADD_MUL)
    assert result.quantity("q").value == 3 and result.output.value == -12
    assert result.gradients() == {"x": -4, "y": -4, "z": 3, "q": -4, "f": 1}
    assert [result.quantity(n).rule for n in ("q", "f")] == ["add", "multiply"]


def test_sigmoid_neuron_gives_cs231n_numbers() -> None:
    grads = derive_circuit(NEURON).gradients()
    expected = {"w0": -0.196612, "w1": -0.393224, "w2": 0.196612, "x0": 0.393224,
                "x1": -0.589836}
    for name, value in expected.items():
        assert grads[name] == pytest.approx(value, abs=1e-6), name


def test_fan_out_gradients_add() -> None:
    # micrograd: a used twice, b = a * a + a: db/da = 2a + 1 through three wires
    result = derive_circuit({"inputs": {"a": 3}, "nodes": {"s": "a * a", "b": "s + a"},
                             "output": "b"})
    assert result.quantity("a").grad == 7
    assert result.quantity("a").consumers == 2
    assert sum(e.contribution for e in result.edges_out_of("a")) == 7


def test_max_routes_the_gradient_to_the_larger_input() -> None:
    result = derive_circuit({"inputs": {"x": 4, "y": 2, "z": 3},
                             "nodes": {"m": "max(x, y)", "f": "m * z"}, "output": "f"})
    assert result.gradients()["x"] == 3 and result.gradients()["y"] == 0
    assert result.quantity("m").rule == "max"


def test_max_at_a_tie_splits_as_torch_maximum() -> None:
    result = derive_circuit({"inputs": {"a": 1, "b": 1, "c": 1},
                             "nodes": {"m": "max(max(a, b), c)"}, "output": "m"})
    assert result.gradients() == {"a": 0.25, "b": 0.25, "c": 0.5, "m": 1}


def test_definition_is_the_normalised_formula() -> None:
    result = derive_circuit({"inputs": {"x": 1}, "nodes": {"f": "2**x+( x )*exp(-x)"},
                             "output": "f"})
    assert [q.definition for q in result.quantities] == [None, "2^x + (x) * exp(-x)"]


def _difference(mapping: dict, name: str, h: float = 1e-7) -> float:
    """Central difference of the output with one node's value nudged (forward pass only)."""
    circuit = derive_circuit(mapping).circuit
    base = circuit.forward()
    around = [float(circuit.forward({name: base[name] + s * sp.Rational(h)})[circuit.output])
              for s in (1, -1)]
    return (around[0] - around[1]) / (2 * h)


_UNARY = ("exp({})", "tanh({})", "sigmoid({})", "softplus({})", "sin({})", "cos({})",
          "sqrt(1 + {}^2)", "log(2 + {}^2)", "-{}", "({})^2")
_BINARY = ("{} + {}", "{} * {}", "{} - {}", "{} / (3 + {}^2)", "max({}, {})", "min({}, {})")


@st.composite
def circuits(draw: st.DrawFn) -> dict:
    inputs = {f"x{i}": draw(st.integers(-20, 20)) / 8 for i in range(draw(st.integers(1, 3)))}
    names, nodes = list(inputs), {}
    for i in range(draw(st.integers(1, 6))):
        if draw(st.booleans()):
            text = draw(st.sampled_from(_UNARY)).format(draw(st.sampled_from(names)))
        else:
            a, b = draw(st.sampled_from(names)), draw(st.sampled_from(names))
            text = draw(st.sampled_from(_BINARY)).format(a, b, b)
        nodes[f"n{i}"] = text
        names.append(f"n{i}")
    return {"inputs": inputs, "nodes": nodes, "output": names[-1]}


def _near_a_kink(mapping: dict) -> bool:
    values = derive_circuit(mapping).circuit.forward()
    pairs = [(a.strip(), b.strip()) for t in mapping["nodes"].values()
             for f in ("max(", "min(") if t.startswith(f)
             for a, b in [t[4:-1].split(",")]]
    return any(abs(values[a] - values[b]) < 1e-3 for a, b in pairs)


@settings(max_examples=40, deadline=None)
@given(circuits())
def test_every_gradient_equals_a_central_difference(mapping: dict) -> None:
    if _near_a_kink(mapping):
        return
    result = derive_circuit(mapping)
    for quantity in result.quantities:
        expected = _difference(mapping, quantity.name)
        assert float(quantity.grad) == pytest.approx(expected, rel=1e-5, abs=1e-6), \
            (quantity.name, mapping)


@pytest.mark.parametrize(("text", "column", "got"), [
    ("q * * z", 5, "'*'"), ("(q", 3, "the end of the formula"), ("q)", 2, "')'"),
    ("q $ z", 3, "'$'"), ("foo(q)", 1, "'foo'"), ("exp + q", 5, "'+'"),
    ("exp(q, z)", 9, "2 arguments"), ("", 1, "the end of the formula"),
    ("1e999", 1, "'1e999'"), ("q\nz", 2, "'\\n'"), ("(" * 120 + "q" + ")" * 120, 101, "'('"),
])
def test_bad_formula_is_one_line_with_the_column(text: str, column: int, got: str) -> None:
    mapping = {"inputs": {"q": 1, "z": 2}, "nodes": {"f": text}, "output": "f"}
    with pytest.raises(FormulaError) as caught:
        derive_circuit(mapping, "c.yaml", {"graph.nodes.f": 7})
    message = str(caught.value)
    assert "\n" not in message and isinstance(caught.value, SpecError)
    assert message.startswith("c.yaml:7: graph.nodes.f: expected ")
    assert f"at column {column} of " in message and message.endswith(f"got {got}")


@pytest.mark.parametrize(("nodes", "message"), [
    ({"q": "x + w", "w": "x"}, "c.yaml:4: graph.nodes.q: expected names defined above, got 'w' "
     "at column 5 (defined later: the graph must have no cycle)"),
    ({"q": "q + x"}, "c.yaml:4: graph.nodes.q: expected names defined above, got 'q' at column 1 "
     "(used in its own formula: the graph must have no cycle)"),
    ({"q": "x + u"}, "c.yaml:4: graph.nodes.q: expected names defined above, got 'u' at column 5 "
     "(not defined)"),
    ({"q": "x", "x": "1"}, "c.yaml:2: graph.nodes.x: expected each name defined once, got a "
     "second 'x'"),
    ({"exp": "x"}, "c.yaml:2: graph.nodes.exp: expected a name that is not a function, got 'exp'"),
    ({"2q": "x"}, "c.yaml:2: graph.nodes.2q: expected a name of letters, digits and _ starting "
     "with a letter (at most 32 characters), got '2q'"),
    # SPEC.md's names: _x was taken, and 40 letters
    ({"_x": "x"}, "c.yaml:2: graph.nodes._x: expected a name of letters, digits and _ starting "
     "with a letter (at most 32 characters), got '_x'"),
    ({"q" * 40: "x"}, f"c.yaml:2: graph.nodes.{'q' * 40}: expected a name of letters, digits "
     f"and _ starting with a letter (at most 32 characters), got '{'q' * 40}'"),
    # names the JSON's expressions cannot hold: an independent reader's parse_expr failed
    *[({name: "x"}, f"c.yaml:2: graph.nodes.{name}: expected a name that is not a Python "
       f"keyword, not partial and without __ (the JSON's expressions use them), got '{name}'")
      for name in ("lambda", "None", "if", "partial", "q__local__x")],
])
def test_bad_graph_is_one_line(nodes: dict, message: str) -> None:
    mapping = {"inputs": {"x": 1}, "nodes": nodes, "output": next(iter(nodes))}
    with pytest.raises(SpecError) as caught:
        derive_circuit(mapping, "c.yaml", {"graph.nodes.q": 4, "graph": 2})
    assert str(caught.value) == message


def test_unknown_output_and_bad_input_value() -> None:
    with pytest.raises(SpecError, match=r"graph.output: expected the name of an input or a node"):
        derive_circuit({**ADD_MUL, "output": "g"})
    with pytest.raises(SpecError, match=r"graph.inputs.x: expected a finite number, got 'a'"):
        derive_circuit({**ADD_MUL, "inputs": {"x": "a"}})
    with pytest.raises(SpecError, match=r"graph: expected exactly the keys inputs, nodes, output"):
        derive_circuit({"inputs": {}, "nodes": {}})


@pytest.mark.parametrize(("mapping", "message"), [
    ({"inputs": {"x": 1}, "nodes": 3, "output": "x"}, "graph.nodes: expected a mapping, got '3'"),
    ({"inputs": {"x": [1, 2]}, "nodes": {"f": "x"}, "output": "f"},
     "graph.inputs.x: expected a finite number, got '[1, 2]'"),
    ({"inputs": {"x": {"a": 1}}, "nodes": {"f": "x"}, "output": "f"},
     "graph.inputs.x: expected a finite number, got a mapping with the key 'a'"),
    ({"inputs": {"x": 1}, "nodes": {"f": "x"}},
     "graph: expected exactly the keys inputs, nodes, output, got no 'output'"),
    ({"inputs": {"x": 1}, "nodes": {"f": "x"}, "output": "f", "outputs": "f"},
     "graph: expected exactly the keys inputs, nodes, output, got an unknown key 'outputs'"),
])
def test_a_graph_error_says_what_was_written(mapping: dict, message: str) -> None:
    """As the spec reader says it: the value, a list of N or a mapping; never a Python type
    name or a Python list of keys."""
    with pytest.raises(SpecError) as caught:
        derive_circuit(mapping, "c.yaml")
    assert str(caught.value).removeprefix("c.yaml: ") == message


def test_parser_never_evaluates() -> None:
    formula = parse_formula("x*__import__", "k")
    assert formula.names == (("x", 1), ("__import__", 3))
    assert math.isclose(float(parse_formula("2^3^2", "k").expr), 512)


def test_page_files_json_markdown_and_picture() -> None:
    from derive.formats.circuit_page import circuit_files

    files = circuit_files(derive_circuit(ADD_MUL), "A <circuit>", "out/add")
    assert sorted(files) == ["out/add.json", "out/add.md", "out/add.tex", "out/add/circuit.svg"]
    document = __import__("json").loads(files["out/add.json"])
    # v1.1 adds the page's mathematics (graph, equations) beside SPEC.md's graph-spec keys
    mathematics = {key: document.pop(key) for key in ("graph", "equations")}
    assert [n["name"] for n in mathematics["graph"]][:5] == ["x", "y", "z", "q", "f"]
    assert all(e["at"] == "example" for e in mathematics["equations"])
    assert document == {"title": "A <circuit>", "output": "f", "value": -12.0, "nodes": [
        {"name": "x", "value": -2.0, "grad": -4.0, "definition": None},
        {"name": "y", "value": 5.0, "grad": -4.0, "definition": None},
        {"name": "z", "value": -4.0, "grad": 3.0, "definition": None},
        {"name": "q", "value": 3.0, "grad": -4.0, "definition": "x + y"},
        {"name": "f", "value": -12.0, "grad": 1.0, "definition": "q * z"}]}
    page = files["out/add.md"]
    assert "# A &#60;circuit&#62;" in page and "<circuit>" not in page
    assert "](add/circuit.svg)" in page
    assert r"\frac{\partial q}{\partial x} = \left(-4\right) \cdot 1 = -4" in page
    assert "an add gate distributes" in page and "a multiply gate swaps" in page
    svg = files["out/add/circuit.svg"]
    assert svg.startswith("<svg") and "&lt;circuit&gt;" in svg and ">-12<" in svg


def test_every_equation_of_a_circuit_page_is_audited_and_a_false_one_stops_it() -> None:
    from dataclasses import replace

    import sympy as sp

    from derive.document.audit import FalseEquation
    from derive.document.circuit_audit import audit_circuit_page
    from derive.document.model import Display
    from derive.formats.circuit_document import circuit_document
    from derive.formats.circuit_page import circuit_markdown

    result = derive_circuit({"inputs": {"x": -2, "y": 5, "z": -4},
                             "nodes": {"q": "x + y", "f": "q * z"}, "output": "f"})
    document = circuit_document(result, "t", "p.svg")
    # 5 forward values, 4 local derivatives, 5 backward rows (∂f/∂f = 1 among them)
    assert audit_circuit_page(document, result).equations == 14
    assert "the 14 equations below were evaluated" in circuit_markdown(result, "t", "p.svg")
    backward = document.sections[-1]
    line = next(l for b in backward.blocks if isinstance(b, Display) for l in b.lines
                if l.equation is not None)
    wrong = replace(line, equation=replace(line.equation, sides=line.equation.sides[:-1]
                                           + (line.equation.sides[-1] + sp.Float(1),)))
    tampered = replace(document, sections=document.sections[:-1] + (replace(
        backward, blocks=(Display((wrong,)),)),))
    with pytest.raises(FalseEquation):
        audit_circuit_page(tampered, result)


def test_a_chain_through_a_tie_is_left_uncompared_not_called_false() -> None:
    """Found by a circuit fuzz: n0 = max(x0, x0), n1 = min(n0, x0), n2 = max(n0, n1) tie
    everywhere. Each tie splits the gradient as torch does, so the page's ∂n3/∂n0 is the
    convention's -0.676, while n3 moves with n0 at slope -0.901: the audit called the
    upstream × local equation false and the run ended (exit 2, no file named). Its sides
    sit on kinks at the inputs: it is counted and said, as a network page says its kinks."""
    from derive.formats.circuit_page import circuit_files

    result = derive_circuit({"inputs": {"x0": -1.47},
                             "nodes": {"n0": "max(x0, x0)", "n1": "min(n0, x0)",
                                       "n2": "max(n0, n1)", "n3": "sqrt(n2^2 + 0.5)"},
                             "output": "n3"})
    slope = -1.47 / math.sqrt(1.47 ** 2 + 0.5)
    assert result.quantity("n0").grad == pytest.approx(0.75 * slope, rel=1e-12)
    assert result.quantity("x0").grad == pytest.approx(slope, rel=1e-12)
    page = circuit_files(result, "ties", "ties")["ties.md"]
    assert "on a kink at the inputs left uncompared (no slope there)" in page
    assert "the equations below were evaluated at the circuit's inputs" in page
