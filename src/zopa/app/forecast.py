"""Use cases ``forecast`` (a model's forecast, each party's verdict, Nash, the ZOPA) and ``zone``
(the zone of possible agreement)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from zopa.analysis.bargaining import package_distance
from zopa.analysis.zone import ZoneAnalysis, analyse_zone
from zopa.app.common import AsOf, Decisions, issue_info, issue_values, prepare, verdicts
from zopa.executors import Executor, ExecutorSettings
from zopa.models.base import Forecast, ForecastModel, get_model, make_model
from zopa.params import ParamValue
from zopa.progress import NO_PROGRESS, Progress
from zopa.results.base import ScenarioHeader, number
from zopa.results.forecast import (
    ForecastResult,
    LinkVerdict,
    MemberAtPackage,
    NashComparison,
    OutcomeValue,
    RoundRecord,
    ZoneIssue,
    ZoneResult,
    ZoneSummary,
)
from zopa.results.timeline import UncertainState
from zopa.scenario.arrays import ScenarioArrays
from zopa.scenario.schema import Scenario
from zopa.seeds import check_seed


def forecast(
    scenario: Scenario,
    *,
    model: str = "compromise",
    params: Mapping[str, ParamValue | str] | None = None,
    rounds: int | None = None,
    seed: int | None = None,
    decisions: Decisions = (),
    as_of: AsOf = None,
    samples: int = 0,
    file: str | None = None,
    executor: ExecutorSettings | Executor | None = None,
    progress: Progress = NO_PROGRESS,
) -> ForecastResult:
    """Forecast ``scenario`` with a registered model and compare with Nash and the ZOPA.

    Args:
        scenario: a loaded scenario (:func:`zopa.scenario.load_scenario`).
        model: a model's registry name (``zopa models``).
        params: the model's parameters (text values are parsed).
        rounds: rounds for dynamic models (default: the model's).
        seed: seed of the model's random numbers, for models that draw any.
        decisions: vote events with a chosen result, applied first.
        as_of: replay the scenario's events to this date first (docs/timeline.md).
        samples: Monte Carlo draws of the declared uncertainty (0: none); ``seed`` seeds them.
        file: where the scenario came from, for the result's header.
        executor: where the draws' chunks run (default: in this process; same answers on
            any executor, see :mod:`zopa.executors`).
        progress: hears each chunk of draws (:mod:`zopa.progress`).

    >>> from zopa.scenario import load_scenario
    >>> result = forecast(load_scenario("examples/gaza-2024-03.yaml"), model="median")
    >>> result.outcome["ceasefire_days"].label
    '42 days'
    """
    run = prepare(scenario, decisions, file, as_of)
    result = forecast_arrays(run.arrays, model=model, params=params, rounds=rounds, seed=seed,
                             header=run.header)
    if samples:
        result = result.model_copy(update={"uncertain": _draws(
            scenario, decisions, as_of, make_model(model, params), rounds, samples, seed,
            None, executor, progress)})
    return result


def _draws(scenario: Scenario, decisions: Decisions, as_of: AsOf, runner: ForecastModel,
           rounds: int | None, samples: int, seed: int | None,
           members: Sequence[str] | None, executor: ExecutorSettings | Executor | None,
           progress: Progress) -> UncertainState:
    """Monte Carlo answers at the date the run describes."""
    from zopa.app.common import replay
    from zopa.app.uncertain import uncertain_final

    timeline, _ = replay(scenario, decisions, as_of)
    return uncertain_final(timeline, runner, rounds, samples, seed, members=members,
                           executor=executor, progress=progress)


def forecast_arrays(
    arrays: ScenarioArrays,
    *,
    model: str = "compromise",
    params: Mapping[str, ParamValue | str] | None = None,
    rounds: int | None = None,
    seed: int | None = None,
    header: ScenarioHeader | None = None,
) -> ForecastResult:
    """:func:`forecast` on a scenario's arrays (e.g. a synthetic or perturbed scenario)."""
    cls = get_model(model)
    found = make_model(model, params).run(arrays, rounds=rounds, seed=check_seed(seed))
    nash = found if model == "nash" else make_model("nash").run(arrays)
    final = found.final
    complete = bool(np.all(np.isfinite(final)))
    zone = zone_summary(analyse_zone(arrays), arrays)
    return ForecastResult(
        scenario=header or ScenarioHeader(title="", as_of=None, file=None),
        model=found.model,
        title=cls.title,
        reference=cls.reference,
        parameters=dict(found.parameters),
        seed=seed,
        rounds=_rounds(found, arrays),
        outcome={
            issue: OutcomeValue(value=number(v),
                                label=arrays.label(j, v) if np.isfinite(v) else None)
            for j, (issue, v) in enumerate(zip(arrays.issue_ids, final, strict=True))
        },
        evaluation=verdicts(arrays, final, arrays.members()) if complete else None,
        links=link_verdicts(arrays, final) if complete else None,
        diagnostics=found.diagnostics,
        nash=_nash(nash, final, arrays, zone),
        zone=zone,
        issue_info=issue_info(arrays),
        reason=None if complete else (
            why_no_agreement(zone) if model == "nash" else "the model gives no forecast"),
    )


