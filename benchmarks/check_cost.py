"""What the check costs as a network widens: its finite differences on one softmax layer.

Issue 20.10: each finite-difference pass recomputed Σ exp(z_k) once per unit, O(units²)
per pass (a 200-unit softmax: 33 s). The check now reruns softmax layers with their shared
sums remembered (SHARED_FLOAT64), O(units) per pass; the number of passes is bounded by
the parameter sample (verify.points). This prints the CPU seconds of ``derive`` and of the
check (finite differences only) per width, so the bound can be re-measured:

    .venv/bin/python benchmarks/check_cost.py 50 100 200 999
"""

from __future__ import annotations

import sys
import time

from derive import build_network, check, derive, load_spec


def spec(units: int) -> str:
    return (f"title: Softmax {units}\ninputs: [x1, x2, x3, x4]\nlayers:\n"
            f"  - {{units: {units}, activation: softmax}}\nloss: cross_entropy\n")


def main(widths: list[int]) -> None:
    print("| units | parameters | derive (CPU s) | check, finite differences (CPU s) | compared |")
    print("|---|---|---|---|---|")
    for units in widths:
        start = time.process_time()
        derivation = derive(build_network(load_spec(spec(units), "softmax.yaml")))
        derived = time.process_time()
        report = check(derivation, methods=("finite_difference",))
        checked = time.process_time()
        print(f"| {units} | {len(derivation.network.parameters)} | {derived - start:.1f} | "
              f"{checked - derived:.1f} | {report.compared} |", flush=True)


if __name__ == "__main__":
    main([int(w) for w in sys.argv[1:]] or [50, 100, 200])
