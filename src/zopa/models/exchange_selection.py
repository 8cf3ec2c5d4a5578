"""Which exchange of a round is realised next: decide's order, near ties included.

decide keeps its exchanges in a list, in creation order at first, and before each pick sorts it
by gain, stably, highest first; ties therefore go to the exchange earlier in the list (with
``ALLOW_RANDOM = False``; upstream breaks them with an unseeded random number). After each
realisation it recomputes the exchanges the realisation touched and drops the invalid ones,
which never changes the relative order of the others (:mod:`zopa.models.exchange_apply`).

Gains closer than :data:`NEAR_TIE` are where binary64 and decide's 28-digit decimals can order
differently: in decimal precision they are ordered by their decimal values, equal ones by their
previous list order; in float precision they are ties kept in list order.
"""

from __future__ import annotations

from itertools import compress, count

from zopa.models.exchange_apply import Realised, realise
from zopa.models.exchange_gains import decimal_moves
from zopa.models.exchange_state import RoundState

NEAR_TIE = 1e-9
"""Gains closer than this are ordered by their decimal values (decimal precision) or are ties
kept in list order (float precision)."""


def realise_in_order(state: RoundState) -> list[Realised]:
    """Realise exchanges, highest gain first, until none is left; returns them in order.

    ``order`` is decide's list restricted to the live exchanges: dropping the invalid ones
    after each realisation, as decide does, never reorders the others.
    """
    alive, gain, fresh = state.alive, state.gain, state.fresh
    by_gain, is_alive = gain.__getitem__, alive.__getitem__
    order = list(compress(range(state.count), alive))
    done: list[Realised] = []
    while order:
        before = order
        order = sorted(before, key=by_gain, reverse=True)  # stable, as decide's sort
        _order_near_ties(state, order, before)
        fresh.clear()
        best = order[0]
        if state.exact:
            move_i, move_j, best_gain, valid = decimal_moves(state, best)
            if not valid:  # binary64 misjudged it (never seen): decide drops it
                order = list(compress(order, map(is_alive, order)))
                continue
        else:
            move_i, move_j, best_gain = state.move[best], state.move[best + state.count], gain[best]
        alive[best] = False
        done.append(realise(state, best, move_i, move_j, best_gain, gain[best]))
        order = list(compress(order, map(is_alive, order)))
    return done


def near_tie_runs(order: list[int], gain: list[float]) -> list[tuple[int, int]]:
    """Every run ``order[lo:hi + 1]`` (``hi > lo``) of a list sorted by gain, highest first,
    whose neighbours are at most :data:`NEAR_TIE` apart."""
    gains = list(map(gain.__getitem__, order))
    runs: list[tuple[int, int]] = []
    for i, a, b in zip(count(), gains, gains[1:]):
        if a - b <= NEAR_TIE:
            if runs and runs[-1][1] == i:
                runs[-1] = (runs[-1][0], i + 1)
            else:
                runs.append((i, i + 1))
    return runs


def _order_near_ties(state: RoundState, order: list[int], before: list[int]) -> None:
    """Runs of gains closer than :data:`NEAR_TIE` put in decide's order, in place: by decimal
    gain, equal ones in their previous list order ``before`` (decimal precision), or in list
    order (float precision).

    In decimal precision a run none of whose members was recomputed since the last sort is in
    that order already: its binary gains are its decimal gains rounded
    (:func:`zopa.models.exchange_gains.decimal_moves`), whose order agrees with the decimals',
    and the stable sort kept its ties in list order.
    """
    fresh = state.fresh
    # all runs first: computing decimals changes binary gains, not the runs of this sort
    for lo, hi in near_tie_runs(order, state.gain):
        run = order[lo:hi + 1]
        if not state.exact:
            run.sort(key=_positions(before, run).__getitem__)
            order[lo:hi + 1] = run
            continue
        if fresh.isdisjoint(run):
            continue
        gains = {k: decimal_moves(state, k)[2] for k in run}
        if len(set(gains.values())) < len(run):  # equal decimals: previous list order
            run.sort(key=_positions(before, run).__getitem__)
        run.sort(key=gains.__getitem__, reverse=True)  # stable, as decide's sort
        order[lo:hi + 1] = run


def _positions(before: list[int], members: list[int]) -> dict[int, int]:
    """Where ``members`` stand in ``before``: a few looked up, many by indexing all of it."""
    if 8 * len(members) < len(before):
        return {k: before.index(k) for k in members}
    return {k: n for n, k in enumerate(before)}
