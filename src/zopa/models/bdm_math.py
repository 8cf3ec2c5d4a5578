"""The arithmetic of Bueno de Mesquita's expected-utility model, one issue at a time.

Pure functions on arrays over the actors that hold a position on the issue: 1-D for one
scenario, or with leading batch axes (``(..., n)``, one row a Monte Carlo draw) where a function
says so; each row of a batch gets exactly the numbers the 1-D call gives on it. Notation and
equation numbers follow Scholz, Calbert & Smith (2011), "Unravelling Bueno de Mesquita's group
decision model", J. Theoretical Politics 23(4) 510-531 (also ICAART 2011): ``x`` positions,
``c`` capability, ``s`` salience (0-1), ``r`` risk exponents, ``dx`` the width of the position
scale that distances are divided by, ``Q`` and ``T`` the status-quo parameters.

Everything here is O(n^2) time in the number of actors or less: the one term that is a sum over
voters for every pair of positions (the votes behind the probability of success, an n x n x n sum)
is computed from per-position prefix sums over the voters sorted by position, in column blocks,
so it costs O(p n + p^2 log n) for ``p`` distinct positions and never holds an n x n x n array.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from zopa.utility import FloatArray

IndexArray = NDArray[np.intp]

BLOCK_ELEMENTS = 1 << 22
"""Elements per temporary block (~32 MB of float64): bounds memory at 10,000 actors."""

NONE, CONFRONTATION, COMPROMISE, CAPITULATION = 0, 1, 2, 3
OFFER_TYPES = {
    CONFRONTATION: "confrontation",
    COMPROMISE: "compromise",
    CAPITULATION: "capitulation",
}


def blocks(total: int, width: int) -> Iterator[slice]:
    """Consecutive slices of ``range(total)`` with about ``BLOCK_ELEMENTS / width`` entries each."""
    step = max(1, BLOCK_ELEMENTS // max(1, width))
    for start in range(0, total, step):
        yield slice(start, min(total, start + step))


# --- basic utilities, Section 3 ----------------------------------------------------------------


def u_success(distance: FloatArray, r: FloatArray) -> FloatArray:
    """``U^s = 2 - 4 (0.5 - 0.5 |x_i - x_j| / dx)^r``; ``distance`` is ``|x_i - x_j| / dx``."""
    return np.asarray(2.0 - 4.0 * (0.5 - 0.5 * distance) ** r, dtype=float)


def u_failure(distance: FloatArray, r: FloatArray) -> FloatArray:
    """``U^f = 2 - 4 (0.5 + 0.5 |x_i - x_j| / dx)^r``."""
    return np.asarray(2.0 - 4.0 * (0.5 + 0.5 * distance) ** r, dtype=float)


def u_status_quo(r: FloatArray) -> FloatArray:
    """``U^sq = 2 - 4 (0.5)^r``."""
    return np.asarray(2.0 - 4.0 * 0.5**r, dtype=float)


def u_better(spread: FloatArray, r: FloatArray) -> FloatArray:
    """``U^b = 2 - 4 (0.5 - 0.25 (|x_i - mu| + |x_i - x_j|) / dx)^r``; ``spread``: the sum / dx."""
    return np.asarray(2.0 - 4.0 * np.maximum(0.5 - 0.25 * spread, 0.0) ** r, dtype=float)


def u_worse(spread: FloatArray, r: FloatArray) -> FloatArray:
    """``U^w = 2 - 4 (0.5 + 0.25 (|x_i - mu| + |x_i - x_j|) / dx)^r``."""
    return np.asarray(2.0 - 4.0 * (0.5 + 0.25 * spread) ** r, dtype=float)


def expected_utility(
    p_win: FloatArray,
    s_target: FloatArray,
    us: FloatArray,
    uf: FloatArray,
    status_quo: FloatArray,
) -> FloatArray:
    """Expected utility of a challenge, Section 2.2.

    ``EU = s_j [P U^s + (1 - P) U^f] + (1 - s_j) U^s - EU_no_challenge``: the target resists with
    probability equal to its salience ``s_j``; ``us``, ``uf`` are :func:`u_success` and
    :func:`u_failure` of the pair; ``status_quo`` is the expected utility of not challenging,
    ``Q U^sq + (1 - Q)[T U^b + (1 - T) U^w]`` (see :func:`no_challenge`). The operations are
    ordered as in the replication of Scholz's code so that results agree with it to the last bits.
    """
    resist = s_target * (p_win * us + (1.0 - p_win) * uf)
    return np.asarray(resist + (1.0 - s_target) * us - status_quo, dtype=float)


def no_challenge(
    q: float, t: float | FloatArray, r: FloatArray, spread: FloatArray | None
) -> FloatArray:
    """``Q U^sq + (1 - Q)[T U^b + (1 - T) U^w]`` (eq. 7); with ``Q = 1`` just ``U^sq``.

    ``t`` is one number for every pair or, as the paper sets it, an array from :func:`t_per_pair`.
    """
    sq = q * u_status_quo(r)
    if q == 1.0 or spread is None:
        return np.asarray(sq, dtype=float)
    change = t * u_better(spread, r) + (1.0 - t) * u_worse(spread, r)
    return np.asarray(sq + (1.0 - q) * change, dtype=float)


def t_per_pair(to_median: FloatArray, to_other: FloatArray, boundary: float) -> FloatArray:
    """``T`` of eq. 7 for each pair, from the geometry of the actor, the other and the median.

    Absent a challenge the other actor is expected to move to the median ``mu`` (eqs. 20-23,
    Figs. 1-4). For the actor whose expected utility this is, that move is an improvement
    (``T = 1``: mu between the two, case 1, or the actor between them and mu nearer, case 3A)
    exactly when mu lies nearer to it than the other's position does, and a loss (``T = 0``:
    the other between the actor and mu, case 2, or case 3B) when it lies farther.

    Args:
        to_median: ``|x_own - mu|``.
        to_other: ``|x_own - x_other|``.
        boundary: ``T`` when the two distances are equal (the move leaves the actor as well
            off as before), which none of the paper's cases covers; zopa's default 0.5 makes
            the no-challenge term equal to ``U^sq`` at ``r = 1``.
    """
    return np.where(to_median < to_other, 1.0, np.where(to_median > to_other, 0.0, boundary))


# --- votes and the probability of success, Section 4 -------------------------------------------


@dataclass(frozen=True)
class Voters:
    """The voters of one issue, sorted by position; ``w = c s``, ``r`` each voter's exponent."""

    x: FloatArray
    w: FloatArray
    r: FloatArray

    @classmethod
    def of(cls, x: FloatArray, w: FloatArray, r: FloatArray) -> Voters:
        """Voters from per-actor positions, weights and exponents (any order, ``(..., n)``):
        sorts all three by position (stable, so voters at the same position keep their order)."""
        order = np.argsort(x, axis=-1, kind="stable")
        return cls(*(np.take_along_axis(a, order, axis=-1) for a in (x, w, r)))

    def take(self, rows: np.ndarray) -> Voters:
        """The voters of the batch rows ``rows`` (a boolean mask or indices of the leading axis)."""
        return Voters(self.x[rows], self.w[rows], self.r[rows])


