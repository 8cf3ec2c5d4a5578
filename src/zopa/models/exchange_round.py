"""One round of Stokman's exchange model with equal-gain exchange rates, over arrays of exchanges.

Stokman & Van Oosten (1994), "The exchange of voting positions: an object-oriented model of policy
networks", in Bueno de Mesquita & Stokman (eds.) *European Community Decision Making*, ch. 5;
the equal-gain rate and the realisation procedure as implemented in decide
(github.com/foarsitter/decide-exchange-model, ``equalgain.py``, ``base.py``, ``calculations.py``),
whose results this module reproduces (docs/models.md lists its rules and quirks one by one).

Positions are on 0-100 (the issue's scale mapped linearly). ``w = c s`` is an actor's weight on an
issue, ``D_p = sum_a w_ap`` and ``O_p = sum_a w_ap x_ap / D_p`` the outcome (NBS) of issue ``p``.

An exchange pairs two actors on two issues ``p, q`` where they lie on opposite sides of both
outcomes (groups A-D, B-C). Side 0 (``i``) supplies ``q`` and demands ``p``; side 1 (``j``) the
reverse; ``i`` is the one with the larger ``s_p / s_q``. Every exchange is held in parallel arrays
(``(E,)`` or ``(E, 2)`` for the two sides); computing or recomputing a set of exchanges is one set
of array operations, never a loop over actor pairs. Only the realisation is sequential: the
highest gain first, then every exchange that shares a supply or demand actor-issue with it is
recomputed (or dropped) before the next one is taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from zopa.utility import FloatArray

IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]

GAIN_DECIMALS = 12
"""Gains equal when rounded to this many decimals are ties, resolved by list order."""
MIN_MOVE = 1e-10
"""Moves and gains at or below this are no exchange (decide's threshold)."""
SALIENCE_WEIGHT, FIXED_WEIGHT = 0.4, 0.1
"""Next round's start: ``x' = (1 - (1-s) 0.4 - 0.1) x + ((1-s) 0.4 + 0.1) y`` (decide)."""


@dataclass
class Exchanges:
    """Parallel arrays over candidate exchanges; ``[:, 0]`` is side ``i``, ``[:, 1]`` ``j``."""

    actor: IntArray  # (E, 2)
    supply: IntArray  # (E, 2) issue each side moves on; side 1 supplies side 0's demand issue
    s_sup: FloatArray  # (E, 2) salience on the supply issue
    s_dem: FloatArray  # (E, 2) salience on the demand issue
    w_sup: FloatArray  # (E, 2) c s on the supply issue
    start: FloatArray  # (E, 2) round-start position on the supply issue
    demand_pos: FloatArray  # (E, 2) round-start position on the demand issue
    position: FloatArray  # (E, 2) current supply position (moves with realised exchanges)
    move: FloatArray  # (E, 2) the current move
    buried_sum: FloatArray  # (E, 2) earlier moves kept in decide's history of this side
    buried_min: FloatArray
    buried_max: FloatArray
    y: FloatArray  # (E, 2) voting position after the exchange
    gain: FloatArray  # (E,)
    valid: BoolArray  # (E,)
    updates: FloatArray  # (E, 2, n) others' realised positions on side k's supply issue; NaN: none
    corr: FloatArray  # (E, 2) sum over updated others of w (update - x): shifts the outcome sum
    order: IntArray  # (E,) creation order (pair of issues, then group, then actors)


@dataclass(frozen=True)
class Issues:
    """Per-round constants: positions ``x`` (n, m) on 0-100, weights ``w`` (n, m), sums."""

    x: FloatArray
    s: FloatArray
    w: FloatArray
    total: FloatArray  # (m,) sum_a w x
    denom: FloatArray  # (m,) sum_a w

    @classmethod
    def of(cls, x: FloatArray, s: FloatArray, c: FloatArray) -> Issues:
        w = np.where(np.isnan(x), 0.0, c * s)
        xx = np.nan_to_num(x)
        return cls(x, s, w, (w * xx).sum(axis=0), w.sum(axis=0))

    def outcome(self) -> FloatArray:
        return outcome(self.x, self.w)


def outcome(x: FloatArray, w: FloatArray) -> FloatArray:
    """``O_p = sum_a w_ap x_ap / sum_a w_ap`` per issue (0 if nobody weighs it, as decide)."""
    total = w.sum(axis=0)
    num = (w * np.nan_to_num(x)).sum(axis=0)
    return np.asarray(np.divide(num, total, out=np.zeros_like(total), where=total > 0), dtype=float)


def candidates(state: Issues) -> Exchanges:
    """Every exchange of the round: issue pairs ``p < q``, actors split by side of both outcomes."""
    x, s, w = state.x, state.s, state.w
    n, m = x.shape
    left = x <= state.outcome()[None, :]
    usable = ~np.isnan(x) & (w > 0)  # an actor without weight on an issue cannot move its outcome
    rows: list[tuple[IntArray, IntArray, int, int]] = []
    for p in range(m):
        for q in range(p + 1, m):
            both = usable[:, p] & usable[:, q]
            group = np.where(both, left[:, p].astype(int) + 2 * left[:, q].astype(int), -1)
            for g1, g2 in ((0, 3), (1, 2)):  # A with D, B with C
                a1, a2 = np.flatnonzero(group == g1), np.flatnonzero(group == g2)
                ii, jj = np.repeat(a1, a2.size), np.tile(a2, a1.size)
                rows.append((ii, jj, p, q))
    ii = np.concatenate([r[0] for r in rows]) if rows else np.zeros(0, dtype=np.intp)
    jj = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0, dtype=np.intp)
    pp = np.concatenate([np.full(r[0].size, r[2]) for r in rows]) if rows else ii
    qq = np.concatenate([np.full(r[0].size, r[3]) for r in rows]) if rows else ii
    # side 0 is the actor with the larger s_p / s_q (decide compares the ratios as written)
    swap = s[ii, pp] / s[ii, qq] < s[jj, pp] / s[jj, qq]
    first = np.where(swap, jj, ii)
    second = np.where(swap, ii, jj)
    actor = np.stack([first, second], axis=1).astype(np.intp)
    supply = np.stack([qq, pp], axis=1).astype(np.intp)
    demand = supply[:, ::-1]
    e = actor.shape[0]
    pos = x[actor, supply]
    ex = Exchanges(
        actor=actor,
        supply=supply,
        s_sup=s[actor, supply],
        s_dem=s[actor, demand],
        w_sup=w[actor, supply],
        start=pos.copy(),
        demand_pos=x[actor, demand],
        position=pos,
        move=np.zeros((e, 2)),
        buried_sum=np.zeros((e, 2)),
        buried_min=np.full((e, 2), np.inf),
        buried_max=np.full((e, 2), -np.inf),
        y=pos.copy(),
        gain=np.zeros(e),
        valid=np.ones(e, dtype=bool),
        updates=np.full((e, 2, n), np.nan),
        corr=np.zeros((e, 2)),
        order=np.arange(e),
    )
    calculate(ex, state, np.arange(e))
    return ex


