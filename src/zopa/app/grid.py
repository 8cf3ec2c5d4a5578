"""Use case ``forecast_grid``: a model's forecast at every point of a grid of its parameters
(``zopa forecast --grid beta=1,2,4 --grid rounds=...``), the points run on an executor."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from zopa.app.common import AsOf, Decisions, prepare
from zopa.app.forecast import forecast
from zopa.errors import BudgetError, UsageError
from zopa.executors import (
    Executor,
    ExecutorSettings,
    Span,
    Stages,
    open_executor,
    run_chunks,
    spans,
)
from zopa.models.base import make_model
from zopa.progress import NO_PROGRESS, Progress
from zopa.results.forecast import ForecastResult
from zopa.results.grid import ForecastGridResult, GridPoint
from zopa.scenario.schema import Scenario
from zopa.seeds import check_seed

MAX_GRID_POINTS = 1_000
"""Most points of one grid (each a full forecast in the result, a few KB of JSON)."""
MAX_GRID_DRAWS = 20_000_000
"""Most Monte Carlo draws over all the points (``points x --samples``)."""


def parse_grid(items: Iterable[str]) -> dict[str, list[str]]:
    """``["beta=1,2", "rounds=3"]`` -> ``{"beta": ["1", "2"], "rounds": ["3"]}``.

    >>> parse_grid(["beta = 1, 2,4"])
    {'beta': ['1', '2', '4']}

    Raises:
        UsageError: for an item without ``=``, no value, a parameter or a value given twice.
    """
    out: dict[str, list[str]] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        values = [v.strip() for v in text.split(",")]
        if not sep or not name:
            raise UsageError(f"--grid wants PARAM=VALUE,VALUE,..., not {item!r:.60}")
        if not all(values):
            raise UsageError(f"--grid {name}: an empty value in {text!r:.60}")
        if name in out:
            raise UsageError(f"--grid {name} is given twice: list its values once")
        if len(set(values)) != len(values):
            raise UsageError(f"--grid {name}: a value is given twice")
        out[name] = values
    return out


def grid_points(grid: Mapping[str, Sequence[str]]) -> list[dict[str, str]]:
    """Every point of the cartesian product, the last parameter varying fastest.

    >>> grid_points({"a": ["1", "2"], "b": ["x"]})
    [{'a': '1', 'b': 'x'}, {'a': '2', 'b': 'x'}]
    """
    names = list(grid)
    return [dict(zip(names, values, strict=True))
            for values in itertools.product(*(grid[n] for n in names))]


@dataclass(frozen=True, eq=False)
class _GridJob:
    """What every grid point shares (sent once to each worker)."""

    scenario: Scenario
    points: list[dict[str, str]]
    model: str
    params: dict[str, str]
    rounds: int | None
    seed: int | None
    decisions: Decisions
    as_of: AsOf
    file: str | None


def _point_forecast(job: _GridJob, span: Span) -> ForecastResult:
    """The forecast at grid point ``span.start`` (a chunk of one point)."""
    return forecast(job.scenario, model=job.model, params={**job.params, **job.points[span.start]},
                    rounds=job.rounds, seed=job.seed, decisions=job.decisions, as_of=job.as_of,
                    file=job.file)


def forecast_grid(
    scenario: Scenario,
    grid: Mapping[str, Sequence[str]],
    *,
    model: str = "compromise",
    params: Mapping[str, str] | None = None,
    rounds: int | None = None,
    seed: int | None = None,
    decisions: Decisions = (),
    as_of: AsOf = None,
    samples: int = 0,
    file: str | None = None,
    executor: ExecutorSettings | Executor | None = None,
    progress: Progress = NO_PROGRESS,
) -> ForecastGridResult:
    """:func:`zopa.app.forecast` at every point of ``grid`` (each model parameter's values;
    :func:`parse_grid` reads ``--grid`` texts), the other arguments shared by all points.

    Without draws, each point is a chunk of work on ``executor``; with ``samples``, the points
    run one after another and each point's draws are spread over the executor. Every point is
    checked (parameters known and in range) before any work starts.

    Raises:
        UsageError: for an empty grid, a grid parameter also in ``params``, a value the model
            refuses.
        BudgetError: beyond :data:`MAX_GRID_POINTS` points or :data:`MAX_GRID_DRAWS` draws.
        zopa.errors.Interrupted: on Ctrl-C.
    """
    fixed = dict(params or {})
    if not grid or any(not values for values in grid.values()):
        raise UsageError("--grid needs at least one parameter with values")
    twice = sorted(set(grid) & set(fixed))
    if twice:
        raise UsageError(f"{', '.join(twice)}: set by both --param and --grid")
    count = 1
    for values in grid.values():
        count *= len(values)
    if count > MAX_GRID_POINTS:
        raise BudgetError(f"the grid has {count:,} points, beyond the limit of "
                          f"{MAX_GRID_POINTS:,}: fewer values, or several grids")
    if samples and count * samples > MAX_GRID_DRAWS:
        raise BudgetError(f"{count:,} points x {samples:,} draws is {count * samples:,} draws, "
                          f"beyond the limit of {MAX_GRID_DRAWS:,}: fewer points or samples")
    check_seed(seed)
    points = grid_points(grid)
    for point in points:  # every point's parameters checked before any work
        make_model(model, {**fixed, **point})
    run = prepare(scenario, decisions, file, as_of)  # decisions and date checked once, too
    found: list[ForecastResult | None] = [None] * len(points)
    with open_executor(executor) as running:
        if samples:
            with Stages(progress, count * samples, "draws",
                        f"{count} grid points x {samples:,} draws") as stages:
                for k, point in enumerate(points):
                    found[k] = forecast(
                        scenario, model=model, params={**fixed, **point}, rounds=rounds,
                        seed=seed, decisions=decisions, as_of=as_of, samples=samples,
                        file=file, executor=running, progress=stages.next(samples))
        else:
            job = _GridJob(scenario, points, model, fixed, rounds, seed, decisions, as_of, file)

            def keep(span: Span, result: ForecastResult) -> None:
                found[span.start] = result

            run_chunks(running, _point_forecast, job, spans(count, 1), keep,
                       progress=progress, unit="grid points", label=f"{count} grid points")
    return ForecastGridResult(
        scenario=run.header, model=model, grid={k: list(v) for k, v in grid.items()},
        fixed=fixed, samples=samples, seed=seed,
        points=[GridPoint(parameters=point, forecast=result)
                for point, result in zip(points, found, strict=True) if result is not None])
