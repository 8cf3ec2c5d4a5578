"""Results of ``forecast`` and ``zone``: a model's forecast with each party's verdict, the Nash
solution and the zone of possible agreement (docs/json.md: ``zopa.forecast/1``, ``zopa.zone/1``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from zopa.results.base import IssueInfo, IssueValues, Record, Result, ScenarioHeader
from zopa.results.timeline import UncertainState


class RoundRecord(Record):
    """The state after one round (round 0: the scenario's ideal points)."""

    round: int
    outcome: IssueValues
    positions: dict[str, IssueValues]


class OutcomeValue(Record):
    """A forecast value of one issue, with its label (option name or number and unit)."""

    value: float | None
    label: str | None


class PartyVerdict(Record):
    """How one party fares under a package."""

    utility: float | None
    batna: float | None
    surplus: float | None
    red_line_violation: float | None
    acceptable: bool


class LinkVerdict(Record):
    """Whether a package keeps one of the scenario's links (linear constraints across issues)."""

    kept: bool
    broken_by: float | None
    """By how much the package misses the link's bound, in the link's own units (0 if kept)."""


class NashComparison(Record):
    """The Nash bargaining solution among the parties and the forecast's distance from it."""

    outcome: IssueValues
    distance: float | None
    reason: str | None = None
    """Why there is no Nash solution (``null`` when there is one)."""


class ZoneIssue(Record):
    """The interval of one issue that every member accepts, and whose red lines bound it."""

    low: float | None
    high: float | None
    empty: bool
    low_set_by: list[str]
    high_set_by: list[str]


class MemberAtPackage(Record):
    """A member's standing at the zone's package."""

    utility: float | None
    surplus: float | None
    shortfall: float | None
    red_line_violation: float | None


class ZoneSummary(Record):
    """The ZOPA analysis (as embedded in a forecast)."""

    members: list[str]
    feasible: bool
    margin: float | None
    issues: dict[str, ZoneIssue]
    package: IssueValues
    package_kind: Literal["most_balanced_acceptable", "closest"]
    members_at_package: dict[str, MemberAtPackage]
    links_conflict: bool = False
    """True if the red lines leave room but no package within them keeps the links."""


class ZoneResult(ZoneSummary, Result):
    """``zopa zone``: the zone of possible agreement per issue and across issues."""

    kind = "zone"
    format: Literal["zopa.zone/1"] = "zopa.zone/1"
    scenario: ScenarioHeader
    issue_info: list[IssueInfo] = Field(default_factory=list)
    uncertain: UncertainState | None = None
    """With Monte Carlo draws: P(ZOPA) with its standard error, and each member's probability of
    accepting the compromise forecast (``null`` without draws)."""


class ForecastResult(Result):
    """``zopa forecast``: one model's forecast, each party's verdict, Nash and the ZOPA."""

    kind = "forecast"
    format: Literal["zopa.forecast/1"] = "zopa.forecast/1"
    scenario: ScenarioHeader
    model: str
    title: str
    reference: str
    parameters: dict[str, Any]
    seed: int | None
    rounds: list[RoundRecord]
    outcome: dict[str, OutcomeValue]
    evaluation: dict[str, PartyVerdict] | None
    links: dict[str, LinkVerdict] | None = Field(default_factory=dict)
    """Per link of the scenario, whether the forecast keeps it (``null`` without a forecast)."""
    diagnostics: dict[str, Any]
    nash: NashComparison | None = None
    zone: ZoneSummary | None = None
    issue_info: list[IssueInfo] = Field(default_factory=list)
    reason: str | None = None
    """Why the model gives no forecast (``null`` when it gives one)."""
    uncertain: UncertainState | None = None
    """With Monte Carlo draws of the declared uncertainty: P(ZOPA), each party's probability of
    accepting the forecast and the forecast's 5-50-95 % quantiles (``null`` without draws)."""
