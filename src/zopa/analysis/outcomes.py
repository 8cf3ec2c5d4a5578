"""Exact outcome analysis on a discrete outcome space: Pareto frontier and bargaining points.

Everything works on a utility table ``U`` of shape ``(n_outcomes, n_agents)`` (see
:class:`zopa.protocols.space.NegotiationProblem`) and is exact: no sampling, no tolerance in the
dominance test. An outcome ``p`` is *dominated* if some outcome ``q`` is at least as good for every
agent and better for one (``U[q] >= U[p]`` everywhere, ``U[q] != U[p]``); the Pareto frontier is the
set of outcomes no outcome dominates (outcomes with equal utility vectors are all kept).

Bargaining points are searched on the frontier, with a disagreement point ``d`` (by default the
reservation values, i.e. zopa's BATNAs):

- Nash (1950), "The bargaining problem", Econometrica 18(2): maximise ``prod_i (U_i - d_i)``.
- Kalai & Smorodinsky (1975), "Other solutions to Nash's bargaining problem", Econometrica 43(3):
  maximise ``min_i (U_i - d_i) / (I_i - d_i)`` where ``I_i`` is agent ``i``'s best utility among the
  candidate outcomes (the ideal point). On a discrete frontier this max-min form is the natural
  reading of "the point on the line from d to I"; NegMAS's ``ks_points`` instead minimises the
  spread ``max - min`` of the same ratios, which can pick a different discrete point.
- Utilitarian point (max welfare): maximise ``sum_i U_i``.

Ties go to the frontier point listed first (frontier order: welfare descending, then outcome
index), as in NegMAS's ``nash_points``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from zopa.errors import BudgetError
from zopa.utility import FloatArray

IndexArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

_CHUNK = 256  # frontier points compared with a block of candidates at once
_BLOCK = 8192  # candidates per block in the n-agent frontier search


def _frontier_2d(points: FloatArray) -> BoolArray:
    """Non-dominated mask for two agents in ``O(k log k)``: sort by (u0, u1) descending; a point is
    dominated iff some earlier, different point has ``u1`` at least as high."""
    order = np.lexsort((-points[:, 1], -points[:, 0]))
    u0, u1 = points[order, 0], points[order, 1]
    new_run = np.ones(order.size, dtype=bool)  # runs of identical utility vectors
    new_run[1:] = (u0[1:] != u0[:-1]) | (u1[1:] != u1[:-1])
    prefix_max = np.maximum.accumulate(np.concatenate([[-np.inf], u1[:-1]]))
    starts = np.flatnonzero(new_run)
    keep_run = u1[starts] > prefix_max[starts]
    keep = np.empty(order.size, dtype=bool)
    keep[order] = keep_run[np.cumsum(new_run) - 1]
    return keep


def _dominated_by(block: FloatArray, others: FloatArray) -> BoolArray:
    """For unique rows: is each row of ``block`` weakly below (hence dominated by) some other row
    of ``others``? Rows equal to themselves are excluded by the caller's uniqueness."""
    alive = np.ones(block.shape[0], dtype=bool)
    for start in range(0, others.shape[0], _CHUNK):
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            break
        chunk = others[start : start + _CHUNK]
        below = np.all(block[idx, None, :] <= chunk[None, :, :], axis=2)
        equal = np.all(block[idx, None, :] == chunk[None, :, :], axis=2)
        alive[idx[np.any(below & ~equal, axis=1)]] = False
    return ~alive


MAX_FRONTIER_CANDIDATES = 1_000_000
"""Most candidate outcomes for a frontier of three or more agents (about 30 s at the limit)."""


def _frontier_nd(points: FloatArray) -> BoolArray:
    """Non-dominated mask for any number of agents.

    Unique utility vectors are scanned in order of decreasing welfare (a dominating vector has a
    strictly larger sum, so it comes first); each block is tested against the frontier found so
    far, strongest points first, which discards most dominated points after one chunk, and the
    block's survivors are then tested against each other.
    """
    unique, inverse = np.unique(points, axis=0, return_inverse=True)
    order = np.argsort(-unique.sum(axis=1), kind="stable")
    ranked = unique[order]
    frontier = np.empty((0, points.shape[1]))
    keep_ranked = np.zeros(ranked.shape[0], dtype=bool)
    for start in range(0, ranked.shape[0], _BLOCK):
        block = ranked[start : start + _BLOCK]
        survivors = np.flatnonzero(~_dominated_by(block, frontier))
        cand = block[survivors]
        inner = _dominated_by(cand, cand)
        kept = survivors[~inner]
        keep_ranked[start + kept] = True
        frontier = np.concatenate([frontier, block[kept]])
    keep_unique = np.empty(unique.shape[0], dtype=bool)
    keep_unique[order] = keep_ranked
    return keep_unique[np.asarray(inverse).ravel()]


