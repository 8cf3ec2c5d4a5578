"""The executor protocol, its settings, and what every executor shares (the retry rule, the
worker's side of a call)."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from zopa.errors import UsageError, ZopaError

S = TypeVar("S")
I = TypeVar("I")  # noqa: E741
R = TypeVar("R")

Task = Callable[[Any, Any], Any]
"""A chunk function ``fn(shared, item) -> result``: module-level (picklable by name), pure
(same arguments, same result), and cheap to send (the big data is in ``shared``)."""

EXECUTORS = ("local", "ray")
"""The executors' names (``--executor``)."""


class ChunkFailed(ZopaError):
    """A chunk failed twice (it is retried once): the work stops, naming the chunk."""

    def __init__(self, index: int, item: object, error: BaseException) -> None:
        self.index, self.item, self.error = index, item, error
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        what = f" ({_describe(item)})" if _describe(item) else ""
        super().__init__(f"chunk {index}{what} failed twice: {type(error).__name__}"
                         + (f": {first[:200]}" if first else ""))


def _describe(item: object) -> str:
    start, stop = getattr(item, "start", None), getattr(item, "stop", None)
    return f"items {start:,}..{stop - 1:,}" if isinstance(start, int) and isinstance(
        stop, int) else ""


@dataclass(frozen=True)
class ExecutorSettings:
    """Where chunks run: ``kind`` ``local`` (processes of this machine; ``workers`` of them,
    default one a core, 1 = in this process) or ``ray`` (``address`` of a running cluster,
    default: Ray started on this machine with ``workers`` CPUs, default all)."""

    kind: str = "local"
    workers: int | None = None
    address: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in EXECUTORS:
            raise UsageError(f"unknown executor {self.kind!r}: use {' or '.join(EXECUTORS)}")
        if self.workers is not None and not 1 <= self.workers <= 4096:
            raise UsageError(f"workers must be between 1 and 4,096, not {self.workers:,}")
        if self.address is not None and self.kind != "ray":
            raise UsageError("--address names a Ray cluster: add --executor ray")


IN_PROCESS = ExecutorSettings("local", workers=1)
"""Every chunk in the calling process, one after another (the default of the Python API)."""


class Executor(Protocol):
    """Runs chunk functions and yields ``(index, result)`` as chunks finish (any order)."""

    workers: int
    """Chunks that may run at once."""

    def run(self, fn: Callable[[S, I], R], shared: S, items: Sequence[I]
            ) -> Iterator[tuple[int, R]]:
        """``fn(shared, items[k])`` for every ``k``, yielded as ``(k, result)`` when done. A
        chunk that raises is run once more; if it fails again, :class:`ChunkFailed`."""
        ...

    def close(self) -> None:
        """Release the workers (the executor may not be used afterwards)."""
        ...


def cores() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def make_executor(settings: ExecutorSettings) -> Executor:
    """A new executor for ``settings`` (Ray is imported only here, and only for ``ray``)."""
    if settings.kind == "ray":
        from zopa.executors.ray import RayExecutor

        return RayExecutor(settings.address, settings.workers)
    from zopa.executors.local import LocalExecutor

    return LocalExecutor(settings.workers or cores())


@contextmanager
def open_executor(executor: ExecutorSettings | Executor | None) -> Iterator[Executor]:
    """An executor for the duration of a ``with`` block: made from settings (and closed at the
    end), or the one given (left open: its owner closes it). ``None``: :data:`IN_PROCESS`."""
    if executor is not None and not isinstance(executor, ExecutorSettings):
        yield executor
        return
    made = make_executor(executor or IN_PROCESS)
    try:
        yield made
    finally:
        made.close()


def run_here(fn: Callable[[S, I], R], shared: S, index: int, item: I) -> R:
    """``fn(shared, item)`` in this process, retried once (:class:`ChunkFailed` after that)."""
    try:
        return fn(shared, item)
    except Exception:  # any failure of a chunk is retried once
        try:
            return fn(shared, item)
        except Exception as again:
            raise ChunkFailed(index, item, again) from None


_SHARED: dict[str, Any] = {}
"""A worker's copy of the shared argument of the current work, by token (one at a time)."""


def call_shared(fn: Callable[[Any, Any], Any], token: str, payload: bytes, item: Any) -> Any:
    """The worker's side of a call: unpickle ``payload`` once per worker and work (token),
    then ``fn(shared, item)``."""
    if token not in _SHARED:
        _SHARED.clear()
        _SHARED[token] = pickle.loads(payload)  # our own pickle, from our process
    return fn(_SHARED[token], item)


H = TypeVar("H")

Finished = Callable[[list[H]], list[tuple[H, Any, BaseException | None]]]
"""Waits for at least one of the handles to finish: ``(handle, result, error)`` for each done."""


def windowed(items: Sequence[Any], limit: int, submit: Callable[[Any], H],
             finished: Finished[H], cancel: Callable[[list[H]], None],
             fatal: Callable[[BaseException], bool] = lambda error: False, start: int = 0
             ) -> Iterator[tuple[int, Any]]:
    """Run ``items`` through an executor's ``submit``, at most ``limit`` in flight, yielding
    ``(index, result)`` as they finish; a chunk that fails is submitted once more (unless the
    error is ``fatal``: the workers are gone), a second failure is :class:`ChunkFailed`. Handles
    still in flight when the caller stops (Ctrl-C, a failure) are given to ``cancel``. Items
    before ``start`` are done already (indices stay those of ``items``)."""
    pending: dict[H, tuple[int, bool]] = {}
    queue = iter(list(enumerate(items))[start:])

    def refill() -> None:
        while len(pending) < limit:
            nxt = next(queue, None)
            if nxt is None:
                return
            pending[submit(nxt[1])] = (nxt[0], False)

    refill()
    try:
        while pending:
            for handle, result, error in finished(list(pending)):
                index, retried = pending.pop(handle)
                if error is not None:
                    if retried or fatal(error):
                        raise ChunkFailed(index, items[index], error)
                    pending[submit(items[index])] = (index, True)
                    continue
                yield index, result
            refill()
    finally:
        cancel(list(pending))
