"""Bueno de Mesquita's expected-utility model, after Scholz, Calbert & Smith (2011).

Two registered variants, which share everything but the lines listed in docs/models.md:

- ``bdm``: the equations of Scholz, Calbert & Smith (2011), "Unravelling Bueno de Mesquita's
  group decision model" (ICAART 2011; J. Theoretical Politics 23(4) 510-531): votes between
  positions weigh straight-line distances (eqs. 26-31), so ``P_ij + P_ji = 1``; each side of a
  pair values a challenge with its own risk exponent (Appendix step 7, Fig. 6); ``T`` is set
  per pair by where the median lies (eq. 7, Figs. 1-4); capitulation happens when the target's
  loss from resisting exceeds the challenger's gain; each actor concedes to the proposer with
  the highest expected utility and, among equally enforceable ones, moves the least (Section
  6.2); the median is a held position (Appendix step 3).
- ``bdm-scholz``: the replication that follows Scholz's own code and reproduces the paper's
  published EU example (github.com/jmckib/bdm-scholz-expected-utility-model): the probability's
  denominator sums the votes over *every* pair of actors, voters weigh distances with their
  own risk exponent, both sides of a pair are valued with the receiver's exponent, capitulation
  never fires (a typo in the code compares a number with its own absolute value),
  confrontations are preferred to compromises, and compromises are ranked by a weighted
  position.

Each round, per issue, over the actors that hold a position on it (Scholz et al., Appendix):

1. risk: with every ``r = 1``, the security level ``S_i`` of each actor is the sum of the others'
   expected utilities of challenging it; ``r_i`` follows from ``S`` (Section 5);
2. with these ``r``, for every pair, ``i``'s expected utility of challenging ``j`` and ``j``'s
   of challenging ``i`` (Section 2.2); the pair is a confrontation, compromise or capitulation
   (Section 6);
3. each actor accepts one offer; all move at once. The forecast is the Condorcet winner among
   the new positions, weights capability x salience (Section 3.2).

``dx``, the width that distances are divided by, is the range of the positions held at round 0
(``--param scale=positions``, as both replications do) or the issue's scale (``scale=issue``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from zopa.models import bdm_math as bm
from zopa.models.base import Forecast, ForecastModel, Param, register
from zopa.scenario.arrays import ScenarioArrays
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
    ``T`` for every pair.
    """

    dx: float
    q: float = 1.0
    t: float | None = None
    t_boundary: float = 0.5
    mu: float = 0.0

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
    x: FloatArray, w: FloatArray, r: FloatArray, dx: float, variant: Variant
) -> tuple[FloatArray, FloatArray, np.ndarray]:
    """Distinct positions, ``P`` between them, and each actor's index into them."""
    u, where, counts = np.unique(x, return_inverse=True, return_counts=True)
    voters = bm.Voters.of(x, w, r if variant.vote_risk else np.ones_like(r))
    votes = bm.support(u, voters, dx)
    denominator = None
    if variant.pair_denominator:
        denominator = bm.all_pairs_votes(u, counts.astype(float), voters, dx)
    return u, bm.win_probability(votes, denominator=denominator), where


def security_levels(
    x: FloatArray, s: FloatArray, prob: FloatArray, where: np.ndarray, setting: Setting
) -> FloatArray:
    """``S_k = sum_{j != k} EU_j(challenge k)`` with every ``r = 1`` (Section 5), in row blocks."""
    n = x.size
    out = np.empty(n)
    ones = np.ones(1)
    for rows in bm.blocks(n, 4 * n):
        xk, xj = x[rows, None], x[None, :]
        dist = np.abs(xj - xk) / setting.dx
        eu = bm.expected_utility(
            prob[where[None, :], where[rows, None]],
            s[rows, None],
            bm.u_success(dist, ones),
            bm.u_failure(dist, ones),
            setting.no_challenge(xj, xk, ones),
        )
        local = np.arange(rows.stop - rows.start)
        eu[local, local + rows.start] = 0.0  # nobody challenges itself
        out[rows] = eu.sum(axis=1)
    return out


