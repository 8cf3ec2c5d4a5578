"""Errors that reach users: each one a located, one-line problem.

Every command that reads a scenario reports problems as ``FILE:LINE: path.to.field: what is wrong``
and exits with code 2 (see :mod:`zopa.cli.app`). Code deeper down raises :class:`ScenarioError` with
all the problems it found, never a bare traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        from zopa.inputs import printable  # imported here: zopa.inputs imports this module

        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return printable(f"{where}: {self.path}: {self.message}")


class ZopaError(Exception):
    """Base of zopa's user-facing errors: the message is one clear line."""


class ScenarioError(ZopaError):
    """A scenario (or other input file) could not be read or is invalid."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.path, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(ZopaError):
    """A command-line argument or API parameter is invalid."""


class BudgetError(UsageError):
    """A request is larger than a stated limit of work or memory; the message names the limit
    and how to go past it. Raised before the work starts, never after a long wait."""


class Interrupted(ZopaError):
    """The user stopped long work (Ctrl-C): ``done`` of ``total`` items of ``unit`` were
    finished. Front ends say so and exit with code 130; chunks a watcher already kept (the run
    store) stay kept."""

    def __init__(self, done: int, total: int, unit: str) -> None:
        self.done, self.total, self.unit = done, total, unit
        super().__init__(f"interrupted after {done:,} of {total:,} {unit}")
