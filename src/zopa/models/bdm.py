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

:meth:`ExpectedUtilityModel.run_batch` runs many Monte Carlo draws of a scenario at once: the
same rounds with a leading draw axis in every array operation (:func:`issue_round_batch`), each
draw's outcomes equal to the last bit to those of :meth:`~ExpectedUtilityModel.run` on it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zopa.models import bdm_math as bm
from zopa.models.base import Forecast, ForecastModel, Param, register
from zopa.models.bdm_round import (
    PAPER,
    SCHOLZ_CODE,
    IssueRound,
    Setting,
    Variant,
    challenge_utilities,
    issue_round,
    issue_round_batch,
    security_levels,
    win_probabilities,
)
from zopa.scenario.arrays import ScenarioArrays
from zopa.utility import FloatArray

__all__ = [
    "PAPER",
    "SCHOLZ_CODE",
    "BdmModel",
    "BdmScholzModel",
    "ExpectedUtilityModel",
    "IssueRound",
    "Setting",
    "Variant",
    "challenge_utilities",
    "issue_round",
    "issue_round_batch",
    "security_levels",
    "win_probabilities",
]


class ExpectedUtilityModel(ForecastModel):
    """Shared driver: issues one by one, rounds one after another."""

    variant: Variant
    dynamic = True
    default_rounds = 10
    max_work = 1_000_000_000
    work_unit = "actor-pair-issue-rounds"

    @classmethod
    def work(cls, n_actors: int, n_issues: int, rounds: int) -> int:
        """Every pair of actors on every issue in every round (about 4 million a second)."""
        return n_actors * n_actors * n_issues * max(rounds, 1)

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
            if idx.size == 0:  # nobody to move (and no median for eq. 7)
                continue
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

    def run_batch(
        self,
        scenario: ScenarioArrays,
        ideal: FloatArray,
        salience: FloatArray,
        capability: FloatArray,
        *,
        rounds: int | None = None,
        every_round: bool = True,
    ) -> FloatArray:
        """The outcome after each round of ``D`` draws at once: ``(D, rounds + 1, m)``.

        Draw ``d`` is ``scenario`` with ``ideal[d]``, ``salience[d]`` (``(D, n, m)``) and
        ``capability[d]`` (``(D, n)``); its row equals ``run(draw, rounds=rounds).outcome`` to
        the last bit. The rounds run on all draws together (:func:`issue_round_batch`), which
        needs the same actors to hold a position on each issue in every draw; if the NaNs of
        ``ideal`` differ between draws, the draws run one by one. ``every_round=False`` gives
        the last round only, ``(D, 1, m)`` (with ``Q = 1`` the medians of the rounds between are
        then never computed).
        """
        steps = self._steps(scenario, rounds)
        d, n, m = ideal.shape
        out = np.empty((d, steps + 1 if every_round else 1, m))
        missing = np.isnan(ideal)
        if not (missing == missing[:1]).all():
            for k in range(d):
                draw = scenario.with_values(ideal=ideal[k], salience=salience[k],
                                            capability=capability[k])
                out[k] = self.run(draw, rounds=steps).outcome[-out.shape[1]:]
            return out
        per = max(1, bm.BLOCK_ELEMENTS // (16 * n * n + 1))  # bounds the (draws, n, n) arrays
        for first in range(0, d, per):
            part = slice(first, min(d, first + per))
            out[part] = self._batch(scenario, ideal[part], salience[part], capability[part],
                                    steps, every_round)
        return out

    def _batch(self, scenario: ScenarioArrays, ideal: FloatArray, salience: FloatArray,
               capability: FloatArray, rounds: int, every_round: bool) -> FloatArray:
        """:meth:`run_batch` on draws that share the NaNs of ``ideal``."""
        q, t, t_boundary = self._status_quo()
        tie = str(self.parameters.get("median_tie", "lower"))
        medians = every_round or q != 1.0  # eq. 7 needs each round's median unless Q = 1
        held = ~np.isnan(ideal[0])
        dx = self._widths(scenario, ideal)
        out = np.empty((ideal.shape[0], rounds + 1 if every_round else 1, scenario.n_issues))
        out[:] = (scenario.lo + scenario.hi) / 2.0  # issues nobody holds a position on
        for j in range(scenario.n_issues):
            idx = np.flatnonzero(held[:, j])
            if idx.size == 0:
                continue
            c, s = (np.ascontiguousarray(a) for a in (capability[:, idx], salience[:, idx, j]))
            x, w = np.ascontiguousarray(ideal[:, idx, j], dtype=float), c * s
            mu = bm.condorcet_positions(x, w, tie)  # the outcome of the round just done
            out[:, 0, j] = mu
            # a round depends on the positions alone (c, s, dx stay): a draw whose positions
            # did not change (to the bit) stays where it is, and leaves the batch
            going = np.arange(x.shape[0])
            for k in range(1, rounds + 1):
                if going.size:
                    before = x[going]
                    after = issue_round_batch(before, c[going], s[going], dx[going, j],
                                              self.variant, q, t, mu[going], t_boundary)[0]
                    moved = (after.view(np.int64) != before.view(np.int64)).any(axis=1)
                    going, after = going[moved], after[moved]
                    x[going] = after
                    if medians:
                        mu[going] = bm.condorcet_positions(after, w[going], tie)
                if every_round:
                    out[:, k, j] = mu
            if not every_round:
                out[:, 0, j] = mu if medians else bm.condorcet_positions(x, w, tie)
        return out

    def _widths(self, scenario: ScenarioArrays, ideal: FloatArray | None = None) -> FloatArray:
        """``dx`` per issue, ``(m,)``; ``(D, m)`` for ``ideal`` of ``D`` draws ``(D, n, m)``."""
        ideal = scenario.ideal if ideal is None else ideal
        if self.parameters.get("scale") == "issue":
            width = np.asarray(scenario.hi - scenario.lo, dtype=float)
            return np.broadcast_to(width, (*ideal.shape[:-2], width.size))
        held = ~np.isnan(ideal)
        top = np.where(held, ideal, -np.inf).max(axis=-2)
        bottom = np.where(held, ideal, np.inf).min(axis=-2)
        return np.where(held.any(axis=-2), top - bottom, 0.0)

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
class BdmModel(ExpectedUtilityModel):
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
class BdmScholzModel(ExpectedUtilityModel):
    """Expected-utility model as in Scholz's code (reproduces the published EU example)."""

    name = "bdm-scholz"
    title = "Expected-utility model (Bueno de Mesquita; Scholz's code)"
    reference = (
        "Scholz, Calbert & Smith 2011; "
        "replication github.com/jmckib/bdm-scholz-expected-utility-model"
    )
    variant = SCHOLZ_CODE
    params = (_SCALE,)
