"""Whether the ZOPA exists on each draw, exactly as :func:`zopa.analysis.zone.analyse_zone` says.

``analyse_zone`` solves a linear programme per scenario: the largest smallest surplus
``best = max_z min_i U_i(z) - b_i`` over the packages ``z`` inside every member's red lines (and
the scenario's links, option by option), and calls the ZOPA non-empty iff ``best >= -1e-9``. At a
few milliseconds a programme that is too slow for many draws, so :func:`zone_exists` first brackets
``best`` on all draws at once and solves only the draws the bracket leaves open:

1. **Empty zone on an issue.** If the members' acceptable intervals do not overlap on some issue
   (the same test as ``analyse_zone``, on the same numbers), there is no ZOPA.
2. **Upper bound (weak duality).** For weights ``lam`` on the members (``sum lam = 1``),
   ``best <= sum_i lam_i (1 - b_i) - sum_j min_{z_j} sum_i lam_i w_ij loss_ij(z_j)``: the
   Lagrangian of the maximin programme with the links dropped and option issues relaxed to their
   interval; it separates by issue, and each issue's minimum is at a box end or a member's ideal
   point. The smallest bound over a lattice of ``lam`` is below ``-1e-9 - SAFETY``: no ZOPA.
3. **Lower bound (a package).** The maximiser of each ``lam``'s weighted utility (option issues at
   the options ``analyse_zone`` pins), every mixture of two neighbouring ones that agree on the
   options (two members: utilities are concave, so a mixture is worth at least the mixture of
   their worths), the middle of the box, and any ``anchors`` given, each kept only if it keeps
   the links: its smallest surplus is a lower bound of ``best``; at least ``-1e-9 + SAFETY``:
   a ZOPA.
4. **Descent.** For the draws still open with more than two members or with links,
   multiplicative weights on the members' surpluses and the links' slacks (:class:`_Descent`)
   tighten both bounds (the links' multipliers enter the Lagrangian as a linear term per issue,
   so it still separates), in rounds that drop the draws decided.

``SAFETY`` (1e-6) covers the solver's tolerances, so a screen never contradicts
``analyse_zone``. The bounds need zopa's distance utilities: where a member states values
(``values:``), only screen 1 applies; where ``analyse_zone`` treats options as a scale (more
than ``MAX_OPTION_PACKAGES`` combinations), only screens 1 and 2. Draws left open are solved by
``analyse_zone`` itself (on the examples with every number uncertain by +-10 %, a few per cent
of the draws with a zone on every issue).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from math import comb

import numpy as np

from zopa import utility as u
from zopa.analysis.zone import MAX_OPTION_PACKAGES, analyse_zone, member_valuation
from zopa.scenario.arrays import ScenarioArrays
from zopa.timeline.state import State
from zopa.utility import BoolArray, FloatArray

__all__ = ["SAFETY", "MemberView", "ZoneBatch", "member_index", "member_view", "zone_exists"]

SAFETY = 1e-6
"""How far beyond ``analyse_zone``'s threshold a bound must lie to decide a draw."""

_TOL = 1e-9  # analyse_zone's threshold
_MAX_WEIGHTS = 33  # points of the lattice of member weights
_BLOCK = 512  # draws screened together (bounds the screens' memory)
_STEPS = 40  # steps of the multiplicative-weights descent a round
_ROUNDS = 8  # rounds, each on the draws still open
_RATE = 4.0  # its first step's rate (per unit of surplus), shrinking as 1 / sqrt(step)


@dataclass(frozen=True, eq=False)
class ZoneBatch:
    """Result of :func:`zone_exists` over ``D`` draws.

    Attributes:
        members: the ``k`` members' ids.
        feasible: ``(D,)`` True iff the ZOPA is non-empty (with ``exact=False``, a guess where
            ``decided`` is False: the sign of the bracket's middle).
        decided: ``(D,)`` True where a screen or ``analyse_zone`` settled the draw.
        fallback: ``(D,)`` True where ``analyse_zone`` was run on the draw.
        lower, upper: ``(D,)`` the screens' bracket of the largest smallest surplus (``-inf``,
            ``inf`` where a bound is not known; ``upper = -inf`` where an issue's zone is empty).
        shortfall: ``(D, k)`` each member's shortfall at ``analyse_zone``'s package (the most
            balanced acceptable one, or the closest), only on the ``fallback`` draws; NaN
            elsewhere.
    """

    members: tuple[str, ...]
    feasible: BoolArray
    decided: BoolArray
    fallback: BoolArray
    lower: FloatArray
    upper: FloatArray
    shortfall: FloatArray

    @property
    def fallbacks(self) -> int:
        """How many draws were solved by ``analyse_zone``."""
        return int(self.fallback.sum())