def challenge_utilities(
    x: FloatArray, s: FloatArray, r: FloatArray, prob: FloatArray, where: np.ndarray,
    setting: Setting, rows: slice, own_risk: bool,
) -> tuple[FloatArray, FloatArray]:
    """``E^i(U_ij)`` and ``E^j(U_ji)`` for receivers ``i`` in ``rows`` and every ``j``.

    Eqs. 5-7: the challenger values success and failure with its exponent, the target resists
    with probability equal to its own salience. With ``own_risk`` (the paper, Appendix step 7)
    ``E^j(U_ji)`` uses ``r_j``; without it (Scholz's code) ``i``'s ``r_i`` for both.
    """
    xi, xj = x[rows, None], x[None, :]
    ri = r[rows, None]
    rj = r[None, :] if own_risk else ri
    dist = np.abs(xj - xi) / setting.dx
    us, uf = bm.u_success(dist, ri), bm.u_failure(dist, ri)
    p_ij = prob[where[rows, None], where[None, :]]
    p_ji = prob[where[None, :], where[rows, None]]
    eu_ij = bm.expected_utility(p_ij, s[None, :], us, uf, setting.no_challenge(xi, xj, ri))
    if own_risk:
        us, uf = bm.u_success(dist, rj), bm.u_failure(dist, rj)
    eu_ji = bm.expected_utility(p_ji, s[rows, None], us, uf, setting.no_challenge(xj, xi, rj))
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
    _, prob1, where = win_probabilities(x, w, np.ones(n), dx, variant)
    r = bm.risk_exponents(security_levels(x, s, prob1, where, setting))
    prob = win_probabilities(x, w, r, dx, variant)[1] if variant.vote_risk else prob1

    new_x = x.copy()
    offers: list[dict[str, Any]] = []
    for rows in bm.blocks(n, 12 * n):
        choice, kind, target, eu_ij, eu_ji = _best_offers(
            x, s, r, prob, where, setting, rows, variant
        )
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


def _best_offers(
    x: FloatArray, s: FloatArray, r: FloatArray, prob: FloatArray, where: np.ndarray,
    setting: Setting, rows: slice, variant: Variant,
) -> tuple[np.ndarray, np.ndarray, FloatArray, FloatArray, FloatArray]:
    """For receivers ``rows``: chosen proposer (-1: none), offer type, new position, both EUs."""
    eu_ij, eu_ji = challenge_utilities(x, s, r, prob, where, setting, rows, variant.own_risk)
    xi = x[rows, None]
    diff = x[None, :] - xi
    valid = diff != 0.0
    # Section 6, Fig. 6, from the receiver i's side: a = E^i(U_ij), b = E^j(U_ji)
    conf = valid & (eu_ji > eu_ij) & (eu_ij > 0.0)
    loses = valid & (eu_ji > 0.0) & (eu_ij < 0.0)
    comp = loses & (eu_ji > np.abs(eu_ij))
    cap = loses & (eu_ji < np.abs(eu_ij)) if variant.capitulation else np.zeros_like(loses)
    xj = np.broadcast_to(x[None, :], diff.shape)
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
        has = [k.min(axis=1) < np.inf for k in keys]
        picks = [np.argmin(k, axis=1) for k in keys]
        choice = np.where(has[0] | has[1] | has[2], np.select(has, picks, 0), -1)
    pick = np.maximum(choice, 0)[:, None]
    return (
        choice,
        np.take_along_axis(kind, pick, axis=1)[:, 0],
        np.take_along_axis(target, pick, axis=1)[:, 0],
        np.take_along_axis(eu_ij, pick, axis=1)[:, 0],
        np.take_along_axis(eu_ji, pick, axis=1)[:, 0],
    )


