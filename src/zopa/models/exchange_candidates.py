"""The candidate exchanges of one round of Stokman's exchange model, as arrays.

Who can exchange with whom (decide's groups A-D and B-C), the constants of each exchange, and
the first evaluation of all of them at the round's start -- the same formulas as the one-by-one
re-evaluation in :mod:`zopa.models.exchange_gains`, in the same order of operations, so the two
agree bit for bit.

Positions are on 0-100; ``w = c s`` is an actor's weight on an issue, ``D_k = sum_a w_ak``. An
exchange pairs two actors on two issues ``p < q`` where they lie on opposite sides of both
outcomes; side ``i`` supplies ``q`` and demands ``p``, side ``j`` the reverse. With equal gains,
``j`` moves ``min(gap_p, gap_q / A)`` and ``i`` ``A`` times that, ``A = (w_jp/D_p) r / (w_iq/D_q)``
and ``r = (s_jp + s_ip) / (s_jq + s_iq)``; the gain is ``j``'s move times a fixed factor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from zopa.models import exchange_exact as xx
from zopa.utility import FloatArray

IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]

MIN_MOVE = xx.MIN_MOVE


def left_of_outcome(tables: xx.Tables[Any], n: int, m: int) -> BoolArray:
    """``x <= O`` per actor and issue, in the round's own arithmetic: decide's decimals leave
    positions exactly at the outcome, where binary64 may fall either side."""
    left = [[False] * m for _ in range(n)]
    x0 = tables.x0
    for k in range(m):
        outcome = tables.outcome(k)
        for a in tables.members[k]:
            left[a][k] = x0[a][k] <= outcome
    return np.array(left, dtype=bool).reshape(n, m)


@cache
def _issue_pairs(m: int) -> tuple[IntArray, IntArray]:
    """Issue pairs ``p < q`` in decide's order (the same for every round)."""
    p_of, q_of = (v.astype(np.intp) for v in np.triu_indices(m, 1))
    p_of.flags.writeable = q_of.flags.writeable = False  # shared by every round
    return p_of, q_of


def candidate_pairs(
    left: BoolArray, usable: BoolArray, s: FloatArray,
    decimal_salience: Sequence[Sequence[Decimal]] | None = None,
) -> tuple[IntArray, IntArray]:
    """decide's candidates in its order: issue pairs ``p < q``, then group A-D before B-C,
    then actors. Returns ``actor`` and ``supply`` (2, E): side ``i`` (row 0) supplies ``q``,
    side ``j`` (row 1) ``p``; side ``i`` is the actor with the larger ``s_p / s_q``.

    ``decimal_salience`` (decimal precision) settles the ``s_p / s_q`` comparisons that binary64
    cannot: ratios equal in decimals may differ in binary and vice versa.
    """
    p_of, q_of = _issue_pairs(left.shape[1])
    # per issue pair and actor: 0 left of both outcomes, 3 right of both (groups A, D), 1 and 2
    # mixed (B, C), -1 without a usable position on both issues
    code = np.where(usable[:, p_of] & usable[:, q_of], left[:, p_of] + 2 * left[:, q_of], -1).T
    # per issue pair, actor i and actor j: 5 c_i + c_j is 3 only for A-D and 7 only for B-C
    pair_code = 5 * code[:, :, None] + code[:, None, :]
    groups = np.array((pair_code == 3, pair_code == 7)).transpose(1, 0, 2, 3)  # (C, 2, n, n)
    combo, _, ii, jj = np.nonzero(groups)  # in decide's order: pair, group, actor i, actor j
    pp, qq = p_of[combo], q_of[combo]
    s_ip, s_iq, s_jp, s_jq = s[ii, pp], s[ii, qq], s[jj, pp], s[jj, qq]
    ri, rj = s_ip / s_iq, s_jp / s_jq  # usable: s > 0
    swap = ri < rj
    if decimal_salience is not None:
        sd = decimal_salience
        same = (s_ip == s_jp) & (s_iq == s_jq)  # equal: no swap
        close = np.flatnonzero((np.abs(ri - rj) <= 1e-12 * np.maximum(np.abs(ri), 1.0)) & ~same)
        for k, a, b, p, q in zip(
            close.tolist(), ii[close].tolist(), jj[close].tolist(), pp[close].tolist(),
            qq[close].tolist(), strict=True,
        ):
            swap[k] = sd[a][p] / sd[a][q] < sd[b][p] / sd[b][q]
    actor = np.array((np.where(swap, jj, ii), np.where(swap, ii, jj)), dtype=np.intp)
    return actor, np.array((qq, pp), dtype=np.intp)


