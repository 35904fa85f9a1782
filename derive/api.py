"""The Python API: ``derive.load(source)`` -> ``Result``, for notebooks, scripts and tests.

A spec comes as a path, YAML text or a dict; the result gives the gradients as NumPy arrays
named and shaped like the network's tensors (``W1`` is units x fan_in, as ``nn.Linear``),
at the example or at any parameters and samples, and the page in every format. Everything
goes through ``pipeline``: the API adds no mathematics of its own.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import SpecError
from .spec.quoting import shorten
from .formats import plain_markdown
from .numbers import work_example
from .api_pages import GraphPage, TensorPage, page_file, pictures
from .pipeline import (GraphResult, Options, Result as RunResult, TensorResult, oracle_methods,
                       read_spec, run_text)
from .spec import Example, LayerInit, Spec, target_problem

if TYPE_CHECKING:
    import numpy

__all__ = ["GraphPage", "Result", "TensorPage", "as_numpy", "load", "real_array"]

_GRADIENTS = "derive.Result.gradients"      # where a bad argument of gradients() is named

_FORMATS = ("md", "tex", "json")


def load(source: str | os.PathLike[str] | Mapping[str, Any], *, seed: int = 0,
         oracle: str = "finite_difference") -> Result:
    """Derive and check a spec given as a file path, YAML text or a dict.

    A bad spec raises ``derive.SpecError`` with the message the command line prints.
    """
    options = Options(seed=seed, methods=oracle_methods(oracle), formats=_FORMATS)
    if isinstance(source, str) and not source.strip():
        raise SpecError("source", "a path, YAML text or a dict", got_text="an empty string",
                        stage="derive.load")
    if isinstance(source, Mapping):
        text = json.dumps(source, ensure_ascii=False, default=_as_list)
        name, title = "<dict>", "spec"
    elif isinstance(source, os.PathLike) or _is_path(source):
        name = os.fspath(source)
        text, title = read_spec(name, max_bytes=options.limits.bytes), Path(name).stem
    elif isinstance(source, str):
        text, name, title = source, "<text>", "spec"
    else:
        raise SpecError("source", "a path, YAML text or a dict",
                        got_text=type(source).__name__, stage="derive.load")
    result = run_text(text, name, options, title=title)
    if isinstance(result, GraphResult):
        return GraphPage(result)        # type: ignore[return-value]
    if isinstance(result, TensorResult):
        return TensorPage(result)       # type: ignore[return-value]
    return Result(result, options)


def _as_list(value: Any) -> Any:
    """NumPy arrays and torch tensors in a spec dict become lists; anything else is refused."""
    plain = as_numpy(value)
    if hasattr(plain, "tolist"):
        return plain.tolist()
    raise SpecError("source", "a dict of numbers, text, lists and dicts",
                    got_text=type(value).__name__, stage="derive.load")


def _is_path(source: object) -> bool:
    """A one-line string naming a spec file (YAML text has a newline or a colon)."""
    return (isinstance(source, str) and "\n" not in source
            and (source.endswith((".yaml", ".yml")) or ":" not in source))


class Result:
    """One derived and checked spec: its gradients, its worked steps, its check and its page."""

    def __init__(self, run: RunResult, options: Options) -> None:
        self._run = run
        self._options = options

    # -- numbers -------------------------------------------------------------------------

    @property
    def spec(self) -> Spec:
        return self._run.derivation.network.spec

    @property
    def derivation(self):  # type: ignore[no-untyped-def]
        """The symbolic ``Derivation`` (gradients, δ recursion, matrix form)."""
        return self._run.derivation

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Each parameter tensor's name and shape: ``{"W1": (units, fan_in), "b1": (units,)}``."""
        return dict(self._names())

    def parameters(self) -> dict[str, numpy.ndarray]:
        """The parameters before the first step, as ``{"W1": array, "b1": array, ...}``."""
        worked = self._require_example("parameters")
        return self._tensors(worked.initial)

    def gradients(self, params: Mapping[str, Any] | None = None, x: Any = None,
                  y: Any = None) -> dict[str, numpy.ndarray]:
        """∂L/∂θ of the reduced loss (mean or sum over the samples, as the spec says).

        Without arguments: at the example's first update (the JSON's ``grad``: in sgd mode,
        sample 1's loss alone). With any argument: the reduced loss of all the samples given,
        whatever the mode (what a backward() of a batch returns). ``params`` is a dict like
        ``parameters()``; ``x`` and ``y`` are arrays of shape (N, inputs) and (N, outputs)
        (a 1-D array is one sample); what is not given is the example's.
        """
        if params is None and x is None and y is None:
            return self._tensors(self._require_example("gradients").first.gradients)
        spec = self._with_example(params, x, y)
        # The symbolic derivation does not depend on the numbers: only the example is worked
        # again (no new derivation, no check).
        derivation = self._run.derivation
        network = replace(derivation.network, spec=spec)
        worked = work_example(replace(derivation, network=network))
        assert worked is not None
        return self._tensors(worked.first.gradients)

    @property
    def losses(self) -> list[float]:
        """The loss before each step, then after the last (the JSON's ``losses``)."""
        return [float(v) for v in self._require_example("losses").losses]

    @property
    def steps(self) -> tuple:
        """The worked example's steps (each with its samples, parameters, loss, gradients)."""
        return self._require_example("steps").steps

    @property
    def check(self):  # type: ignore[no-untyped-def]
        """The ``CheckReport``: oracles, claims and proofs."""
        return self._run.report

    @property
    def passed(self) -> bool:
        return self._run.report.passed

    # -- the page ------------------------------------------------------------------------

    def markdown(self, flavor: str = "mkdocs") -> str:
        """The page as Markdown: ``mkdocs`` (arithmatex, admonitions) or ``plain`` ($…$,
        blockquotes and <details>, for JupyterLab, VS Code and GitHub)."""
        text = self._file(".md")
        if flavor == "mkdocs":
            return text
        if flavor == "plain":
            return plain_markdown(text)
        raise SpecError("flavor", "mkdocs or plain", got_text=repr(flavor), stage="markdown")

    def latex(self) -> str:
        """The standalone LaTeX document."""
        return self._file(".tex")

    def json(self) -> dict[str, Any]:
        """The JSON contract (../shared/SPEC.md) as a dict."""
        return json.loads(self._file(".json"))

    def svg(self) -> dict[str, str]:
        """The page's pictures: file name -> SVG text."""
        return pictures(self._run.files)

    def _repr_markdown_(self) -> str:
        """The plain page with its pictures inline (a notebook has no folder beside it)."""
        text = self.markdown("plain")
        for name, svg in self._run.files.items():
            if name.endswith(".svg"):
                data = base64.b64encode(str(svg).encode("utf-8")).decode("ascii")
                text = text.replace(f"]({name})", f"](data:image/svg+xml;base64,{data})")
        return text

    def __repr__(self) -> str:
        network = self._run.derivation.network
        shape = "-".join(str(n) for n in (len(network.x), *(l.units for l in network.layers)))
        verdict = "checked" if self.passed else "check FAILED"
        return f"<derive.Result {self.spec.title!r}: {shape} network, " \
               f"{len(network.parameters)} parameters, {verdict}>"

    # -- helpers -------------------------------------------------------------------------

    def _file(self, suffix: str) -> str:
        return page_file(self._run.files, suffix)

    def _require_example(self, what: str):  # type: ignore[no-untyped-def]
        worked = self._run.worked
        if worked is None:
            raise SpecError("example", f"an example in the spec for {what}()",
                            got_text="none", stage="derive.Result")
        return worked

    def _names(self) -> list[tuple[str, tuple[int, ...]]]:
        """Each tensor's name and shape, in the order of the parameters (layer, W, b)."""
        out = []
        for layer in self._run.derivation.network.layers:
            fan_in = len(layer.W[0]) if layer.W else 0
            out.append((f"W{layer.number}", (layer.units, fan_in)))
            if layer.b:
                out.append((f"b{layer.number}", (len(layer.b),)))
        return out

    def _tensors(self, flat: tuple) -> dict[str, numpy.ndarray]:
        import numpy as np

        values = np.array([float(v) for v in flat], dtype=np.float64)
        out, start = {}, 0
        for name, shape in self._names():
            size = int(np.prod(shape))
            out[name] = values[start:start + size].reshape(shape)
            start += size
        return out

    def _with_example(self, params: Mapping[str, Any] | None, x: Any, y: Any) -> Spec:
        """The spec with its example's parameters and samples replaced (each validated)."""
        import numpy as np

        spec = self.spec
        network = self._run.derivation.network
        base = spec.example
        if params is not None and not isinstance(params, Mapping):
            raise SpecError("params", "a dict of arrays (W1, b1, ...)",
                            got_text=type(params).__name__, stage=_GRADIENTS)
        params = dict(params) if params is not None else (
            self.parameters() if base is not None else None)
        if params is None or x is None and base is None or y is None and base is None:
            raise SpecError("gradients", "params, x and y (the spec has no example)",
                            got_text="some of them missing", stage="derive.Result")
        names = [name for layer in network.layers
                 for name in (f"W{layer.number}", f"b{layer.number}" if layer.b else None) if name]
        unknown = sorted((k for k in params if k not in names), key=str)
        if unknown:
            raise SpecError(f"params.{unknown[0]}", f"one of {', '.join(names)}",
                            got_text=_shown(unknown[0]), stage=_GRADIENTS)
        inits = []
        for layer in network.layers:
            w = _array(params, f"W{layer.number}", (layer.units, len(layer.W[0])))
            b = _array(params, f"b{layer.number}", (len(layer.b),)) if layer.b else np.zeros(0)
            inits.append(LayerInit(W=tuple(map(tuple, w.tolist())), b=tuple(b.tolist())))
        xs = _samples(x, "x", len(network.x)) if x is not None else base.x
        ys = _samples(y, "y", len(network.y)) if y is not None else base.y
        if len(xs) != len(ys):
            raise SpecError("y", f"as many samples as x ({len(xs)})", got_text=f"{len(ys)}",
                            stage=_GRADIENTS)
        problem = target_problem(network.loss.name, ys)
        if problem is not None:
            raise SpecError("y", problem[0], got_text=problem[1], stage=_GRADIENTS)
        rate = base.learning_rate if base is not None else 0.1
        return replace(spec, example=Example(x=xs, y=ys, init=tuple(inits), learning_rate=rate,
                                             steps=1, mode="batch"))


