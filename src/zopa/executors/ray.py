"""The Ray executor: chunks as Ray tasks, on a cluster (``--address``) or on Ray started on
this machine. Ray is an optional extra (``pip install 'zopa[ray]'``), imported only here."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from zopa.errors import UsageError
from zopa.executors.base import cores, windowed

S = TypeVar("S")
I = TypeVar("I")  # noqa: E741
R = TypeVar("R")

IN_FLIGHT = 2
"""Tasks submitted per worker CPU at a time (memory stays bounded however many chunks)."""


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise UsageError("--executor ray needs Ray: pip install 'zopa[ray]'") from None
    return ray


def _call(fn: Callable[[Any, Any], Any], shared: Any, item: Any) -> Any:
    """A chunk on a Ray worker (``shared`` comes from the object store, put there once)."""
    return fn(shared, item)


class RayExecutor:
    """Chunks as Ray tasks. Connects to the cluster at ``address`` (``auto``: the one this
    machine belongs to), else starts Ray here with ``workers`` CPUs (default: every core), and
    shuts it down on :meth:`close` if it started it. Each chunk is a task of one CPU; the shared
    argument goes to the object store once per run."""

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        ray = _ray()
        self._started = False
        if not ray.is_initialized():
            try:
                ray.init(address=address, num_cpus=None if address else (workers or cores()),
                         include_dashboard=False, log_to_driver=False,
                         logging_level=logging.ERROR)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(
                    exc).__name__
                raise UsageError(f"cannot start or reach Ray"
                                 f"{f' at {address}' if address else ''}: {first[:200]}"
                                 ) from None
            self._started = True
        self.workers = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        self._remote = ray.remote(num_cpus=1, max_retries=0)(_call)

    def run(self, fn: Callable[[S, I], R], shared: S, items: Sequence[I]
            ) -> Iterator[tuple[int, R]]:
        """See :meth:`zopa.executors.Executor.run`."""
        ray = _ray()
        if not items:
            return
        shared_ref = ray.put(shared)

        def finished(refs: list[Any]) -> list[tuple[Any, Any, BaseException | None]]:
            ready, _ = ray.wait(refs, num_returns=1)
            out: list[tuple[Any, Any, BaseException | None]] = []
            for ref in ready:
                try:
                    out.append((ref, ray.get(ref), None))
                except Exception as exc:  # a failed task is retried once
                    out.append((ref, None, _cause(exc)))
            return out

        def cancel(refs: list[Any]) -> None:
            for ref in refs:
                ray.cancel(ref, force=True)

        yield from windowed(items, IN_FLIGHT * self.workers,
                            lambda item: self._remote.remote(fn, shared_ref, item), finished,
                            cancel)

    def close(self) -> None:
        """Shut Ray down if this executor started it (a cluster given by address stays up)."""
        if self._started:
            _ray().shutdown()
            self._started = False


def _cause(exc: BaseException) -> BaseException:
    """The user's error inside Ray's wrapper (``RayTaskError.cause``), when there is one."""
    cause = getattr(exc, "cause", None)
    return cause if isinstance(cause, BaseException) else exc