@dataclass(frozen=True, slots=True)
class Candidates:
    """The candidate exchanges and their constants; ``(2, E)`` arrays are per side (row 0:
    side ``i``, row 1: side ``j``)."""

    actor: IntArray
    supply: IntArray
    supply_key: IntArray
    """``actor m + supply``: the actor-issue each side moves."""
    target: FloatArray
    """The other side's position on this side's supply issue (where it wants the outcome)."""
    weight_share: FloatArray
    """``w / D`` of the side's actor on its supply issue."""
    ratio: FloatArray
    """(E,) ``A``: ``i``'s move per unit of ``j``'s move."""
    unit_gain: FloatArray
    """(E,) the gain per unit of ``j``'s move: ``(w_jp / D_p) |r s_iq - s_ip|``."""
    base: FloatArray
    """The outcome of the side's supply issue without its own actor: ``outcome = base +
    share x_own``."""

    @property
    def count(self) -> int:
        """The number of candidate exchanges."""
        return int(self.actor.shape[1])


def exchange_constants(
    actor: IntArray, supply: IntArray, x: FloatArray, known: FloatArray, s: FloatArray,
    w: FloatArray, share_of: FloatArray, denom: FloatArray,
) -> Candidates:
    """The constants of each candidate at the round's start (``known``: ``x`` with 0 for no
    position)."""
    m = x.shape[1]
    demand = supply[::-1]
    s_sup, s_dem = s[actor, supply], s[actor, demand]
    share = share_of[actor, supply]
    rate = (s_sup[1] + s_dem[0]) / (s_dem[1] + s_sup[0])
    total = (w * known).sum(axis=0)
    return Candidates(
        actor=actor,
        supply=supply,
        supply_key=actor * m + supply,
        target=x[actor[::-1], supply],
        weight_share=share,
        ratio=share[1] * rate / share[0],
        unit_gain=share[1] * np.abs(rate * s_sup[0] - s_dem[0]),
        base=(total[supply] - w[actor, supply] * x[actor, supply]) / denom[supply],
    )


@dataclass(frozen=True, slots=True)
class FirstEvaluation:
    """Every candidate at the round's start: moves (2, E), gains, validity, and the exchanges
    to evaluate one by one (their ``alive`` is False here)."""

    move: FloatArray
    gain: FloatArray
    alive: BoolArray
    again: list[int]


def equal_gain_magnitudes(
    gap_q: FloatArray, gap_p: FloatArray, ratio: FloatArray
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Both sides' move sizes with equal gains: ``j`` moves all the way to ``i``'s position
    (``gap_p``) and ``i`` ``A`` times that, unless that passes ``j``'s position (``gap_q``):
    then ``i`` moves all the way and ``j`` ``1/A`` times that. Returns ``|move_i|``,
    ``|move_j|`` and whether ``i`` moves all the way (so ``j`` moves part of the way)."""
    partial = gap_p * ratio
    return np.minimum(partial, gap_q), np.minimum(gap_p, gap_q / ratio), partial > gap_q


def clear_of_crossing(before: FloatArray, after: FloatArray, tol: float) -> BoolArray:
    """An outcome measured from a demander's position, before and after a move, does not reach
    it (with margin ``tol``): both lie on one side of it."""
    return (np.minimum(before, after) >= tol) | (np.maximum(before, after) <= -tol)


def evaluate_candidates(
    cand: Candidates, cur: FloatArray, tol: float, scalar_only: bool = False
) -> FirstEvaluation:
    """Every candidate at the round's start as array operations: the formulas of
    :func:`zopa.models.exchange_gains.reevaluate` without history or updates (none yet)."""
    pos = cur[cand.supply_key]
    target, share = cand.target, cand.weight_share
    diff = target - pos
    gap_q, gap_p = np.abs(diff)
    mag_i, mag_j, i_all_the_way = equal_gain_magnitudes(gap_q, gap_p, cand.ratio)
    move = np.copysign(np.array((mag_i, mag_j)), diff)
    y = pos + move
    gain = mag_j * cand.unit_gain
    # only the side that moves part of the way can leave [0, 100]: the other lands on the other
    # side's position (exchange_gains.reevaluate says why this holds in decimals too)
    off = np.abs(np.where(i_all_the_way, y[1], y[0]) - 50.0)
    ok_move = (mag_i > MIN_MOVE) & (mag_j > MIN_MOVE) & (gain >= MIN_MOVE)
    ok = ok_move & (off <= 50.0)
    before = target - cand.base - share * pos
    clear = clear_of_crossing(before, before - share * move, tol)
    # the few that an outcome check may shorten, or with a decision near its threshold, are
    # evaluated one by one once the round's lists exist
    again = ok & ~clear.all(axis=0)
    if tol:
        again |= ok_move & (np.abs(off - 50.0) < tol)
    if scalar_only:
        again[:] = True
    return FirstEvaluation(move, gain, ok & ~again, np.flatnonzero(again).tolist())
