"""Stokman's exchange model with equal-gain exchange rates, as a forecast model.

Stokman & Van Oosten (1994) in Bueno de Mesquita & Stokman (eds.) *European Community Decision
Making*, ch. 5; Stokman & Van Oosten's equal-gain variant as implemented in decide
(github.com/foarsitter/decide-exchange-model), which this model reproduces to 1e-9 on decide's
sample data for 10 rounds (tests/test_exchange.py) in its default ``precision=decimal``: the
decisions that decide's 28-digit decimals settle are taken in decimals
(:mod:`zopa.models.exchange_exact`). The arithmetic of one round is in
:mod:`zopa.models.exchange_round`; this module runs rounds and reports.

Each round: the outcome of every issue is the capability x salience weighted mean of the
positions (the compromise model, decide's "NBS"); every pair of actors on opposite sides of the
outcomes of two issues is a candidate exchange with equal gains; exchanges are realised highest
gain first; realised voting positions ``y`` then pull each actor's position for the next round:
``x' = (1 - (1 - s) 0.4 - 0.1) x + ((1 - s) 0.4 + 0.1) y``.

Positions are mapped to 0-100 on each issue's scale for the computation (decide's convention:
its validity rules use that scale) and mapped back for the result.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from zopa.models import exchange_round as xr
from zopa.models.base import Forecast, ForecastModel, Param, register
from zopa.scenario.arrays import ScenarioArrays
from zopa.utility import FloatArray


def from_percent(values: FloatArray, lo: FloatArray, hi: FloatArray) -> FloatArray:
    """0-100 -> issue units."""
    return np.asarray(values / (100.0 / (hi - lo)) + lo, dtype=float)


PRECISION = Param(
    "precision", str, "decimal",
    "decimal: decide's 28-digit decimal arithmetic wherever a decision depends on it (reproduces "
    "decide); float: binary64 throughout (exact ties then fall as binary rounding has it)",
    choices=("decimal", "float"),
)


@register
class ExchangeModel(ForecastModel):
    """Stokman's exchange model, equal-gain exchange rates (decide's EqualGain model)."""

    name = "exchange"
    title = "Exchange model (Stokman; equal gain)"
    reference = (
        "Stokman & Van Oosten 1994, European Community Decision Making ch. 5; "
        "decide-exchange-model (equal gain)"
    )
    params = (PRECISION,)
    dynamic = True
    default_rounds = 10
    max_work = 5_000_000  # the realisation loop is sequential: 60 x 8 (2.3e6) takes seconds
    work_unit = "actor-pair x issue-pair rounds"

    @classmethod
    def work(cls, n_actors: int, n_issues: int, rounds: int) -> int:
        """Every pair of actors may exchange on every pair of issues in every round."""
        return n_actors * n_actors * n_issues * n_issues * max(rounds, 1)

    def _setup(self, scenario: ScenarioArrays
               ) -> tuple[xr.Start, FloatArray, FloatArray, FloatArray]:
        """Round 0: the start (positions on 0-100), salience, power and outcome weights."""
        s = scenario.salience
        c = np.broadcast_to(scenario.capability[:, None], s.shape)
        precision: xr.Precision = "float" if self.parameters["precision"] == "float" else "decimal"
        start = xr.Start.of(scenario.ideal, scenario.lo, scenario.hi, precision)
        return start, s, c, np.where(np.isnan(start.x), 0.0, c * s)

    def run_batch(self, scenario: ScenarioArrays, ideal: FloatArray, salience: FloatArray,
                  capability: FloatArray, *, rounds: int | None = None) -> FloatArray:
        """The outcome after the last round of ``D`` draws: ``(D, m)``, each row equal to
        ``run(draw, rounds=rounds).final`` (draw ``d``: ``scenario`` with ``ideal[d]``,
        ``salience[d]`` ``(D, n, m)`` and ``capability[d]`` ``(D, n)``).

        Still a run a draw: a round realises the exchanges one after another, highest gain
        first, each changing the gains of those after it (and decide's decimal arithmetic
        settles near ties), so draws take different sequences of steps. What the batch saves is
        the run's checks, done once, and the report: no positions, voting outcomes or
        exchange records are built (a sixth to a third of a run on the examples, docs/models.md).
        """
        steps = self._steps(scenario, rounds)
        out = np.empty((ideal.shape[0], scenario.n_issues))
        for d in range(ideal.shape[0]):
            draw = scenario.with_values(ideal=ideal[d], salience=salience[d],
                                        capability=capability[d])
            start, s, c, weights = self._setup(draw)
            for _ in range(steps):
                start = xr.run_round(start, s, c).next
            out[d] = self._outcome(start.x, weights, draw.lo, draw.hi)
        return out

    def _run(self, scenario: ScenarioArrays, rounds: int, rng: np.random.Generator) -> Forecast:
        lo, hi = scenario.lo, scenario.hi
        start, s, c, weights = self._setup(scenario)
        x = start.x
        n, m = x.shape
        positions = np.full((rounds + 1, n, m), np.nan)
        outcome = np.empty((rounds + 1, m))
        voting_outcome: list[dict[str, float]] = []
        positions[0] = scenario.ideal
        outcome[0] = self._outcome(x, weights, lo, hi)
        exchanges: list[dict[str, Any]] = []
        ids, issues = scenario.actor_ids, scenario.issue_ids
        for k in range(1, rounds + 1):
            result = xr.run_round(start, s, c)
            start, x, voting, done = result.next, result.next.x, result.voting, result.exchanges
            for order, d in enumerate(done, start=1):
                exchanges.append(self._describe(k, order, d, ids, issues, lo, hi))
            positions[k] = from_percent(x, lo, hi)
            outcome[k] = self._outcome(x, weights, lo, hi)
            vo = self._outcome(voting, weights, lo, hi)
            voting_outcome.append({i: float(v) for i, v in zip(issues, vo, strict=True)})
        return Forecast(
            model=self.name,
            parameters=dict(self.parameters),
            actor_ids=ids,
            issue_ids=issues,
            positions=positions,
            outcome=outcome,
            diagnostics={
                "exchanges": exchanges,
                "exchanges_per_round": [
                    sum(1 for e in exchanges if e["round"] == k) for k in range(1, rounds + 1)
                ],
                "voting_outcome": voting_outcome,
            },
        )

    @staticmethod
    def _outcome(x: FloatArray, w: FloatArray, lo: FloatArray, hi: FloatArray) -> FloatArray:
        # nobody weighs the issue: decide reports 0 on its 0-100 scale, i.e. the scale's low end
        return from_percent(xr.outcome(x, w), lo, hi)

    @staticmethod
    def _describe(
        k: int, order: int, d: dict[str, Any], ids: tuple[str, ...], issues: tuple[str, ...],
        lo: FloatArray, hi: FloatArray,
    ) -> dict[str, Any]:
        sides = []
        for side in (0, 1):
            sup = d["supply"][side]
            sides.append(
                {
                    "actor": ids[d["actor"][side]],
                    "supply_issue": issues[sup],
                    "demand_issue": issues[d["supply"][1 - side]],
                    "from": float(from_percent(np.array(d["start"][side]), lo[sup], hi[sup])),
                    "to": float(from_percent(np.array(d["y"][side]), lo[sup], hi[sup])),
                    "from_percent": d["start"][side],
                    "to_percent": d["y"][side],
                }
            )
        return {"round": k, "order": order, "gain": d["gain"], "i": sides[0], "j": sides[1]}
