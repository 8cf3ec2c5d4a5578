"""Bueno de Mesquita's expected-utility model, after Scholz, Calbert & Smith (2011).

Two registered variants, which share everything but the lines listed in docs/models.md:

- ``bdm``: the equations of Scholz, Calbert & Smith (2011), J. Theoretical Politics 23(4)
  510-531: the probability of success is ``P_ij = sum_k max(0, v_k(i, j)) / sum_k |v_k(i, j)|``
  (so ``P_ij + P_ji = 1``); capitulation happens when the target's loss from resisting exceeds
  the challenger's gain; each actor accepts the offer that moves it least; the status quo can
  change (``Q``, ``T``).
- ``bdm-scholz``: the replication that follows Scholz's own code and reproduces the paper's
  published EU example (github.com/jmckib/bdm-scholz-expected-utility-model): the probability's
  denominator sums the votes over *every* pair of actors, capitulation never fires (a typo in the
  code compares a number with its own absolute value), confrontations are preferred to
  compromises, and compromises are ranked by a weighted position.

Each round, per issue, over the actors that hold a position on it (Scholz et al., Appendix):

1. risk: with every ``r = 1``, the security level ``S_i`` of each actor is the sum of the others'
   expected utilities of challenging it; ``r_i`` follows from ``S`` (Section 5);
2. with these ``r``, each actor ``i`` weighs, for every other position ``x_j``, its own expected
   utility of challenging ``j`` and (in its own eyes, with its own ``r``) ``j``'s of challenging
   ``i`` (Section 2.2); the pair is a confrontation, compromise or capitulation (Section 6);
3. each actor accepts one offer; all move at once. The forecast is the weighted median
   (Condorcet winner) of the new positions, weights capability x salience (Section 3.2).

``dx``, the width that distances are divided by, is the range of the positions held at round 0
(``--param scale=positions``, as both replications do) or the issue's scale (``scale=issue``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from zopa.models import bdm_math as bm
from zopa.models.base import Forecast, ForecastModel, Param, register
from zopa.models.compromise import weighted_median
from zopa.scenario.arrays import ScenarioArrays
from zopa.utility import FloatArray


@dataclass(frozen=True)
class Variant:
    """What distinguishes the two variants (see docs/models.md)."""

    pair_denominator: bool  # True: Scholz's code, votes over all actor pairs
    capitulation: bool  # False: Scholz's code, where capitulation never fires
    least_move: bool  # True: the paper (least change); False: type priority as in Scholz's code


PAPER = Variant(pair_denominator=False, capitulation=True, least_move=True)
SCHOLZ_CODE = Variant(pair_denominator=True, capitulation=False, least_move=False)


@dataclass
class IssueRound:
    """One issue's result of one round, over the issue's participants."""

    x: FloatArray
    r: FloatArray
    offers: list[dict[str, Any]] = field(default_factory=list)


def _probabilities(
    x: FloatArray, w: FloatArray, r: FloatArray, dx: float, variant: Variant
) -> tuple[FloatArray, FloatArray, np.ndarray]:
    """Distinct positions, ``P`` between them, and each actor's index into them."""
    u, where, counts = np.unique(x, return_inverse=True, return_counts=True)
    voters = bm.Voters.of(x, w, r)
    votes = bm.support(u, voters, dx)
    denominator = None
    if variant.pair_denominator:
        denominator = bm.all_pairs_votes(u, counts.astype(float), voters, dx)
    return u, bm.win_probability(votes, denominator=denominator), where


def security_levels(
    x: FloatArray, s: FloatArray, prob: FloatArray, where: np.ndarray, dx: float,
    q: float, t: float, mu: float,
) -> FloatArray:
    """``S_k = sum_{j != k} EU_j(challenge k)`` with every ``r = 1`` (Section 5), in row blocks."""
    n = x.size
    out = np.empty(n)
    ones = np.ones(1)
    for rows in bm.blocks(n, 4 * n):
        diff = np.abs(x[None, :] - x[rows, None])  # [k, j]
        spread = (np.abs(x[None, :] - mu) + diff) / dx if q != 1.0 else None
        dist = diff / dx
        eu = bm.expected_utility(
            prob[where[None, :], where[rows, None]],
            s[rows, None],
            bm.u_success(dist, ones),
            bm.u_failure(dist, ones),
            bm.no_challenge(q, t, ones, spread),
        )
        local = np.arange(rows.stop - rows.start)
        eu[local, local + rows.start] = 0.0  # nobody challenges itself
        out[rows] = eu.sum(axis=1)
    return out


