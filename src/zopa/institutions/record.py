"""A body's voting record as arrays: every recorded vote on a coded draft, in date order, with
each member's vote, the draft's point and status quo on the issues, its sponsors and the share of
each member's bloc-mates among them (what :mod:`zopa.institutions.fitting` fits).

A record is kept per *series*: the bodies that are terms of one institution (``series`` of a
body; a body without one is a series of its own). A member id keeps one record across terms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from zopa.errors import UsageError
from zopa.institutions.fitting import (
    VOTE_ABSTAIN,
    VOTE_MISSING,
    VOTE_NO,
    VOTE_YES,
    RollCalls,
)
from zopa.scenario.schema import Body, Draft, Event, EventType, Issue, Scenario, Vote
from zopa.utility import FloatArray

AFFINITY_PRIOR_VOTES = 2.0
"""Pseudo-votes of no information in each pair's agreement (:func:`sponsor_affinity`)."""
RECORD_CODES = {Vote.yes: VOTE_YES, Vote.no: VOTE_NO, Vote.abstain: VOTE_ABSTAIN}
"""Votes that enter a fit; absent, unknown and non-members are missing."""


@dataclass(frozen=True)
class RecordedVote:
    """One vote event of a record: its id, date, body, the draft voted on, the members' votes
    and the recorded result (``None`` if not recorded)."""

    event: str
    date: dt.date
    body: str
    draft: str
    votes: dict[str, Vote]
    result: str | None


@dataclass(frozen=True, eq=False)
class VoteRecord:
    """A series' record: ``V`` votes (date order) by ``M`` members on drafts coded on ``k``
    issues.

    Attributes:
        series: the series' id.
        issues: the ``k`` issue ids.
        members: the ``M`` member ids, every term's members in order of first appearance.
        events: the ``V`` votes.
        calls: the arrays of the votes (:class:`~zopa.institutions.fitting.RollCalls`).
    """

    series: str
    issues: tuple[str, ...]
    members: tuple[str, ...]
    events: tuple[RecordedVote, ...]
    calls: RollCalls

    def before(self, date: dt.date) -> VoteRecord:
        """The votes dated strictly before ``date`` (what a prediction on that day may use)."""
        keep = np.array([e.date < date for e in self.events], dtype=bool)
        return self.subset(keep)

    def subset(self, keep: np.ndarray) -> VoteRecord:
        """The votes where ``keep`` (a boolean array over the votes) is true."""
        c = self.calls
        calls = RollCalls(proposal=c.proposal[keep], status_quo=c.status_quo[keep],
                          sponsor=c.sponsor[keep], bloc=c.bloc[keep], votes=c.votes[keep],
                          affinity=sponsor_affinity(c.votes[keep], c.sponsor[keep]))
        events = tuple(e for e, k in zip(self.events, keep.tolist(), strict=True) if k)
        return VoteRecord(self.series, self.issues, self.members, events, calls)

    @property
    def days(self) -> np.ndarray:
        """``(V,)`` the votes' dates as ordinals."""
        return np.array([e.date.toordinal() for e in self.events], dtype=np.int64)

    def affinity_with(self, sponsor: np.ndarray) -> FloatArray:
        """``(M,)`` each member's agreement with the sponsors ``sponsor (M,)`` of a new draft,
        over all the record's votes (see :func:`sponsor_affinity`)."""
        return np.asarray(sponsor_affinity(self.calls.votes, self.calls.sponsor,
                                           sponsor[None, :])[0])

    def member_index(self, member_ids: list[str] | tuple[str, ...]) -> np.ndarray:
        """Positions of ``member_ids`` among the record's members (-1 for a member with none)."""
        at = {m: i for i, m in enumerate(self.members)}
        return np.array([at.get(m, -1) for m in member_ids], dtype=np.intp)


def series_of(body: Body) -> str:
    """The series a body's record belongs to (its own id if it names none)."""
    return body.series or body.id


