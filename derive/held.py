"""Signals that stop a run wait while a block that must not be cut in half runs: the writer's
renames and clean-up, and the reaping of a finished ``site`` worker (a handler that raises
between the kernel's wait and multiprocessing noting the exit status loses that status: the
worker then looks alive for ever, and ``close()`` raises).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["HELD", "signals_held"]

# Those that raise in the run (derive.process: Stopped; SIGALRM re-delivers a dropped one).
HELD = frozenset(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGALRM")
                 if hasattr(signal, name))


@contextmanager
def signals_held() -> Iterator[None]:
    """HELD waits while the block runs: masked in this thread, and recorded by the handlers
    if another thread (torch's) takes one; raised after, in the order they came."""
    caught: list[int] = []
    handlers = {s: signal.signal(s, lambda signum, _: caught.append(signum)) for s in HELD} \
        if threading.current_thread() is threading.main_thread() else {}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
    try:
        yield
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        for signum in caught:
            signal.raise_signal(signum)
