"""The report: one scenario's whole analysis in one typed result (``zopa report`` renders it as a
self-contained HTML file, :mod:`zopa.web.report`).

It gathers what the other use cases compute, nothing more: the forecasts of the fast models with
their ranges over the declared uncertainty, the zone, the timeline, the branches compared, the
predicted votes on the scenario's drafts and the drivers of the gap.
"""

from __future__ import annotations

from collections.abc import Sequence

from zopa.app.forecast import forecast, zone
from zopa.app.institutions import predict_vote
from zopa.app.sensitivity import sensitivity
from zopa.app.timeline import compare, timeline
from zopa.errors import UsageError, ZopaError
from zopa.results.institutions import VotePredictionResult
from zopa.results.report import ActorSummary, EventSummary, ReportResult, SourceSummary
from zopa.scenario.schema import Scenario
from zopa.timeline.history import HISTORY

REPORT_MODELS = ("compromise", "median", "nash")
"""The models a report forecasts with: the fast ones (a report must not take minutes)."""


def report(
    scenario: Scenario,
    *,
    branches: Sequence[str] = (),
    samples: int = 1000,
    seed: int = 0,
    drivers_samples: int = 4,
    file: str | None = None,
) -> ReportResult:
    """Everything the report shows; ``branches`` default to every branch the scenario declares.

    Args:
        scenario: a loaded scenario.
        branches: branches to compare with the history.
        samples: Monte Carlo draws for the ranges (0: point answers only).
        seed: seed of the draws and of the sensitivity design.
        drivers_samples: Morris trajectories for the drivers of the gap (0: none; at least 2;
            each costs one linear program per input and date: 4 take a few seconds on the
            March 2024 example).
        file: where the scenario came from, for the headers.

    Raises:
        UsageError: an unknown branch, or a voting record only (no actors to forecast).
    """
    if scenario.is_record:
        raise UsageError("a voting record has no actors to forecast: use `zopa backtest`")
    chosen = list(branches) or [b.id for b in scenario.branches]
    forecasts = [forecast(scenario, model=m, samples=samples, seed=seed, file=file)
                 for m in REPORT_MODELS]
    notes: list[str] = []
    votes: list[VotePredictionResult] = []
    for draft in scenario.drafts:
        try:
            votes.append(predict_vote(scenario, draft.id, seed=seed, file=file))
        except ZopaError as exc:
            notes.append(f"vote on {draft.id}: {exc}")
    drivers = None
    if not (samples and drivers_samples):
        notes.append("drivers of the gap: not computed (no draws or no sensitivity "
                     "trajectories asked for)")
    else:
        try:
            drivers = sensitivity(scenario, "gap", samples=drivers_samples, seed=seed, file=file)
        except ZopaError as exc:
            notes.append(f"drivers of the gap: {exc}")
    return ReportResult(
        scenario=forecasts[0].scenario,
        description=scenario.meta.description,
        actors=[ActorSummary(id=a.id, name=a.name, kind=str(a.kind), role=str(a.role),
                             capability=a.capability.value, batna=a.batna.value)
                for a in scenario.actors],
        issue_info=forecasts[0].issue_info,
        sources=[SourceSummary(id=s.id, title=s.title, url=s.url, publisher=s.publisher,
                               date=None if s.date is None else str(s.date))
                 for s in scenario.sources],
        events=[EventSummary(id=e.id, date=str(e.date), type=str(e.type), title=e.title,
                             result=None if e.result is None else str(e.result))
                for e in sorted(scenario.events, key=lambda e: e.date)],
        samples=samples,
        seed=seed,
        forecasts=forecasts,
        zone=zone(scenario, samples=samples, seed=seed, file=file),
        timeline=timeline(scenario, samples=samples, seed=seed, file=file),
        compare=(compare(scenario, [HISTORY, *chosen], samples=samples, seed=seed, file=file)
                 if chosen else None),
        votes=votes,
        drivers=drivers,
        notes=notes,
    )
