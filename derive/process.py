"""The installed command's process: its start-up and its exit, nothing else.

The ``derive-backprop`` script and ``python -m derive`` call ``console_main``, which runs
``cli.main`` in a process set up for one run and an exit, with two documented settings of
the garbage collector (``gc``). A caller of ``cli.main`` in its own process (the tests, the
pytest plugin) gets neither. Both measured in benchmarks/PROFILE.md.
"""

from __future__ import annotations

import gc

__all__ = ["console_main"]


def console_main() -> None:
    """Import the command with the collector off, freeze what the imports made, run it, and
    leave the heap frozen for the exit.

    Importing SymPy makes hundreds of thousands of objects and hardly any garbage, yet the
    collector would run over them some 170 times; frozen objects are skipped by every later
    collection: those during the run, and the full ones Python runs while tearing the
    interpreter down. By exit the outputs are written, fsynced and closed; ``atexit`` runs.
    """
    gc.disable()
    try:
        from .cli import main
    finally:
        gc.freeze()
        gc.enable()
    try:
        main()
    finally:
        gc.freeze()