def vote_record(scenario: Scenario, series: str, *, extra_members: tuple[str, ...] = ()
                ) -> VoteRecord:
    """The record of ``series`` in ``scenario``: every vote event of its bodies that names a
    draft and records votes, in date order (file order within a day).

    ``extra_members`` are appended to the members (those of a body to predict that have no
    record) so that predictions can index them.

    Raises:
        UsageError: when no body belongs to ``series``.
    """
    bodies = {b.id: b for b in scenario.bodies if series_of(b) == series}
    if not bodies:
        known = sorted({series_of(b) for b in scenario.bodies}) or ["none"]
        raise UsageError(f"no body of series {series!r} (series: {', '.join(known)})")
    members = list(dict.fromkeys(
        [m.id for b in bodies.values() for m in b.members] + list(extra_members)))
    drafts = {d.id: d for d in scenario.drafts}
    events = sorted(
        (e for e in scenario.events
         if e.type == EventType.vote and e.body in bodies and e.votes and e.draft in drafts),
        key=lambda e: e.date)  # a stable sort keeps the file's order within a day
    recorded = tuple(
        RecordedVote(e.id, e.date, e.body or "", e.draft or "", dict(e.votes or {}),
                     e.result.value if e.result else None)
        for e in events)
    calls = _roll_calls(scenario, [bodies[e.body or ""] for e in events],
                        [drafts[e.draft or ""] for e in events], events, members)
    return VoteRecord(series, tuple(i.id for i in scenario.issues), tuple(members), recorded,
                      calls)


def draft_row(scenario: Scenario, draft: Draft, body: Body, members: tuple[str, ...]
              ) -> tuple[FloatArray, FloatArray, np.ndarray, FloatArray]:
    """One draft as the fitted model reads it: point and status quo on the issues (``(1, k)``
    each), and the sponsor and bloc rows over ``members`` (``(1, M)`` each)."""
    proposal, status_quo = draft_points(scenario, draft)
    sponsor, bloc = sponsorship(body, draft, list(members))
    return proposal[None, :], status_quo[None, :], sponsor[None, :], bloc[None, :]


def draft_points(scenario: Scenario, draft: Draft) -> tuple[FloatArray, FloatArray]:
    """The draft's point and status quo on every issue, each scaled to [0, 1] (an issue the
    draft leaves alone keeps its status quo; one with no status quo sits at the middle)."""
    status_quo = scenario.draft_status_quo(draft.id)
    sq = np.array([scaled(i, status_quo.get(i.id)) for i in scenario.issues])
    point = np.array([scaled(i, draft.point.get(i.id)) for i in scenario.issues])
    sq = np.where(np.isnan(sq), 0.5, sq)
    return np.where(np.isnan(point), sq, point), sq


def sponsorship(body: Body, draft: Draft, members: list[str]) -> tuple[np.ndarray, FloatArray]:
    """Which ``members`` sponsor the draft, and for each the share of its bloc-mates in the
    draft's body (members sharing a bloc with it, itself left out) that sponsor it."""
    sponsors = set(draft.sponsors)
    sponsor = np.array([m in sponsors for m in members], dtype=bool)
    bloc = np.zeros(len(members))
    for k, member in enumerate(members):
        mates = {x for ids in body.blocs.values() if member in ids for x in ids} - {member}
        if mates:
            bloc[k] = len(mates & sponsors) / len(mates)
    return sponsor, bloc


