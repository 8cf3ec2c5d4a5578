"""Use cases ``timeline`` and ``compare``: the scenario replayed event by event, with the answers
after each event, for the recorded history and for counterfactual branches side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from zopa.analysis.zone import analyse_zone
from zopa.app.common import AsOf, Decisions, header, issue_info, issue_values, verdicts
from zopa.errors import UsageError
from zopa.executors import Executor, ExecutorSettings, Stages, open_executor
from zopa.models.base import ForecastModel, make_model
from zopa.params import ParamValue
from zopa.progress import NO_PROGRESS, Progress
from zopa.results.base import number
from zopa.results.timeline import (
    Change,
    CompareDate,
    CompareResult,
    PointState,
    TimelineResult,
    TimelineRow,
    UncertainInputInfo,
)
from zopa.scenario.arrays import RELATION_KINDS
from zopa.scenario.schema import Scenario
from zopa.seeds import check_seed
from zopa.timeline.effects import describe_effect
from zopa.timeline.history import (
    HISTORY,
    Step,
    Timeline,
    compile_timeline,
    parse_date,
    vote_results,
)
from zopa.timeline.state import State

MAX_BRANCHES = 8
"""Most timelines one comparison shows side by side."""


def timeline(
    scenario: Scenario,
    *,
    branch: str | None = None,
    decisions: Decisions = (),
    as_of: AsOf = None,
    model: str = "compromise",
    params: Mapping[str, ParamValue | str] | None = None,
    rounds: int | None = None,
    samples: int = 0,
    seed: int | None = None,
    gap_draws: int = 0,
    file: str | None = None,
    executor: ExecutorSettings | Executor | None = None,
    progress: Progress = NO_PROGRESS,
) -> TimelineResult:
    """The events in order, what each moved, and after each: whether a ZOPA exists, each
    party's shortfall, the model's forecast and whether each party accepts it.

    Args:
        scenario: a loaded scenario.
        branch: one of the scenario's ``branches`` (default: the recorded history).
        decisions: vote results to fix (as a branch's ``votes`` would).
        as_of: replay only the events up to this date.
        model: the forecast model's registry name.
        params: the model's parameters.
        rounds: rounds for dynamic models.
        samples: Monte Carlo draws of the declared uncertainty (0: point answers only).
        seed: seed of the draws (and of the model).
        gap_draws: also the gap's range over the first this many draws (an LP each).
        file: where the scenario came from, for the result's header.
        executor: where the draws' chunks run (default: in this process; see
            :mod:`zopa.executors`); the answers are the same on any executor.
        progress: hears each chunk of draws (:mod:`zopa.progress`).

    Raises:
        zopa.errors.Interrupted: on Ctrl-C during the draws.

    >>> from zopa.scenario import load_scenario
    >>> result = timeline(load_scenario("examples/gaza-2024-03.yaml"))
    >>> [row.title for row in result.rows if row.event is None]
    ['base']
    """
    check_seed(seed)
    runner = make_model(model, params)
    compiled = _compile(scenario, branch, decisions, as_of)
    rows = _rows(compiled, runner, rounds, seed)
    if samples:
        from zopa.app.uncertain import uncertain_rows

        rows = [row.model_copy(update={"uncertain": state}) for row, state in zip(
            rows, uncertain_rows(compiled, runner, rounds, samples, seed, gap_draws=gap_draws,
                                 executor=executor, progress=progress),
            strict=True)]
    rows = [*_in_base(compiled, rows[0]), *rows]
    title = scenario.branch(compiled.branch).title if compiled.branch != HISTORY else None
    until = parse_date(as_of).isoformat() if isinstance(as_of, str) else (
        as_of.isoformat() if as_of is not None else None)
    return TimelineResult(
        scenario=header(scenario, file), branch=compiled.branch, branch_title=title,
        model=model, until=until, parties=[compiled.arrays.actor_ids[i] for i in _members(
            compiled)],
        samples=samples, seed=seed, inputs=[
            UncertainInputInfo(label=spec.label, dist=spec.dist, low=spec.support[0],
                               high=spec.support[1], value=spec.value)
            for spec in compiled.inputs],
        rows=rows, issue_info=issue_info(compiled.arrays))


def compare(
    scenario: Scenario,
    branches: Sequence[str],
    *,
    as_of: AsOf = None,
    model: str = "compromise",
    params: Mapping[str, ParamValue | str] | None = None,
    rounds: int | None = None,
    samples: int = 0,
    seed: int | None = None,
    gap_draws: int = 0,
    file: str | None = None,
    executor: ExecutorSettings | Executor | None = None,
    progress: Progress = NO_PROGRESS,
) -> CompareResult:
    """Timelines of the named branches (``history`` for the recorded one) side by side: the
    answers of each at the end of every date on which any of them has an event. The branches'
    draws run on one ``executor`` (its workers started once), one branch after another; the
    draws of all branches are one piece of work for ``progress``."""
    names = list(branches) or [HISTORY]
    if len(set(names)) != len(names):
        raise UsageError("a branch is named twice")
    if len(names) > MAX_BRANCHES:
        raise UsageError(f"at most {MAX_BRANCHES} branches side by side, not {len(names)}")
    from zopa.app.uncertain import check_samples

    check_samples(samples)  # sized before any work (or any watcher) starts
    with open_executor(executor) as running, Stages(progress, len(names) * samples,
                                                    "draws", f"{len(names)} branches x "
                                                    f"{samples:,} draws") as stages:
        results = [timeline(scenario, branch=name, as_of=as_of, model=model, params=params,
                            rounds=rounds, samples=samples, seed=seed, gap_draws=gap_draws,
                            file=file, executor=running, progress=stages.next(samples))
                   for name in names]
    dates = sorted({row.date for result in results for row in result.rows})
    rows: list[CompareDate] = []
    for date in dates:
        states, uncertain = {}, {}
        for name, result in zip(names, results, strict=True):
            last = [row for row in result.rows if row.date <= date][-1]
            states[name] = last.point
            if last.uncertain is not None:
                uncertain[name] = last.uncertain
        rows.append(CompareDate(date=date, states=states, uncertain=uncertain or None))
    return CompareResult(scenario=header(scenario, file), model=model, branches=names,
                         timelines=results, dates=rows, issue_info=results[0].issue_info)


def _compile(scenario: Scenario, branch: str | None, decisions: Decisions,
             as_of: AsOf) -> Timeline:
    compiled = compile_timeline(scenario, branch, vote_results(decisions))
    date = parse_date(as_of) if isinstance(as_of, str) else as_of
    return compiled.until(date)


def _members(compiled: Timeline) -> np.ndarray:
    return compiled.arrays.members()


def _rows(compiled: Timeline, runner: ForecastModel, rounds: int | None,
          seed: int | None) -> list[TimelineRow]:
    members = _members(compiled)
    ids = [compiled.arrays.actor_ids[i] for i in members]
    out: list[TimelineRow] = []
    before: State | None = None
    for step, state in compiled.states():
        point = point_state(state, runner, rounds, seed, members, ids)
        out.append(_row(compiled, step, point, moved(before, state) if before else []))
        before = state
    return out


def _in_base(compiled: Timeline, base: TimelineRow) -> list[TimelineRow]:
    """Rows for the events the base already holds: listed, with the base's answers."""
    return [base.model_copy(update={
        "event": e.id, "date": e.date.isoformat(), "type": e.type.value, "title": e.title,
        "result": e.result.value if e.result else None, "in_base": True, "effects": [],
        "moved": []}) for e in compiled.before]


