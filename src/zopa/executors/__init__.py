"""Executors: where chunks of work run (this process, local processes, a Ray cluster).

A chunked use case (Monte Carlo draws, grid points, ...) hands an :class:`Executor` one
picklable function, one *shared* argument (the scenario's compiled timeline, the model: sent
once to each worker) and one small item a chunk (its draws ``[start, stop)``). The executor
yields ``(index, result)`` pairs as chunks finish, in any order; the caller puts each result in
its place by index, so the numbers never depend on the executor, the number of workers or the
order in which chunks finish (every chunk draws from its own seeded streams, see
:mod:`zopa.seeds`).

- :class:`~zopa.executors.local.LocalExecutor`: processes of this machine
  (:mod:`concurrent.futures`), one a core by default; one worker runs in this process.
- :class:`~zopa.executors.ray.RayExecutor`: a Ray cluster, or Ray on this machine
  (``pip install 'zopa[ray]'``; imported only when asked for).

A chunk that fails is run once more; a second failure stops the work with
:class:`ChunkFailed`, naming the chunk. See ``docs/executors.md``.
"""

from __future__ import annotations

from zopa.executors.base import (
    EXECUTORS,
    IN_PROCESS,
    ChunkFailed,
    Executor,
    ExecutorSettings,
    Task,
    open_executor,
)
from zopa.executors.chunks import Span, Stages, run_chunks, spans

__all__ = ["EXECUTORS", "IN_PROCESS", "ChunkFailed", "Executor", "ExecutorSettings", "Span",
           "Stages", "Task", "open_executor", "run_chunks", "spans"]