def _move_valid(ex: Exchanges, idx: IntArray, side: int, move: FloatArray) -> BoolArray:
    """decide's ``is_move_valid``: within [0, 100], not tiny, and never reversing this side's
    earlier moves in the round (its move history must keep one sign)."""
    size = np.abs(move)
    new = ex.position[idx, side] + move
    total = ex.buried_sum[idx, side] + move
    low = np.minimum(ex.buried_min[idx, side], move)
    high = np.maximum(ex.buried_max[idx, side], move)
    return np.asarray(
        (size <= 100.0) & (size > MIN_MOVE) & (new >= 0.0) & (new <= 100.0) & (total <= 100.0)
        & (((low < 0.0) & (high < 0.0)) | ((low > 0.0) & (high > 0.0))),
        dtype=bool,
    )


def _sum_with_self(
    ex: Exchanges, state: Issues, idx: IntArray, side: int, own: FloatArray
) -> FloatArray:
    """``sum_a w_a x_a`` on ``side``'s supply issue with the exchange's updates and the side's
    actor at ``own``."""
    a, k = ex.actor[idx, side], ex.supply[idx, side]
    return np.asarray(
        state.total[k] + ex.corr[idx, side] + state.w[a, k] * (own - state.x[a, k]), dtype=float
    )


def _check_outcome(ex: Exchanges, state: Issues, idx: IntArray, side: int) -> None:
    """decide's ``check_nbs``: if the move carries the outcome of ``side``'s supply issue past the
    other side's position, shorten it to stop there and rescale the other side's move."""
    other = 1 - side
    k = ex.supply[idx, side]
    denom = state.denom[k]
    before = _sum_with_self(ex, state, idx, side, ex.position[idx, side]) / denom
    after = _sum_with_self(ex, state, idx, side, ex.y[idx, side]) / denom
    target = ex.demand_pos[idx, other]
    gap0, gap1 = target - before, target - after
    above = (gap0 >= 0.0) & (gap1 >= 0.0)
    below = (gap0 <= 0.0) & (gap1 <= 0.0)
    # An outcome exactly at the demander's position (an earlier exchange was capped there) is
    # not crossed. decide decides this case by the sign of its 28-digit rounding noise, so it
    # can differ from zopa there (docs/models.md, "Exchange model: where zopa differs").
    cross = ~(above | below)
    if not cross.any():
        return
    sub = idx[cross]
    a = ex.actor[sub, side]
    own_update = ex.updates[sub, side, a]
    held = np.where(np.isnan(own_update), ex.position[sub, side], own_update)
    w_self = ex.w_sup[sub, side]
    num = _sum_with_self(ex, state, sub, side, held)
    delta = np.abs((target[cross] * denom[cross] - num) / w_self)
    ratio = delta * w_self / denom[cross]
    rate = (ex.s_sup[sub, side] + ex.s_dem[sub, other]) / (
        ex.s_dem[sub, side] + ex.s_sup[sub, other]
    )
    other_ratio = rate * ratio
    other_move = np.abs(other_ratio * state.denom[ex.supply[sub, other]] / ex.w_sup[sub, other])
    own_move = delta
    flip = ex.position[sub, other] > ex.demand_pos[sub, side]
    other_move = np.where(flip, -other_move, other_move)
    own_move = np.where(ex.position[sub, side] > ex.demand_pos[sub, other], -own_move, own_move)
    ex.move[sub, other] = other_move
    ex.move[sub, side] = own_move
    ex.y[sub] = ex.position[sub] + ex.move[sub]
    ex.gain[sub] = np.abs(other_ratio * ex.s_sup[sub, other] - ratio * ex.s_dem[sub, other])


