"""``derive.process``: the installed command's process set-up changes speed, never results.

Each case runs in a fresh interpreter, because the placeholder only ever goes into a
process whose ``sys.modules`` has no ``sympy.tensor.tensor`` yet.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fresh(code: str) -> dict:
    """Run ``code`` in a new interpreter; it prints one JSON object last."""
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                            text=True, cwd=ROOT, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


TENSOR_SUMS = """
    import json, sys
    import sympy as sp
    {setup}
    x, y = sp.symbols("x y")
    plain = sp.Add(x, 2 * y, x)
    before = "sympy.combinatorics" in sys.modules
    from sympy.tensor.tensor import TensAdd, TensorHead, TensorIndexType, tensor_indices
    L = TensorIndexType("L")
    i = tensor_indices("i", L)
    A, B = TensorHead("A", [L]), TensorHead("B", [L])
    total = sp.Add(A(i), B(i), A(i))          # through Add.flatten's TensExpr branch
    print(json.dumps({{"plain": str(plain), "before": before, "total": str(total),
                      "tensadd": isinstance(total, TensAdd),
                      "real": type(sys.modules["sympy.tensor.tensor"]).__name__}}))
"""


def test_placeholder_defers_the_import_and_sums_stay_the_same() -> None:
    deferred = fresh(TENSOR_SUMS.format(setup="from derive.process import defer_tensor_module; "
                                              "defer_tensor_module()"))
    plain = fresh(TENSOR_SUMS.format(setup=""))
    assert deferred["before"] is False and plain["before"] is True
    assert deferred["plain"] == plain["plain"] == "2*x + 2*y"
    # Tensors loaded later are the real ones, and Add hands them to TensAdd as without it.
    assert deferred["real"] == plain["real"] == "module"
    assert deferred["tensadd"] is plain["tensadd"] is True
    assert deferred["total"] == plain["total"]


def test_placeholder_never_replaces_a_loaded_module() -> None:
    out = fresh("""
        import json, sys
        import sympy.tensor.tensor as real
        from derive.process import defer_tensor_module
        defer_tensor_module()
        print(json.dumps({"same": sys.modules["sympy.tensor.tensor"] is real}))
    """)
    assert out["same"] is True


def test_installed_entry_runs_without_the_tensor_module(tmp_path: Path) -> None:
    """A whole run (every format) completes on the placeholder, and leaves it in place."""
    out = fresh(f"""
        import json, sys
        from derive.cli import console_main
        sys.argv = ["derive-backprop", "examples/softmax-cross-entropy-3-classes.yaml",
                    "--format", "all", "-o", {str(tmp_path)!r}]
        try:
            console_main()
        except SystemExit as exc:
            code = exc.code
        print(json.dumps({{"code": code,
                          "combinatorics": "sympy.combinatorics" in sys.modules,
                          "kind": type(sys.modules["sympy.tensor.tensor"]).__name__}}))
    """)
    assert out == {"code": 0, "combinatorics": False, "kind": "_DeferredTensorModule"}
    assert (tmp_path / "softmax-cross-entropy-3-classes.md").is_file()