class _ExpectedUtility(ForecastModel):
    """Shared driver: issues one by one, rounds one after another."""

    variant: Variant
    dynamic = True
    default_rounds = 10

    def _run(self, scenario: ScenarioArrays, rounds: int, rng: np.random.Generator) -> Forecast:
        n, m = scenario.n_actors, scenario.n_issues
        q, t, t_boundary = self._status_quo()
        positions = np.full((rounds + 1, n, m), np.nan)
        positions[0] = scenario.ideal
        risk = np.ones((rounds + 1, n, m))
        challenges: list[dict[str, Any]] = []
        held = ~np.isnan(scenario.ideal)
        dx = self._widths(scenario)
        for j in range(m):
            idx = np.flatnonzero(held[:, j])
            c, s = scenario.capability[idx], scenario.salience[idx, j]
            x = scenario.ideal[idx, j].astype(float)
            for k in range(1, rounds + 1):
                mu = self._median(x, c * s) if q != 1.0 else None
                step = issue_round(x, c, s, float(dx[j]), self.variant, q, t, mu, t_boundary)
                for offer in step.offers:
                    challenges.append(
                        {
                            "round": k,
                            "issue": scenario.issue_ids[j],
                            **offer,
                            "actor": scenario.actor_ids[idx[offer["actor"]]],
                            "by": scenario.actor_ids[idx[offer["by"]]],
                        }
                    )
                x = step.x
                positions[k, idx, j] = x
                risk[k, idx, j] = step.r
        outcome = np.stack([self._outcomes(scenario, positions[k]) for k in range(rounds + 1)])
        counts = {kind: sum(1 for c in challenges if c["type"] == kind)
                  for kind in bm.OFFER_TYPES.values()}
        return Forecast(
            model=self.name,
            parameters=dict(self.parameters),
            actor_ids=scenario.actor_ids,
            issue_ids=scenario.issue_ids,
            positions=positions,
            outcome=outcome,
            diagnostics={
                "scale_width": {i: float(w) for i, w in zip(scenario.issue_ids, dx, strict=True)},
                "challenges": challenges,
                "challenge_counts": counts,
                "risk": [
                    {
                        "round": k,
                        "r": {
                            a: {
                                i: float(risk[k, ai, ji])
                                for ji, i in enumerate(scenario.issue_ids)
                                if held[ai, ji]
                            }
                            for ai, a in enumerate(scenario.actor_ids)
                        },
                    }
                    for k in range(1, rounds + 1)
                ],
            },
        )

    def _widths(self, scenario: ScenarioArrays) -> FloatArray:
        if self.parameters.get("scale") == "issue":
            return np.asarray(scenario.hi - scenario.lo, dtype=float)
        ideal = scenario.ideal
        held = ~np.isnan(ideal)
        top = np.where(held, ideal, -np.inf).max(axis=0)
        bottom = np.where(held, ideal, np.inf).min(axis=0)
        return np.where(held.any(axis=0), top - bottom, 0.0)

    def _status_quo(self) -> tuple[float, float | None, float]:
        """``Q``, ``T`` (None: per pair) and ``T`` on the boundary; Scholz's code has ``Q = 1``."""
        return 1.0, 1.0, 0.5

    def _median(self, x: FloatArray, w: FloatArray) -> float:
        tie = str(self.parameters.get("median_tie", "lower"))
        return bm.condorcet_position(x, w, tie)

    def _outcomes(self, scenario: ScenarioArrays, x: FloatArray) -> FloatArray:
        """Per issue, the Condorcet winner of the held positions; the scale's midpoint if none."""
        out = (scenario.lo + scenario.hi) / 2.0
        for j in range(scenario.n_issues):
            held = ~np.isnan(x[:, j])
            if held.any():
                w = scenario.capability[held] * scenario.salience[held, j]
                out[j] = self._median(x[held, j], w)
        return np.asarray(out, dtype=float)


_SCALE = Param(
    "scale", str, "positions",
    "width distances are divided by: range of the round-0 positions, or the issue's scale",
    choices=("positions", "issue"),
)


@register
class BdmModel(_ExpectedUtility):
    """Expected-utility model with the equations of Scholz, Calbert & Smith (2011)."""

    name = "bdm"
    title = "Expected-utility model (Bueno de Mesquita; Scholz et al. 2011 equations)"
    reference = "Scholz, Calbert & Smith 2011, J. Theoretical Politics 23(4) 510-531"
    variant = PAPER
    params = (
        Param("q", float, 1.0, "Q: probability that the status quo holds absent a challenge"),
        Param(
            "t", str, "pair",
            "T: 'pair' sets it per pair from where the median lies (eq. 7, Figs. 1-4); "
            "a number in [0, 1] is one T for every pair",
        ),
        Param(
            "t_boundary", float, 0.5,
            "T of a pair whose median is exactly as far from the actor as the other actor is "
            "(the paper's cases leave it open)",
        ),
        Param(
            "median_tie", str, "lower",
            "held position the median takes when the weight splits exactly in half "
            "(the paper leaves it open)",
            choices=("lower", "upper"),
        ),
        _SCALE,
    )

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        from zopa.errors import UsageError

        t = str(self.parameters["t"])
        if t != "pair":
            try:
                value = float(t)
            except ValueError:
                raise UsageError(f"parameter t: {t!r} is neither 'pair' nor a number") from None
            if not 0.0 <= value <= 1.0:
                raise UsageError("parameter t: must be 'pair' or lie in [0, 1]")
        for key in ("q", "t_boundary"):
            if not 0.0 <= float(self.parameters[key]) <= 1.0:
                raise UsageError(f"parameter {key}: must lie in [0, 1]")

    def _status_quo(self) -> tuple[float, float | None, float]:
        t = str(self.parameters["t"])
        return (
            float(self.parameters["q"]),
            None if t == "pair" else float(t),
            float(self.parameters["t_boundary"]),
        )


@register
class BdmScholzModel(_ExpectedUtility):
    """Expected-utility model as in Scholz's code (reproduces the published EU example)."""

    name = "bdm-scholz"
    title = "Expected-utility model (Bueno de Mesquita; Scholz's code)"
    reference = (
        "Scholz, Calbert & Smith 2011; "
        "replication github.com/jmckib/bdm-scholz-expected-utility-model"
    )
    variant = SCHOLZ_CODE
    params = (_SCALE,)
