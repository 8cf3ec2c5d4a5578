"""Result of ``zopa report``: a scenario's whole analysis in one record (docs/json.md:
``zopa.report/1``)."""

from __future__ import annotations

from typing import Literal

from zopa.results.base import IssueInfo, Record, Result, ScenarioHeader
from zopa.results.forecast import ForecastResult, ZoneResult
from zopa.results.institutions import VotePredictionResult
from zopa.results.sensitivity import SensitivityResultRecord
from zopa.results.timeline import CompareResult, TimelineResult


class ActorSummary(Record):
    """An actor as the report lists it."""

    id: str
    name: str
    kind: str
    role: str
    capability: float
    batna: float


class SourceSummary(Record):
    """A cited source."""

    id: str
    title: str
    url: str | None
    publisher: str | None
    date: str | None


class EventSummary(Record):
    """A dated event of the scenario."""

    id: str
    date: str
    type: str
    title: str
    result: str | None


class ReportResult(Result):
    """``zopa report``: the scenario, its sources and events, and every analysis of it."""

    kind = "report"
    format: Literal["zopa.report/1"] = "zopa.report/1"
    scenario: ScenarioHeader
    description: str
    actors: list[ActorSummary]
    issue_info: list[IssueInfo]
    sources: list[SourceSummary]
    events: list[EventSummary]
    samples: int
    seed: int
    forecasts: list[ForecastResult]
    zone: ZoneResult
    timeline: TimelineResult
    compare: CompareResult | None
    """The branches side by side (``null`` when the scenario declares none and none is asked)."""
    votes: list[VotePredictionResult]
    drivers: SensitivityResultRecord | None
    """What drives the gap (``null`` without uncertain inputs)."""
    notes: list[str]
    """Parts left out and why (a draft no model could predict, no uncertain inputs...)."""
