"""Long runs (Monte Carlo, sensitivity, negotiations, reports) as background jobs the pages
poll for their progress.

A job runs one use case of :mod:`zopa.app` in a worker thread. The job is its watcher: a
:class:`zopa.progress.Progress` for use cases that report chunks, and a count callback for
negotiations (``progress(runs_done)``); for use cases that take no watcher the page shows the
job running until it is done.
"""

from __future__ import annotations

import inspect
import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from zopa.errors import ScenarioError, ZopaError
from zopa.progress import Chunk

MAX_JOBS = 64
"""Jobs kept (finished ones are forgotten oldest first beyond this)."""
WORKERS = 2
"""Jobs run at once; more wait their turn (long runs must not starve quick requests)."""


@dataclass
class Job:
    """A job's state as ``GET /api/jobs/{id}`` returns it; also its progress watcher."""

    id: str
    kind: str
    state: str = "queued"
    """``queued``, ``running``, ``done`` or ``failed``."""
    label: str = ""
    unit: str = ""
    total: int = 0
    done: int = 0
    started_at: float = field(default_factory=time.monotonic)
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None

    def started(self, total: int, unit: str, label: str) -> None:
        """Progress: the work's size is known."""
        self.total, self.unit, self.label = total, unit, label

    def chunk_done(self, chunk: Chunk) -> None:
        """Progress: a chunk finished (chunks may finish out of order: sizes are added)."""
        self.done += chunk.size

    def finished(self) -> None:
        """Progress: the work is over (the state changes when the result is in)."""

    def __call__(self, finished: int) -> None:
        """Progress as a count (negotiations call their watcher with the runs just done)."""
        self.done += finished

    def status(self) -> dict[str, Any]:
        """The JSON the API returns."""
        return {"id": self.id, "kind": self.kind, "state": self.state, "label": self.label,
                "unit": self.unit, "total": self.total, "done": self.done,
                "seconds": round(time.monotonic() - self.started_at, 2),
                "result": self.result, "error": self.error}


class Jobs:
    """The jobs of one server."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="zopa-job")

    def start(self, kind: str, run: Callable[..., Any],
              to_json: Callable[[Any], dict[str, Any]], *, total: int = 0,
              unit: str = "") -> Job:
        """Queue ``run`` (a use case with its arguments bound; it is given ``progress=job`` if
        it takes a ``progress`` watcher); ``to_json`` turns its result into the job's JSON.
        ``total`` and ``unit`` size the work for watchers that only count (negotiations)."""
        with self._lock:
            job = Job(id=str(next(self._ids)), kind=kind, total=total, unit=unit)
            self._jobs[job.id] = job
            while len(self._jobs) > MAX_JOBS:
                oldest = next(iter(self._jobs))
                if self._jobs[oldest].state in ("queued", "running"):
                    break
                del self._jobs[oldest]
        self._pool.submit(self._run, job, run, to_json)
        return job

    def get(self, job_id: str) -> Job | None:
        """The job with this id, if it is still kept."""
        with self._lock:
            return self._jobs.get(job_id)

    def shutdown(self) -> None:
        """Stop taking jobs; running ones finish."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    @staticmethod
    def _run(job: Job, run: Callable[..., Any],
             to_json: Callable[[Any], dict[str, Any]]) -> None:
        job.state, job.started_at = "running", time.monotonic()
        try:
            takes = "progress" in inspect.signature(run).parameters
            found = run(progress=job) if takes else run()
            job.result = to_json(found)
            job.state = "done"
        except ScenarioError as exc:
            job.error = {"problems": [str(p) for p in exc.problems]}
            job.state = "failed"
        except ZopaError as exc:
            job.error = {"error": str(exc)}
            job.state = "failed"
        except Exception as exc:  # a bug must show in the page, not kill the worker thread
            job.error = {"error": f"internal error: {type(exc).__name__}: {exc}"}
            job.state = "failed"
