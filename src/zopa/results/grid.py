"""Result of ``forecast --grid``: one forecast a point of a parameter grid (docs/json.md:
``zopa.forecast-grid/1``)."""

from __future__ import annotations

from typing import Literal

from zopa.results.base import Record, Result, ScenarioHeader
from zopa.results.forecast import ForecastResult


class GridPoint(Record):
    """One point of the grid: the parameters it sets (as given) and the forecast there."""

    parameters: dict[str, str]
    forecast: ForecastResult


class ForecastGridResult(Result):
    """``zopa forecast --grid``: the model's forecast at every point of the cartesian product
    of the grid's parameter values, in order (the last parameter varying fastest)."""

    kind = "forecast-grid"
    format: Literal["zopa.forecast-grid/1"] = "zopa.forecast-grid/1"
    scenario: ScenarioHeader
    model: str
    grid: dict[str, list[str]]
    """Each grid parameter's values, in the order given."""
    fixed: dict[str, str]
    """The parameters every point shares (``--param``)."""
    samples: int
    seed: int | None
    points: list[GridPoint]