def calculate(ex: Exchanges, state: Issues, idx: IntArray) -> None:
    """decide's ``EqualGainExchange.calculate`` for the exchanges ``idx`` at once.

    ``j`` moves all the way to ``i``'s position on ``p``: that shifts the outcome of ``p`` by
    ``dp = |x_ip - x_jp| w_jp / D_p``; equal gain, ``dp s_ip - dq s_iq = dq s_jq - dp s_jp``,
    gives ``dq = dp (s_jp + s_ip) / (s_jq + s_iq)`` and ``i``'s move ``dq D_q / w_iq``. If that
    overshoots ``j``'s position on ``q``, the roles swap (``i`` moves fully). Then both moves are
    checked against the outcomes (:func:`_check_outcome`) and validated.
    """
    if idx.size == 0:
        return
    s_ip, s_iq = ex.s_dem[idx, 0], ex.s_sup[idx, 0]
    s_jp, s_jq = ex.s_sup[idx, 1], ex.s_dem[idx, 1]
    d_q = state.denom[ex.supply[idx, 0]]
    d_p = state.denom[ex.supply[idx, 1]]
    x_iq, x_ip = ex.position[idx, 0], ex.demand_pos[idx, 0]
    x_jp, x_jq = ex.position[idx, 1], ex.demand_pos[idx, 1]
    gap_p = np.abs(x_ip - x_jp)
    gap_q = np.abs(x_jq - x_iq)
    dp = gap_p * ex.w_sup[idx, 1] / d_p
    dq = (s_jp + s_ip) / (s_jq + s_iq) * dp
    move_i = dq * d_q / ex.w_sup[idx, 0]
    move_j = gap_p
    over = np.abs(move_i) > gap_q
    dq_o = gap_q * ex.w_sup[idx, 0] / d_q
    dp_o = (s_iq + s_jq) / (s_ip + s_jp) * dq_o
    dq = np.where(over, dq_o, dq)
    dp = np.where(over, dp_o, dp)
    move_i = np.where(over, gap_q, move_i)
    move_j = np.where(over, dp_o * d_p / ex.w_sup[idx, 1], move_j)
    move_i = np.where(x_iq > x_jq, -move_i, move_i)
    move_j = np.where(x_jp > x_ip, -move_j, move_j)
    ex.move[idx, 0], ex.move[idx, 1] = move_i, move_j
    ex.y[idx] = ex.position[idx] + ex.move[idx]
    ex.gain[idx] = np.abs(dq * s_iq - dp * s_ip)
    ok = _move_valid(ex, idx, 0, move_i) & _move_valid(ex, idx, 1, move_j)
    ok &= ex.gain[idx] >= MIN_MOVE
    checked = idx[ok]
    _check_outcome(ex, state, checked, 0)
    _check_outcome(ex, state, checked, 1)
    ok[ok] = _move_valid(ex, checked, 0, ex.move[checked, 0]) & _move_valid(
        ex, checked, 1, ex.move[checked, 1]
    )
    ex.valid[idx] = ok


