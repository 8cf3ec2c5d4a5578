"""Use case ``sensitivity``: which declared uncertain inputs drive an answer, by Sobol indices or
Morris screening over the inputs of the timeline (the base's numbers and the effects' sizes)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from zopa.app.common import AsOf, header
from zopa.errors import BudgetError, Interrupted, UsageError
from zopa.models.base import ForecastModel, make_model
from zopa.params import ParamValue
from zopa.progress import NO_PROGRESS, Chunk, Progress
from zopa.results.sensitivity import DriverRecord, SensitivityResultRecord
from zopa.scenario.schema import Scenario
from zopa.timeline.history import HISTORY, Timeline, compile_timeline, parse_date
from zopa.timeline.state import State
from zopa.utility import FloatArray

METHODS = ("morris", "sobol")
CHUNK = 4096
"""Design rows evaluated at a time (a progress report each)."""
MAX_EXACT_EVALUATIONS = 200_000
"""Most evaluations of an output that solves a linear program per draw (gap, shortfall):
about 2 ms each, so some 7 minutes; the ZOPA and forecast outputs are cheaper."""


def sensitivity(
    scenario: Scenario,
    output: str,
    *,
    method: str = "morris",
    samples: int | None = None,
    seed: int = 0,
    branch: str | None = None,
    as_of: AsOf = None,
    model: str = "compromise",
    params: Mapping[str, ParamValue | str] | None = None,
    file: str | None = None,
    progress: Progress = NO_PROGRESS,
) -> SensitivityResultRecord:
    """Rank the declared uncertain inputs by their influence on ``output`` at ``as_of``.

    Args:
        scenario: a loaded scenario.
        output: ``zopa`` (1 if a ZOPA exists), ``gap`` (the closest package's largest shortfall
            plus red-line violation), ``shortfall:PARTY`` or ``forecast:ISSUE``.
        method: ``morris`` (screening, ``samples`` trajectories, default 20) or ``sobol``
            (first-order and total indices, ``samples`` base points, default 1024).
        samples: see ``method``.
        seed: seed of the design.
        branch: a branch of the scenario (default: the recorded history).
        as_of: the date of the answer (default: after the last event).
        model: the forecast model (for ``forecast:ISSUE``).
        params: the model's parameters.
        file: where the scenario came from, for the result's header.
        progress: hears the evaluations, a chunk of draws at a time.

    Raises:
        zopa.errors.Interrupted: on Ctrl-C, with the evaluations done.
    """
    from zopa.uncertainty import sensitivity as sa

    if method not in METHODS:
        raise UsageError(f"unknown method {method!r}: use morris or sobol")
    compiled = compile_timeline(scenario, branch)
    date = parse_date(as_of) if isinstance(as_of, str) else as_of
    compiled = compiled.until(date)
    inputs = compiled.inputs
    if not inputs:
        raise UsageError("the scenario declares no uncertain input (uncertainty: on actors, "
                         "positions or effects)")
    runner = make_model(model, params)
    evaluate, exact = _output(compiled, output, runner)
    size = samples if samples is not None else (20 if method == "morris" else 1024)
    evaluations = size * (len(inputs) + (1 if method == "morris" else 2))
    if exact and evaluations > MAX_EXACT_EVALUATIONS:
        raise BudgetError(
            f"{method} with {size:,} samples over {len(inputs)} inputs is {evaluations:,} "
            f"evaluations of {output}, each a linear program, beyond the limit of "
            f"{MAX_EXACT_EVALUATIONS:,}: use fewer samples, --method morris, or the output zopa")
    watched = _Watched(evaluate, progress, evaluations, f"{method}, {output}")
    try:
        if method == "sobol":
            found = sa.sobol(inputs, watched, size, seed)
        else:
            found = sa.morris(inputs, watched, size, seed)
    finally:
        progress.finished()
    when = date or (compiled.steps[-1].date if compiled.steps else scenario.meta.as_of)
    return SensitivityResultRecord(
        scenario=header(scenario, file, when), output=output, model=model,
        branch=compiled.branch if compiled.branch else HISTORY, method=found.method,
        samples=found.samples, evaluations=found.evaluations, seed=found.seed,
        confidence=found.confidence, constant=found.constant, note=found.note,
        drivers=[DriverRecord(**{k: v for k, v in vars(d).items() if k != "index"})
                 for d in found.drivers])


class _Watched:
    """An output evaluated a chunk of design rows at a time (each row is one draw, evaluated
    alone: the same numbers whatever the chunks), each chunk told to ``progress``; Ctrl-C
    becomes :class:`Interrupted` with the evaluations done."""

    def __init__(self, evaluate: Callable[[FloatArray], FloatArray], progress: Progress,
                 total: int, label: str) -> None:
        self.evaluate, self.progress, self.total, self.label = evaluate, progress, total, label
        self.done = self.chunks = 0

    def __call__(self, values: FloatArray) -> FloatArray:
        if self.done == 0 and self.chunks == 0:
            self.progress.started(self.total, "evaluations", self.label)
        out = []
        try:
            for start in range(0, len(values), CHUNK):
                stop = min(len(values), start + CHUNK)
                out.append(np.asarray(self.evaluate(values[start:stop])))
                self.progress.chunk_done(Chunk(self.chunks, self.done, self.done + stop - start))
                self.done += stop - start
                self.chunks += 1
        except KeyboardInterrupt:
            raise Interrupted(self.done, self.total, "evaluations") from None
        return np.concatenate(out) if out else np.zeros(0)


def _output(compiled: Timeline, output: str, runner: ForecastModel
            ) -> tuple[Callable[[FloatArray], FloatArray], bool]:
    """The function of input values that gives the output, and whether it solves an LP a draw."""
    arrays = compiled.arrays
    kind, _, name = output.partition(":")
    members = arrays.members()
    ids = [arrays.actor_ids[i] for i in members]
    if kind == "forecast":
        if name not in arrays.issue_ids:
            raise UsageError(f"unknown issue {name!r}; known: {', '.join(arrays.issue_ids)}")
        column = arrays.issue_ids.index(name)

        def forecast(values: FloatArray) -> FloatArray:
            from zopa.uncertainty.batch import forecast as forecasts

            state = compiled.final(values)
            return forecasts(runner.name, state, seed=0, start=0,
                             params=runner.parameters if runner.params else None)[:, column]

        return forecast, False
    if kind == "shortfall" and name not in ids:
        raise UsageError(f"unknown party {name!r}; parties: {', '.join(ids)}")
    if kind not in ("zopa", "gap", "shortfall") or (kind != "shortfall" and name):
        raise UsageError(f"unknown output {output!r}: use zopa, gap, shortfall:PARTY or "
                         "forecast:ISSUE")
    from zopa.analysis.zone import analyse_zone

    def zone_output(values: FloatArray) -> FloatArray:
        state = compiled.final(values)
        if kind == "zopa":
            from zopa.uncertainty.zones import zone_exists

            return zone_exists(state, members).feasible.astype(float)

        def one(a: object) -> float:
            zone = analyse_zone(a, ids)  # type: ignore[arg-type]
            if kind == "zopa":
                return float(zone.feasible)
            if kind == "gap":
                return 0.0 if zone.feasible else float(np.max(zone.shortfall + zone.violation))
            return float(zone.shortfall[ids.index(name)])

        return _per_draw(state, one)

    return zone_output, kind != "zopa"


def _per_draw(state: State, value: Callable[..., float]) -> FloatArray:
    return np.array([value(state.arrays(d)) for d in range(state.draws)])
