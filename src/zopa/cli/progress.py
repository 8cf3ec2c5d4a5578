"""The progress bar of long commands: a :class:`zopa.progress.Progress` watcher drawing on
stderr with the rate and the time left, only on a terminal and never with ``--json`` or
``-o`` (their output is for programs)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zopa.cli.common import err_console, real_console, store_watcher
from zopa.progress import NO_PROGRESS, Chunk, Progress, Watchers

if TYPE_CHECKING:
    from rich.console import Console


class Bar:
    """A rich progress bar fed by chunk reports: items done of the total, the rate in items a
    second, the time elapsed and left. Disappears when the work is over."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._bar: Any = None
        self._task: Any = None

    def started(self, total: int, unit: str, label: str) -> None:
        """Draw a new bar (ending one still drawn)."""
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.finished()
        columns = (TextColumn("[progress.description]{task.description}"), BarColumn(),
                   MofNCompleteColumn(), _rate_column(unit), TimeElapsedColumn(),
                   TextColumn("left"), TimeRemainingColumn())
        self._bar = Progress(*columns, console=self.console, transient=True)
        self._bar.start()
        self._task = self._bar.add_task(label or unit, total=total)

    def chunk_done(self, chunk: Chunk) -> None:
        """Advance by the chunk's items."""
        if self._bar is not None:
            self._bar.advance(self._task, chunk.size)

    def finished(self) -> None:
        """Take the bar away."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _rate_column(unit: str) -> Any:
    from rich.progress import ProgressColumn
    from rich.text import Text

    class Rate(ProgressColumn):
        """Items a second, from rich's moving estimate."""

        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            return Text("" if speed is None else f"{speed:,.0f} {unit}/s",
                        style="progress.data.speed")

    return Rate()


@contextmanager
def progress_watcher(quiet: bool, also: Progress = NO_PROGRESS) -> Iterator[Progress]:
    """The watcher a command passes to its use case: a :class:`Bar` on a terminal, nothing when
    ``quiet`` (``--json``, ``-o``) or when stderr is not a terminal; with ``also`` (the run
    store's watcher, which keeps chunks as they finish) told everything too. The bar is gone
    when the ``with`` block ends, whatever happened in it."""
    console = real_console(err_console)
    if quiet or not console.is_terminal:
        yield also
        return
    bar = Bar(console)
    try:
        yield bar if also is NO_PROGRESS else Watchers([bar, also])
    finally:
        bar.finished()


@contextmanager
def watching(command: str, *, quiet: bool, store: Path | None, no_store: bool,
             scenario_file: Path | None) -> Iterator[Progress]:
    """The watchers of a chunked command in one: its progress bar (see
    :func:`progress_watcher`) and the run store's watcher, which keeps each chunk as it
    finishes (:func:`zopa.cli.common.store_watcher`; nothing with ``--no-store``)."""
    keeper = store_watcher(command, store=store, no_store=no_store, scenario_file=scenario_file)
    with progress_watcher(quiet, keeper) as progress:
        yield progress
