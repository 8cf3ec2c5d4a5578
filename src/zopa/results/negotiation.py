"""Results of ``analyze`` (the outcome space) and ``negotiate`` (a batch of negotiations);
docs/json.md: ``zopa.outcomes/1``, ``zopa.negotiation/1``."""

from __future__ import annotations

from typing import Literal

from zopa.results.base import Record, Result, ScenarioHeader

OutcomeDescription = dict[str, str | float | int]
"""An outcome as issue -> value (option name or number)."""


class OutcomePoint(Record):
    """One outcome and every agent's utility of it."""

    outcome: OutcomeDescription
    utilities: dict[str, float | None]


class OutcomeAnalysisResult(Result):
    """``zopa analyze``: Pareto frontier and bargaining points of the outcome space."""

    kind = "outcomes"
    format: Literal["zopa.outcomes/1"] = "zopa.outcomes/1"
    scenario: ScenarioHeader
    candidates: Literal["all", "acceptable_to_all"]
    agents: list[str]
    reservation: dict[str, float | None]
    outcome_count: int
    candidate_count: int
    pareto: list[OutcomePoint]
    nash: OutcomePoint | None
    kalai_smorodinsky: OutcomePoint | None
    max_welfare: OutcomePoint | None


class NegotiationSummary(Record):
    """Agreement rate, walk-aways, rounds, utilities and distances of a batch of runs."""

    runs: int
    agreements: int
    agreement_rate: float
    timeouts: int
    walked_away: dict[str, int]
    mean_rounds: float | None
    mean_rounds_to_agreement: float | None
    mean_utility: dict[str, float | None]
    mean_distance_to_nash: float | None
    mean_distance_to_pareto: float | None


class RunRecord(Record):
    """How one negotiation ended."""

    run: int
    agreement: bool
    outcome: OutcomeDescription | None
    utilities: dict[str, float] | None
    round: int
    walked_away: str | None
    timed_out: bool


class NegotiationDraws(Record):
    """The negotiations repeated on Monte Carlo draws of the scenario's declared uncertainty:
    ``runs`` negotiations on each draw."""

    draws: int
    runs_per_draw: int
    agreement_rate: float
    """Agreements over all runs of all draws."""
    agreement_rate_interval: list[float]
    """5-50-95 % quantiles of the per-draw agreement rate."""
    p_any_agreement: float
    """Share of draws on which at least one run agreed."""
    p_acceptable_outcomes: float
    """Share of draws whose outcome space holds an outcome every agent prefers to no deal."""


class NegotiationResult(Result):
    """``zopa negotiate``: a batch of negotiations summarised, and every run."""

    kind = "negotiation"
    format: Literal["zopa.negotiation/1"] = "zopa.negotiation/1"
    scenario: ScenarioHeader
    protocol: str
    strategies: dict[str, str]
    rounds: int
    seed: int | None
    resolution: int | None
    reservation_noise: float
    summary: NegotiationSummary
    nash: OutcomePoint | None
    runs: list[RunRecord]
    uncertain: NegotiationDraws | None = None
    """With ``--samples``: the same negotiations on draws of the declared uncertainty."""