SHORT_ROWS = 32
"""A batch of rows up to this long is summed voter by voter (:func:`support`) and reduced column
by column (:func:`row_reduce`): a few long array operations rather than many short ones."""


def row_reduce(ufunc: np.ufunc, a: np.ndarray, keepdims: bool = False) -> np.ndarray:
    """``ufunc.reduce(a, axis=-1)`` for an exact ``ufunc`` (maximum, minimum, logical_or).

    A batch of short rows (``(..., n)``, ``n`` at most :data:`SHORT_ROWS`) is reduced column by
    column, a few long array operations instead of one short loop a row; the result is the same.
    """
    n = a.shape[-1]
    if a.ndim < 3 or n > SHORT_ROWS or n == 0:
        return ufunc.reduce(a, axis=-1, keepdims=keepdims)  # type: ignore[no-any-return]
    out = np.array(a[..., 0])
    for k in range(1, n):
        ufunc(out, a[..., k], out=out)
    return out[..., None] if keepdims else out


def searchsorted(a: FloatArray, v: FloatArray, side: str) -> IndexArray:
    """``np.searchsorted(a, v, side)`` row by row: ``a`` ``(..., n)`` sorted, ``v`` ``(..., *k)``.

    A query's index is the number of ``a`` entries below it (``"left"``) or not above it
    (``"right"``), from one stable sort of each row's ``a`` and ``v`` together, queries placed
    before equal entries (left) or after them (right).
    """
    if a.ndim == 1:
        return np.searchsorted(a, v, side=side)  # type: ignore[call-overload,no-any-return]
    n, batch = a.shape[-1], a.shape[:-1]
    queries = v.reshape(*batch, -1)
    k = queries.shape[-1]
    left = side == "left"
    both = np.concatenate([queries, a] if left else [a, queries], axis=-1)
    order = np.argsort(both, axis=-1, kind="stable")
    is_a = order >= k if left else order < n
    before = np.cumsum(is_a, axis=-1)
    which = (order - (0 if left else n))[~is_a].reshape(*batch, k)
    out = np.empty(queries.shape, dtype=np.intp)
    np.put_along_axis(out, which, before[~is_a].reshape(*batch, k), axis=-1)
    return out.reshape(v.shape)