def real_array(value: Any, key: str, expected: str, stage: str) -> numpy.ndarray:
    """A user's array (NumPy, torch, nested lists) as float64 numbers, or one ``SpecError``
    saying what it holds instead (text, objects, complex numbers: never a silent cast)."""
    import numpy as np

    try:
        array = np.asarray(as_numpy(value))
    except ValueError:              # rows of different lengths
        raise SpecError(key, expected, got_text=f"rows of different lengths: "
                        f"{_shown(value)}", stage=stage) from None
    except Exception as exc:  # noqa: BLE001 - a user's object whose __array__ raised
        raise SpecError(key, expected, got_text=f"{type(value).__name__} that NumPy cannot "
                        f"read ({type(exc).__name__}: {shorten(str(exc))})", stage=stage) from None
    if array.dtype.kind not in "cUS":    # numbers as text ("0.5") are text, not a number
        try:
            return array.astype(np.float64)
        except (TypeError, ValueError, OverflowError):   # text, objects, 10**400
            pass
    raise SpecError(key, expected, got_text=_not_numbers(value, array), stage=stage)


def _not_numbers(value: Any, array: numpy.ndarray) -> str:
    """What an array that is no array of real numbers holds instead, on one line."""
    if array.dtype.kind == "c":
        return "complex numbers"
    if array.dtype.kind in "US":
        return "text" if array.ndim else f"text {_shown(value)}"
    if array.ndim == 0:
        return f"{type(value).__name__} {_shown(value)}"
    for item in array.flat:               # objects: the first that is no real number
        try:
            float(item)
        except OverflowError:
            return f"a number beyond float range, {_shown(item)}"
        except (TypeError, ValueError):
            return f"an array holding {type(item).__name__} {_shown(item)}"
    return f"an array NumPy cannot read as numbers: {_shown(value)}"


