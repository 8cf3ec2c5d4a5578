"""A typed result normalised into the store's tables: per table, its columns and rows.

Each result kind contributes what it has: per-issue outcomes (forecast, zone, the variants of a
decision comparison), rounds of dynamic models, timeline rows with P(ZOPA) and its standard
error (timeline, compare, the dated forecasts of ``score``, a forecast or zone with draws),
negotiation summaries, vote probabilities per member and the result's, backtest predictions and
scores, sensitivity drivers and voting power. Column order follows :mod:`zopa.store.schema`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from zopa.results.backtest import BacktestResult, ScoreResult
from zopa.results.base import Result
from zopa.results.forecast import ForecastResult, ZoneResult, ZoneSummary
from zopa.results.institutions import (
    DecisionComparisonResult,
    PowerResult,
    VoteOutcomeResult,
    VotePredictionResult,
)
from zopa.results.negotiation import NegotiationResult, NegotiationSummary
from zopa.results.sensitivity import SensitivityResultRecord
from zopa.results.timeline import CompareResult, TimelineResult, UncertainState

Rows = dict[str, list[tuple[Any, ...]]]
"""Per table, its rows (without the leading ``run_id``)."""

COLUMNS: dict[str, tuple[str, ...]] = {
    "outcomes": ("variant", "issue", "value", "label", "low", "median", "high", "zone_low",
                 "zone_high", "zone_empty"),
    "rounds": ("round", "actor", "issue", "value"),
    "timeline": ("branch", "step", "date", "event", "zopa", "gap", "margin", "p_zopa",
                 "p_zopa_se", "draws"),
    "votes": ("body", "item", "member", "basis", "yes", "no", "abstain", "absent"),
    "vote_results": ("body", "item", "adopted", "failed", "vetoed"),
    "negotiations": ("variant", "runs", "agreements", "agreement_rate", "timeouts",
                     "mean_rounds"),
    "negotiation_agents": ("variant", "agent", "strategy", "walked_away", "mean_utility"),
    "backtest_predictions": ("event", "date", "member", "yes", "no", "abstain", "actual"),
    "backtest_scores": ("method", "n", "accuracy", "brier", "log_loss"),
    "drivers": ("output", "label", "first", "total", "mu_star", "sigma"),
    "power": ("body", "member", "shapley_shubik", "banzhaf", "swings"),
}
"""Every normalised table's columns after ``run_id``."""


def result_rows(result: Result) -> Rows:
    """The rows ``result`` adds to each table (tables it has nothing for are absent)."""
    rows: Rows = defaultdict(list)
    for kind, add in _ADDERS:
        if isinstance(result, kind):
            add(result, rows)
    return dict(rows)


def _forecast(r: ForecastResult, rows: Rows) -> None:
    u = r.uncertain
    for info in r.issue_info:
        out = r.outcome.get(info.id)
        q = u.forecast.get(info.id) if u is not None else None
        z = r.zone.issues.get(info.id) if r.zone is not None else None
        rows["outcomes"].append((
            "", info.id, out.value if out else None, out.label if out else None,
            q.low if q else None, q.median if q else None, q.high if q else None,
            z.low if z else None, z.high if z else None, z.empty if z else None))
    for rec in r.rounds:
        for issue, value in rec.outcome.items():
            rows["rounds"].append((rec.round, None, issue, value))
        for actor, values in rec.positions.items():
            for issue, value in values.items():
                rows["rounds"].append((rec.round, actor, issue, value))
    if r.zone is not None or u is not None:
        _state_row(rows, "", r.scenario.as_of, r.zone, u)


def _zone(r: ZoneResult, rows: Rows) -> None:
    for info in r.issue_info:
        z = r.issues[info.id]
        rows["outcomes"].append(("", info.id, r.package.get(info.id), None, None, None, None,
                                 z.low, z.high, z.empty))
    _state_row(rows, "", r.scenario.as_of, r, r.uncertain)


def _state_row(rows: Rows, branch: str, date: str | None, zone: ZoneSummary | None,
               u: UncertainState | None) -> None:
    rows["timeline"].append((
        branch, 0, date, None, zone.feasible if zone else None, None,
        zone.margin if zone else None, u.p_zopa.p if u else None, u.p_zopa.se if u else None,
        u.draws if u else None))