@dataclass(frozen=True, eq=False)
class MemberView:
    """The members' numbers on every draw, normalised as :class:`ScenarioArrays` normalises
    them; computed once by :func:`member_view` and shared by the batched functions.

    Attributes:
        index: the members' indices into the actors ``(k,)``.
        ids: their ids.
        ideal: normalised ideal points ``(D, k, m)`` (0.5 where no position).
        low, high: the acceptable intervals ``(D, k, m)`` (normalised).
    """

    index: np.ndarray
    ids: tuple[str, ...]
    ideal: FloatArray
    low: FloatArray
    high: FloatArray


Members = Sequence[str] | np.ndarray | MemberView | None
"""Actor ids, indices into the actors (an integer array), a :class:`MemberView`, or ``None``
(the parties)."""


def member_index(base: ScenarioArrays, members: Members) -> np.ndarray:
    """Indices of the members (see :data:`Members`)."""
    if isinstance(members, MemberView):
        return members.index
    if isinstance(members, np.ndarray) and members.dtype.kind in "iu":
        return members
    return base.members(list(members) if members is not None else None)


def member_view(state: State, members: Members = None) -> MemberView:
    """The members' normalised ideal points and acceptable intervals on every draw."""
    if isinstance(members, MemberView):
        return members
    base = state.base
    index = member_index(base, members)
    x = base.normalise(state.ideal[:, index])
    ideal = np.where(x == x, x, 0.5)  # as ScenarioArrays.ideal_normalised (NaN: no position)
    low, high = u.acceptable_interval(ideal, base.normalise(state.red_line[:, index]))
    return MemberView(index, tuple(base.actor_ids[i] for i in index), ideal, low, high)


def zone_exists(
    state: State,
    members: Members = None,
    *,
    exact: bool = True,
    anchors: FloatArray | None = None,
) -> ZoneBatch:
    """Per draw, ``analyse_zone(state.arrays(d), members).feasible`` (see the module docstring).

    Args:
        state: the draws.
        members: actor ids, indices or a :class:`MemberView` (default: the parties).
        exact: solve the draws the screens leave open with ``analyse_zone``; if False, guess
            them from the bracket (``decided`` says which).
        anchors: extra candidate packages ``(a, m)`` in issue units (e.g. the point scenario's
            most balanced package) tried on every draw.
    """
    view = member_view(state, members)
    index, ids = view.index, view.ids
    d = state.draws
    empty = ~np.all(view.low.max(axis=1) <= view.high.min(axis=1) + _TOL, axis=1)
    lower, upper = np.full(d, -np.inf), np.where(empty, -np.inf, np.inf)
    rest = np.flatnonzero(~empty)  # only the draws with a zone on every issue need bounds
    for start in range(0, rest.size, _BLOCK):
        block = rest[start: start + _BLOCK]
        lower[block], upper[block] = margin_bounds(state.take(block), index, anchors)
    yes, no = lower >= -_TOL + SAFETY, upper < -_TOL - SAFETY
    decided = yes | no
    with np.errstate(invalid="ignore"):  # -inf + inf where nothing is known
        middle = np.where(np.isfinite(lower), (lower + upper) / 2.0, upper)
    feasible = yes | (~decided & (middle >= -_TOL))
    fallback = ~decided if exact else np.zeros(d, dtype=bool)
    shortfall = np.full((d, index.size), np.nan)
    for draw in np.flatnonzero(fallback).tolist():
        found = analyse_zone(state.arrays(draw), list(ids))
        feasible[draw], shortfall[draw] = found.feasible, found.shortfall
    return ZoneBatch(ids, feasible, decided | fallback, fallback, lower, upper, shortfall)


