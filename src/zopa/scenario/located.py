"""Parsed data with the line of every field, and the limits every document parser applies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zopa.errors import Problem

MAX_NODES = 500_000
"""Largest number of YAML nodes after alias expansion; guards against alias bombs."""

MAX_DEPTH = 64
"""Deepest nesting of lists and mappings; a scenario needs about 8 levels."""

MAX_INT_DIGITS = 4_300
"""Longest whole number read (Python's own default limit of int conversion, fixed here so that a
changed interpreter setting cannot open the way to slow conversions)."""

PathKey = tuple[str | int, ...]


@dataclass
class Document:
    """Parsed data with the source line (1-based) of every mapping key and list item."""

    file: str
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: PathKey) -> int | None:
        """Line of the deepest prefix of ``path`` that appears in the document."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    def problem(self, path: PathKey, message: str) -> Problem:
        """A problem at ``path``, located at the line of its deepest part in the document."""
        return Problem(self.file, self.line_of(path), format_path(path), message)


def format_path(path: PathKey) -> str:
    """``("actors", 2, "capability")`` -> ``actors.2.capability``; the root is ``<document>``."""
    return ".".join(str(part) for part in path) if path else "<document>"


def too_long_number(digits: int) -> str:
    """The message for a whole number past :data:`MAX_INT_DIGITS`."""
    return f"a whole number of {digits:,} digits; numbers are limited to {MAX_INT_DIGITS:,} digits"
