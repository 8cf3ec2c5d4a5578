"""The local executor: chunks on this machine's cores, in worker processes
(:class:`concurrent.futures.ProcessPoolExecutor`), or in this process with one worker."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

from zopa.executors.base import call_shared, run_here, windowed

S = TypeVar("S")
I = TypeVar("I")  # noqa: E741
R = TypeVar("R")

START_SECONDS = 1.0
"""About what starting the worker pool costs (each worker imports numpy and zopa): work whose
chunks would take less than this in all stays in this process (see :class:`LocalExecutor`)."""
PRELOAD = ["numpy", "scipy.special", "zopa.app.uncertain", "zopa.executors.base"]
"""Modules the fork server imports once, so that each worker forked from it starts warm."""
IN_FLIGHT = 2
"""Chunks queued per worker: enough to keep workers busy, few enough to bound memory (the
results of finished chunks are handed over as they come)."""


def _start_worker() -> None:
    """In each worker: Ctrl-C is the parent's to handle (it cancels the work), and numerical
    libraries use one thread (the workers already use every core)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

        threadpool_limits(1)
    except ImportError:  # pragma: no cover - a dependency, but not needed for correctness
        pass


def _start_fork_server() -> None:
    """Start the fork server (if it is not running) with Ctrl-C ignored and stderr going
    nowhere: it and every worker forked from it inherit both, so a Ctrl-C while they start
    never prints a traceback of theirs (their errors come back with their chunks; this process
    handles Ctrl-C)."""
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    devnull, saved = os.open(os.devnull, os.O_WRONLY), os.dup(2)
    try:
        os.dup2(devnull, 2)
        forkserver.ensure_running()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
        signal.signal(signal.SIGINT, previous)


class LocalExecutor:
    """Chunks in ``workers`` processes of this machine; with one worker, or one chunk, in this
    process (no pool, nothing pickled). The pool starts at the first work of more than one
    chunk and lives until :meth:`close`, so several runs (branches, grid points) share it.

    Until the pool exists, the first chunk runs in this process and times the work: when
    the other chunks would take less than ``start_seconds`` in all, they run here too (starting
    workers would cost more than it saves). Results are the same either way (chunk functions
    are pure).

    Workers are started by a fork server (spawn where there is none): never a fork of this
    process, whose threads (a progress bar's) could hold locks. As with any
    :mod:`multiprocessing` code, a script that uses workers must guard its main code with
    ``if __name__ == "__main__":``.
    """

    def __init__(self, workers: int, start_seconds: float = START_SECONDS) -> None:
        self.workers = max(1, int(workers))
        self.start_seconds = start_seconds
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context(
                "forkserver" if "forkserver" in methods else "spawn")
            if "forkserver" in methods:
                context.set_forkserver_preload(PRELOAD)
                _start_fork_server()
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context,
                                             initializer=_start_worker)
        return self._pool

    def run(self, fn: Callable[[S, I], R], shared: S, items: Sequence[I]
            ) -> Iterator[tuple[int, R]]:
        """See :meth:`zopa.executors.Executor.run`."""
        if self.workers == 1 or len(items) <= 1:
            for index, item in enumerate(items):
                yield index, run_here(fn, shared, index, item)
            return
        first = 0
        if self._pool is None and self.start_seconds > 0:
            began = time.perf_counter()
            result = run_here(fn, shared, 0, items[0])
            took = time.perf_counter() - began
            yield 0, result
            first = 1
            if took * (len(items) - 1) < self.start_seconds:
                for index in range(1, len(items)):
                    yield index, run_here(fn, shared, index, items[index])
                return
        pool = self._get_pool()
        token, payload = uuid.uuid4().hex, pickle.dumps(shared, pickle.HIGHEST_PROTOCOL)

        def submit(item: I) -> Future[Any]:
            return pool.submit(call_shared, fn, token, payload, item)

        def finished(futures: list[Future[Any]]) -> list[tuple[Future[Any], Any,
                                                               BaseException | None]]:
            done, _ = wait(futures, return_when=FIRST_COMPLETED)
            return [(f, None if f.exception() else f.result(), f.exception()) for f in done]

        def cancel(futures: list[Future[Any]]) -> None:
            for future in futures:
                future.cancel()

        yield from windowed(items, IN_FLIGHT * self.workers, submit, finished, cancel,
                            lambda error: isinstance(error, BrokenExecutor), start=first)

    def close(self) -> None:
        """Stop the workers; chunks still running (after Ctrl-C) are abandoned, their
        processes ended rather than waited for."""
        if self._pool is not None:
            processes = list(getattr(self._pool, "_processes", {}).values())
            self._pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                if process.is_alive():
                    process.terminate()
            self._pool = None
