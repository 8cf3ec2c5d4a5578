"""Results of ``power``, ``vote`` and ``compare-decision`` (docs/json.md: ``zopa.power/1``,
``zopa.vote-outcome/1``, ``zopa.vote/1``, ``zopa.decision-comparison/1``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from zopa.results.base import IssueInfo, IssueValues, Record, Result, ScenarioHeader
from zopa.results.forecast import PartyVerdict


class MemberPower(Record):
    """A member's power indices, as floats and as exact fractions (text such as ``421/2145``)."""

    shapley_shubik: float
    shapley_shubik_exact: str
    banzhaf: float
    banzhaf_exact: str
    banzhaf_absolute: float
    banzhaf_absolute_exact: str
    swings: int


class PowerMember(Record):
    """A member's name, weight and veto, for tables."""

    name: str
    weight: float
    veto: bool


class PowerResult(Result):
    """``zopa power``: exact voting power of every member of a body."""

    kind = "power"
    format: Literal["zopa.power/1"] = "zopa.power/1"
    body: str
    name: str
    file: str
    method: str
    members: dict[str, MemberPower]
    member_info: dict[str, PowerMember] = Field(default_factory=dict)


class VoteLists(Record):
    """Who voted how."""

    yes: list[str]
    no: list[str]
    abstain: list[str]
    absent: list[str]


class VoteOutcomeResult(Result):
    """``zopa vote --event``: what a recorded (or changed) vote decided, and why."""

    kind = "vote-outcome"
    format: Literal["zopa.vote-outcome/1"] = "zopa.vote-outcome/1"
    scenario: ScenarioHeader
    event: str
    event_title: str = ""
    recorded_result: str | None
    changed_votes: dict[str, str]
    body: str
    result: str
    vetoed_by: list[str]
    tally: str
    votes: VoteLists
    yes_weight: float
    needed: float
    population_share: float | None


class MemberPrediction(Record):
    """One member's predicted vote."""

    actor: str | None
    basis: Literal["model", "default", "fixed", "fitted", "prior"]
    """``model``: from the member's actor's positions; ``default``: the declared defaults;
    ``fixed``: given; ``fitted``: the model fitted on the member's record; ``prior``: the
    fitted model for a member with no record (the council's pooled estimate)."""
    gain: float | None
    support: float | None
    yes: float
    no: float
    abstain: float
    absent: float
    swing: float | None
    """P(adopted | votes yes) - P(adopted | votes no); ``null`` if not computed (large bodies)."""


class ResultProbabilities(Record):
    """Exact probabilities of a vote's result."""

    adopted: float
    failed: float
    vetoed: float
    vetoed_by: dict[str, float]
    veto_sets: dict[str, float]


class VoteModelSettings(Record):
    """The vote model's parameters as used."""

    beta: float
    tau0: float
    tau1: float
    pressure: float
    kinds: dict[str, float]
    default: list[float]


class FitInfo(Record):
    """Which record the fitted vote model learned from: the series, the record file (``""``:
    the scenario itself), the day before which votes were used and how many."""

    series: str
    record_file: str
    before: str | None
    votes: int
    converged: bool


class VotePredictionResult(Result):
    """``zopa vote --draft``: each member's vote probabilities and the result's, exactly."""

    kind = "vote"
    scenario: ScenarioHeader
    format: Literal["zopa.vote/1"] = "zopa.vote/1"
    body: str
    draft: str
    draft_name: str = ""
    members: dict[str, MemberPrediction]
    result: ResultProbabilities
    pivotal: list[str]
    model: VoteModelSettings | None
    """The declared model's parameters; ``null`` when the model was fitted on a record."""
    fit: FitInfo | None = None
    """The record the model was fitted on; ``null`` for the declared model."""
    uncertain: VoteDraws | None = None
    """With Monte Carlo draws of the declared uncertainty: the result probabilities' spread
    (``null`` without ``--samples``)."""


class VoteDraws(Record):
    """The result probabilities over Monte Carlo draws of the scenario's declared uncertainty:
    ``adopted`` etc. are the means over draws (the probability with the uncertainty integrated
    out), ``*_interval`` the 5-50-95 % quantiles of the per-draw probability."""

    draws: int
    seed: int | None
    adopted: float
    vetoed: float
    failed: float
    adopted_interval: list[float]
    vetoed_interval: list[float]


class ZoneBrief(Record):
    """Whether a ZOPA exists, its margin and package."""

    feasible: bool
    margin: float | None
    package: IssueValues


class NegotiationBrief(Record):
    """A batch of negotiations after one result of a vote, summarised."""

    protocol: str
    strategy: str
    rounds: int
    seed: int | None
    runs: int
    agreement_rate: float
    walked_away: dict[str, int]
    mean_utility: dict[str, float | None]


class DecisionVariant(Record):
    """The negotiation after one result of the vote."""

    effects: list[str]
    outcome: IssueValues
    zone: ZoneBrief
    parties: dict[str, PartyVerdict]
    negotiation: NegotiationBrief | None = None


class DecisionComparisonResult(Result):
    """``zopa compare-decision``: the negotiation after each result of a vote, side by side."""

    kind = "decision-comparison"
    format: Literal["zopa.decision-comparison/1"] = "zopa.decision-comparison/1"
    scenario: ScenarioHeader | None = None
    event: str
    recorded_result: str | None
    model: str
    results: list[str]
    variants: dict[str, DecisionVariant]
    issue_info: list[IssueInfo] = Field(default_factory=list)