def _record_update(
    ex: Exchanges, state: Issues, idx: IntArray, side: IntArray, actor: int, issue: int,
    start: float, voting: float,
) -> None:
    """Note in exchanges ``idx`` that ``actor`` now votes ``voting`` on ``issue`` (the supply issue
    of their ``side``), merged with an earlier note as decide's ``update_updates`` does."""
    prev = ex.updates[idx, side, actor]
    if np.isnan(prev).all():
        value = np.full(idx.size, voting)
    else:
        # decide: keep the earlier note or the new voting position, whichever lies nearer the
        # actor's round-start position
        nearer = np.where(prev < voting, prev, voting)
        farther = np.where(prev > voting, prev, voting)
        merged = np.where(start <= prev, nearer, farther)
        value = np.where(np.isnan(prev), voting, merged)
    mine = ex.actor[idx, side] == actor
    old = np.where(np.isnan(prev), state.x[actor, issue], prev)
    ex.corr[idx, side] += np.where(mine, 0.0, state.w[actor, issue] * (value - old))
    ex.updates[idx, side, actor] = value


def realise(ex: Exchanges, state: Issues) -> list[dict[str, Any]]:
    """Realise exchanges, highest gain first, until none is left; returns them in order.

    Equal gains keep the order of the list they were in (decide sorts its list stably, highest
    first, before each pick); the list starts in creation order (:func:`candidates`).
    """
    alive = ex.valid.copy()
    rank = ex.order.astype(float)
    done: list[dict[str, Any]] = []
    while alive.any():
        live = np.flatnonzero(alive)
        # gains equal to 12 decimals are ties (decide computes in 28-digit decimals, where
        # equal-gain constructions tie exactly; in binary they may differ in the last bits)
        ordered = live[np.lexsort((rank[live], -np.round(ex.gain[live], GAIN_DECIMALS)))]
        r = int(ordered[0])
        rank[ordered] = np.arange(ordered.size)
        alive[r] = False
        done.append(_snapshot(ex, r))
        rest = ordered[1:]
        if rest.size:
            _recalculate(ex, state, rest, r)
            alive[rest] = ex.valid[rest]
    return done


def _snapshot(ex: Exchanges, r: int) -> dict[str, Any]:
    return {
        "gain": float(ex.gain[r]),
        "actor": (int(ex.actor[r, 0]), int(ex.actor[r, 1])),
        "supply": (int(ex.supply[r, 0]), int(ex.supply[r, 1])),
        "start": (float(ex.position[r, 0]), float(ex.position[r, 1])),
        "round_start": (float(ex.start[r, 0]), float(ex.start[r, 1])),
        "y": (float(ex.y[r, 0]), float(ex.y[r, 1])),
        "move": (float(ex.move[r, 0]), float(ex.move[r, 1])),
    }


def _recalculate(ex: Exchanges, state: Issues, idx: IntArray, r: int) -> None:
    """decide's ``recalculate`` for the exchanges ``idx`` after exchange ``r`` was realised."""
    actor, supply = ex.actor[idx], ex.supply[idx]
    demand = supply[:, ::-1]
    matched = np.zeros((idx.size, 2), dtype=bool)
    for side in (0, 1):
        hit = (actor == ex.actor[r, side]) & (supply == ex.supply[r, side])  # (A, 2)
        ex.position[idx[:, None], [0, 1]] = np.where(hit, ex.y[r, side], ex.position[idx])
        matched |= hit
    # a side moved by the realised exchange keeps its current move in its history
    top = ex.move[idx]
    ex.buried_sum[idx] += np.where(matched, top, 0.0)
    ex.buried_min[idx] = np.where(matched, np.minimum(ex.buried_min[idx], top), ex.buried_min[idx])
    ex.buried_max[idx] = np.where(matched, np.maximum(ex.buried_max[idx], top), ex.buried_max[idx])
    again = matched.any(axis=1)
    # sides that demand what the realised exchange's sides supplied learn the new voting position
    for side in (0, 1):
        other = 1 - side  # the realised side whose supply issue we demand ... its partner supplies
        a_r, k_r = ex.actor[r, side], ex.supply[r, other]  # ``side`` of r demands k_r
        hit = (actor == a_r) & (demand == k_r)  # (A, 2): our side s demands what r[other] supplied
        rows = hit.any(axis=1)
        if rows.any():
            sub = idx[rows]
            ours = np.argmax(hit[rows], axis=1)
            _record_update(
                ex, state, sub, 1 - ours, int(ex.actor[r, other]), int(k_r),
                float(ex.start[r, other]), float(ex.y[r, other]),
            )
            again |= rows
    calculate(ex, state, idx[again])
