"""Use cases of voting bodies: ``power`` (exact voting power), ``vote_outcome`` (what a recorded
or changed vote decided) and ``predict_vote`` (each member's vote and the result's
probabilities)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from zopa import registry
from zopa.app.common import AsOf, Decisions, prepare
from zopa.errors import UsageError
from zopa.executors import Executor, ExecutorSettings, Span, open_executor, run_chunks, spans
from zopa.institutions.decisions import find_vote
from zopa.institutions.outcome import vote_outcome as decide_vote
from zopa.institutions.power_methods import PowerMethod
from zopa.institutions.prediction import VoteModel, VoteModelSpec
from zopa.institutions.prediction import predict_vote as predict
from zopa.institutions.rules import DecisionRule
from zopa.params import ParamValue
from zopa.progress import NO_PROGRESS, Progress
from zopa.results.base import number
from zopa.results.institutions import (
    MemberPower,
    MemberPrediction,
    PowerMember,
    PowerResult,
    ResultProbabilities,
    VoteDraws,
    VoteLists,
    VoteModelSettings,
    VoteOutcomeResult,
    VotePredictionResult,
)
from zopa.scenario.arrays import draft_arrays
from zopa.scenario.schema import Body, Scenario, Vote
from zopa.timeline.history import Timeline


def pick_body(scenario: Scenario, body_id: str | None) -> Body:
    """The body ``body_id`` of the scenario, or its only body.

    Raises:
        UsageError: for an unknown body, or none named where there are several.
    """
    if body_id is not None:
        return scenario.body(body_id)
    if len(scenario.bodies) == 1:
        return scenario.bodies[0]
    known = ", ".join(b.id for b in scenario.bodies) or "none"
    raise UsageError(f"name the body (bodies in the scenario: {known})")


def power(body: Body, *, method: str = "auto", file: str = "") -> PowerResult:
    """Exact Shapley-Shubik and Banzhaf power of every member of ``body``.

    >>> from zopa.institutions.bodies import builtin_body
    >>> power(builtin_body("un-security-council")).members["CN"].shapley_shubik_exact
    '421/2145'
    """
    spec: PowerMethod = registry.get("power-method", method)
    rule = DecisionRule.from_body(body)
    data = spec.compute(rule).to_dict()
    return PowerResult(
        body=body.id, name=body.name, file=file, method=data["method"],
        members={m: MemberPower(**row) for m, row in data["members"].items()},
        member_info={
            m: PowerMember(name=rule.member_names[i], weight=float(rule.weight[i]),
                           veto=bool(rule.veto[i]))
            for i, m in enumerate(rule.member_ids)
        },
    )


def vote_outcome(
    scenario: Scenario,
    event: str,
    *,
    changed_votes: Mapping[str, Vote | str] | None = None,
    decisions: Decisions = (),
    as_of: AsOf = None,
    file: str | None = None,
) -> VoteOutcomeResult:
    """What the vote ``event`` decided under its body's rule, with some votes changed (a voting
    record has no negotiation to replay: it is read as it is)."""
    from zopa.app.common import header

    if scenario.is_record:
        decided, shown = scenario, header(scenario, file)
    else:
        run = prepare(scenario, decisions, file, as_of)
        decided, shown = run.scenario, run.header
    found = find_vote(decided, event)
    assert found.body is not None  # find_vote returns vote events only
    rule = DecisionRule.from_body(decided.body(found.body))
    changed = {m: _vote(m, v) for m, v in (changed_votes or {}).items()}
    votes: dict[str, Vote | str] = dict(found.votes or {})
    votes.update(changed)
    outcome = decide_vote(rule, votes)
    data = outcome.to_dict()
    return VoteOutcomeResult(
        scenario=shown, event=event, event_title=found.title,
        recorded_result=found.result.value if found.result else None,
        changed_votes={m: v.value for m, v in changed.items()},
        body=data["body"], result=data["result"], vetoed_by=data["vetoed_by"],
        tally=data["tally"], votes=VoteLists(**data["votes"]), yes_weight=data["yes_weight"],
        needed=data["needed"], population_share=data["population_share"],
    )


def predict_vote(
    scenario: Scenario,
    draft: str,
    *,
    body: str | None = None,
    fixed_votes: Mapping[str, Vote | str] | None = None,
    vote_model: str = "ordered-logit",
    params: Mapping[str, ParamValue | str] | None = None,
    decisions: Decisions = (),
    as_of: AsOf = None,
    samples: int = 0,
    seed: int | None = None,
    file: str | None = None,
    use_record: bool | None = None,
    executor: ExecutorSettings | Executor | None = None,
    progress: Progress = NO_PROGRESS,
) -> VotePredictionResult:
    """Each member's vote probabilities on ``draft`` and the exact result probabilities.

    With a voting record for the body (its vote events in the scenario, or a record file it
    links to) that codes the draft, the model fitted on the votes before the draft's vote
    (:mod:`zopa.app.record`); otherwise, or with ``use_record=False``, the declared model.
    ``use_record=True`` requires the record. With ``samples``, the draws run in chunks on
    ``executor`` (default: in this process; same answers on any), watched by ``progress``.

    >>> from zopa.scenario import load_scenario
    >>> p = predict_vote(load_scenario("examples/gaza-2024-03.yaml"), "draft_res_2728",
    ...                  file="examples/gaza-2024-03.yaml")
    >>> round(p.result.adopted + p.result.failed + p.result.vetoed, 9), p.fit is not None
    (1.0, True)
    """
    if use_record is not False or scenario.is_record:
        from zopa.app.record import fitted_vote

        fitted = fitted_vote(scenario, draft, body=body, fixed_votes=fixed_votes,
                             decisions=decisions, as_of=as_of, file=file,
                             required=bool(use_record) or scenario.is_record)
        if fitted is not None:
            if params:
                raise UsageError(
                    "--param sets the declared vote model, but this vote is predicted by the "
                    "model fitted on the body's record: add --no-record to use the declared one")
            if samples:
                raise UsageError(
                    "--samples draws the scenario's declared uncertainty, which the model "
                    "fitted on the record does not read: leave it out, or use --no-record")
            return fitted
    run = prepare(scenario, decisions, file, as_of)
    found = run.scenario.draft(draft)
    body_id = body or found.body or pick_body(run.scenario, None).id
    rule = DecisionRule.from_body(run.scenario.body(body_id))
    spec: VoteModelSpec = registry.get("vote-model", vote_model)
    model = spec.make(params)
    fixed = {m: _vote(m, v) for m, v in (fixed_votes or {}).items()}
    prediction = predict(run.arrays, rule, draft_arrays(run.scenario, run.arrays, draft), fixed,
                         model)
    r = prediction.result
    uncertain = _vote_draws(scenario, run.scenario, decisions, as_of, rule, draft, fixed, model,
                            samples, seed, executor, progress) if samples else None
    return VotePredictionResult(
        uncertain=uncertain,
        scenario=run.header, body=body_id, draft=draft, draft_name=found.name or found.id,
        members={
            v.member: MemberPrediction(
                actor=v.actor, basis=v.basis,
                gain=number(v.gain), support=number(v.support), yes=v.probabilities[0],
                no=v.probabilities[1], abstain=v.probabilities[2], absent=v.probabilities[3],
                swing=number(prediction.swing[v.member]))
            for v in prediction.members
        },
        result=ResultProbabilities(
            adopted=r.adopted, failed=r.failed, vetoed=r.vetoed, vetoed_by=r.vetoed_by,
            veto_sets={"+".join(k): v for k, v in r.veto_sets.items()}),
        pivotal=prediction.pivotal(),
        model=VoteModelSettings(
            beta=model.beta, tau0=model.tau0, tau1=model.tau1, pressure=model.pressure,
            kinds={k.value: v for k, v in model.kinds.items()}, default=list(model.default)),
    )


def _vote_draws(scenario: Scenario, decided: Scenario, decisions: Decisions, as_of: AsOf,
                rule: DecisionRule, draft: str, fixed: Mapping[str, Vote], model: VoteModel,
                samples: int, seed: int | None, executor: ExecutorSettings | Executor | None,
                progress: Progress) -> VoteDraws:
    """The vote's result probabilities on each Monte Carlo draw (one exact tally a draw)."""
    from zopa.app.common import replay
    from zopa.app.uncertain import CHUNK, MAX_SAMPLES, SEED_STREAM
    from zopa.seeds import as_seed_sequence, check_seed, child_sequence

    check_seed(seed)
    if not 1 <= samples <= MAX_SAMPLES:
        raise UsageError(f"samples must be between 1 and {MAX_SAMPLES:,}, not {samples:,}")
    timeline, _ = replay(scenario, decisions, as_of)
    job = _VoteJob(timeline, decided, rule, draft, dict(fixed), model,
                   child_sequence(as_seed_sequence(seed), SEED_STREAM))
    found = np.zeros((samples, 3))

    def keep(span: Span, part: np.ndarray) -> None:
        found[span.start:span.stop] = part

    with open_executor(executor) as running:
        run_chunks(running, _vote_chunk, job, spans(samples, CHUNK), keep, progress=progress,
                   unit="draws", label=f"vote, {samples:,} draws")
    q = np.quantile(found, [0.05, 0.5, 0.95], axis=0)
    mean = found.mean(axis=0)
    return VoteDraws(draws=samples, seed=seed, adopted=float(mean[0]), vetoed=float(mean[1]),
                     failed=float(mean[2]), adopted_interval=[float(x) for x in q[:, 0]],
                     vetoed_interval=[float(x) for x in q[:, 1]])


