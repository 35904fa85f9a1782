"""``python -m derive.compiled_templates``: regenerate this folder after editing ``templates/``.

A development step, like regenerating ``output/``: it writes this folder and nothing else
(the run-time modules never write files; this is not one of them).
"""

import sys

from derive.templating import COMPILED_DIR as HERE, compiled_modules

modules = compiled_modules()
for name, text in sorted(modules.items()):
    path = HERE / name
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
        sys.stdout.write(f"wrote {name}\n")
for old in sorted(HERE.glob("*.py")):
    if not old.name.startswith("__") and old.name not in modules:
        old.unlink()
        sys.stdout.write(f"removed {old.name}\n")
sys.stdout.write(f"{len(modules)} compiled templates in {HERE}\n")
