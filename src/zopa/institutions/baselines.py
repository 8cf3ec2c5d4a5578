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


def baseline_probabilities(calls: RollCalls, days: np.ndarray) -> dict[str, FloatArray]:
    """Each baseline's ``(V, M, 3)`` probabilities for every vote of ``calls``, each from the
    votes whose day (``days``, e.g. date ordinals, one per vote, ascending) is before its own.

    Each rule's guess for a vote depends only on the earlier votes, so the guesses of every
    vote are computed once and a rule's hit rate before vote ``t`` is a running count.
    """
    v, m = calls.votes.shape
    out = {name: np.empty((v, m, 3)) for name in BASELINES}
    guesses = {"last_vote": _guesses(calls, days, _last_vote),
               "similar_draft": _guesses(calls, days, _similar_vote)}
    for t in range(v):
        earlier = np.flatnonzero(days < days[t])
        council = _rates(calls.votes[earlier].ravel())
        out["council_rate"][t] = council
        out["member_rate"][t] = np.array([_rates(calls.votes[earlier, k]) for k in range(m)])
        for name, guess in guesses.items():
            out[name][t] = _one_vote_rows(calls, guess, earlier, t, council)
    return out


def _guesses(calls: RollCalls, days: np.ndarray, pick: OneVoteRule) -> np.ndarray:
    """``(V, M)`` the rule's guess (a code, or missing) of every member's every vote."""
    v, m = calls.votes.shape
    out = np.full((v, m), VOTE_MISSING, dtype=np.int8)
    for t in range(v):
        earlier = np.flatnonzero(days < days[t])
        for k in range(m):
            out[t, k] = pick(calls, earlier, t, k)
    return out


def _one_vote_rows(calls: RollCalls, guess: np.ndarray, earlier: np.ndarray, t: int,
                   council: FloatArray) -> FloatArray:
    """``(M, 3)``: probability ``h`` on the rule's guess for vote ``t`` and ``(1 - h) / 2`` on
    each other vote, ``h`` the rule's hit rate on the ``earlier`` votes (Laplace's rule); the
    council rate for a member the rule has no guess for."""
    past, cast = guess[earlier], calls.votes[earlier]
    scored = (past != VOTE_MISSING) & (cast != VOTE_MISSING)
    h = (float((past == cast)[scored].sum()) + 1.0) / (float(scored.sum()) + 2.0)
    out = np.tile(council, (guess.shape[1], 1))
    named = guess[t] != VOTE_MISSING
    out[named] = (1.0 - h) / 2.0
    out[np.flatnonzero(named), COLUMN[guess[t, named].astype(np.intp)]] = h
    return out


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
