"""One round of the expected-utility model on one issue, as array functions over actor pairs.

The two variants (``PAPER``, ``SCHOLZ_CODE``) differ only in the switches of :class:`Variant`;
:mod:`zopa.models.bdm` drives the rounds and issues. :func:`issue_round` is one scenario;
:func:`issue_round_batch` the same round on a batch of draws at once (actors ``(D, n)``), each
draw getting exactly the numbers :func:`issue_round` gives it. The per-actor and per-pair
formulas are in :mod:`zopa.models.bdm_math`; docs/models.md tables where the variants differ and
why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from zopa.models import bdm_math as bm
from zopa.utility import FloatArray


@dataclass(frozen=True)
class Variant:
    """What distinguishes the two variants (see docs/models.md)."""

    pair_denominator: bool  # True: Scholz's code, votes over all actor pairs
    capitulation: bool  # False: Scholz's code, where capitulation never fires
    vote_risk: bool  # True: Scholz's code, voter k's distances ^ r_k; False: eqs. 26-31
    own_risk: bool  # True: the paper, E^j(U_ji) with r_j; False: the receiver's r for both
    enforceable: bool  # True: Section 6.2; False: type priority as in Scholz's code


PAPER = Variant(
    pair_denominator=False, capitulation=True, vote_risk=False, own_risk=True, enforceable=True
)
SCHOLZ_CODE = Variant(
    pair_denominator=True, capitulation=False, vote_risk=True, own_risk=False, enforceable=False
)


@dataclass(frozen=True)
class Setting:
    """One issue's inputs to a round besides the actors: ``dx`` and eq. 7's ``Q``, ``T``, ``mu``.

    ``t=None`` sets ``T`` per pair from the geometry (:func:`bdm_math.t_per_pair`, with
    ``t_boundary`` where the median is as far from the actor as the other is); a number is one
    ``T`` for every pair. In a batch, ``dx`` and ``mu`` are ``(D, 1, 1)``: one a draw.
    """

    dx: float | FloatArray
    q: float = 1.0
    t: float | None = None
    t_boundary: float = 0.5
    mu: float | FloatArray = 0.0

    def no_challenge(self, own: FloatArray, other: FloatArray, r: FloatArray) -> FloatArray:
        """Eq. 7 for the actor at ``own`` facing the one at ``other`` (broadcast), with ``r``."""
        if self.q == 1.0:
            return bm.no_challenge(1.0, 1.0, r, None)
        to_mu = np.abs(own - self.mu)
        to_other = np.abs(own - other)
        t = bm.t_per_pair(to_mu, to_other, self.t_boundary) if self.t is None else self.t
        return bm.no_challenge(self.q, t, r, (to_mu + to_other) / self.dx)


@dataclass
class IssueRound:
    """One issue's result of one round, over the issue's participants."""

    x: FloatArray
    r: FloatArray
    offers: list[dict[str, Any]] = field(default_factory=list)


def win_probabilities(
    x: FloatArray, w: FloatArray, r: FloatArray, dx: float | FloatArray, variant: Variant
) -> tuple[FloatArray, FloatArray, np.ndarray]:
    """Distinct positions, ``P`` between them, and each actor's index into them.

    On a batch (``x``, ``w``, ``r`` ``(D, n)``, ``dx`` ``(D,)``) the positions are each actor's
    own, ``P`` is ``(D, n, n)`` (0 between equal positions, as between a position and itself)
    and the index is ``arange(n)``: the distinct positions differ from draw to draw.
    """
    voters = bm.Voters.of(x, w, r if variant.vote_risk else np.ones_like(r))
    if x.ndim > 1:
        every = _all_pairs_votes_batch(x, voters, dx) if variant.pair_denominator else None
        prob = bm.win_probability(bm.support(x, voters, dx), denominator=every)
        prob[x[..., :, None] == x[..., None, :]] = 0.0
        return x, prob, np.arange(x.shape[-1])
    u, where, counts = np.unique(x, return_inverse=True, return_counts=True)
    votes = bm.support(u, voters, dx)
    denominator = None
    if variant.pair_denominator:
        denominator = bm.all_pairs_votes(u, counts.astype(float), voters, dx)
    return u, bm.win_probability(votes, denominator=denominator), where


def _all_pairs_votes_batch(x: FloatArray, voters: bm.Voters, dx: float | FloatArray
                           ) -> FloatArray:
    """:func:`bdm_math.all_pairs_votes` of each draw over its distinct positions and their
    counts, draws with as many distinct positions together (so each sum runs as for one)."""
    xs = voters.x
    first = np.ones(xs.shape, dtype=bool)
    first[:, 1:] = xs[:, 1:] != xs[:, :-1]
    distinct = first.sum(axis=1)
    widths = np.broadcast_to(np.asarray(dx, dtype=float), distinct.shape)
    out = np.empty(distinct.shape)
    for p in np.unique(distinct):
        rows = distinct == p
        starts = np.nonzero(first[rows])[1].reshape(-1, p)
        ends = np.concatenate([starts[:, 1:], np.full((starts.shape[0], 1), xs.shape[1])], axis=1)
        u = xs[rows][first[rows]].reshape(-1, p)
        out[rows] = bm.all_pairs_votes(u, (ends - starts).astype(float), voters.take(rows),
                                       widths[rows])
    return out


def security_levels(
    x: FloatArray, s: FloatArray, prob: FloatArray, where: np.ndarray, setting: Setting
) -> FloatArray:
    """``S_k = sum_{j != k} EU_j(challenge k)`` with every ``r = 1`` (Section 5), in row blocks.

    Actors along the last axis of ``x``, ``s`` (``(..., n)``, see :func:`issue_round_batch`).
    """
    n = x.shape[-1]
    out = np.empty(x.shape)
    ones = np.ones(1)
    for rows in bm.blocks(n, 4 * x.size):
        xk, xj = x[..., rows, None], x[..., None, :]
        dist = np.abs(xj - xk) / setting.dx
        eu = bm.expected_utility(
            _pairs(prob, where, rows, against=True),
            s[..., rows, None],
            bm.u_success(dist, ones),
            bm.u_failure(dist, ones),
            setting.no_challenge(xj, xk, ones),
        )
        local = np.arange(rows.stop - rows.start)
        eu[..., local, local + rows.start] = 0.0  # nobody challenges itself
        out[..., rows] = eu.sum(axis=-1)
    return out


def _pairs(prob: FloatArray, where: np.ndarray, rows: slice, *, against: bool) -> FloatArray:
    """``P`` of receivers ``rows`` over every actor, ``(..., rows, n)``: ``P[i, j]``, or with
    ``against`` ``P[j, i]``. A batch's ``P`` is over the actors themselves (``where`` is
    ``arange(n)``, :func:`win_probabilities`): a view of it, not a gathered copy."""
    if prob.ndim > 2:
        return (np.swapaxes(prob, -1, -2) if against else prob)[..., rows, :]
    if against:
        return prob[..., where[None, :], where[rows, None]]
    return prob[..., where[rows, None], where[None, :]]


def challenge_utilities(
    x: FloatArray, s: FloatArray, r: FloatArray, prob: FloatArray, where: np.ndarray,
    setting: Setting, rows: slice, own_risk: bool,
) -> tuple[FloatArray, FloatArray]:
    """``E^i(U_ij)`` and ``E^j(U_ji)`` for receivers ``i`` in ``rows`` and every ``j``.

    Eqs. 5-7: the challenger values success and failure with its exponent, the target resists
    with probability equal to its own salience. With ``own_risk`` (the paper, Appendix step 7)
    ``E^j(U_ji)`` uses ``r_j``; without it (Scholz's code) ``i``'s ``r_i`` for both.
    """
    xi, xj = x[..., rows, None], x[..., None, :]
    ri = r[..., rows, None]
    rj = r[..., None, :] if own_risk else ri
    dist = np.abs(xj - xi) / setting.dx
    us, uf = bm.u_success(dist, ri), bm.u_failure(dist, ri)
    p_ij = _pairs(prob, where, rows, against=False)
    p_ji = _pairs(prob, where, rows, against=True)
    eu_ij = bm.expected_utility(p_ij, s[..., None, :], us, uf, setting.no_challenge(xi, xj, ri))
    if own_risk and rows.start == 0 and rows.stop == x.shape[-1]:
        return eu_ij, np.swapaxes(eu_ij, -1, -2)  # E^j(U_ji) is E^i(U_ij) with i, j swapped
    if own_risk:
        us, uf = bm.u_success(dist, rj), bm.u_failure(dist, rj)
    eu_ji = bm.expected_utility(p_ji, s[..., rows, None], us, uf,
                                setting.no_challenge(xj, xi, rj))
    return eu_ij, eu_ji


def issue_round(
    x: FloatArray, c: FloatArray, s: FloatArray, dx: float, variant: Variant,
    q: float = 1.0, t: float | None = None, mu: float | None = None, t_boundary: float = 0.5,
) -> IssueRound:
    """One round of the model on one issue (see the module docstring); pure, vectorised.

    ``q``, ``t``, ``t_boundary``: eq. 7 (see :class:`Setting`); ``mu``: the median (default: the
    Condorcet winner of ``x``, lower on a tie).
    """
    n = x.size
    if n < 2 or dx <= 0 or np.all(x == x[0]):
        return IssueRound(x.copy(), np.ones(n))
    w = c * s
    centre = float(mu) if mu is not None else bm.condorcet_position(x, w)
    setting = Setting(dx, q, t, t_boundary, centre)
    r, prob, where = _risk_and_probabilities(x, s, w, dx, setting, variant)

    new_x = x.copy()
    offers: list[dict[str, Any]] = []
    for rows in bm.blocks(n, 12 * n):
        choice, *pairs = _offers(x, s, r, prob, where, setting, rows, variant)
        pick = np.maximum(choice, 0)[:, None]
        kind, target, eu_ij, eu_ji = (np.take_along_axis(a, pick, axis=1)[:, 0] for a in pairs)
        for local in np.flatnonzero(choice >= 0):
            i, j = rows.start + int(local), int(choice[local])
            new_x[i] = target[local]
            offers.append(
                {
                    "actor": i,
                    "by": j,
                    "type": bm.OFFER_TYPES[int(kind[local])],
                    "from": float(x[i]),
                    "to": float(target[local]),
                    "eu_actor": float(eu_ij[local]),
                    "eu_challenger": float(eu_ji[local]),
                }
            )
    return IssueRound(new_x, r, offers)


def issue_round_batch(
    x: FloatArray, c: FloatArray, s: FloatArray, dx: FloatArray, variant: Variant,
    q: float = 1.0, t: float | None = None, mu: FloatArray | None = None,
    t_boundary: float = 0.5,
) -> tuple[FloatArray, FloatArray]:
    """:func:`issue_round` on ``D`` draws of one issue at once: new positions and ``r``, ``(D, n)``.

    ``x``, ``c``, ``s`` are ``(D, n)`` over the same actors in every draw; ``dx`` and ``mu``
    (default: each draw's Condorcet winner, lower on a tie) are ``(D,)``. Row ``d`` equals
    ``issue_round(x[d], c[d], s[d], dx[d], ...)`` (``.x`` and ``.r``) to the last bit; the offers
    are not listed.
    """
    # C order: a sum over the last axis then adds each row as the 1-D code does (pairwise)
    x, c, s = (np.ascontiguousarray(a, dtype=float) for a in (x, c, s))
    n = x.shape[1]
    if n < 2:
        return x.copy(), np.ones(x.shape)
    still = (dx <= 0) | np.all(x == x[:, :1], axis=1)  # issue_round returns these unchanged
    width = np.where(still, 1.0, dx)
    w = c * s
    centre = bm.condorcet_positions(x, w) if mu is None else mu
    setting = Setting(width[:, None, None], q, t, t_boundary, centre[:, None, None])
    # draws that stay still (all actors on one position) give 0/0 risk exponents; they are
    # computed with the others and their results thrown away below, so no warning for them
    with np.errstate(invalid="ignore", divide="ignore"):
        r, prob, where = _risk_and_probabilities(x, s, w, width, setting, variant)
        new_x = x.copy()
        for rows in bm.blocks(n, 12 * x.size):
            choice, _, target, _, _ = _offers(x, s, r, prob, where, setting, rows, variant)
            target = np.take_along_axis(target, np.maximum(choice, 0)[..., None],
                                        axis=-1)[..., 0]
            new_x[:, rows] = np.where(choice >= 0, target, x[:, rows])
    new_x[still] = x[still]
    r[still] = 1.0
    return new_x, r


def _risk_and_probabilities(
    x: FloatArray, s: FloatArray, w: FloatArray, dx: float | FloatArray, setting: Setting,
    variant: Variant,
) -> tuple[FloatArray, FloatArray, np.ndarray]:
    """Risk exponents from the security levels (Section 5), then ``P`` with them, and the index
    of each actor into ``P`` (:func:`win_probabilities`)."""
    _, prob1, where = win_probabilities(x, w, np.ones(x.shape), dx, variant)
    r = bm.risk_exponents(security_levels(x, s, prob1, where, setting))
    prob = win_probabilities(x, w, r, dx, variant)[1] if variant.vote_risk else prob1
    return r, prob, where


def _offers(
    x: FloatArray, s: FloatArray, r: FloatArray, prob: FloatArray, where: np.ndarray,
    setting: Setting, rows: slice, variant: Variant,
) -> tuple[np.ndarray, np.ndarray, FloatArray, FloatArray, FloatArray]:
    """For receivers ``rows``: the proposer each accepts (-1: none), ``(..., rows)``; and per
    pair ``(..., rows, n)`` the offer's type, the receiver's new position and both EUs."""
    eu_ij, eu_ji = challenge_utilities(x, s, r, prob, where, setting, rows, variant.own_risk)
    xi = x[..., rows, None]
    diff = x[..., None, :] - xi
    valid = diff != 0.0
    # Section 6, Fig. 6, from the receiver i's side: a = E^i(U_ij), b = E^j(U_ji)
    conf = valid & (eu_ji > eu_ij) & (eu_ij > 0.0)
    loses = valid & (eu_ji > 0.0) & (eu_ij < 0.0)
    comp = loses & (eu_ji > np.abs(eu_ij))
    cap = loses & (eu_ji < np.abs(eu_ij)) if variant.capitulation else np.zeros_like(loses)
    xj = np.broadcast_to(x[..., None, :], diff.shape)
    target = np.where(comp, xi + diff * np.abs(eu_ij / np.where(comp, eu_ji, 1.0)), xj)
    kind = np.select([conf, comp, cap], [bm.CONFRONTATION, bm.COMPROMISE, bm.CAPITULATION], bm.NONE)
    if variant.enforceable:
        choice = bm.accept_enforceable(kind, np.abs(target - xi), target, eu_ji)
    else:
        # Scholz's code: any confrontation first (closest), then compromises ranked by the
        # EU-weighted position, then capitulations (closest); first in actor order on ties.
        ai, aj = np.abs(eu_ij), np.abs(eu_ji)
        weighted = (ai * xi + aj * xj) / np.where(comp, ai + aj, 1.0)
        keys = [np.where(conf, np.abs(diff), np.inf), np.where(comp, weighted, np.inf),
                np.where(cap, np.abs(diff), np.inf)]
        has = [bm.row_reduce(np.minimum, k) < np.inf for k in keys]
        picks = [np.argmin(k, axis=-1) for k in keys]
        choice = np.where(has[0] | has[1] | has[2], np.select(has, picks, 0), -1)
    return choice, kind, target, eu_ij, eu_ji