def _timeline(r: TimelineResult, rows: Rows) -> None:
    for step, row in enumerate(r.rows):
        u = row.uncertain
        rows["timeline"].append((
            r.branch, step, row.date, row.event, row.point.zopa, row.point.gap,
            row.point.margin, u.p_zopa.p if u else None, u.p_zopa.se if u else None,
            u.draws if u else None))


def _compare(r: CompareResult, rows: Rows) -> None:
    for t in r.timelines:
        _timeline(t, rows)


def _negotiation(r: NegotiationResult, rows: Rows) -> None:
    _summary(rows, "", r.summary, r.strategies)


def _summary(rows: Rows, variant: str, s: NegotiationSummary,
             strategies: dict[str, str]) -> None:
    rows["negotiations"].append((variant, s.runs, s.agreements, s.agreement_rate, s.timeouts,
                                 s.mean_rounds))
    for agent in sorted(set(s.mean_utility) | set(s.walked_away) | set(strategies)):
        rows["negotiation_agents"].append((variant, agent, strategies.get(agent),
                                           s.walked_away.get(agent, 0),
                                           s.mean_utility.get(agent)))


def _vote_prediction(r: VotePredictionResult, rows: Rows) -> None:
    for member, m in r.members.items():
        rows["votes"].append((r.body, r.draft, member, m.basis, m.yes, m.no, m.abstain,
                              m.absent))
    p = r.result
    rows["vote_results"].append((r.body, r.draft, p.adopted, p.failed, p.vetoed))


def _vote_outcome(r: VoteOutcomeResult, rows: Rows) -> None:
    cast = {"yes": r.votes.yes, "no": r.votes.no, "abstain": r.votes.abstain,
            "absent": r.votes.absent}
    for vote, members in cast.items():
        for member in members:
            rows["votes"].append((r.body, r.event, member, "cast",
                                  *(float(vote == v) for v in cast)))
    rows["vote_results"].append((r.body, r.event, float(r.result == "adopted"),
                                 float(r.result == "failed"), float(r.result == "vetoed")))


def _backtest(r: BacktestResult, rows: Rows) -> None:
    for p in r.predictions:
        q = p.probabilities
        rows["backtest_predictions"].append((p.event, p.date, p.member, q.yes, q.no,
                                             q.abstain, p.actual))
    for m in r.summary:
        s = m.members
        rows["backtest_scores"].append((m.method, s.n, s.accuracy, s.brier, s.log_loss))


def _score(r: ScoreResult, rows: Rows) -> None:
    for step, f in enumerate(r.forecasts):
        rows["timeline"].append(("score", step, f.date, f.resolved_by, None, None, None,
                                 f.p_zopa, f.p_zopa_se, r.samples))
    if r.votes is not None:
        _backtest(r.votes, rows)


def _sensitivity(r: SensitivityResultRecord, rows: Rows) -> None:
    for d in r.drivers:
        rows["drivers"].append((r.output, d.label, d.first, d.total, d.mu_star, d.sigma))


def _power(r: PowerResult, rows: Rows) -> None:
    for member, m in r.members.items():
        rows["power"].append((r.body, member, m.shapley_shubik, m.banzhaf, m.swings))


def _decision(r: DecisionComparisonResult, rows: Rows) -> None:
    for name, v in r.variants.items():
        for issue, value in v.outcome.items():
            rows["outcomes"].append((name, issue, value, None, None, None, None, None, None,
                                     None))
        rows["timeline"].append((name, 0, r.scenario.as_of if r.scenario else None, r.event,
                                 v.zone.feasible, None, v.zone.margin, None, None, None))
        n = v.negotiation
        if n is not None:
            rows["negotiations"].append((name, n.runs, None, n.agreement_rate, None, None))
            for agent in sorted(set(n.mean_utility) | set(n.walked_away)):
                rows["negotiation_agents"].append((name, agent, n.strategy,
                                                   n.walked_away.get(agent, 0),
                                                   n.mean_utility.get(agent)))


_ADDERS: tuple[tuple[type[Any], Any], ...] = (
    (ForecastResult, _forecast), (ZoneResult, _zone), (TimelineResult, _timeline),
    (CompareResult, _compare), (NegotiationResult, _negotiation),
    (VotePredictionResult, _vote_prediction), (VoteOutcomeResult, _vote_outcome),
    (BacktestResult, _backtest), (ScoreResult, _score),
    (SensitivityResultRecord, _sensitivity), (PowerResult, _power),
    (DecisionComparisonResult, _decision),
)
