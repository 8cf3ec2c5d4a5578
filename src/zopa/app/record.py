"""Use cases that learn from a voting record: fit the vote model (``zopa vote fit``), backtest
it against baselines (``zopa backtest``), and predict a draft's vote with the fitted model.

A body's record is either in the scenario itself (its vote events on drafts, for the bodies of
the body's series) or in a record file the body links to (``record: {file, series}``). Every fit
uses only votes dated strictly before the day of the prediction (docs/vote-fitting.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from zopa.app.common import AsOf, Decisions
from zopa.errors import UsageError
from zopa.institutions.baselines import BASELINES, COLUMN, baseline_probabilities
from zopa.institutions.fitting import VOTE_MISSING, FitSettings, FittedVotes, fit
from zopa.institutions.prediction import result_distribution
from zopa.institutions.record import VoteRecord, draft_row, series_of, vote_record
from zopa.institutions.rules import VOTE_CODES, DecisionRule
from zopa.results.backtest import (
    BacktestResult,
    CalibrationRow,
    MemberFit,
    MethodScores,
    Prediction,
    ResultPrediction,
    ResultScores,
    ScoreRecord,
    VoteFitResult,
    VoteProbabilities,
)
from zopa.results.base import number
from zopa.results.institutions import (
    FitInfo,
    MemberPrediction,
    ResultProbabilities,
    VotePredictionResult,
)
from zopa.scenario.schema import Body, Draft, Scenario, Vote
from zopa.scoring import Scores, binary_brier, score
from zopa.utility import FloatArray

MAX_RECORD_VOTES = 5_000
"""Most recorded votes a backtest refits on (one fit per vote: quadratic work)."""
MAX_RECORD_MEMBERS = 1_000
"""Most members of a record (the fit has ``(2k+1)`` parameters a member)."""
MAX_BACKTEST_CELLS = 3_000_000
"""Most (vote x member) cells a backtest's refits see in all: one refit a vote on the votes
before it, so the work grows with the square of the record's length (about a minute at the
limit on one core)."""
OUTCOMES = ("adopted", "failed", "vetoed")
BASELINE_TEXT = {
    "council_rate": "council's yes/no/abstain rates so far",
    "member_rate": "each member's own rates so far",
    "last_vote": "each member repeats its last vote",
    "similar_draft": "each member votes as on the most similar earlier draft",
}


@dataclass(frozen=True, eq=False)
class Record:
    """A body's record, wherever it is kept: the scenario holding it, its series, the file
    (``""`` if in the scenario) and the record as arrays."""

    source: Scenario
    series: str
    file: str
    votes: VoteRecord


def body_record(scenario: Scenario, body: Body | None, *, file: str | None = None) -> Record:
    """The record of ``body`` (or of the scenario's only series with recorded votes).

    Raises:
        UsageError: for a record file that cannot be read, or no recorded vote at all.
    """
    from zopa.scenario.loader import load_scenario, scenario_origin

    if body is not None and body.record is not None:
        where = file or scenario_origin(scenario)  # the record lies next to the scenario
        base = Path(where).parent if where else Path.cwd()
        path = base / body.record.file
        try:
            source = load_scenario(path)
        except FileNotFoundError:
            raise UsageError(f"record file {path} of body {body.id!r} not found "
                             "(bodies.record.file is relative to the scenario's file)") from None
        series, shown = body.record.series, str(path)
    else:
        source = scenario
        series = series_of(body) if body is not None else _only_series(scenario)
        shown = ""
    extra = tuple(m.id for m in body.members) if body is not None else ()
    votes = vote_record(source, series, extra_members=extra)
    if len(votes.events) > MAX_RECORD_VOTES or len(votes.members) > MAX_RECORD_MEMBERS:
        raise UsageError(
            f"the record of series {series!r} has {len(votes.events):,} votes by "
            f"{len(votes.members):,} members; the limits are {MAX_RECORD_VOTES:,} votes and "
            f"{MAX_RECORD_MEMBERS:,} members (split the record by period)")
    return Record(source, series, shown, votes)


def _only_series(scenario: Scenario) -> str:
    with_votes = {b.body for b in scenario.events if b.votes and b.draft and b.body}
    series = sorted({series_of(b) for b in scenario.bodies if b.id in with_votes})
    if len(series) != 1:
        raise UsageError(
            "no recorded votes on drafts in the scenario" if not series else
            f"the scenario records votes of several series ({', '.join(series)}): give --body")
    return series[0]


def vote_fit(scenario: Scenario, *, body: str | None = None, before: str | dt.date | None = None,
             settings: FitSettings | None = None, file: str | None = None) -> VoteFitResult:
    """Fit the vote model on a body's record (votes dated before ``before``).

    >>> from zopa.scenario import load_scenario
    >>> r = vote_fit(load_scenario("examples/records/unsc-gaza-2023-2024.yaml"),
    ...              body="unsc_2024", before="2024-03-22")
    >>> r.votes, r.members["russia"].votes > 0
    (12, True)
    """
    from zopa.app.common import header
    from zopa.timeline.history import parse_date

    found = scenario.body(body) if body is not None else None
    record = body_record(scenario, found, file=file)
    day = parse_date(before) if isinstance(before, str) else before
    settings = settings or FitSettings()
    used = record.votes if day is None else record.votes.before(day)
    fitted = _fit(record, used, settings)
    ideal, weight = fitted.ideal_points()
    issues = record.votes.issues
    members = {
        m: MemberFit(
            votes=int(fitted.n_votes[i]), intercept=_num(fitted.alpha[i]),
            lean={s: _num(fitted.A[i, j] - fitted.B[i, j]) for j, s in enumerate(issues)},
            ideal={s: number(float(ideal[i, j])) for j, s in enumerate(issues)},
            salience={s: _num(weight[i, j]) for j, s in enumerate(issues)})
        for i, m in enumerate(record.votes.members)
    }
    return VoteFitResult(
        scenario=header(scenario, file), series=record.series, record_file=record.file,
        before=day.isoformat() if day else None, votes=len(used.events), members=members,
        sponsor_effect=_num(fitted.sponsor), bloc_effect=_num(fitted.bloc),
        affinity_effect=_num(fitted.affinity),
        cutpoints=[_num(c) for c in fitted.cutpoints], converged=fitted.converged,
        log_posterior=_num(fitted.log_posterior), settings=_settings(settings))


def backtest(scenario: Scenario, *, body: str | None = None,
             settings: FitSettings | None = None, file: str | None = None) -> BacktestResult:
    """Every recorded vote of a body's record, in date order, predicted from the votes dated
    before it (model refitted each time) and by the baselines, and scored.

    >>> from zopa.scenario import load_scenario
    >>> r = backtest(load_scenario("examples/records/unsc-gaza-2023-2024.yaml"))
    >>> r.summary[0].method, r.summary[0].members.n
    ('fitted', 198)
    """
    from zopa.app.common import header

    found = scenario.body(body) if body is not None else None
    record = body_record(scenario, found, file=file)
    settings = settings or FitSettings()
    votes = record.votes
    calls = votes.calls
    days = votes.days
    cells = int(np.searchsorted(days, days, side="left").sum()) * len(votes.members)
    if cells > MAX_BACKTEST_CELLS:
        raise UsageError(
            f"a backtest of {len(days):,} votes by {len(votes.members):,} members refits the "
            f"model on {cells:,} (vote x member) cells in all, past the limit of "
            f"{MAX_BACKTEST_CELLS:,}: backtest a shorter record (split it by period)")
    methods = ("fitted", *BASELINES)
    member_rows: dict[str, list[FloatArray]] = {m: [] for m in methods}
    member_truth: list[int] = []
    result_rows: dict[str, list[FloatArray]] = {m: [] for m in methods}
    result_truth: list[int | None] = []
    predictions: list[Prediction] = []
    results: list[ResultPrediction] = []
    bodies = {b.id: b for b in record.source.bodies}
    table = baseline_probabilities(calls, days)
    for t, event in enumerate(votes.events):
        earlier = days < days[t]
        known = votes.subset(earlier)
        fitted = _fit(record, known, settings)
        model = fitted.probabilities(calls.proposal[t], calls.status_quo[t], calls.sponsor[t],
                                     calls.bloc[t], known.affinity_with(calls.sponsor[t]))[0]
        by_method = {"fitted": model, **{b: table[b][t] for b in BASELINES}}
        body_members = [m.id for m in bodies[event.body].members]
        at = votes.member_index(body_members)
        rule = DecisionRule.from_body(bodies[event.body])
        for method, probs in by_method.items():
            dist = result_distribution(rule, _with_absent(probs[at]))
            result_rows[method].append(np.array([dist.adopted, dist.failed, dist.vetoed]))
        result_truth.append(OUTCOMES.index(event.result) if event.result else None)
        results.append(ResultPrediction(
            event=event.event, date=event.date.isoformat(), draft=event.draft,
            fitted_on=int(earlier.sum()), adopted=_num(result_rows["fitted"][-1][0]),
            failed=_num(result_rows["fitted"][-1][1]), vetoed=_num(result_rows["fitted"][-1][2]),
            baselines={b: dict(zip(OUTCOMES, map(_num, result_rows[b][-1]), strict=True))
                       for b in BASELINES},
            actual=event.result))
        for member, i in zip(body_members, at.tolist(), strict=True):
            code = int(calls.votes[t, i])
            if code == VOTE_MISSING:
                continue
            member_truth.append(int(COLUMN[code]))
            for method, probs in by_method.items():
                member_rows[method].append(probs[i])
            predictions.append(Prediction(
                event=event.event, date=event.date.isoformat(), member=member,
                probabilities=_probs(model[i]),
                baselines={b: _probs(by_method[b][i]) for b in BASELINES},
                actual=("yes", "no", "abstain")[int(COLUMN[code])]))
    summary = [_method_scores(m, member_rows[m], member_truth, result_rows[m], result_truth)
               for m in methods]
    return BacktestResult(
        scenario=header(scenario, file), series=record.series, record_file=record.file,
        settings=_settings(settings), predictions=predictions, results=results, summary=summary,
        note=("Each vote is predicted from the votes dated before its day only: the model is "
              "refitted each time, and the baselines count only those votes. Members whose vote "
              "is unknown or who were absent are predicted (for the result) but not scored."))


def fitted_member_probabilities(record: Record, scenario_draft: str, body: Body,
                                before: dt.date | None, settings: FitSettings | None = None
                                ) -> tuple[FloatArray, FittedVotes, int, FloatArray]:
    """``(M, 3)`` probabilities of ``body``'s members on the record's draft ``scenario_draft``
    from the model fitted on the votes before ``before``; with the fit, how many votes it
    used, and the record members' affinity with the draft's sponsors.

    Raises:
        UsageError: when the record holds no draft of that id (the fitted model reads drafts
            coded on the record's issues).
    """
    source = record.source
    drafts = {d.id: d for d in source.drafts}
    if scenario_draft not in drafts:
        raise UsageError(
            f"the record{' ' + record.file if record.file else ''} holds no draft "
            f"{scenario_draft!r}: the fitted model needs the draft coded on the record's issues "
            "(add it there, or use --no-record for the declared model)")
    draft = drafts[scenario_draft]
    record_body = _record_body(record, scenario_draft, body)
    used = record.votes if before is None else record.votes.before(before)
    fitted = _fit(record, used, settings or FitSettings())
    members = tuple(m.id for m in body.members)
    at = record.votes.member_index(members)
    proposal, status_quo, sponsor, bloc = draft_row(source, draft, record_body,
                                                    record.votes.members)
    ally = used.affinity_with(sponsor[0])
    probs = fitted.probabilities(proposal, status_quo, sponsor, bloc, ally[None, :])[0][at]
    return probs, fitted, len(used.events), ally


def fitted_vote(scenario: Scenario, draft: str, *, body: str | None = None,
                fixed_votes: Mapping[str, Vote | str] | None = None, decisions: Decisions = (),
                as_of: AsOf = None, file: str | None = None, required: bool = False,
                settings: FitSettings | None = None) -> VotePredictionResult | None:
    """The vote on ``draft`` predicted by the model fitted on the body's record: votes dated
    before the draft's own vote event (or, without one, up to the as-of date). ``None`` when
    the body has no record or the record does not code the draft, unless ``required``.

    Raises:
        UsageError: when ``required`` and there is no usable record; for fixed votes of
            non-members.
    """
    from zopa.app.common import header
    from zopa.app.institutions import pick_body, vote_value
    from zopa.institutions.prediction import swing_probability
    from zopa.timeline.history import parse_date

    found = scenario.draft(draft)
    wanted = body or found.body
    body_obj = scenario.body(wanted) if wanted else pick_body(scenario, None)
    record = _usable_record(scenario, body_obj, draft, file, required)
    if record is None:
        return None
    vote_day = next((e.date for e in scenario.events if e.draft == draft and e.type.value == "vote"
                     and e.body == body_obj.id), None)
    del decisions  # they choose vote results of the negotiation's timeline, not a record's votes
    day = parse_date(as_of) if isinstance(as_of, str) else as_of
    limit = (day or scenario.meta.as_of) + dt.timedelta(days=1)  # votes up to the as-of day
    before = min(limit, vote_day) if vote_day is not None else limit
    probs, fitted, used, ally = fitted_member_probabilities(record, draft, body_obj, before,
                                                            settings)
    if used == 0 and not required:
        return None  # nothing learnt yet: the declared model says more than a bare prior
    rule = DecisionRule.from_body(body_obj)
    fixed = {m: vote_value(m, v) for m, v in (fixed_votes or {}).items()}
    rule.index(list(fixed))  # names an unknown member
    at = record.votes.member_index([m.id for m in body_obj.members])
    rows = _with_absent(probs)
    for member, vote in fixed.items():
        rows[rule.index([member])[0]] = np.eye(4)[VOTE_CODES[vote]]
    support = fitted.support(*draft_row(record.source, _record_draft(record, draft),
                                        _record_body(record, draft, body_obj),
                                        record.votes.members), ally[None, :])[0][at]
    dist = result_distribution(rule, rows)
    swing = swing_probability(rule, rows)
    members = {}
    for k, seat in enumerate(body_obj.members):
        basis = ("fixed" if seat.id in fixed
                 else "fitted" if at[k] >= 0 and fitted.n_votes[at[k]] > 0 else "prior")
        members[seat.id] = MemberPrediction(
            actor=seat.actor, basis=basis, gain=None,
            support=None if basis == "fixed" else number(float(support[k])),
            yes=_num(rows[k, 0]), no=_num(rows[k, 1]), abstain=_num(rows[k, 2]),
            absent=_num(rows[k, 3]), swing=number(float(swing[k])))
    ranked = sorted(((m, float(x)) for m, x in zip(rule.member_ids, swing, strict=True)),
                    key=lambda kv: -kv[1])
    return VotePredictionResult(
        scenario=header(scenario, file, before - dt.timedelta(days=1)), body=body_obj.id,
        draft=draft, draft_name=found.name or found.id, members=members,
        result=ResultProbabilities(
            adopted=_num(dist.adopted), failed=_num(dist.failed), vetoed=_num(dist.vetoed),
            vetoed_by={k: _num(v) for k, v in dist.vetoed_by.items()},
            veto_sets={"+".join(k): _num(v) for k, v in dist.veto_sets.items()}),
        pivotal=[m for m, x in ranked if x >= 0.05], model=None,
        fit=FitInfo(series=record.series, record_file=record.file,
                    before=before.isoformat(), votes=used, converged=fitted.converged))


def _usable_record(scenario: Scenario, body: Body, draft: str, file: str | None,
                   required: bool) -> Record | None:
    """The body's record if it has one that codes ``draft``; else ``None`` (or, if
    ``required``, a :class:`UsageError` saying what is missing)."""
    if body.record is None:
        in_file = vote_record(scenario, series_of(body)) if scenario.bodies else None
        if in_file is None or not in_file.events:
            if required:
                raise UsageError(f"body {body.id!r} has no voting record: no vote events on "
                                 "drafts in its series, and no `record:` file")
            return None
    record = body_record(scenario, body, file=file)
    if draft not in {d.id for d in record.source.drafts} and not required:
        return None
    return record


def _record_draft(record: Record, draft: str) -> Draft:
    return next(d for d in record.source.drafts if d.id == draft)


def _record_body(record: Record, draft: str, body: Body) -> Body:
    record_draft = _record_draft(record, draft)
    found = [b for b in record.source.bodies if b.id == record_draft.body]
    return found[0] if found else body


DECLARED_SCALE = 4.0
"""Logits per unit of declared quadratic utility when a member's declared position becomes its
prior: a fully salient issue moved across its whole scale is worth 4 logits (from P(yes) 0.12
to 0.88 at the middle of the abstention band), enough to matter with few votes and to give way
to a record of some length (docs/vote-fitting.md)."""


def _fit(record: Record, used: VoteRecord, settings: FitSettings) -> FittedVotes:
    """The model fitted on ``used`` (votes of ``record``), members that are actors of the
    record's scenario with positions on its issues starting from those positions."""
    shift, declared = declared_shift(record.source, record.votes)
    return fit(used.calls, settings, prior_shift=shift, declared=declared)


def declared_shift(source: Scenario, votes: VoteRecord) -> tuple[FloatArray, np.ndarray]:
    """Each record member's prior centre from its actor's declared positions, relative to the
    declared members' mean, and which members have one: a member linked (``actor:``) to an
    actor that states an ideal point on every issue of the record (ideal points scaled to
    [0, 1] like the drafts, saliences as weights; :func:`spatial_parameters`)."""
    from zopa.institutions.fitting import spatial_parameters
    from zopa.institutions.record import scaled

    k = len(votes.issues)
    shift = np.zeros((len(votes.members), 2 * k + 1))
    declared = np.zeros(len(votes.members), dtype=bool)
    actor_of = {m.id: m.actor for b in source.bodies for m in b.members if m.actor}
    issues = {i.id: i for i in source.issues}
    rows: dict[int, tuple[list[float], list[float]]] = {}
    for i, member in enumerate(votes.members):
        stances = source.positions.get(actor_of.get(member) or "", {})
        if all(issue in stances for issue in votes.issues):
            ideal = [scaled(issues[j], stances[j].ideal) for j in votes.issues]
            rows[i] = (ideal, [float(stances[j].salience) for j in votes.issues])
    if rows:
        at = np.array(sorted(rows))
        params = spatial_parameters([rows[i][0] for i in at], [rows[i][1] for i in at],
                                    scale=DECLARED_SCALE)
        shift[at] = params - params.mean(axis=0)  # relative to the declared members' mean
        declared[at] = True
    return shift, declared


def _with_absent(probs: FloatArray) -> FloatArray:
    return np.hstack([probs, np.zeros((probs.shape[0], 1))])


def _method_scores(method: str, rows: list[FloatArray], truth: list[int],
                   result_rows: list[FloatArray], result_truth: list[int | None]) -> MethodScores:
    member_scores = score(np.array(rows).reshape(-1, 3), np.array(truth, dtype=np.intp))
    known = [i for i, y in enumerate(result_truth) if y is not None]
    p = np.array([result_rows[i] for i in known]).reshape(-1, 3)
    y = np.array([result_truth[i] for i in known], dtype=np.intp)
    return MethodScores(
        method=method,
        description=("spatial ordered-logit model fitted on the earlier votes"
                     if method == "fitted" else BASELINE_TEXT[method]),
        members=_score_record(member_scores),
        results=ResultScores(
            n=len(known), brier_adopted=number(binary_brier(p[:, 0], y == 0)),
            brier_vetoed=number(binary_brier(p[:, 2], y == 2)),
            outcome=_score_record(score(p, y))))


def _score_record(s: Scores) -> ScoreRecord:
    return ScoreRecord(
        n=s.n, accuracy=number(s.accuracy), brier=number(s.brier), log_loss=number(s.log_loss),
        calibration=[CalibrationRow(low=b.low, high=b.high, count=b.count,
                                    predicted=_num(b.predicted), observed=_num(b.observed))
                     for b in s.calibration])


def _probs(row: FloatArray) -> VoteProbabilities:
    return VoteProbabilities(yes=_num(row[0]), no=_num(row[1]), abstain=_num(row[2]))


def _num(value: float) -> float:
    out = number(float(value))
    return 0.0 if out is None else out


def _settings(settings: FitSettings) -> dict[str, float]:
    return {"tau": settings.tau, "sponsor_sd": settings.sponsor_sd,
            "bloc_sd": settings.bloc_sd, "affinity_sd": settings.affinity_sd,
            "mean_sd": settings.mean_sd}
