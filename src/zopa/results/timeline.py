"""Results of ``timeline`` and ``compare``: the state after each event of a history or a branch,
point estimates and, with Monte Carlo draws, their ranges (docs/json.md: ``zopa.timeline/1``,
``zopa.compare/1``)."""

from __future__ import annotations

from typing import Literal

from zopa.results.base import IssueInfo, IssueValues, Record, Result, ScenarioHeader


class Change(Record):
    """One number an event moved: what, whose, before and after (issue units for positions)."""

    target: str
    """``ideal``, ``red_line``, ``salience``, ``batna``, ``capability`` or ``relation``."""
    actor: str
    issue: str | None
    """The issue (positions) or, for a relation, ``kind -> actor``."""
    before: float | None
    after: float | None


class Estimate(Record):
    """A probability estimated from Monte Carlo draws, with its standard error."""

    p: float
    se: float


class Interval(Record):
    """The 5 %, 50 % and 95 % quantiles of a number over the draws."""

    low: float | None
    median: float | None
    high: float | None


class PointState(Record):
    """The answers at the stated values of every input."""

    zopa: bool
    """Whether a package every party accepts exists (red lines, BATNAs, links)."""
    margin: float | None
    """Smallest surplus over the parties at the most balanced package (negative: the largest
    shortfall plus red-line violation at the closest package)."""
    gap: float
    """How far the parties are from a deal: at the closest package, the largest over parties of
    shortfall plus red-line violation (0 when a ZOPA exists); zopa's closest-package objective."""
    shortfall: dict[str, float | None]
    """Per party, its utility short of its BATNA at the closest package (0 inside the ZOPA)."""
    violation: dict[str, float | None]
    """Per party, how far the closest package lies beyond its red lines (normalised scales)."""
    forecast: IssueValues
    """The model's forecast per issue."""
    accepts: dict[str, bool]
    """Per party, whether it accepts the forecast (no red line crossed, at least its BATNA)."""


class UncertainState(Record):
    """The answers over the Monte Carlo draws of the declared uncertainty."""

    draws: int
    p_zopa: Estimate
    """Probability that a ZOPA exists."""
    p_accept: dict[str, Estimate]
    """Per party, the probability that it accepts the forecast."""
    forecast: dict[str, Interval]
    """Per issue, the forecast's 5-50-95 % quantiles."""
    fallback_draws: int = 0
    """Draws whose ZOPA question needed an exact linear program (the rest were decided by
    cheap tests)."""
    gap: Interval | None = None
    """The gap's 5-50-95 % quantiles over the first ``gap_draws`` draws (``null`` if none)."""
    gap_draws: int = 0


class TimelineRow(Record):
    """The state after one event (the first row: the base, before any event)."""

    event: str | None
    date: str
    type: str | None
    title: str
    result: str | None
    """A vote's result in this timeline (recorded, or fixed by the branch or a decision)."""
    fixed: bool
    """True if the branch or a decision chose the vote's result."""
    in_base: bool = False
    """True for an event on or before the base date: the base already holds its consequences
    (its answers are the base's)."""
    effects: list[str]
    moved: list[Change]
    point: PointState
    uncertain: UncertainState | None = None


class UncertainInputInfo(Record):
    """One uncertain input: how it is named and its distribution."""

    label: str
    dist: str
    low: float
    high: float
    value: float


class TimelineResult(Result):
    """``zopa timeline``: the events in order, what each moved, and the answers after each."""

    kind = "timeline"
    format: Literal["zopa.timeline/1"] = "zopa.timeline/1"
    scenario: ScenarioHeader
    branch: str
    branch_title: str | None
    model: str
    until: str | None
    """The last date replayed (``--as-of``); ``null``: every event."""
    parties: list[str]
    samples: int
    seed: int | None
    inputs: list[UncertainInputInfo]
    rows: list[TimelineRow]
    issue_info: list[IssueInfo]


class CompareDate(Record):
    """The answers of each branch at the end of one date (after its last event that day)."""

    date: str
    states: dict[str, PointState]
    uncertain: dict[str, UncertainState] | None = None


class CompareResult(Result):
    """``zopa compare``: two or more timelines (history and branches) side by side."""

    kind = "compare"
    format: Literal["zopa.compare/1"] = "zopa.compare/1"
    scenario: ScenarioHeader
    model: str
    branches: list[str]
    timelines: list[TimelineResult]
    dates: list[CompareDate]
    issue_info: list[IssueInfo]
