"""Baseline forecasts of roll-call votes, the yardsticks a fitted vote model must beat.

Each baseline predicts every member's vote on one recorded vote from the votes dated strictly
before it (no look-ahead), as probabilities over (yes, no, abstain), the column order of
:mod:`zopa.institutions.rules`:

- ``council_rate``: how often the council voted yes, no, abstain so far (every member alike);
- ``member_rate``: how often this member did;
- ``last_vote``: the member repeats its latest vote;
- ``similar_draft``: the member votes as it did on the earlier draft closest to this one (the
  Euclidean distance between drafts' points and status quos on the scaled issues; the latest of
  equally close ones).

Rates are counted with one pseudo-vote per outcome (Laplace's rule), so no outcome gets zero.
The two rules that name one vote give it probability ``h`` and split ``1 - h`` between the
other two, where ``h`` is that rule's own hit rate on the earlier votes, again with Laplace's
rule ``(hits + 1) / (n + 2)``: a rule that has been right 9 times in 10 says 0.83. A member
without an earlier vote gets the council rate.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from zopa.institutions.fitting import VOTE_MISSING, RollCalls
from zopa.utility import FloatArray

BASELINES = ("council_rate", "member_rate", "last_vote", "similar_draft")
"""The baselines' names, in the order they are reported."""
COLUMN = np.array([1, 2, 0], dtype=np.intp)
"""Column (yes 0, no 1, abstain 2) of each code of :mod:`zopa.institutions.fitting`
(no 0, abstain 1, yes 2)."""

OneVoteRule = Callable[[RollCalls, np.ndarray, int, int], int]
"""A rule naming one vote: ``(calls, earlier votes, vote to predict, member) -> code``."""


def baseline_probabilities(calls: RollCalls, days: np.ndarray, t: int) -> dict[str, FloatArray]:
    """Each baseline's ``(M, 3)`` probabilities for vote ``t`` of ``calls``, from the votes
    whose day (``days``, e.g. date ordinals, one per vote) is before vote ``t``'s."""
    earlier = np.flatnonzero(days < days[t])
    council = _rates(calls.votes[earlier].ravel())
    member = np.array([_rates(calls.votes[earlier, m]) for m in range(calls.votes.shape[1])])
    return {
        "council_rate": np.tile(council, (calls.votes.shape[1], 1)),
        "member_rate": member,
        "last_vote": _one_vote_rule(calls, days, t, _last_vote, council),
        "similar_draft": _one_vote_rule(calls, days, t, _similar_vote, council),
    }


def _rates(codes: np.ndarray) -> FloatArray:
    counts = np.bincount(codes[codes != VOTE_MISSING].astype(np.intp), minlength=3)[:3]
    rates = np.empty(3)
    rates[COLUMN] = (counts + 1.0) / (counts.sum() + 3.0)
    return rates


def _last_vote(calls: RollCalls, earlier: np.ndarray, t: int, m: int) -> int:
    """The member's latest vote among ``earlier`` (a code, or missing)."""
    votes = calls.votes[earlier, m]
    cast = votes[votes != VOTE_MISSING]
    return int(cast[-1]) if cast.size else VOTE_MISSING


def _similar_vote(calls: RollCalls, earlier: np.ndarray, t: int, m: int) -> int:
    """The member's vote on the earlier draft closest to draft ``t`` (the latest if tied)."""
    cast = earlier[calls.votes[earlier, m] != VOTE_MISSING]
    if not cast.size:
        return VOTE_MISSING
    here = np.concatenate([calls.proposal[t], calls.status_quo[t]])
    there = np.concatenate([calls.proposal[cast], calls.status_quo[cast]], axis=1)
    distance = np.round(np.linalg.norm(there - here, axis=1), 12)
    nearest = np.flatnonzero(distance == distance.min())[-1]
    return int(calls.votes[cast[nearest], m])


def _one_vote_rule(calls: RollCalls, days: np.ndarray, t: int, pick: OneVoteRule,
                   council: FloatArray) -> FloatArray:
    """Probabilities of a rule that names one vote, weighted by its hit rate so far."""
    members = calls.votes.shape[1]
    hits = tries = 0
    for j in np.flatnonzero(days < days[t]):  # the rule's record on the earlier votes
        before_j = np.flatnonzero(days < days[j])
        for cast in np.flatnonzero(calls.votes[j] != VOTE_MISSING).tolist():
            guess = pick(calls, before_j, int(j), cast)
            if guess != VOTE_MISSING:
                tries += 1
                hits += int(guess == calls.votes[j, cast])
    h = (hits + 1.0) / (tries + 2.0)
    earlier = np.flatnonzero(days < days[t])
    out = np.tile(council, (members, 1))
    for m in range(members):
        guess = pick(calls, earlier, t, m)
        if guess != VOTE_MISSING:
            out[m] = (1.0 - h) / 2.0
            out[m, COLUMN[guess]] = h
    return out
