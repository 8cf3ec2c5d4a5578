"""Use case ``compare_decision``: the negotiation after each result of a vote, side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from zopa.analysis.zone import analyse_zone
from zopa.app.common import AsOf, Decisions, issue_info, issue_values, prepare, verdicts
from zopa.app.negotiation import negotiation_brief_summary
from zopa.errors import UsageError
from zopa.institutions.decisions import decision_results, find_vote, parse_result
from zopa.models.base import make_model
from zopa.params import ParamValue
from zopa.protocols.sao import run_sao
from zopa.protocols.space import problem_from_arrays
from zopa.protocols.strategies import make_strategy
from zopa.results.base import number
from zopa.results.institutions import (
    DecisionComparisonResult,
    DecisionVariant,
    NegotiationBrief,
    ZoneBrief,
)
from zopa.scenario.arrays import ScenarioArrays
from zopa.scenario.schema import Scenario, VoteResult
from zopa.seeds import check_seed
from zopa.timeline.effects import describe_effect
from zopa.timeline.history import vote_results

MAX_NEGOTIATIONS = 1_000_000
"""Most negotiations per result of the vote."""
NEGOTIATION_ROUNDS = 100
NEGOTIATION_RESOLUTION = 7
NEGOTIATION_STRATEGY = "boulware"


def compare_decision(
    scenario: Scenario,
    event: str,
    results: Sequence[VoteResult | str] | None = None,
    *,
    model: str = "compromise",
    params: Mapping[str, ParamValue | str] | None = None,
    rounds: int | None = None,
    seed: int | None = None,
    negotiation_runs: int = 0,
    decisions: Decisions = (),
    as_of: AsOf = None,
    file: str | None = None,
) -> DecisionComparisonResult:
    """Run a forecast model and the ZOPA analysis on the scenario after each result of a vote.

    The scenario is replayed to the vote's date (or to ``as_of``, if later) with the vote given
    each result in turn: the comparison of the history with the branch that fixes the vote's
    result (:func:`zopa.app.timeline.compare` shows whole timelines).

    Per result: the effects applied, the forecast per issue, whether a ZOPA exists and its
    margin, and each party's BATNA, utility of the forecast and surplus. With
    ``negotiation_runs``, also that many alternating-offers negotiations among the parties
    (boulware strategies, 100 rounds, 7 points per continuous issue: ``negotiate``'s defaults).
    """
    check_seed(seed)
    if not 0 <= negotiation_runs <= MAX_NEGOTIATIONS:
        raise UsageError(f"negotiations per result must be between 0 and {MAX_NEGOTIATIONS:,}, "
                         f"not {negotiation_runs:,}")
    found = find_vote(scenario, event)
    earlier = [(e, r) for e, r in vote_results(decisions).items() if e != event]
    chosen = [parse_result(r) if isinstance(r, str) else r for r in results or []]
    if len(set(chosen)) != len(chosen):
        raise UsageError("a result is named twice")
    chosen = chosen or decision_results(scenario, event)
    runner = make_model(model, params)
    variants: dict[str, DecisionVariant] = {}
    run = prepare(scenario, [*earlier, (event, chosen[0])], file, as_of)
    for result in chosen:
        arrays = prepare(scenario, [*earlier, (event, result)], file, as_of).arrays
        final = runner.run(arrays, rounds=rounds, seed=seed).final
        zone = analyse_zone(arrays)
        variants[result.value] = DecisionVariant(
            effects=[describe_effect(e)
                     for e in [*found.effects, *found.effects_if.get(result, [])]],
            outcome=issue_values(arrays, final),
            zone=ZoneBrief(feasible=zone.feasible, margin=number(zone.margin),
                           package=issue_values(arrays, zone.package)),
            parties=verdicts(arrays, final, arrays.members()),
            negotiation=_negotiate(arrays, negotiation_runs, seed or 0)
            if negotiation_runs > 0 else None,
        )
    return DecisionComparisonResult(
        scenario=run.header, event=event,
        recorded_result=found.result.value if found.result else None,
        model=model, results=[r.value for r in chosen], variants=variants,
        issue_info=issue_info(run.arrays),
    )


def _negotiate(arrays: ScenarioArrays, runs: int, seed: int) -> NegotiationBrief:
    problem = problem_from_arrays(arrays, None, NEGOTIATION_RESOLUTION)
    strategies = [make_strategy(NEGOTIATION_STRATEGY) for _ in range(problem.n_agents)]
    results = run_sao(problem, strategies, n_steps=NEGOTIATION_ROUNDS, runs=runs, seed=seed)
    summary = negotiation_brief_summary(results, problem)
    return NegotiationBrief(
        protocol="sao", strategy=NEGOTIATION_STRATEGY, rounds=NEGOTIATION_ROUNDS, seed=seed,
        runs=summary.runs, agreement_rate=summary.agreement_rate,
        walked_away=summary.walked_away, mean_utility=summary.mean_utility)
