"""derive-backprop: a YAML network spec in, checked backpropagation notes out.

The pipeline, one module per stage, plain frozen dataclasses between them:

1. ``spec.load``            YAML text -> ``Spec`` (validated; the only yaml import)
2. ``network.build_network`` ``Spec`` -> ``Network`` (SymPy symbols, local forward equations)
3. ``derivation.derive``     ``Network`` -> ``Derivation`` (chain rule per parameter, δ, matrix form)
4. ``worked.work_example``   ``Derivation`` -> ``WorkedExample`` (the spec's numbers, step by step)
5. ``check.check``           ``Derivation`` -> ``CheckReport`` (finite differences at seeded points)
6. ``render.render``         all of the above -> ``{file name: text}`` (Jinja; JSON as a dict)
7. ``write.write_outputs``   files on disk, atomically (called by the CLI only)
"""

__version__ = "0.1.0"

from .verify import check  # noqa: E402
from .calculus import derive  # noqa: E402
from .calculus import build_network  # noqa: E402
from .formats import render  # noqa: E402
from .spec import load as load_spec  # noqa: E402
from .numbers import work_example  # noqa: E402

__all__ = ["load_spec", "build_network", "derive", "work_example", "check", "render",
           "__version__"]
