"""Use case ``score``: every dated forecast zopa can make from a scenario, scored against the
event that resolved it.

Two kinds of forecast are scored:

- **Agreement.** On each event date before the event that ends the talks (``outcome:
  agreement`` or ``breakdown``), the probability that a ZOPA exists, from Monte Carlo draws of
  the declared uncertainty with the state replayed to that date: a forecast that a deal is
  possible, scored (binary Brier) against whether one was reached.
- **Votes.** With a voting record (in the file, or a record file a body links to), the
  backtest of :func:`zopa.app.record.backtest`: each recorded vote predicted from the earlier
  ones, against baselines.
"""

from __future__ import annotations

import numpy as np

from zopa.app.common import header
from zopa.errors import UsageError
from zopa.progress import NO_PROGRESS, Progress
from zopa.results.backtest import BacktestResult, ScoredForecast, ScoreResult
from zopa.results.base import number
from zopa.scenario.schema import Outcome, Scenario
from zopa.scoring import binary_brier

DEFAULT_SEED = 2024
"""Seed when none is given, so that a score is reproducible by default."""


def score(scenario: Scenario, *, samples: int = 2000, seed: int | None = None,
          file: str | None = None, progress: Progress = NO_PROGRESS) -> ScoreResult:
    """Score the scenario's dated forecasts against the events that resolved them.

    >>> from zopa.scenario import load_scenario
    >>> r = score(load_scenario("examples/gaza-2024-03.yaml"), samples=200,
    ...           file="examples/gaza-2024-03.yaml")
    >>> r.forecasts[-1].outcome, r.brier_zopa is not None
    ('breakdown', True)
    """
    from zopa.app.timeline import timeline

    seed = DEFAULT_SEED if seed is None else seed
    forecasts: list[ScoredForecast] = []
    resolving = sorted((e for e in scenario.events if e.outcome is not None),
                       key=lambda e: e.date)
    if resolving and not scenario.is_record:
        end = resolving[0]
        result = timeline(scenario, samples=samples, seed=seed, file=file, progress=progress)
        happened = 1.0 if end.outcome == Outcome.agreement else 0.0
        # events on or before the base date are already in the base: its state is not what was
        # known on their own dates, so only the base and later dates forecast
        last_of_day = {row.date: row for row in result.rows
                       if row.uncertain is not None and not row.in_base}
        for date, row in sorted(last_of_day.items()):
            if date >= end.date.isoformat() or row.uncertain is None:
                continue  # a forecast on the day of the outcome already knows it
            p = row.uncertain.p_zopa
            forecasts.append(ScoredForecast(
                date=date, p_zopa=p.p, p_zopa_se=p.se, resolved_by=end.id,
                outcome=end.outcome.value if end.outcome else ""))
        brier = number(binary_brier(np.array([f.p_zopa for f in forecasts]),
                                    np.full(len(forecasts), happened)))
    else:
        brier = None
    votes = _vote_backtest(scenario, file)
    if not forecasts and votes is None:
        raise UsageError(
            "nothing to score: no event records how the talks ended (`outcome: agreement` or "
            "`breakdown`) and no body has a voting record")
    return ScoreResult(
        scenario=header(scenario, file), samples=samples, seed=seed, forecasts=forecasts,
        brier_zopa=brier if forecasts else None, votes=votes,
        note=("P(ZOPA) on a date is the share of Monte Carlo draws of the declared uncertainty "
              "in which a package every party accepts exists, with the events replayed to that "
              "date; scored as a forecast that a deal is possible (1 if the talks ended in "
              "agreement, 0 if they broke down). Forecasts dated on or after the resolving "
              "event's day are left out."))


def _vote_backtest(scenario: Scenario, file: str | None) -> BacktestResult | None:
    """The backtest of the first body with a record (``None`` if none has one)."""
    from zopa.app.record import backtest
    from zopa.institutions.record import series_of, vote_record

    for body in scenario.bodies:
        linked = body.record is not None
        if linked or vote_record(scenario, series_of(body)).events:
            return backtest(scenario, body=body.id, file=file)
    return None