@dataclass(frozen=True, eq=False)
class _VoteJob:
    """What every chunk of a vote's draws shares."""

    timeline: Timeline
    decided: Scenario
    rule: DecisionRule
    draft: str
    fixed: dict[str, Vote]
    model: VoteModel
    stream: np.random.SeedSequence


def _vote_chunk(job: _VoteJob, span: Span) -> np.ndarray:
    """``(adopted, vetoed, failed)`` probabilities of draws ``span.start ..`` (one a row)."""
    from zopa.institutions.prediction import member_probabilities, result_distribution
    from zopa.uncertainty.draws import sample

    inputs = job.timeline.inputs
    state = job.timeline.final(sample(inputs, span.start, span.stop, job.stream)
                               if inputs else None, draws=span.size)
    out = np.zeros((state.draws, 3))
    for d in range(state.draws):
        arrays = state.arrays(d)
        members = member_probabilities(arrays, job.rule,
                                       draft_arrays(job.decided, arrays, job.draft), job.model,
                                       job.fixed)
        r = result_distribution(job.rule, np.array([m.probabilities for m in members]))
        out[d] = (r.adopted, r.vetoed, r.failed)
    return out


def vote_value(member: str, vote: Vote | str) -> Vote:
    """A member's vote as given (``yes``, ``no``, ``abstain``, ``absent``), checked."""
    return _vote(member, vote)


def _vote(member: str, vote: Vote | str) -> Vote:
    if isinstance(vote, Vote):
        return vote
    try:
        return Vote(vote.strip().lower())
    except ValueError:
        raise UsageError(
            f"vote of {member}: {vote!r:.40} is not yes, no, abstain or absent") from None
