"""How long work reports on itself while it runs: a small protocol between the application
layer, which does the work in chunks, and whatever watches it (a progress bar on a terminal, the
run store keeping each chunk as it finishes, nothing at all).

The application layer calls :meth:`Progress.started` once with the size of the work, then
:meth:`Progress.chunk_done` as each chunk finishes (in any order: executors may finish chunks
out of order), then :meth:`Progress.finished`. A watcher must not raise; it must not change the
results. When the user interrupts (Ctrl-C), the use case raises :class:`zopa.errors.Interrupted`
saying how much was done.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Chunk:
    """One finished chunk of work: its number, the items ``[start, stop)`` it covered (draws,
    runs, evaluations, grid points), and summary numbers worth keeping as they come (for
    example ``{"zopa": 12.0}``: draws with a ZOPA among its draws)."""

    index: int
    start: int
    stop: int
    summary: Mapping[str, float] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """How many items the chunk covered."""
        return self.stop - self.start


class Progress(Protocol):
    """A watcher of chunked work (see the module docstring)."""

    def started(self, total: int, unit: str, label: str) -> None:
        """The work begins: ``total`` items of ``unit`` (``draws``, ``runs``...), ``label``
        saying what (``timeline, 10,000 draws``)."""

    def chunk_done(self, chunk: Chunk) -> None:
        """One chunk finished."""

    def finished(self) -> None:
        """The work is over (done or interrupted)."""


class NoProgress:
    """The watcher that does nothing (the default)."""

    def started(self, total: int, unit: str, label: str) -> None:
        """Nothing to do."""

    def chunk_done(self, chunk: Chunk) -> None:
        """Nothing to do."""

    def finished(self) -> None:
        """Nothing to do."""


class Watchers:
    """Several watchers as one: each hears every call, in order."""

    def __init__(self, watchers: Sequence[Progress]) -> None:
        self.watchers = tuple(watchers)

    def started(self, total: int, unit: str, label: str) -> None:
        """Tell every watcher."""
        for w in self.watchers:
            w.started(total, unit, label)

    def chunk_done(self, chunk: Chunk) -> None:
        """Tell every watcher."""
        for w in self.watchers:
            w.chunk_done(chunk)

    def finished(self) -> None:
        """Tell every watcher."""
        for w in self.watchers:
            w.finished()


NO_PROGRESS: Progress = NoProgress()
"""The default watcher: nothing is reported."""