def issue_round(
    x: FloatArray, c: FloatArray, s: FloatArray, dx: float, variant: Variant,
    q: float = 1.0, t: float = 1.0, mu: float | None = None,
) -> IssueRound:
    """One round of the model on one issue (see the module docstring); pure, vectorised."""
    n = x.size
    if n < 2 or dx <= 0 or np.all(x == x[0]):
        return IssueRound(x.copy(), np.ones(n))
    w = c * s
    centre = float(mu) if mu is not None else bm.condorcet_position(x, w)
    ones = np.ones(n)
    _, prob1, where = _probabilities(x, w, ones, dx, variant)
    r = bm.risk_exponents(security_levels(x, s, prob1, where, dx, q, t, centre))
    _, prob, where = _probabilities(x, w, r, dx, variant)

    new_x = x.copy()
    offers: list[dict[str, Any]] = []
    for rows in bm.blocks(n, 12 * n):
        choice, kind, target, eu_ij, eu_ji = _best_offers(
            x, s, r, prob, where, dx, q, t, centre, rows, variant
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
    dx: float, q: float, t: float, mu: float, rows: slice, variant: Variant,
) -> tuple[np.ndarray, np.ndarray, FloatArray, FloatArray, FloatArray]:
    """For receivers ``rows``: chosen proposer (-1: none), offer type, new position, both EUs."""
    xi = x[rows, None]
    ri = r[rows, None]
    diff = x[None, :] - xi
    dist = np.abs(diff) / dx
    if q != 1.0:
        sq_ij = bm.no_challenge(q, t, ri, (np.abs(xi - mu) + np.abs(diff)) / dx)
        sq_ji = bm.no_challenge(q, t, ri, (np.abs(x[None, :] - mu) + np.abs(diff)) / dx)
    else:
        sq_ij = sq_ji = bm.no_challenge(q, t, ri, None)
    # i's EU of challenging j, and (in i's eyes, with i's r) j's EU of challenging i
    us, uf = bm.u_success(dist, ri), bm.u_failure(dist, ri)
    p_ij = prob[where[rows, None], where[None, :]]
    p_ji = prob[where[None, :], where[rows, None]]
    eu_ij = bm.expected_utility(p_ij, s[None, :], us, uf, sq_ij)
    eu_ji = bm.expected_utility(p_ji, s[rows, None], us, uf, sq_ji)
    valid = diff != 0.0
    conf = valid & (eu_ji > eu_ij) & (eu_ij > 0.0)
    loses = valid & (eu_ji > 0.0) & (eu_ij < 0.0)
    comp = loses & (eu_ji > np.abs(eu_ij))
    cap = loses & (eu_ji < np.abs(eu_ij)) if variant.capitulation else np.zeros_like(loses)
    xj = np.broadcast_to(x[None, :], diff.shape)
    target = np.where(comp, xi + diff * np.abs(eu_ij / np.where(comp, eu_ji, 1.0)), xj)
    kind = np.select([conf, comp, cap], [bm.CONFRONTATION, bm.COMPROMISE, bm.CAPITULATION], bm.NONE)
    if variant.least_move:
        move = np.where(kind > 0, np.abs(target - xi), np.inf)
        least = move.min(axis=1, keepdims=True)
        # exact ties in movement: the lower new position, so the result is order-free
        choice = np.argmin(np.where(move == least, target, np.inf), axis=1)
        some = np.isfinite(least[:, 0])
    else:
        # Scholz's code: any confrontation first (closest), then compromises ranked by the
        # EU-weighted position, then capitulations (closest); first in actor order on ties.
        ai, aj = np.abs(eu_ij), np.abs(eu_ji)
        weighted = (ai * xi + aj * xj) / np.where(comp, ai + aj, 1.0)
        keys = [np.where(conf, np.abs(diff), np.inf), np.where(comp, weighted, np.inf),
                np.where(cap, np.abs(diff), np.inf)]
        has = [k.min(axis=1) < np.inf for k in keys]
        picks = [np.argmin(k, axis=1) for k in keys]
        choice = np.select(has, picks, 0)
        some = has[0] | has[1] | has[2]
    choice = np.where(some, choice, -1)
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
        q = float(self.parameters.get("q", 1.0))
        t = float(self.parameters.get("t", 1.0))
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
                step = issue_round(x, c, s, float(dx[j]), self.variant, q, t, mu)
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

    def _median(self, x: FloatArray, w: FloatArray) -> float:
        return bm.condorcet_position(x, w)

    def _outcomes(self, scenario: ScenarioArrays, x: FloatArray) -> FloatArray:
        weights = np.where(np.isnan(x), 0.0, scenario.capability[:, None] * scenario.salience)
        midpoint = (scenario.lo + scenario.hi) / 2.0
        return weighted_median(x, weights, midpoint)


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
        Param("t", float, 1.0, "T: probability that a changing status quo improves for the actor"),
        _SCALE,
    )

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        for key in ("q", "t"):
            if not 0.0 <= float(self.parameters[key]) <= 1.0:
                from zopa.errors import UsageError

                raise UsageError(f"parameter {key}: must lie in [0, 1]")


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

    def _outcomes(self, scenario: ScenarioArrays, x: FloatArray) -> FloatArray:
        out = (scenario.lo + scenario.hi) / 2.0
        for j in range(scenario.n_issues):
            held = ~np.isnan(x[:, j])
            if held.any():
                w = scenario.capability[held] * scenario.salience[held, j]
                out[j] = bm.condorcet_position(x[held, j], w)
        return np.asarray(out, dtype=float)
