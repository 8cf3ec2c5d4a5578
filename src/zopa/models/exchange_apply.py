"""Carrying out exchanges of a round, and the positions the round ends with.

A realised exchange moves both sides' actors to their voting positions. decide then recomputes
the exchanges it touched (``recalculate``): a side supplying what a side of the realised exchange
supplied starts from the new voting position and keeps its current move in its history; a side
demanding what a side of it demands learns the partner's new voting position (decide's
``updates``), which shifts the outcome its checks see. After the round every actor-issue that
moved starts the next round at decide's ``new_start_position`` between its round start and its
(last) voting position.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from zopa.models import exchange_exact as xx
from zopa.models.exchange_gains import recheck_outcome, reevaluate
from zopa.models.exchange_state import ExactTable, Number, RoundState
from zopa.utility import FloatArray


class Realised(NamedTuple):
    """One realised exchange: side ``i``'s actor supplies issue ``q``, side ``j``'s ``p``."""

    actor_i: int
    actor_j: int
    supply_q: int
    supply_p: int
    start_i: float
    """``i``'s position on ``q`` before the exchange (binary64)."""
    start_j: float
    y_i: float
    """``i``'s voting position on ``q`` after it (binary64)."""
    y_j: float
    gain: float
    exact_i: Number
    """``y_i`` in the round's own arithmetic (decide's decimals in decimal precision)."""
    exact_j: Number


def realise(
    state: RoundState, r: int, move_i: Number, move_j: Number, gain: Number, rounded: float
) -> Realised:
    """Carry out exchange ``r`` with these moves and gain (in the round's own arithmetic;
    ``rounded``: the gain in binary64) and recompute the exchanges it touches; ``r`` must
    already be marked not alive."""
    m = state.issues
    table = state.tables.cur
    ai, aj, q, p = state.pairs[r]
    start_i, start_j = table[ai][q], table[aj][p]
    assert start_i is not None and start_j is not None
    y_i, y_j = start_i + move_i, start_j + move_j  # decide's y = position + move
    table[ai][q], table[aj][p] = y_i, y_j
    key_i, key_j = ai * m + q, aj * m + p
    cur = state.cur
    done = Realised(
        ai, aj, q, p, cur[key_i], cur[key_j], float(y_i), float(y_j), rounded, y_i, y_j
    )
    cur[key_i], cur[key_j] = done.y_i, done.y_j
    alive, of, move, room, sign = state.alive, state.exchange_of, state.move, state.room, state.sign
    touched: set[int] = set()
    # sides that supply what r's sides supplied: they start from the voting position now, and
    # the move they had computed joins their history
    for key in (key_i, key_j):
        for f in _live_sides(state.supplying, key, alive, of):
            moved = move[f]
            room[f] -= moved
            sign[f] = 1.0 if moved > 0 else -1.0
            touched.add(of[f])
    # r's j demands q: sides of other exchanges with j's actor demanding q learn i's new
    # position on q (and likewise for r's i, demanding p)
    learnt: set[int] = set()
    for key, actor, issue, voting, now in (
        (aj * m + q, ai, q, y_i, done.y_i), (ai * m + p, aj, p, y_j, done.y_j)
    ):
        sides = _live_sides(state.demanding, key, alive, of)
        if sides:
            _learn(state, sides, actor, issue, voting, now)
            learnt.update(map(of.__getitem__, sides))
    reevaluate(state, touched)
    # an exchange that only learnt something keeps its positions and history: only its outcome
    # check can change
    recheck_outcome(state, learnt - touched)
    return done


def _live_sides(
    groups: list[list[int]], key: int, alive: list[bool], of: list[int]
) -> list[int]:
    """The sides in ``groups[key]`` whose exchange is alive. An exchange once dead stays dead,
    so the group is pruned to them for the later steps of the round."""
    sides = groups[key]
    live = [f for f in sides if alive[of[f]]]
    if len(live) < len(sides):
        groups[key] = live
    return live


def _learn(
    state: RoundState, sides: list[int], actor: int, issue: int, voting: Number, now: float
) -> None:
    """The other sides of ``sides`` (each supplying ``issue``) note ``actor``'s voting position
    there, ``voting`` (``now`` in binary64; decide's ``update_updates``); it shifts their outcome
    (``base``)."""
    start = state.tables.x0[actor][issue]
    assert start is not None
    fallback = state.start_of[actor][issue]  # ``start`` in binary64
    share = state.share_of[actor][issue]
    updates, own, count, base = state.updates, state.own, state.count, state.base
    for side in sides:
        f = side + count if side < count else side - count
        known = updates.get(f)
        if known is None:
            known = updates[f] = {}
        previous = known.get(actor)
        if previous is None:
            was = fallback
        elif xx.merge_update(previous, start, voting) is previous:
            continue  # it keeps what it knew: nothing shifts
        else:
            was = float(previous)
        known[actor] = voting
        if own[f] != actor:
            base[f] += share * (now - was)
        else:  # decide's outcome checks use the own position; only the cap uses this
            state.held[f] = now


def close_round(
    state: RoundState, done: list[Realised]
) -> tuple[FloatArray, FloatArray, ExactTable | None]:
    """The round's voting positions (the last realised one per actor-issue) and the next
    round's start (decide's ``new_start_position`` from the round start and the voting
    position): binary64 arrays (n, m), and the next start in decimals (decimal precision)."""
    t = state.tables
    last: dict[tuple[int, int], tuple[Number, float]] = {}
    for d in done:
        last[(d.actor_i, d.supply_q)] = (d.exact_i, d.y_i)
        last[(d.actor_j, d.supply_p)] = (d.exact_j, d.y_j)
    voting = state.round_start.copy()
    following = voting.copy()
    table = [row[:] for row in t.x0]
    if last:
        rows, cols = zip(*last, strict=True)
        starts = []
        for (a, k), (y, _) in last.items():
            table[a][k] = value = xx.next_start(t.s[a][k], t.x0[a][k], y)
            starts.append(float(value))
        voting[rows, cols] = [y for _, y in last.values()]
        following[rows, cols] = starts
    exact = tuple(tuple(row) for row in table) if state.exact else None
    return voting, following, exact


def describe(done: list[Realised], round_start: FloatArray) -> list[dict[str, Any]]:
    """The realised exchanges as :class:`zopa.models.exchange_round.RoundResult` reports them."""
    x0 = round_start.tolist()
    return [
        {
            "gain": d.gain,
            "actor": (d.actor_i, d.actor_j),
            "supply": (d.supply_q, d.supply_p),
            "start": (d.start_i, d.start_j),
            "round_start": (x0[d.actor_i][d.supply_q], x0[d.actor_j][d.supply_p]),
            "y": (d.y_i, d.y_j),
            "move": (d.y_i - d.start_i, d.y_j - d.start_j),
        }
        for d in done
    ]