def support(positions: FloatArray, voters: Voters, dx: float | FloatArray) -> FloatArray:
    """Votes for each position against each other one: ``N[a, b] = sum_k max(0, v_k(a, b))``.

    ``v_k(a, b) = c_k s_k ((|x_k - u_b| / dx)^r_k - (|x_k - u_a| / dx)^r_k)`` is voter ``k``'s
    support for ``u_a`` over ``u_b``. The paper's votes (eqs. 26-31, from the linear utility of
    eq. 14) are straight-line distances: pass ``r = 1`` for every voter. Scholz's code raises
    each voter's distances to its own ``r_k``. Voter ``k`` supports ``u_a`` iff it lies
    strictly on ``u_a``'s side of the midpoint of the two, so ``N[a, b]`` is a prefix sum over
    the sorted voters of ``w f(u_b)`` minus one of ``w f(u_a)``. The first comes from ``u_b``'s
    table, the second is the total of ``u_a``'s table less its share on ``u_b``'s side and at the
    midpoint, which is read from the same tables for the transposed pair. One pass over column
    blocks gives the whole ``(p, p)`` matrix.

    Every entry ``N[a, b]`` with ``u_a != u_b`` depends on ``u_a``, ``u_b`` and the voters only,
    so the positions may also come unsorted and repeated (the batched round passes each actor's
    own position); entries between equal positions are then meaningless.

    Args:
        positions: distinct positions ``u`` ``(..., p)``, ascending.
        voters: the voters (all actors holding a position on the issue), ``(..., n)``.
        dx: scale width (> 0), a number or one a batch row ``(...)``.
    """
    u = positions
    if u.ndim > 1 and voters.x.shape[-1] <= SHORT_ROWS:
        return _support_short_rows(u, voters, dx)
    p, n, batch = u.shape[-1], voters.x.shape[-1], u.shape[:-1]
    side = np.empty((*batch, p, p))  # side[a, b]: votes on a's side of the midpoint, by f(u_b)
    at_mid = np.zeros((*batch, p, p))  # voters exactly at the midpoint, by f(u_b) (= f(u_a))
    totals = np.empty((*batch, p))
    lower = u[..., :, None] < u[..., None, :]
    width = np.asarray(dx, dtype=float)[..., None, None]
    linear = np.all(voters.r == 1.0, axis=-1)[..., None, None]  # the risk step: no powers
    for cols in blocks(p, max(1, u.size // max(p, 1)) * (2 * n + p)):
        dist = np.abs(voters.x[..., None, :] - u[..., cols, None]) / width
        if not linear.all():
            dist = np.where(linear, dist, dist ** voters.r[..., None, :])
        mid = (u[..., :, None] + u[..., None, cols]) / 2.0
        total, at_left, at_right = _split_sums(voters.x, voters.w[..., None, :] * dist, mid)
        totals[..., cols] = total
        side[..., cols] = np.where(lower[..., cols], at_left, total[..., None, :] - at_right)
        at_mid[..., cols] = at_right - at_left
    # sum_{k on a's side} w f_k(u_a) = total_a - side[b, a] - at_mid[b, a]
    own = totals[..., :, None] - np.swapaxes(side, -1, -2) - np.swapaxes(at_mid, -1, -2)
    diagonal = np.arange(p)
    own[..., diagonal, diagonal] = 0.0
    side[..., diagonal, diagonal] = 0.0
    side -= own
    return np.maximum(side, 0.0, out=side)


def _split_sums(
    x: FloatArray, terms: FloatArray, mid: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Sums over the sorted voters ``x`` ``(..., n)`` of ``terms[..., b, k]`` ``(..., q, n)``:
    all of them ``(..., q)``, and those below / not above ``mid[..., a, b]`` ``(..., p, q)``.

    Each is the running sum in voter order up to where ``mid`` falls (a prefix, as ``x`` is
    sorted): a cumulative table read at :func:`searchsorted` (a batch of short rows takes
    :func:`_support_short_rows` instead, with the same sums).
    """
    n = x.shape[-1]
    table = np.zeros((*terms.shape[:-2], n + 1, terms.shape[-2]))  # voters along axis -2
    np.cumsum(np.swapaxes(terms, -1, -2), axis=-2, out=table[..., 1:, :])
    return (table[..., -1, :],
            np.take_along_axis(table, searchsorted(x, mid, "left"), axis=-2),
            np.take_along_axis(table, searchsorted(x, mid, "right"), axis=-2))


def _support_short_rows(u: FloatArray, voters: Voters, dx: float | FloatArray) -> FloatArray:
    """:func:`support` on a batch of rows of at most :data:`SHORT_ROWS` voters, each entry with
    the same operations in the same order as on its own.

    The batch runs along the last axis of every array here (``(..., B)``): each operation is
    then one long inner loop over the batch rather than one of a few elements a row, several
    times quicker with seven actors. The sums over voters are running sums in voter order, as
    :func:`_split_sums`'s table: each voter below the midpoint adds its term (the others add
    0.0, which leaves a sum as it is: no sum here is -0.0), then the voters exactly at it.
    """
    batch, p, n = u.shape[:-1], u.shape[-1], voters.x.shape[-1]

    def last(a: FloatArray) -> FloatArray:  # (..., k) as (k, B)
        return np.ascontiguousarray(a.reshape(-1, a.shape[-1]).T)

    ut, xt, wt = last(u), last(voters.x), last(voters.w)
    width = np.broadcast_to(np.asarray(dx, dtype=float), batch).reshape(-1)
    dist = np.abs(xt[:, None, :] - ut[None, :, :]) / width  # [k, b]: |x_k - u_b| / dx
    linear = np.all(voters.r == 1.0, axis=-1).reshape(-1)  # the risk step: no powers
    if not linear.all():
        dist = np.where(linear, dist, dist ** last(voters.r)[:, None, :])
    terms = wt[:, None, :] * dist
    mid = (ut[:, None, :] + ut[None, :, :]) / 2.0  # [a, b]
    total = np.zeros((p, width.size))  # [b]: every voter's w f(u_b)
    below = np.zeros(mid.shape)  # [a, b]: those below the midpoint of u_a and u_b
    for k in range(n):
        total += terms[k]
        below += np.where(xt[k] < mid, terms[k], 0.0)
    at = (xt[:, None, None, :] == mid) & (ut[:, None, :] != ut[None, :, :])
    upto = below.copy()  # and those at the midpoint of two different positions
    for voter in np.flatnonzero(at.reshape(n, -1).any(axis=1)):
        upto += np.where(at[voter], terms[voter], 0.0)
    side = np.where(ut[:, None, :] < ut[None, :, :], below, total[None] - upto)
    at_mid = upto - below
    # sum_{k on a's side} w f_k(u_a) = total_a - side[b, a] - at_mid[b, a]
    own = total[:, None] - side.transpose(1, 0, 2) - at_mid.transpose(1, 0, 2)
    diagonal = np.arange(p)
    own[diagonal, diagonal] = 0.0
    side[diagonal, diagonal] = 0.0
    side -= own
    np.maximum(side, 0.0, out=side)
    return np.moveaxis(side, -1, 0).reshape(*batch, p, p)


def all_pairs_votes(
    positions: FloatArray, counts: FloatArray, voters: Voters, dx: float | FloatArray
) -> FloatArray:
    """``sum_k sum_{a, b} |v_k(a, b)|`` over every ordered pair of actors (a, b).

    The denominator of the probability of success in Scholz's code: it runs over all actor pairs,
    not just the two contenders. Per voter, with the values ``f_a = f(u_a)`` sorted and ``c_a`` the
    number of actors at ``u_a``, the sum over ordered pairs of ``c_a c_b |f_a - f_b|`` is
    ``2 sum_a c_a f_a (C_below(a) - C_above(a))``: O(p log p) per voter instead of O(p^2).

    With leading batch axes (``positions``, ``counts`` ``(..., p)``, ``voters`` ``(..., n)``,
    ``dx`` a number or ``(...)``), one total a row: ``(...)``; a 0-d array for one issue.
    """
    total = np.zeros(positions.shape[:-1])
    width = np.asarray(dx, dtype=float)[..., None, None]
    for rows in blocks(voters.x.shape[-1], 3 * positions.shape[-1]):
        f = (np.abs(voters.x[..., rows, None] - positions[..., None, :]) / width
             ) ** voters.r[..., rows, None]
        order = np.argsort(f, axis=-1, kind="stable")
        fs = np.take_along_axis(f, order, axis=-1)
        cs = np.take_along_axis(np.broadcast_to(counts[..., None, :], f.shape), order, axis=-1)
        below = np.cumsum(cs, axis=-1) - cs
        above = cs.sum(axis=-1, keepdims=True) - below - cs
        pair_sum = 2.0 * (cs * fs * (below - above)).sum(axis=-1)
        total += (voters.w[..., rows] * pair_sum).sum(axis=-1)
    return total


def win_probability(votes: FloatArray, *, denominator: float | FloatArray | None) -> FloatArray:
    """``P[a, b]``, the probability that position ``a`` prevails over ``b``.

    With ``denominator=None`` (the paper, Section 4): ``N[a, b] / (N[a, b] + N[b, a])``, so that
    ``P[a, b] + P[b, a] = 1``; 0.5 if no voter cares. With a number (Scholz's code): ``N / D``.
    The diagonal (a contest with oneself) is 0. ``votes`` may carry leading batch axes
    ``(..., p, p)``, the denominator then one number a row ``(...)``.
    """
    # np.where around a division by 1 where it is not wanted: the same quotients, several times
    # quicker than a masked np.divide(..., where=) on batches
    if denominator is None:
        both = votes + np.swapaxes(votes, -1, -2)
        some = both > 0
        prob = np.where(some, votes / np.where(some, both, 1.0), 0.5)
    else:
        den = np.asarray(denominator, dtype=float)[..., None, None]
        prob = np.where(den > 0, votes / np.where(den > 0, den, 1.0), 0.0)
    diagonal = np.arange(votes.shape[-1])
    prob[..., diagonal, diagonal] = 0.0
    return prob


# --- which offer an actor accepts, Section 6.2 ----------------------------------------------


ENFORCEABLE_RTOL = 1e-9
"""Proposers' expected utilities within this relative distance of the best count as equal."""


def accept_enforceable(kind: np.ndarray, move: FloatArray, target: FloatArray,
                       strength: FloatArray) -> np.ndarray:
    """Per row (receiver), the column (proposer) whose offer it accepts; -1 if it has none.

    Section 6.2: those better able to enforce their wishes make their proposals stick, so the
    receiver concedes to the proposer with the highest expected utility of the challenge
    (``strength``, ``E^j(U_ji)``); among equally enforceable proposals it moves the least it
    can. Proposers count as equally enforceable within :data:`ENFORCEABLE_RTOL` of the best
    (floating-point ties); equal moves in both directions go to the lower new position, so the
    choice never depends on the order of the actors.

    All four arrays have shape ``(..., receivers, proposers)``; the result ``(..., receivers)``.

    Args:
        kind: offer type per pair (:data:`NONE` = 0: no offer; :data:`CONFRONTATION`,
            :data:`COMPROMISE` or :data:`CAPITULATION`).
        move: how far the receiver would move if it accepted, ``|new - x_i|``.
        target: the receiver's new position if it accepted.
        strength: the proposer's expected utility of the challenge, ``E^j(U_ji)`` (positive for
            every offer).
    """
    offer = kind > 0
    some = row_reduce(np.logical_or, offer)
    power = np.where(offer, strength, -np.inf)
    best = row_reduce(np.maximum, power, keepdims=True)
    equal = offer & (power >= best - ENFORCEABLE_RTOL * np.abs(best))
    least = np.where(equal, move, np.inf)
    nearest = equal & (least == row_reduce(np.minimum, least, keepdims=True))
    choice = np.argmin(np.where(nearest, target, np.inf), axis=-1)
    return np.where(some, choice, -1)


# --- security levels and risk, Section 5 -------------------------------------------------------


def risk_exponents(security: FloatArray) -> FloatArray:
    """``R_i = (2 S_i - S_max - S_min) / (S_max - S_min)``, ``r_i = (1 - R_i/3) / (1 + R_i/3)``.

    ``S_i`` is the sum of the others' expected utilities of challenging ``i``. If every security
    level is equal (up to rounding) nobody is more exposed than anyone else: ``R = 0``, ``r = 1``.
    ``security`` is ``(..., n)``: each row on its own.
    """
    if security.shape[-1] == 0:
        return np.ones(security.shape)
    high = security.max(axis=-1, keepdims=True)
    low = security.min(axis=-1, keepdims=True)
    spread = high - low
    flat = spread <= 1e-12 * np.maximum(1.0, np.maximum(np.abs(high), np.abs(low)))
    big_r = (2.0 * security - high - low) / np.where(flat, 1.0, spread)
    return np.where(flat, 1.0, (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0))


# --- medians, Section 3.2 ----------------------------------------------------------------------


def condorcet_position(x: FloatArray, w: FloatArray, tie: str = "lower") -> float:
    """The held position that no other beats in pairwise votes ``sum_k w_k(|x_k-b| - |x_k-a|)``.

    The median voter position of Section 3.2 and Appendix step 3: the pairwise contests run
    between held positions, so the winner is always one of them. It is the minimiser over held
    positions of ``V(a) = sum_k w_k |x_k - a|``. When the weight splits exactly in half, the two
    middle positions tie (no midpoint is ever returned); the paper does not say which wins:
    ``tie="lower"`` takes the lower, ``"upper"`` the upper. (Scholz's code scans the positions in
    Python set order and keeps the first minimiser it meets; ``bdm-scholz`` takes the lowest.)
    """
    return float(condorcet_positions(x, w, tie))


def condorcet_positions(x: FloatArray, w: FloatArray, tie: str = "lower") -> FloatArray:
    """:func:`condorcet_position` of each row of ``x``, ``w`` ``(..., n)``: ``(...)``.

    ``V`` is evaluated at every sorted position, repeats included (a repeat has the same ``V`` as
    its first occurrence), so each row's answer is that of the 1-D function to the last bit.
    """
    order = np.argsort(x, axis=-1)
    xs, ws = np.take_along_axis(x, order, axis=-1), np.take_along_axis(w, order, axis=-1)
    zero = np.zeros((*x.shape[:-1], 1))
    cw = np.concatenate([zero, np.cumsum(ws, axis=-1)], axis=-1)
    cxw = np.concatenate([zero, np.cumsum(ws * xs, axis=-1)], axis=-1)
    n = x.shape[-1]
    first = np.ones(x.shape, dtype=bool)
    first[..., 1:] = xs[..., 1:] != xs[..., :-1]
    k = np.maximum.accumulate(np.where(first, np.arange(n), 0), axis=-1)  # first of its value
    cw_k, cxw_k = np.take_along_axis(cw, k, axis=-1), np.take_along_axis(cxw, k, axis=-1)
    below = xs * cw_k - cxw_k
    above = (cxw[..., -1:] - cxw_k) - xs * (cw[..., -1:] - cw_k)
    v = below + above
    tol = 1e-12 * np.maximum(1.0, np.abs(cxw[..., -1:]) + np.abs(v).max(axis=-1, keepdims=True))
    best = v <= v.min(axis=-1, keepdims=True) + tol
    pick = n - 1 - np.argmax(best[..., ::-1], axis=-1) if tie == "upper" else np.argmax(best, -1)
    return np.take_along_axis(xs, pick[..., None], axis=-1)[..., 0]
