"""Tasks in worker processes: one process per task, at most ``jobs`` at a time.

A pool's worker serves many tasks, so when the OOM killer's SIGKILL takes one the pool can
only say that it broke (or wait forever). A process per task knows its task: its death
ends the run with one line naming it. No worker outlives the run: whatever ends it (a
result, an error, a signal to the parent raised as an exception in the main thread), the
workers still running are terminated, then killed, and reaped.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any

from .errors import DeriveError
from .held import signals_held

__all__ = ["WorkerDied", "run_in_workers"]

GRACE = 5.0     # seconds a terminated worker has to end before it is killed


class WorkerDied(DeriveError):
    """A worker ended without its result: 128 + N when signal N killed it, else 70."""

    def __init__(self, name: str, exitcode: int | None) -> None:
        if exitcode is not None and exitcode < 0:
            how = f"killed by {signal.Signals(-exitcode).name}"
        else:
            how = f"ended with exit code {exitcode} and no result"
        super().__init__("worker", "the process deriving it to finish", got_text=how,
                         file=name, hint="out of memory? run it alone, or with fewer --jobs")
        self.exit_code = 128 - exitcode if exitcode is not None and exitcode < 0 else 70


def _work(func: Callable[..., Any], args: tuple, send: Connection) -> None:
    """In the worker: the result through the pipe. Ctrl-C reaches the whole process group;
    the parent stops the run, so the worker ends quietly (no traceback of its own)."""
    try:
        result = func(*args)
        send.send(result)
    except (KeyboardInterrupt, BrokenPipeError):    # interrupted, or the parent is gone
        pass
    finally:
        send.close()


def run_in_workers(func: Callable[..., Any], tasks: Sequence[tuple], names: Sequence[str], *,
                   jobs: int, done: Callable[[int], object] = lambda n: None) -> list:
    """``[func(*task) for task in tasks]``, each in a process of its own, ``jobs`` at once;
    ``done(1)`` after each. ``WorkerDied`` names the task whose worker died."""
    context = multiprocessing.get_context()
    results: list = [None] * len(tasks)
    waiting = list(reversed(range(len(tasks))))
    running: dict[int, tuple[Any, Connection]] = {}
    try:
        while waiting or running:
            while waiting and len(running) < jobs:
                index = waiting.pop()
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_work, args=(func, tasks[index], send),
                                          daemon=True)
                process.start()
                send.close()            # the worker holds the only writing end
                running[index] = (process, receive)
            ready = set(wait([receive for _, receive in running.values()]))
            for index, (process, receive) in list(running.items()):
                if receive not in ready:
                    continue
                try:
                    results[index] = receive.recv()
                except (EOFError, OSError):     # the pipe closed with no result: it died
                    with signals_held():
                        process.join()
                    raise WorkerDied(names[index], process.exitcode) from None
                with signals_held():
                    process.join()
                    process.close()     # its finalizer now, not in a collection a signal
                    receive.close()     # may interrupt ("Exception ignored in ...")
                    del running[index]
                done(1)
        return results
    finally:
        _stop(running.values())


def _stop(workers: Any) -> None:
    """Terminate every worker still running, kill those that outlast GRACE, reap them all."""
    workers = list(workers)
    with signals_held():
        for process, _ in workers:
            if process.is_alive():
                process.terminate()
        for process, receive in workers:
            process.join(GRACE)
            if process.is_alive():
                process.kill()
                process.join()
            process.close()
            receive.close()