def margin_bounds(state: State, index: np.ndarray, anchors: FloatArray | None = None
                  ) -> tuple[FloatArray, FloatArray]:
    """Bounds ``(lower, upper)`` ``(D,)`` of ``analyse_zone``'s largest smallest surplus (see
    the module docstring; ``upper = -inf`` where an issue's zone is empty)."""
    base = state.base
    view = member_view(state, index)
    ideal, low, high = view.ideal, view.low, view.high
    box_low, box_high = low.max(axis=1), high.min(axis=1)
    empty = ~np.all(box_low <= box_high + _TOL, axis=1)
    lower = np.full(state.draws, -np.inf)
    upper = np.where(empty, -np.inf, np.inf)
    if member_valuation(base.valuation, index) is not None:
        return lower, upper
    top = np.maximum(box_high, box_low)
    weights = u.salience_weights(state.salience[:, index])
    prefers = base.prefers[index]
    batna = state.batna[:, index]
    lam = _weight_lattice(index.size)  # (k, L)

    # upper bound: per issue, candidates are the box's ends and the clipped ideal points
    ends = np.stack([box_low, top], axis=-1)
    inner = np.clip(np.swapaxes(ideal, 1, 2), box_low[..., None], top[..., None])
    relaxed = np.concatenate([ends, inner], axis=-1)  # (D, m, C)
    loss = _weighted_loss(relaxed, ideal, weights, prefers)  # (D, m, C, k)
    bound = (1.0 - batna) @ lam - (loss @ lam).min(axis=2).sum(axis=1)  # (D, L)
    upper = np.where(empty, -np.inf, bound.min(axis=1))

    # lower bound: packages, option issues at the options analyse_zone pins; where it treats
    # options as a scale (too many combinations), no package bound (its boxes differ)
    cand = _option_candidates(base, relaxed, box_low, top)
    pinned = np.prod([np.sum(~np.isnan(cand[:, j]), axis=-1)
                      for j, o in enumerate(base.options) if o is not None], axis=0)
    scale = np.asarray(pinned > MAX_OPTION_PACKAGES)
    loss = _weighted_loss(cand, ideal, weights, prefers)
    loss = np.where(np.isnan(loss), np.inf, loss)
    pick = np.argmin(np.nan_to_num(loss, posinf=1e6) @ lam, axis=2)  # (D, m, L)
    z = np.swapaxes(np.take_along_axis(cand, pick, axis=2), 1, 2)  # (D, L, m)
    worth = 1.0 - np.take_along_axis(loss, pick[..., None], axis=2).sum(axis=1)  # (D, L, k)
    surplus = worth - batna[:, None, :]
    valid = _keeps_links(base, z) & np.all(np.isfinite(z), axis=-1)
    best = np.where(valid, surplus.min(axis=-1), -np.inf).max(axis=1)
    best = np.maximum(best, _mixtures(base, z, surplus, valid))
    extra = [(box_low + top) / 2.0]
    if anchors is not None:
        extra += [np.broadcast_to(base.normalise(a), box_low.shape) for a in np.atleast_2d(anchors)]
    for package in extra:
        best = np.maximum(best, _package_margin(state, index, ideal, weights, package,
                                                box_low, top))
    best = np.where(scale, -np.inf, best)
    open_ = ~empty & ~scale & (best < -_TOL + SAFETY) & (upper >= -_TOL - SAFETY)
    rows = np.flatnonzero(open_) if index.size > 2 or base.n_links else np.zeros(0, dtype=int)
    descent = _Descent(base, cand[rows], loss[rows], batna[rows])
    active = np.arange(rows.size)
    for _ in range(_ROUNDS):  # rounds of steps on the draws still open
        if not active.size:
            break
        low, high, mean = descent.advance(active, _STEPS)
        at = rows[active]
        upper[at] = np.minimum(upper[at], high)
        best[at] = np.maximum(best[at], np.maximum(low, _package_margin(
            state.take(at), index, ideal[at], weights[at], mean, box_low[at], top[at])))
        active = active[(best[at] < -_TOL + SAFETY) & (upper[at] >= -_TOL - SAFETY)]
    return np.where(empty, -np.inf, best), upper


