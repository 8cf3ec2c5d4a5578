"""A :class:`~zopa.progress.Progress` watcher that keeps a run in the store while it runs.

:meth:`StoreWatcher.started` inserts the run with status ``running``; each finished chunk's
summary is written in its own transaction. Opening the store costs tens of milliseconds (and
holds it against other processes), so chunks that finish within :data:`INTERVAL` of the last
write wait in memory and go together, each still its own transaction; so do chunks that find
the store held by another process. :meth:`StoreWatcher.finished` writes what is pending. A
process killed mid-run loses at most the chunks of its last :data:`INTERVAL`. The front end
then stores the result into the same run (``done``), or calls
:meth:`StoreWatcher.close` with ``interrupted`` or ``failed``. A watcher never raises: a store
that cannot be written is remembered in :attr:`StoreWatcher.error` and the work goes on.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path

from zopa.progress import Chunk
from zopa.store.connection import StoreError
from zopa.store.writer import RunInfo, add_chunks, begin_run, mark_run, now, open_store

INTERVAL = 1.0
"""Seconds between two writes of finished chunks (0: each chunk as it finishes)."""


class StoreWatcher:
    """Keeps a chunked run in the store at ``path`` as it goes (see the module docstring)."""

    def __init__(self, path: Path, info: RunInfo,
                 notice: Callable[[str], None] | None = None,
                 interval: float = INTERVAL) -> None:
        self.path = path
        self.interval = interval
        self._last = 0.0
        self.info = info
        self.notice = notice
        self.run_id: int | None = None
        self.error: StoreError | None = None
        self.unit = "items"
        self.kept_chunks = 0
        self.kept_items = 0
        self._pending: list[Chunk] = []

    def started(self, total: int, unit: str, label: str) -> None:
        """Insert the run with status ``running``."""
        self.unit = unit
        self.info.started = now()
        try:
            con = open_store(self.path, self.notice)
            try:
                self.run_id = begin_run(con, self.info, self.path, unit=unit, total=total)
            finally:
                con.close()
        except StoreError as exc:
            self.error = exc

    def chunk_done(self, chunk: Chunk) -> None:
        """Keep the chunk now (its own transaction), or with the next one if the store is
        busy."""
        if self.run_id is None:
            return
        self._pending.append(chunk)
        if time.monotonic() - self._last >= self.interval:
            self._flush(wait=0.0)

    def finished(self) -> None:
        """Write the chunks still pending (waiting for the store if need be)."""
        self._flush(wait=None)

    def close(self, status: str) -> None:
        """End the run as ``interrupted`` or ``failed`` (pending chunks written first)."""
        self._flush(wait=None)
        if self.run_id is None:
            return
        try:
            con = open_store(self.path, self.notice)
            try:
                mark_run(con, self.run_id, status, self.info.started)
            finally:
                con.close()
        except StoreError as exc:
            self.error = exc

    def _flush(self, wait: float | None) -> None:
        if self.run_id is None or not self._pending:
            return
        import duckdb

        try:
            con = open_store(self.path, None if wait == 0 else self.notice, wait=wait)
        except StoreError as exc:
            if wait != 0:
                self.error = exc
            return
        try:
            with contextlib.closing(con):
                while self._pending:
                    self.kept_items += add_chunks(con, self.run_id, self._pending[:1])
                    self.kept_chunks += 1
                    self._pending.pop(0)
            self._last = time.monotonic()
        except (duckdb.Error, OSError) as exc:
            from zopa.store.connection import explain

            self.error = explain(exc, self.path)
