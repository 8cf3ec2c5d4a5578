"""The base of every result: a frozen, typed record that is also its own JSON format.

Each use case of :mod:`zopa.app` returns a subclass of :class:`Result`. Its fields *are* the
machine-readable format: :meth:`Result.to_json` gives the JSON object (``format`` names the
layout and its version, e.g. ``zopa.forecast/1``) and :meth:`Result.json_schema` its JSON Schema
(``zopa schema --result NAME``). Front ends (command line, web app, run store) render the typed
fields; none of them builds JSON of its own.

Numbers: NaN and infinities are refused at construction (a missing number is ``None``), and
:func:`number` rounds to 12 significant digits to hide float noise.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class Record(BaseModel):
    """A part of a result: frozen, no unknown fields, no NaN or infinity."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Result(Record):
    """A use case's result; subclasses set :attr:`kind` and a ``format`` literal field."""

    kind: ClassVar[str]
    """Short name, as in ``zopa schema --result KIND``."""

    def to_json(self) -> dict[str, Any]:
        """The JSON object of this result (what ``--json`` prints)."""
        return self.model_dump(mode="json", by_alias=True)

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The JSON Schema of this result's format."""
        schema = cls.model_json_schema(mode="serialization", by_alias=True)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        return schema


def number(value: float | None) -> float | None:
    """A float for JSON: ``None`` for NaN, infinity or ``None``; 12 significant digits.

    >>> number(0.1 + 0.2)
    0.3
    >>> number(float("nan")) is None
    True
    """
    if value is None:
        return None
    v = float(value)
    if not math.isfinite(v):
        return None
    return float(f"{v:.12g}")


class ScenarioHeader(Record):
    """Which scenario a result is about."""

    title: str
    as_of: str | None
    file: str | None


class IssueInfo(Record):
    """An issue's names and scale, so that a result can be shown without the scenario."""

    id: str
    name: str
    unit: str
    options: list[str] | None

    def label(self, value: float | None) -> str:
        """A value as text: the nearest option's name, or the number with its unit.

        >>> IssueInfo(id="d", name="days", unit="days", options=None).label(42.0)
        '42 days'
        >>> IssueInfo(id="w", name="w", unit="", options=["none", "all"]).label(0.7)
        'all'
        """
        if value is None or not math.isfinite(value):
            return "-"
        if self.options is not None:
            return self.options[min(max(round(value), 0), len(self.options) - 1)]
        unit = f" {self.unit}" if self.unit else ""
        return f"{value:.4g}{unit}"


IssueValues = dict[str, float | None]
"""Per issue id, a value in the issue's units (``None`` where there is none)."""