def _shown(value: Any) -> str:
    """A user's value as an error line shows it (its ``__str__`` may raise too)."""
    try:
        return shorten(str(value))
    except Exception:  # noqa: BLE001 - the user's object
        return "(unprintable)"


def _unusable(array: numpy.ndarray, shape_ok: bool) -> str | None:
    """What is wrong with an array of numbers: its shape, or entries that are not finite."""
    import numpy as np

    if not shape_ok:
        return f"shape {array.shape}"
    broken = int(np.sum(~np.isfinite(array)))
    return f"{broken} of its {array.size} numbers not finite (nan or inf)" if broken else None


def _array(params: Mapping[str, Any], name: str, shape: tuple[int, ...]) -> numpy.ndarray:
    expected = f"a finite array of shape {shape}"
    if name not in params:
        raise SpecError(f"params.{name}", f"an array of shape {shape}", got_text="nothing",
                        stage=_GRADIENTS)
    value = real_array(params[name], f"params.{name}", expected, _GRADIENTS)
    problem = _unusable(value, value.shape == shape)
    if problem:
        raise SpecError(f"params.{name}", expected, got_text=problem, stage=_GRADIENTS)
    return value


def _samples(value: Any, name: str, width: int) -> tuple[tuple[float, ...], ...]:
    expected = f"a finite array of shape (N, {width}), N at least 1"
    array = real_array(value, name, expected, _GRADIENTS)
    if array.ndim == 1:
        array = array[None, :]
    problem = _unusable(array, array.ndim == 2 and array.shape[1] == width and len(array) > 0)
    if problem:
        raise SpecError(name, expected, got_text=problem, stage=_GRADIENTS)
    return tuple(tuple(row) for row in array.tolist())


def as_numpy(value: Any) -> Any:
    """A torch tensor as a NumPy array (detached, on the CPU); anything else as it is."""
    detach = getattr(value, "detach", None)
    return detach().cpu().numpy() if callable(detach) else value