class _Descent:
    """Multiplicative weights on the members' surpluses and the links' slacks (the Lagrangian's
    multipliers), for draws ``(D,)`` whose candidates ``cand (D, m, C)`` carry the members'
    weighted losses ``loss (D, m, C, k)`` (``inf`` where no candidate).

    Each step's best response (per issue, among the candidates) gives an upper bound (weak
    duality: ``(sum_i lam_i) best <= max_z sum_i lam_i s_i(z) + sum_r mu_r slack_r(z)``) and, if
    it keeps the links, a package (lower bound); the weights then move to whoever is worst off.
    The mean of the best responses is a further candidate package (concave utilities).
    """

    def __init__(self, base: ScenarioArrays, cand: FloatArray, loss: FloatArray,
                 batna: FloatArray) -> None:
        d, m, _, k = loss.shape
        scale = np.abs(base.link_matrix).sum(axis=1) + 1e-12
        self.base, self.batna, self.k = base, batna, k
        self.a, self.b = base.link_matrix / scale[:, None], base.link_bound / scale
        self.at = np.nan_to_num(cand)
        self.blocked = np.where(np.isfinite(loss).all(axis=-1), 0.0, np.inf)  # (D, m, C)
        self.loss = np.where(np.isfinite(loss), loss, 0.0)
        self.weights = np.full((d, k + self.b.size), 1.0 / (k + self.b.size))
        self.total = np.zeros((d, m))
        self.steps = 0

    def advance(self, rows: np.ndarray, steps: int) -> tuple[FloatArray, FloatArray, FloatArray]:
        """``steps`` more steps on ``rows``: their bounds over these steps and mean package."""
        k, a, b = self.k, self.a, self.b
        at, blocked, loss, batna = self.at[rows], self.blocked[rows], self.loss[rows], \
            self.batna[rows]
        weights, total = self.weights[rows], self.total[rows]
        lower, upper = np.full(rows.size, -np.inf), np.full(rows.size, np.inf)
        for _ in range(steps):
            lam, mu = weights[:, :k], weights[:, k:]
            objective = np.einsum("dmck,dk->dmc", loss, lam) + blocked
            if b.size:
                objective = objective + (mu @ a)[:, :, None] * at
            pick = objective.argmin(axis=2)[..., None]  # (D, m, 1)
            z = np.take_along_axis(at, pick, axis=2)[..., 0]
            lost = np.take_along_axis(loss, pick[..., None], axis=2)[:, :, 0].sum(axis=1)
            surplus = 1.0 - lost - batna  # (D, k)
            slack = b - z @ a.T  # (D, R)
            value = (lam * surplus).sum(axis=1) + (mu * slack).sum(axis=1)
            share = lam.sum(axis=1)
            upper = np.minimum(upper, np.where(share > 1e-9, value / np.maximum(share, 1e-9),
                                               np.inf))
            real = np.all(np.take_along_axis(blocked, pick, axis=2) == 0, axis=(1, 2))
            keeps = real & _keeps_links(self.base, z)
            lower = np.maximum(lower, np.where(keeps, surplus.min(axis=1), -np.inf))
            total += z
            self.steps += 1
            gains = np.concatenate([surplus, slack], axis=1)
            rate = _RATE / np.sqrt(self.steps)
            weights = weights * np.exp(-rate * (gains - gains.min(axis=1, keepdims=True)))
            weights /= weights.sum(axis=1, keepdims=True)
        self.weights[rows], self.total[rows] = weights, total
        return lower, upper, total / self.steps


@lru_cache(maxsize=32)
def _weight_lattice(k: int) -> FloatArray:
    """``(k, L)`` weights on the simplex: the finest lattice ``i / r`` of at most
    :data:`_MAX_WEIGHTS` points, in stars-and-bars order (neighbours are close), plus equal
    weights."""
    if k <= 1:
        return np.ones((k, 1))
    r = 1
    while comb(r + k, k - 1) <= _MAX_WEIGHTS:
        r += 1
    points = []
    for bars in combinations(range(r + k - 1), k - 1):
        edges = (-1, *bars, r + k - 1)
        points.append([edges[i + 1] - edges[i] - 1 for i in range(k)])
    out = np.array(points, dtype=float).T / r
    if not np.any(np.all(np.isclose(out, 1.0 / k), axis=0)):
        out = np.concatenate([out, np.full((k, 1), 1.0 / k)], axis=1)
    return out