def zone(
    scenario: Scenario,
    *,
    actors: Sequence[str] | None = None,
    decisions: Decisions = (),
    as_of: AsOf = None,
    samples: int = 0,
    seed: int | None = None,
    file: str | None = None,
    executor: ExecutorSettings | Executor | None = None,
    progress: Progress = NO_PROGRESS,
) -> ZoneResult:
    """The zone of possible agreement among ``actors`` (default: the parties); with
    ``samples``, also P(ZOPA) over Monte Carlo draws of the declared uncertainty (on
    ``executor``, watched by ``progress``, as :func:`forecast`).

    >>> from zopa.scenario import load_scenario
    >>> zone(load_scenario("examples/gaza-2024-03.yaml")).feasible
    False
    """
    run = prepare(scenario, decisions, file, as_of)
    summary = zone_summary(analyse_zone(run.arrays, list(actors) if actors else None), run.arrays)
    uncertain = _draws(scenario, decisions, as_of, make_model("compromise"), None, samples,
                       check_seed(seed), actors, executor, progress) if samples else None
    return ZoneResult(scenario=run.header, issue_info=issue_info(run.arrays),
                      uncertain=uncertain, **dict(summary))


def zone_summary(zone: ZoneAnalysis, arrays: ScenarioArrays) -> ZoneSummary:
    """The ZOPA analysis as a result record."""
    return ZoneSummary(
        members=list(zone.members),
        feasible=zone.feasible,
        margin=number(zone.margin),
        issues={
            z.issue: ZoneIssue(low=number(z.low), high=number(z.high), empty=z.empty,
                               low_set_by=list(z.low_set_by), high_set_by=list(z.high_set_by))
            for z in zone.issues
        },
        package=issue_values(arrays, zone.package),
        package_kind="most_balanced_acceptable" if zone.feasible else "closest",
        links_conflict=zone.links_conflict,
        members_at_package={
            actor: MemberAtPackage(
                utility=number(zone.utility[k]), surplus=number(zone.surplus[k]),
                shortfall=number(zone.shortfall[k]), red_line_violation=number(zone.violation[k]))
            for k, actor in enumerate(zone.members)
        },
    )


def link_verdicts(arrays: ScenarioArrays, package: np.ndarray) -> dict[str, LinkVerdict]:
    """Per link of the scenario, whether ``package`` (issue units) keeps it, and by how much
    it misses the bound (in the link's units)."""
    broken = arrays.link_violation(arrays.normalise(np.asarray(package, dtype=float)))
    return {link: LinkVerdict(kept=bool(broken[k] == 0), broken_by=number(float(broken[k])))
            for k, link in enumerate(arrays.link_ids)}


def _rounds(found: Forecast, arrays: ScenarioArrays) -> list[RoundRecord]:
    return [
        RoundRecord(
            round=r,
            outcome=issue_values(arrays, found.outcome[r]),
            positions={actor: issue_values(arrays, found.positions[r, i])
                       for i, actor in enumerate(found.actor_ids)},
        )
        for r in range(found.rounds + 1)
    ]


def _nash(nash: Forecast, final: np.ndarray, arrays: ScenarioArrays, zone: ZoneSummary
          ) -> NashComparison:
    nash_final = nash.final
    exists = bool(np.all(np.isfinite(nash_final)))
    both = exists and bool(np.all(np.isfinite(final)))
    distance = (package_distance(arrays.normalise(final), arrays.normalise(nash_final))
                if both else None)
    return NashComparison(outcome=issue_values(arrays, nash_final), distance=number(distance),
                          reason=None if exists else why_no_agreement(zone))


def why_no_agreement(zone: ZoneSummary) -> str:
    """Why no package is acceptable to every member: the red lines that cannot be reconciled
    (issue by issue, whose against whose), else who falls short of its BATNA and by how much.

    >>> from zopa.scenario import load_scenario
    >>> from zopa.app import zone
    >>> why_no_agreement(zone(load_scenario("examples/gaza-2024-03.yaml")))[:61]
    'no package every party accepts: red lines cross on prisoners_'
    """
    if zone.feasible:
        return "a package every party accepts exists"
    if zone.links_conflict:
        return ("no package every party accepts: the red lines leave room on every issue, but "
                "no package within them keeps the scenario's links")
    clashes = [f"{issue} ({', '.join(z.low_set_by)} vs {', '.join(z.high_set_by)})"
               for issue, z in zone.issues.items() if z.empty]
    if clashes:
        return "no package every party accepts: red lines cross on " + "; ".join(clashes)
    short = sorted(((m.shortfall or 0.0, actor) for actor, m in zone.members_at_package.items()
                    if (m.shortfall or 0.0) > 1e-9), reverse=True)
    who = ", ".join(f"{actor} short of its BATNA by {gap:.3f}" for gap, actor in short)
    return ("no package every party accepts: the red lines leave room, but at the closest "
            f"package {who or 'some party is below its BATNA'}")
