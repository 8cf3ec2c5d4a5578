"""What the use cases share: a scenario prepared for a run (replayed to a date, decisions
applied, arrays built), the header every result names it by, and per-party verdicts on a
package."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from zopa.errors import UsageError
from zopa.results.base import IssueInfo, ScenarioHeader, number
from zopa.results.forecast import PartyVerdict
from zopa.scenario.arrays import ScenarioArrays, to_arrays
from zopa.scenario.schema import Scenario, VoteResult
from zopa.utility import FloatArray

if TYPE_CHECKING:
    from zopa.timeline.history import Timeline

Decisions = Mapping[str, VoteResult | str] | Sequence[tuple[str, VoteResult | str]]
"""Vote events with a chosen result (real or counterfactual): ``{"unsc_res_2728": "vetoed"}``."""

AsOf = dt.date | str | None
"""A date to replay the scenario's events to (``YYYY-MM-DD`` text is parsed); ``None``: the
scenario's base date, ``meta.as_of`` (or the latest decided vote's date)."""


@dataclass(frozen=True, eq=False)
class Prepared:
    """A scenario ready for a run: after the chosen decisions, as arrays, with its header."""

    scenario: Scenario
    arrays: ScenarioArrays
    header: ScenarioHeader


def prepare(scenario: Scenario, decisions: Decisions = (), file: str | None = None,
            as_of: AsOf = None, branch: str | None = None) -> Prepared:
    """The scenario as it stands at ``as_of`` (docs/timeline.md), as arrays.

    With no date, no decision and no branch, the base (``meta.as_of``). Otherwise the events
    after the base and up to the date are replayed (by default up to the latest decided vote),
    with the votes in ``decisions`` given the chosen results (real or counterfactual) and the
    branch's patch applied. The returned scenario records the chosen results on its events.

    Raises:
        UsageError: for a date before the base, a decided vote after the date, an unknown
            event, branch or result.
    """
    from zopa.timeline.history import vote_results

    chosen = vote_results(decisions)
    if as_of is None and not chosen and branch is None:
        return Prepared(scenario, to_arrays(scenario), header(scenario, file))
    timeline, date = replay(scenario, decisions, as_of, branch)
    arrays = timeline.final().arrays(0)
    events = [e.model_copy(update={"result": chosen[e.id]}) if e.id in chosen else e
              for e in scenario.events]
    changed = scenario.model_copy(update={"events": events})
    return Prepared(changed, arrays, header(scenario, file, date))


def replay(scenario: Scenario, decisions: Decisions = (), as_of: AsOf = None,
           branch: str | None = None) -> tuple[Timeline, dt.date]:
    """The timeline :func:`prepare` replays, cut at its date, and that date."""
    from zopa.timeline.history import compile_timeline, parse_date, vote_results

    chosen = vote_results(decisions)
    date = parse_date(as_of) if isinstance(as_of, str) else as_of
    timeline = compile_timeline(scenario, branch, chosen)
    dates = {step.event.id: step.date for step in timeline.steps}
    if date is None:
        date = max([scenario.meta.as_of, *(dates[e] for e in chosen if e in dates)])
    for event_id in chosen:
        if event_id in dates and dates[event_id] > date:
            raise UsageError(f"vote {event_id!r} is dated {dates[event_id].isoformat()}, after "
                             f"the as-of date {date.isoformat()}: its result changes nothing")
    return timeline.until(date), date


def header(scenario: Scenario, file: str | None = None, date: dt.date | None = None
           ) -> ScenarioHeader:
    """The scenario's title, the date its state describes (default ``meta.as_of``) and file."""
    return ScenarioHeader(title=scenario.meta.title,
                          as_of=(date or scenario.meta.as_of).isoformat(), file=file)


def issue_info(arrays: ScenarioArrays) -> list[IssueInfo]:
    """Each issue's id, name, unit and options (so that results can be shown on their own)."""
    return [
        IssueInfo(id=i, name=name, unit=unit, options=list(opts) if opts else None)
        for i, name, unit, opts in zip(arrays.issue_ids, arrays.issue_names, arrays.units,
                                       arrays.options, strict=True)
    ]


def issue_values(arrays: ScenarioArrays, values: FloatArray) -> dict[str, float | None]:
    """Per issue id, a value rounded for JSON (``None`` where missing)."""
    return {issue: number(v) for issue, v in zip(arrays.issue_ids, values, strict=True)}


def verdicts(arrays: ScenarioArrays, package: FloatArray, members: np.ndarray
             ) -> dict[str, PartyVerdict]:
    """Each member's utility, surplus over its BATNA, red-line violation and acceptance of a
    package given in issue units."""
    z = arrays.normalise(package)
    util = arrays.utility(z)
    violation = arrays.violation(z)
    out = {}
    for i in members:
        surplus = util[i] - arrays.batna[i]
        out[arrays.actor_ids[i]] = PartyVerdict(
            utility=number(util[i]),
            batna=number(arrays.batna[i]),
            surplus=number(surplus),
            red_line_violation=number(violation[i]),
            acceptable=bool(violation[i] <= 1e-9 and surplus >= -1e-9),
        )
    return out


def scenario_at(scenario: Scenario, as_of: AsOf = None, decisions: Decisions = (),
                branch: str | None = None) -> Scenario:
    """The scenario with the numbers it has at ``as_of`` written back into it (positions,
    BATNAs, capabilities, relation strengths), for display; ``meta.as_of`` becomes the date.

    An options issue's point pulled between two options by a relation is written as the nearest
    option (the arrays keep the fraction).
    """
    if as_of is None and not decisions and branch is None:
        return scenario
    run = prepare(scenario, decisions, None, as_of, branch)
    a = run.arrays
    positions = {}
    for actor_id, stances in scenario.positions.items():
        i = a.actor_ids.index(actor_id)
        positions[actor_id] = {
            issue_id: p.model_copy(update={
                "ideal": _point(scenario, j, a.ideal[i, j]),
                "salience": float(a.salience[i, j]),
                "red_line": None if np.isnan(a.red_line[i, j])
                else _point(scenario, j, a.red_line[i, j])})
            for issue_id, p in stances.items() for j in [a.issue_ids.index(issue_id)]}
    actors = [actor.model_copy(update={
        "batna": actor.batna.model_copy(update={"value": float(a.batna[i])}),
        "capability": actor.capability.model_copy(update={"value": float(a.capability[i])})})
        for i, actor in enumerate(scenario.actors)]
    relations = [r.model_copy(update={"strength": float(a.relation(r.kind)[
        a.actor_ids.index(r.source_actor), a.actor_ids.index(r.target)])})
        for r in scenario.relations]
    meta = scenario.meta.model_copy(update={"as_of": _date(run.header.as_of, scenario)})
    return run.scenario.model_copy(update={"positions": positions, "actors": actors,
                                           "relations": relations, "meta": meta})


def _point(scenario: Scenario, issue: int, value: float) -> float | str:
    options = scenario.issues[issue].options
    if options is None:
        return float(f"{value:.6g}")
    return options[int(np.clip(np.rint(value), 0, len(options) - 1))]


def _date(text: str | None, scenario: Scenario) -> dt.date:
    return dt.date.fromisoformat(text) if text else scenario.meta.as_of
