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
from zopa.executors import Executor, ExecutorSettings, Span, open_executor, run_chunks, spans
from zopa.models.base import ForecastModel
from zopa.progress import NO_PROGRESS, Progress
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



def check_samples(samples: int) -> None:
    """Refuse a number of Monte Carlo draws outside 1 .. :data:`MAX_SAMPLES` (0: no draws)."""
    if samples and not 1 <= samples <= MAX_SAMPLES:
        raise UsageError(f"samples must be between 1 and {MAX_SAMPLES:,}, not {samples:,}")

def uncertain_final(compiled: Timeline, runner: ForecastModel, rounds: int | None,
                    samples: int, seed: int | None, chunk: int = CHUNK,
                    members: Sequence[str] | None = None, gap_draws: int = 0, *,
                    executor: ExecutorSettings | Executor | None = None,
                    progress: Progress = NO_PROGRESS) -> UncertainState:
    """The answers over ``samples`` draws after the timeline's last event."""
    return uncertain_rows(compiled, runner, rounds, samples, seed, chunk, last_only=True,
                          members=members, gap_draws=gap_draws, executor=executor,
                          progress=progress)[0]


def uncertain_rows(compiled: Timeline, runner: ForecastModel, rounds: int | None,
                   samples: int, seed: int | None, chunk: int = CHUNK, *,
                   last_only: bool = False, members: Sequence[str] | None = None,
                   gap_draws: int = 0, executor: ExecutorSettings | Executor | None = None,
                   progress: Progress = NO_PROGRESS) -> list[UncertainState]:
    """Per row of the timeline (the base, then each event), the answers over ``samples`` draws
    (with ``last_only``, one row: after the last event). With ``gap_draws``, the gap (a linear
    program a draw) on the first ``gap_draws`` draws too.

    The draws run in chunks of ``chunk`` on ``executor`` (default: in this process); every
    chunk's numbers come from its own seeded streams and land in place by draw number, so the
    answers are the same whatever the executor and the order chunks finish in. ``progress``
    hears each chunk (summary: ``zopa``, the chunk's draws with a ZOPA after the last row).

    Raises:
        UsageError: for a number of draws outside 1 .. :data:`MAX_SAMPLES`.
        BudgetError: when the forecasts to keep exceed :data:`MAX_KEPT_VALUES`.
        zopa.errors.Interrupted: on Ctrl-C.
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
    replay = Replay(compiled, runner, rounds, chosen, child_sequence(root, SEED_STREAM),
                    child_sequence(root, 1), last_only, gap_draws)
    tallies = [_Tally(np.zeros(samples, bool), np.zeros((samples, chosen.size), bool),
                      np.zeros((samples, m), np.float32), np.zeros(gap_draws))
               for _ in range(rows)]

    def keep(span: Span, found: list[RowDraws]) -> None:
        start, stop = span.start, span.stop
        for tally, part in zip(tallies, found, strict=True):
            tally.zopa[start:stop] = part.zopa
            tally.accept[start:stop] = part.accept
            tally.forecast[start:stop] = part.forecast
            tally.fallback += part.fallback
            tally.gap[start:start + part.gap.size] = part.gap

    with open_executor(executor) as running:
        run_chunks(running, replay_chunk, replay, spans(samples, chunk), keep,
                   progress=progress, unit="draws", label=f"{samples:,} draws",
                   summary=lambda found: {"zopa": float(found[-1].zopa.sum())})
    ids = [compiled.arrays.actor_ids[i] for i in chosen]
    return [_summary(t, ids, compiled.arrays.issue_ids) for t in tallies]


@dataclass(frozen=True, eq=False)
class Replay:
    """What every chunk of a Monte Carlo replay shares (sent once to each worker)."""

    compiled: Timeline
    runner: ForecastModel
    rounds: int | None
    members: np.ndarray
    input_seed: np.random.SeedSequence
    model_seed: np.random.SeedSequence
    last_only: bool
    gap_draws: int


@dataclass(frozen=True, eq=False)
class RowDraws:
    """One timeline row's answers on one chunk's draws."""

    zopa: np.ndarray
    accept: np.ndarray
    forecast: np.ndarray
    fallback: int
    gap: np.ndarray


def replay_chunk(job: Replay, span: Span) -> list[RowDraws]:
    """The answers of every row on draws ``span.start .. span.stop - 1`` (a pure function of
    its arguments: any process computes the same)."""
    start, stop = span.start, span.stop
    inputs = job.compiled.inputs
    values = sample(inputs, start, stop, job.input_seed) if inputs else None
    states = [state for _, state in job.compiled.states(values, draws=stop - start)]
    out = []
    for state in states[-1:] if job.last_only else states:
        exists, accept, forecast, fallback = answers(state, job.runner, job.rounds, job.members,
                                                     job.model_seed, start)
        gaps = np.array([gap(state.arrays(d - start), job.members)
                         for d in range(start, min(stop, job.gap_draws))])
        out.append(RowDraws(exists, accept, forecast.astype(np.float32), fallback, gaps))
    return out


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