def sponsor_affinity(votes: np.ndarray, sponsor: np.ndarray,
                     new_sponsors: np.ndarray | None = None) -> FloatArray:
    """How much each member agreed with each draft's sponsors on the *other* votes given.

    For vote ``v`` and member ``m``: the mean over the draft's sponsors ``s`` (other than
    ``m``) of the agreement of ``m`` and ``s``, ``sum (1 - |a - b|) / (n + k0)`` over the ``n``
    votes other than ``v`` both cast (votes scored no -1, abstain 0, yes 1; ``k0`` =
    :data:`AFFINITY_PRIOR_VOTES` pseudo-votes of no information shrink it towards 0, so that
    one common vote is weak evidence). 1: always alike; -1: always opposite; 0: nothing known.
    An agreement index in the tradition of UN voting studies (the S-score of Signorino &
    Ritter 1999, ISQ 43(1), on an ordinal scale). It lets the model learn that members follow
    their friends' drafts, which the issue coding alone cannot show.

    Leaving vote ``v`` out keeps a vote from explaining itself. Only the votes given count:
    a fit on the votes before a day, and a prediction from them, see nothing later.

    Args:
        votes: ``(V, M)`` codes of :mod:`zopa.institutions.fitting`.
        sponsor: ``(V, M)`` which members sponsor each draft.
        new_sponsors: ``(D, M)`` sponsors of drafts to predict: their rows are returned instead,
            from all ``V`` votes.

    Returns:
        ``(V, M)`` in [-1, 1] (or ``(D, M)`` for ``new_sponsors``).
    """
    m = votes.shape[1]
    one_hot = np.stack([(votes == code) for code in (VOTE_NO, VOTE_ABSTAIN, VOTE_YES)]
                       ).astype(float)  # (3, V, M)
    weight = 1.0 - np.abs(np.subtract.outer(np.arange(3), np.arange(3)))  # 1, 0 or -1
    agree = np.einsum("ab,avm,bvs->ms", weight, one_hot, one_hot)
    common = np.einsum("avm,bvs->ms", one_hot, one_hot)
    targets = sponsor if new_sponsors is None else new_sponsors
    out = np.zeros(targets.shape)
    for t in range(targets.shape[0]):
        sponsors = np.flatnonzero(targets[t])
        if not sponsors.size:
            continue
        ag, cm = agree[:, sponsors], common[:, sponsors]
        if new_sponsors is None:  # leave vote t out
            ag = ag - np.einsum("ab,am,bs->ms", weight, one_hot[:, t], one_hot[:, t, sponsors])
            cm = cm - np.einsum("am,bs->ms", one_hot[:, t], one_hot[:, t, sponsors])
        others = np.ones((m, sponsors.size), dtype=bool)
        others[sponsors, np.arange(sponsors.size)] = False  # a sponsor's own agreement
        score = ag / (cm + AFFINITY_PRIOR_VOTES)
        count = others.sum(axis=1)
        out[t] = np.where(count > 0, (score * others).sum(axis=1) / np.maximum(count, 1), 0.0)
    return out


def _roll_calls(scenario: Scenario, bodies: list[Body], drafts: list[Draft],
                events: list[Event], members: list[str]) -> RollCalls:
    v, m, k = len(events), len(members), len(scenario.issues)
    proposal, status_quo = np.zeros((v, k)), np.zeros((v, k))
    sponsor, bloc = np.zeros((v, m), dtype=bool), np.zeros((v, m))
    votes = np.full((v, m), VOTE_MISSING, dtype=np.int8)
    at = {member: i for i, member in enumerate(members)}
    for row, (body, draft, event) in enumerate(zip(bodies, drafts, events, strict=True)):
        proposal[row], status_quo[row] = draft_points(scenario, draft)
        sponsor[row], bloc[row] = sponsorship(body, draft, members)
        for member, vote in (event.votes or {}).items():
            if vote in RECORD_CODES:
                votes[row, at[member]] = RECORD_CODES[vote]
    return RollCalls(proposal=proposal, status_quo=status_quo, sponsor=sponsor, bloc=bloc,
                     votes=votes, affinity=sponsor_affinity(votes, sponsor))


def scaled(issue: Issue, value: object) -> float:
    """A value on the issue's scale mapped to [0, 1]; nan if absent."""
    if value is None:
        return float("nan")
    number = issue.to_number(value)  # type: ignore[arg-type]
    if number is None:
        return float("nan")
    lo, hi = issue.bounds
    return (number - lo) / (hi - lo) if hi > lo else 0.5