def pareto_frontier(utilities: FloatArray, candidates: BoolArray | None = None) -> IndexArray:
    """Indices of the Pareto-optimal outcomes among ``candidates`` (default: all finite rows),
    ordered by welfare (sum of utilities) descending, then by outcome index."""
    u = np.asarray(utilities, dtype=float)
    mask = np.all(np.isfinite(u), axis=1)
    if candidates is not None:
        mask &= candidates
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return idx.astype(np.int64)
    points = u[idx]
    if points.shape[1] == 1:
        keep = points[:, 0] == points[:, 0].max()
    elif points.shape[1] == 2:
        keep = _frontier_2d(points)
    else:
        keep = _frontier_nd(points)
    front = idx[keep]
    order = np.lexsort((front, -u[front].sum(axis=1)))
    result: IndexArray = front[order].astype(np.int64)
    return result


def is_dominated(utilities: FloatArray, point: FloatArray) -> bool:
    """Whether some outcome dominates the utility vector ``point``."""
    u = np.asarray(utilities)
    p = np.asarray(point)
    return bool(np.any(np.all(u >= p, axis=1) & np.any(u > p, axis=1)))


def nash_point(utilities: FloatArray, frontier: IndexArray, disagreement: FloatArray) -> int | None:
    """Outcome maximising ``prod_i (U_i - d_i)`` over frontier points with every ``U_i >= d_i``."""
    u = utilities[frontier]
    gains = u - disagreement
    ok = np.all(gains >= 0, axis=1)
    if not ok.any():
        return None
    product = np.where(ok, np.prod(gains, axis=1), -np.inf)
    return int(frontier[int(np.argmax(product))])


def kalai_smorodinsky_point(
    utilities: FloatArray,
    frontier: IndexArray,
    disagreement: FloatArray,
    ideal: FloatArray,
) -> int | None:
    """Outcome maximising ``min_i (U_i - d_i) / (I_i - d_i)`` over frontier points with every
    ``U_i >= d_i`` (an agent with ``I_i == d_i`` counts as fully satisfied)."""
    u = utilities[frontier]
    gains = u - disagreement
    ok = np.all(gains >= 0, axis=1)
    if not ok.any():
        return None
    span = ideal - disagreement
    ratio = np.divide(gains, span, out=np.ones_like(gains), where=span > 0)
    score = np.where(ok, ratio.min(axis=1), -np.inf)
    return int(frontier[int(np.argmax(score))])


def max_welfare_point(utilities: FloatArray, frontier: IndexArray) -> int | None:
    """Outcome with the largest sum of utilities (always on the frontier)."""
    if frontier.size == 0:
        return None
    return int(frontier[int(np.argmax(utilities[frontier].sum(axis=1)))])


def distance_to_set(points: FloatArray, targets: FloatArray) -> FloatArray:
    """Euclidean distance (in utility space) from each row of ``points`` to the nearest row of
    ``targets``; NaN rows (no agreement) give NaN, an empty target set gives NaN."""
    p = np.atleast_2d(np.asarray(points, dtype=float))
    out = np.full(p.shape[0], np.inf)
    if targets.shape[0] == 0:
        return np.full(p.shape[0], np.nan)
    step = max(1, (1 << 20) // max(1, targets.shape[0] * p.shape[1]))
    for start in range(0, p.shape[0], step):
        block = p[start : start + step]
        d = np.sqrt(((block[:, None, :] - targets[None, :, :]) ** 2).sum(axis=2))
        out[start : start + step] = d.min(axis=1)
    return np.where(np.all(np.isfinite(p), axis=1), out, np.nan)


@dataclass(frozen=True, eq=False)
class OutcomeAnalysis:
    """The bargaining landscape of a problem. Indices are outcome indices (``None``: no point)."""

    outcome_count: int
    candidate_count: int
    frontier: IndexArray
    nash: int | None
    kalai_smorodinsky: int | None
    max_welfare: int | None
    disagreement: FloatArray
    ideal: FloatArray


def analyse_outcomes(
    utilities: FloatArray,
    reservation: FloatArray,
    candidates: BoolArray | None = None,
    disagreement: FloatArray | None = None,
) -> OutcomeAnalysis:
    """Frontier and bargaining points among ``candidates`` (e.g. the outcomes every agent
    accepts); the disagreement point defaults to the reservation values."""
    u = np.asarray(utilities, dtype=float)
    d = np.asarray(reservation if disagreement is None else disagreement, dtype=float)
    mask = np.all(np.isfinite(u), axis=1) if candidates is None else candidates
    count = int(np.count_nonzero(mask))
    if u.shape[1] >= 3 and count > MAX_FRONTIER_CANDIDATES:
        # the n-agent frontier scan compares every candidate with the frontier found so far
        raise BudgetError(
            f"the Pareto frontier of {count:,} outcomes among {u.shape[1]} agents is beyond the "
            f"limit of {MAX_FRONTIER_CANDIDATES:,} candidates: analyse the outcomes every agent "
            "accepts only, or use a coarser outcome space"
        )
    front = pareto_frontier(u, mask)
    ideal = u[mask].max(axis=0) if mask.any() else np.full(u.shape[1], np.nan)
    return OutcomeAnalysis(
        outcome_count=int(u.shape[0]),
        candidate_count=int(np.count_nonzero(mask)),
        frontier=front,
        nash=nash_point(u, front, d),
        kalai_smorodinsky=kalai_smorodinsky_point(u, front, d, ideal),
        max_welfare=max_welfare_point(u, front),
        disagreement=d,
        ideal=ideal,
    )
