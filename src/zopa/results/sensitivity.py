"""Result of ``zopa sensitivity``: which uncertain inputs drive an output (docs/json.md:
``zopa.sensitivity/1``)."""

from __future__ import annotations

from typing import Literal

from zopa.results.base import Record, Result, ScenarioHeader


class DriverRecord(Record):
    """One uncertain input's influence on the output (Sobol or Morris fields filled)."""

    label: str
    first: float | None = None
    first_conf: float | None = None
    total: float | None = None
    total_conf: float | None = None
    mu_star: float | None = None
    mu_star_conf: float | None = None
    sigma: float | None = None


class SensitivityResultRecord(Result):
    """``zopa sensitivity``: the drivers of one output, largest first."""

    kind = "sensitivity"
    format: Literal["zopa.sensitivity/1"] = "zopa.sensitivity/1"
    scenario: ScenarioHeader
    output: str
    """What was analysed: ``zopa`` (1 if a ZOPA exists), ``gap``, ``shortfall:PARTY`` or
    ``forecast:ISSUE``."""
    model: str
    branch: str
    method: str
    samples: int
    evaluations: int
    seed: int
    confidence: float
    constant: bool
    note: str
    drivers: list[DriverRecord]
