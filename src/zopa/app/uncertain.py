"""Monte Carlo answers along a timeline: P(ZOPA), each party's P(accept) and forecast ranges.

Draws of every declared uncertain input (the base's numbers and the events' effect sizes) are
made in chunks (memory bounded whatever the number of draws) from seeded block streams, so the
answers do not depend on the chunk size (:mod:`zopa.uncertainty.draws`); the timeline is
replayed on each chunk with the drawn numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from zopa.errors import BudgetError, UsageError
from zopa.models.base import ForecastModel
from zopa.results.base import number
from zopa.results.timeline import Estimate, Interval, UncertainState
from zopa.scenario.arrays import ScenarioArrays
from zopa.seeds import as_seed_sequence, child_sequence
from zopa.timeline.history import Timeline
from zopa.timeline.state import State
from zopa.uncertainty.draws import sample
from zopa.uncertainty.summary import proportion as share
from zopa.uncertainty.summary import quantiles
from zopa.utility import FloatArray

MAX_SAMPLES = 1_000_000
"""Most Monte Carlo draws a run may ask for."""
MAX_KEPT_VALUES = 50_000_000
"""Most forecast values (draws x rows x issues) kept for the quantiles (4 bytes each)."""
MAX_GAP_DRAWS = 10_000
"""Most draws on which the gap is computed (a linear program each, a few milliseconds)."""
CHUNK = 4096
"""Draws replayed at once (a multiple of the seeded block size keeps blocks whole)."""
SEED_STREAM = 0
"""Child stream of the run's seed for the input draws; models draw from stream 1."""


@dataclass
class _Tally:
    """What the draws of one timeline row add up to."""

    zopa: np.ndarray  # (samples,) bool
    accept: np.ndarray  # (samples, parties) bool
    forecast: np.ndarray  # (samples, m) float32
    gap: np.ndarray  # (gap_draws,) the closest package's gap on the first draws
    fallback: int = 0


def uncertain_final(compiled: Timeline, runner: ForecastModel, rounds: int | None,
                    samples: int, seed: int | None, chunk: int = CHUNK,
                    members: Sequence[str] | None = None, gap_draws: int = 0) -> UncertainState:
    """The answers over ``samples`` draws after the timeline's last event."""
    return uncertain_rows(compiled, runner, rounds, samples, seed, chunk, last_only=True,
                          members=members, gap_draws=gap_draws)[0]


def uncertain_rows(compiled: Timeline, runner: ForecastModel, rounds: int | None,
                   samples: int, seed: int | None, chunk: int = CHUNK, *,
                   last_only: bool = False, members: Sequence[str] | None = None,
                   gap_draws: int = 0) -> list[UncertainState]:
    """Per row of the timeline (the base, then each event), the answers over ``samples`` draws
    (with ``last_only``, one row: after the last event). With ``gap_draws``, the gap (a linear
    program a draw) on the first ``gap_draws`` draws too.

    Raises:
        UsageError: for a number of draws outside 1 .. :data:`MAX_SAMPLES`.
        BudgetError: when the forecasts to keep exceed :data:`MAX_KEPT_VALUES`.
    """
    if not 1 <= samples <= MAX_SAMPLES:
        raise UsageError(f"samples must be between 1 and {MAX_SAMPLES:,}, not {samples:,}")
    if not 0 <= gap_draws <= min(samples, MAX_GAP_DRAWS):
        raise UsageError(f"draws for the gap must be between 0 and the samples (at most "
                         f"{MAX_GAP_DRAWS:,}: a linear program each), not {gap_draws:,}")
    rows = 1 if last_only else len(compiled.steps) + 1
    m = compiled.arrays.n_issues
    if samples * rows * m > MAX_KEPT_VALUES:
        raise BudgetError(
            f"{samples:,} draws x {rows} dates x {m} issues is {samples * rows * m:,} forecast "
            f"values, beyond the limit of {MAX_KEPT_VALUES:,}: use fewer samples or --as-of "
            "to cut the timeline")
    chosen = compiled.arrays.members(list(members) if members else None)
    root = as_seed_sequence(seed)
    input_seed, model_seed = child_sequence(root, SEED_STREAM), child_sequence(root, 1)
    tallies = [_Tally(np.zeros(samples, bool), np.zeros((samples, chosen.size), bool),
                      np.zeros((samples, m), np.float32), np.zeros(gap_draws))
               for _ in range(rows)]
    inputs = compiled.inputs
    for start in range(0, samples, chunk):
        stop = min(samples, start + chunk)
        values = sample(inputs, start, stop, input_seed) if inputs else None
        states = [state for _, state in compiled.states(values, draws=stop - start)]
        for tally, state in zip(tallies, states[-1:] if last_only else states, strict=True):
            exists, accept, forecast, fallback = answers(state, runner, rounds, chosen,
                                                         model_seed, start)
            tally.zopa[start:stop] = exists
            tally.accept[start:stop] = accept
            tally.forecast[start:stop] = forecast
            tally.fallback += fallback
            for d in range(start, min(stop, gap_draws)):
                tally.gap[d] = gap(state.arrays(d - start), chosen)
    ids = [compiled.arrays.actor_ids[i] for i in chosen]
    return [_summary(t, ids, compiled.arrays.issue_ids) for t in tallies]


def answers(state: State, runner: ForecastModel, rounds: int | None, members: np.ndarray,
            model_seed: np.random.SeedSequence, start: int
            ) -> tuple[np.ndarray, np.ndarray, FloatArray, int]:
    """ZOPA existence ``(D,)``, acceptance of the forecast ``(D, parties)``, the forecast
    ``(D, m)`` and how many draws needed an exact linear program, for draws ``start ..``:
    all draws at once (:mod:`zopa.uncertainty.batch`, :mod:`zopa.uncertainty.zones`)."""
    from zopa.uncertainty import batch, zones

    forecast = batch.forecast(runner.name, state, rounds=rounds, seed=model_seed,
                              params=runner.parameters if runner.params else None, start=start)
    view = zones.member_view(state, members)
    zone = zones.zone_exists(state, view)
    verdict = batch.verdicts(state, forecast, view)
    return zone.feasible, verdict.acceptable, forecast, zone.fallbacks


def gap(arrays: ScenarioArrays, members: np.ndarray) -> float:
    """The closest package's largest shortfall plus red-line violation (0 inside the ZOPA)."""
    from zopa.analysis.zone import analyse_zone

    zone = analyse_zone(arrays, [arrays.actor_ids[i] for i in members])
    return 0.0 if zone.feasible else float(np.max(zone.shortfall + zone.violation))


def proportion(hits: np.ndarray) -> Estimate:
    """A share of draws with its binomial standard error."""
    p, se = share(hits)
    return Estimate(p=p, se=se)


def _summary(t: _Tally, parties: list[str], issues: tuple[str, ...]) -> UncertainState:
    q = quantiles(t.forecast)
    return UncertainState(
        draws=int(t.zopa.size), p_zopa=proportion(t.zopa),
        p_accept={a: proportion(t.accept[:, k]) for k, a in enumerate(parties)},
        forecast={issue: Interval(low=number(q[0, j]), median=number(q[1, j]),
                                  high=number(q[2, j])) for j, issue in enumerate(issues)},
        fallback_draws=t.fallback,
        gap=_interval(quantiles(t.gap[:, None])[:, 0]) if t.gap.size else None,
        gap_draws=int(t.gap.size))


def _interval(q: np.ndarray) -> Interval:
    return Interval(low=number(q[0]), median=number(q[1]), high=number(q[2]))