def point_state(state: State, runner: ForecastModel, rounds: int | None, seed: int | None,
                members: np.ndarray, ids: Sequence[str]) -> PointState:
    """The answers on the first draw of ``state``."""
    arrays = state.arrays(0)
    zone = analyse_zone(arrays, list(ids))
    final = runner.run(arrays, rounds=rounds, seed=seed).final
    verdict = verdicts(arrays, final, members)
    gap = 0.0 if zone.feasible else float(np.max(zone.shortfall + zone.violation))
    return PointState(
        zopa=zone.feasible, margin=number(zone.margin), gap=number(gap) or 0.0,
        shortfall={a: number(zone.shortfall[k]) for k, a in enumerate(zone.members)},
        violation={a: number(zone.violation[k]) for k, a in enumerate(zone.members)},
        forecast=issue_values(arrays, final),
        accepts={a: v.acceptable for a, v in verdict.items()})


def _row(compiled: Timeline, step: Step | None, point: PointState,
         changes: list[Change]) -> TimelineRow:
    if step is None:
        name = compiled.branch
        effects = [describe_effect(op.effect) for op in compiled.start]
        return TimelineRow(
            event=None, date=compiled.scenario.meta.as_of.isoformat(), type=None,
            title="base" if name == HISTORY else f"base ({name})", result=None, fixed=False,
            effects=effects, moved=changes, point=point)
    event = step.event
    return TimelineRow(
        event=event.id, date=event.date.isoformat(), type=event.type.value, title=event.title,
        result=step.result.value if step.result else None, fixed=step.fixed,
        effects=[describe_effect(op.effect) for op in step.operations], moved=changes,
        point=point)


def moved(before: State, after: State) -> list[Change]:
    """Every number that differs between two states (first draw), in a stable order."""
    base = after.base
    out: list[Change] = []
    for target in ("ideal", "red_line", "salience"):
        old, new = getattr(before, target)[0], getattr(after, target)[0]
        for i, j in zip(*np.nonzero(_differs(old, new)), strict=True):
            out.append(Change(target=target, actor=base.actor_ids[i], issue=base.issue_ids[j],
                              before=number(old[i, j]), after=number(new[i, j])))
    for target in ("batna", "capability"):
        old, new = getattr(before, target)[0], getattr(after, target)[0]
        for i in np.flatnonzero(_differs(old, new)):
            out.append(Change(target=target, actor=base.actor_ids[i], issue=None,
                              before=number(old[i]), after=number(new[i])))
    old, new = before.relations[0], after.relations[0]
    for k, i, j in zip(*np.nonzero(_differs(old, new)), strict=True):
        out.append(Change(target="relation", actor=base.actor_ids[i],
                          issue=f"{RELATION_KINDS[k]} -> {base.actor_ids[j]}",
                          before=number(old[k, i, j]), after=number(new[k, i, j])))
    return out


def _differs(old: Any, new: Any) -> Any:
    both_nan = np.isnan(old) & np.isnan(new)
    return ~both_nan & ~np.isclose(old, new, rtol=1e-12, atol=1e-12)


__all__ = ["compare", "moved", "point_state", "timeline"]
