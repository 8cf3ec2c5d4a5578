"""What the scenario checks share: the type of their findings and small helpers for ids."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol, TypeVar

from zopa.scenario.document import PathKey, format_path
from zopa.scenario.schema import Point

Found = Iterator[tuple[PathKey, str]]
"""What a check yields: ``(path, message)`` pairs."""


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


_T = TypeVar("_T", bound=_HasId)


def duplicates(section: str | PathKey, ids: Sequence[str]) -> Found:
    """Every repeat of an id in a list at ``section``, naming where it was first used."""
    where: PathKey = (section,) if isinstance(section, str) else section
    first: dict[str, int] = {}
    for index, item_id in enumerate(ids):
        if item_id in first:
            also = format_path((*where, first[item_id]))
            yield (*where, index, "id"), f"duplicate id {item_id!r} (also {also})"
        first.setdefault(item_id, index)


def show(value: Point) -> str:
    """A point as the analyst wrote it: ``12``, ``2.5``, ``'partial'``."""
    return repr(value) if isinstance(value, str) else f"{value:g}"


def first_by_id(items: Iterable[_T]) -> dict[str, _T]:
    """Items by id; with duplicate ids (reported elsewhere) the first one counts."""
    out: dict[str, _T] = {}
    for item in items:
        out.setdefault(item.id, item)
    return out


def unknown(kind: str, item_id: str, known: Iterable[str]) -> str:
    """``unknown actor 'isrl'; did you mean 'isr'?`` (or the known ids, if few)."""
    known = sorted(known)
    close = difflib.get_close_matches(item_id, known, n=1, cutoff=0.6)
    if close:
        return f"unknown {kind} {item_id!r}; did you mean {close[0]!r}?"
    if 0 < len(known) <= 8:
        return f"unknown {kind} {item_id!r}; known: {', '.join(known)}"
    return f"unknown {kind} {item_id!r}"
