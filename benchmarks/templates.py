"""What loading the page templates costs, three ways, each in fresh interpreters.

    .venv/bin/python benchmarks/templates.py [--reps 15]

1. *source*: ``FileSystemLoader`` compiles every template (a source checkout, an editable
   install, or a wheel whose compiled templates came from another Jinja version);
2. *module*: ``ModuleLoader`` over the folder ``hatch_build.compile_templates`` writes into
   the wheel, byte-compiled as pip does at install (what an installed ``derive-backprop``
   does);
3. *bytecode cache*: ``FileSystemBytecodeCache``, warm (Jinja still reads and hashes every
   source, then unmarshals the cached code; the first run writes the cache).

Each row loads the four templates a ``--format all`` run renders (the Markdown and LaTeX
pages and what they include), timed inside the child with ``time.process_time``; medians.
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hatch_build import compile_templates

PAGES = (("md", "markdown/page.md.j2"), ("tex", "latex/page.tex.j2"),
         ("tex", "latex/body.tex.j2"), ("tex", "latex/preamble.tex.j2"))

CHILD = """
import sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
import jinja2
from derive.formats import templating
loader = {loader}
t = time.process_time()
envs = {{}}
for fmt, name in {pages!r}:
    if fmt not in envs:
        envs[fmt] = env = templating.new_environment(fmt, loader(fmt))
        {cache}
    envs[fmt].get_template(name)
print(time.process_time() - t)
"""

LOADERS = {
    "source (FileSystemLoader, compiled every run)":
        ("lambda fmt: jinja2.FileSystemLoader({templates!r})", ""),
    "module (ModuleLoader, compiled at build time)":
        ("lambda fmt: templating.template_loader(fmt, Path({compiled!r}))", ""),
    "bytecode cache (FileSystemBytecodeCache, warm)":
        ("lambda fmt: jinja2.FileSystemLoader({templates!r})",
         "env.bytecode_cache = jinja2.FileSystemBytecodeCache({cache_dir!r})"),
}


def child_time(code: str) -> float:
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        compiled = Path(scratch) / "compiled"
        compile_templates(ROOT, compiled)
        compileall.compile_dir(compiled, quiet=1)
        cache_dir = Path(scratch) / "cache"
        cache_dir.mkdir()
        codes = {}
        for row, (loader, cache) in LOADERS.items():
            fill = dict(templates=str(ROOT / "templates"), compiled=str(compiled),
                        cache_dir=str(cache_dir))
            codes[row] = CHILD.format(root=str(ROOT), loader=loader.format(**fill),
                                      pages=PAGES, cache=cache.format(**fill))
        child_time(codes["bytecode cache (FileSystemBytecodeCache, warm)"])   # warm it
        times: dict[str, list[float]] = {row: [] for row in codes}
        for _ in range(args.reps):          # interleaved: the machine's load hits every row
            for row, code in codes.items():
                times[row].append(child_time(code))
    print("| loading the page templates | CPU ms (median) |\n|---|---|")
    for row, values in times.items():
        print(f"| {row} | {statistics.median(values) * 1000:.1f} |")


if __name__ == "__main__":
    main()
