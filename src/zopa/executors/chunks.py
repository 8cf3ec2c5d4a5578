"""Chunked work with its watchers: items ``0 .. N-1`` cut into spans, each span run on an
executor, each result handed to the caller by index, progress reported, Ctrl-C turned into
:class:`zopa.errors.Interrupted` saying how much was done."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from zopa.errors import Interrupted
from zopa.executors.base import Executor
from zopa.progress import NO_PROGRESS, Chunk, Progress

S = TypeVar("S")
R = TypeVar("R")


@dataclass(frozen=True)
class Span:
    """Items ``[start, stop)`` of the work: one chunk's item."""

    start: int
    stop: int

    @property
    def size(self) -> int:
        """How many items."""
        return self.stop - self.start


def spans(total: int, size: int) -> list[Span]:
    """``0 .. total - 1`` in spans of ``size`` (the last may be shorter).

    >>> spans(10, 4)
    [Span(start=0, stop=4), Span(start=4, stop=8), Span(start=8, stop=10)]
    """
    return [Span(lo, min(total, lo + size)) for lo in range(0, total, max(1, size))]


def run_chunks(
    executor: Executor,
    fn: Callable[[S, Span], R],
    shared: S,
    items: Sequence[Span],
    consume: Callable[[Span, R], None],
    *,
    progress: Progress = NO_PROGRESS,
    unit: str = "draws",
    label: str = "",
    summary: Callable[[R], Mapping[str, float]] | None = None,
    total: int | None = None,
) -> None:
    """Run ``fn(shared, span)`` for every span on ``executor``; ``consume(span, result)`` as
    each finishes (any order). ``progress`` hears the start (``total`` items, default the
    spans' sum), each chunk (with ``summary(result)``) and the end.

    Raises:
        zopa.errors.Interrupted: on Ctrl-C, with the items finished so far.
        zopa.executors.ChunkFailed: when a chunk failed twice.
    """
    size = total if total is not None else sum(span.size for span in items)
    done = 0
    progress.started(size, unit, label)
    try:
        for index, result in executor.run(fn, shared, items):
            span = items[index]
            consume(span, result)
            done += span.size
            progress.chunk_done(Chunk(index, span.start, span.stop,
                                      dict(summary(result)) if summary else {}))
    except KeyboardInterrupt:
        raise Interrupted(done, size, unit) from None
    finally:
        progress.finished()


class Stages:
    """Several chunked runs, one after another, as one piece of work for a watcher (the
    branches of a comparison, the points of a grid): the watcher hears one start with the
    total, every chunk numbered across the runs, one end; an interruption counts the items of
    the runs before. Use as a context manager; :meth:`next` gives each run its watcher."""

    def __init__(self, whole: Progress, total: int, unit: str, label: str) -> None:
        self.whole, self.total, self.unit, self.label = whole, total, unit, label
        self._offset = 0
        self._next_offset = 0
        self._chunks = 0
        self._part: _Part | None = None

    def __enter__(self) -> Stages:
        if self.total > 0:
            self.whole.started(self.total, self.unit, self.label)
        return self

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        if self.total > 0:
            self.whole.finished()
        if isinstance(error, Interrupted):
            raise Interrupted(self._offset + error.done, self.total, self.unit) from None

    def next(self, size: int) -> Progress:
        """The watcher of the next run, of ``size`` items."""
        if self._part is not None:
            self._chunks += self._part.chunks
        self._offset = self._next_offset
        self._next_offset += size
        self._part = _Part(self.whole, self._offset, self._chunks)
        return self._part


class _Part:
    """One run's watcher within :class:`Stages`: its chunks shifted into the whole."""

    def __init__(self, whole: Progress, offset: int, first_index: int) -> None:
        self.whole, self.offset, self.first_index = whole, offset, first_index
        self.chunks = 0

    def started(self, total: int, unit: str, label: str) -> None:
        """The whole has started already."""

    def chunk_done(self, chunk: Chunk) -> None:
        """Tell the whole, with the chunk's number and items shifted."""
        self.chunks = max(self.chunks, chunk.index + 1)
        self.whole.chunk_done(Chunk(self.first_index + chunk.index, self.offset + chunk.start,
                                    self.offset + chunk.stop, chunk.summary))

    def finished(self) -> None:
        """The whole ends later."""
