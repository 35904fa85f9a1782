"""The installed command's process: its start-up, its signals and its exit, nothing else.

The ``derive-backprop`` script and ``python -m derive`` call ``console_main``, which runs
``cli.main`` in a process set up for one run and an exit: two documented settings of the
garbage collector (``gc``, measured in benchmarks/PROFILE.md), UTF-8 on stdout whatever
the locale (``-o -`` prints a page: its bytes must not depend on the terminal), and exit
codes a script can tell apart. Signals become an exception in the main thread, so the
writer's clean-up runs; worker processes forked for ``site`` keep the handlers the process
had before (the parent stops them). A caller of ``cli.main`` in its own process (the tests,
the pytest plugin) gets none of this.

Exit codes: 0 done; 1 a check or a claim disagrees; 2 bad input (spec, options, output
folder); 70 an internal error (a bug: one line asking for a report, no traceback);
128 + N stopped by signal N (130 Ctrl-C or SIGINT, 143 SIGTERM, 129 SIGHUP). (A reader
of ``-o -`` that goes away early gets click's exit 1, silently.)
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["EX_SOFTWARE", "GC_THRESHOLD", "Stopped", "console_main"]

EX_SOFTWARE = 70              # sysexits.h: an internal software error
# A young-generation collection every 20 000 allocations instead of 700 (and the older
# generations every 30 of those): a run builds SymPy trees that are hardly ever cyclic
# garbage, so the default thresholds collect nothing, often. 13 % of a 10 261-parameter run
# (benchmarks/PROFILE.md, round 7), its peak memory unchanged. mypy does the same.
GC_THRESHOLD = (20_000, 30, 30)
_STOPPING = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                  if hasattr(signal, name))


class Stopped(SystemExit):
    """A signal that ends the run, raised where the main thread is, so every ``finally``
    runs (the writer removes its temporaries); the process exits with 128 + the signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum

    def __reduce__(self) -> tuple[type, tuple[int]]:     # through a worker's result pipe
        return Stopped, (self.signum,)


def _stop(signum: int, frame: object) -> None:
    """Stop at the next instruction; a second signal is ignored so clean-up is not cut."""
    for other in _STOPPING:
        signal.signal(other, signal.SIG_IGN)
    raise Stopped(signum)


def _swallowing(previous: Callable[[Any], object]) -> Callable[[Any], None]:
    """``sys.unraisablehook`` of the run: a signal whose ``Stopped`` Python could not raise.

    A signal that arrives while Python runs a weakref callback or a ``__del__`` (an import
    lock's clean-up, say) raises there, where Python prints "Exception ignored" with a
    traceback and drops the exception; the run went on and every later signal was ignored.
    Here the signal is handled again 10 ms later, from wherever the run is then; anything
    else goes to the hook that was there before."""
    def hook(unraisable: Any) -> None:
        exc = getattr(unraisable, "exc_value", None)
        if not isinstance(exc, Stopped):
            previous(unraisable)
            return
        for other in _STOPPING:
            signal.signal(other, _stop)            # listen again: nothing is cleaning up yet
        if hasattr(signal, "setitimer"):
            signal.signal(signal.SIGALRM, lambda _, frame: _stop(exc.signum, frame))
            signal.setitimer(signal.ITIMER_REAL, 0.01)
    return hook


def _restore(handlers: dict[int, object]) -> None:
    for signum, handler in handlers.items():
        signal.signal(signum, handler)


def _say(text: str) -> None:
    sys.stderr.write(f"derive-backprop: {text}\n")
    sys.stderr.flush()


def _streams_for_text() -> None:
    """stdout: UTF-8 (a page printed by ``-o -`` is data); stderr: the terminal's own
    encoding, but a character it cannot show is escaped instead of ending the run."""
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
    if hasattr(sys.stderr, "reconfigure"):
        sys.stderr.reconfigure(errors="backslashreplace")


def console_main() -> None:
    """Set the process up, run the command, and turn any ending into one line and a code.

    The command is imported with the collector off, then what the imports made is frozen
    and the heap is left frozen for the exit: importing SymPy makes hundreds of thousands
    of objects and hardly any garbage, yet the collector would run over them some 170
    times; frozen objects are skipped by every later collection, the full ones Python runs
    while tearing the interpreter down included. The run then collects at ``GC_THRESHOLD``.
    By exit the outputs are written, fsynced and closed; ``atexit`` runs.
    """
    previous = {signum: signal.signal(signum, _stop) for signum in _STOPPING}
    alarm = signal.getsignal(signal.SIGALRM) if hasattr(signal, "SIGALRM") else None
    if alarm is not None:                          # _swallowing's second delivery
        previous[signal.SIGALRM] = alarm
    os.register_at_fork(after_in_child=lambda: _restore(previous))    # workers: as before
    hook = sys.unraisablehook
    sys.unraisablehook = _swallowing(hook)
    gc.disable()
    try:
        _streams_for_text()
        try:
            from .cli import main
        finally:
            gc.freeze()
            gc.set_threshold(*GC_THRESHOLD)
            gc.enable()
        main()
    except Stopped as exc:
        _say(f"stopped by {signal.Signals(exc.signum).name}")
        raise
    except KeyboardInterrupt:        # raised by code, not by a signal (those raise Stopped)
        _say("interrupted")
        raise SystemExit(128 + signal.SIGINT) from None
    except Exception as exc:  # noqa: BLE001 -- a bug: one line, and a code that is no verdict
        from .display import display_name

        message = display_name(str(exc), default="")
        _say(f"internal error: {type(exc).__name__}{': ' if message else ''}{message} "
             f"(please report)")
        raise SystemExit(EX_SOFTWARE) from None
    finally:
        gc.freeze()
        if hasattr(signal, "setitimer"):
            signal.setitimer(signal.ITIMER_REAL, 0)
        _restore(previous)
        sys.unraisablehook = hook