def _weighted_loss(cand: FloatArray, ideal: FloatArray, weights: FloatArray,
                   prefers: np.ndarray) -> FloatArray:
    """``w_ij loss_ij(c)`` at candidate values ``(D, m, C)`` of each issue: ``(D, m, C, k)``."""
    x = np.swapaxes(ideal, 1, 2)[:, :, None, :]  # (D, m, 1, k)
    diff = cand[..., None] - x
    shape = prefers.T[None, :, None, :]
    loss = np.where(shape == u.MORE, np.maximum(-diff, 0.0),
                    np.where(shape == u.LESS, np.maximum(diff, 0.0), np.abs(diff)))
    return np.asarray(loss * np.swapaxes(weights, 1, 2)[:, :, None, :], dtype=float)


def _option_candidates(base: ScenarioArrays, relaxed: FloatArray, box_low: FloatArray,
                       top: FloatArray) -> FloatArray:
    """Candidate values ``(D, m, C')``: an option issue's options inside the box widened by
    1e-9, as ``analyse_zone`` pins them (NaN for the others), a continuous issue's relaxed
    candidates."""
    counts = [len(o) if o is not None else 0 for o in base.options]
    width = max(relaxed.shape[2], *counts)
    grid = np.full((len(counts), width), np.nan)
    for j, c in enumerate(counts):
        grid[j, :c] = np.arange(c) / (c - 1) if c else np.nan
    is_option = np.array(counts) > 0
    inside = (grid >= box_low[..., None] - _TOL) & (grid <= top[..., None] + _TOL)
    options = np.where(inside, grid, np.nan)
    pad = np.full((*relaxed.shape[:2], width - relaxed.shape[2]), np.nan)
    continuous = np.concatenate([relaxed, pad], axis=2)
    return np.where(is_option[None, :, None], options, continuous)


def _keeps_links(base: ScenarioArrays, z: FloatArray) -> BoolArray:
    """``(...)`` True where the packages ``(..., m)`` keep every link row (no tolerance)."""
    if not base.n_links:
        return np.ones(z.shape[:-1], dtype=bool)
    with np.errstate(invalid="ignore"):
        return np.asarray(np.all(z @ base.link_matrix.T <= base.link_bound, axis=-1), dtype=bool)


def _mixtures(base: ScenarioArrays, z: FloatArray, surplus: FloatArray, valid: BoolArray
              ) -> FloatArray:
    """Lower bound from mixtures of neighbouring candidates ``z[:, l]`` and ``z[:, l + 1]`` that
    agree on the option issues and both keep the links, for two members: ``(D,)``.

    Utilities are concave, so at ``t z_a + (1 - t) z_b`` member ``i``'s surplus is at least
    ``b_i + t (a_i - b_i)`` (``a``, ``b``: its surpluses at the two); the smaller of two such
    lines is largest at an end or where they cross.
    """
    if z.shape[1] < 2 or surplus.shape[-1] != 2:
        return np.full(z.shape[0], -np.inf)
    is_option = np.array([o is not None for o in base.options])
    same = np.all(z[:, :-1, is_option] == z[:, 1:, is_option], axis=-1)
    ok = same & valid[:, :-1] & valid[:, 1:]
    a, b = surplus[:, :-1], surplus[:, 1:]  # (D, L - 1, 2)
    slope = a - b
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (b[..., 1] - b[..., 0]) / (slope[..., 0] - slope[..., 1])
    t = np.where(np.isfinite(t), np.clip(t, 0.0, 1.0), 0.0)
    cross = np.minimum(b[..., 0] + t * slope[..., 0], b[..., 1] + t * slope[..., 1])
    ends = np.maximum(a.min(axis=-1), b.min(axis=-1))
    return np.asarray(np.where(ok, np.maximum(cross, ends), -np.inf).max(axis=1), dtype=float)


def _package_margin(state: State, index: np.ndarray, ideal: FloatArray, weights: FloatArray,
                    package: FloatArray, box_low: FloatArray, top: FloatArray) -> FloatArray:
    """Smallest surplus at one normalised package a draw ``(D, m)`` (option issues snapped to
    the nearest option), ``-inf`` where it leaves the box or breaks a link."""
    base = state.base
    z = np.array(package, dtype=float)
    for j, names in enumerate(base.options):
        if names is not None:
            steps = len(names) - 1
            z[:, j] = np.rint(z[:, j] * steps) / steps
    inside = np.all((z >= box_low) & (z <= top), axis=-1) & _keeps_links(base, z)
    worth = u.utility(z[:, None, :], ideal, weights, base.prefers[index])[:, 0]
    return np.where(inside, (worth - state.batna[:, index]).min(axis=-1), -np.inf)
