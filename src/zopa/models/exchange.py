"""Stokman's exchange model with equal-gain exchange rates, as a forecast model.

Stokman & Van Oosten (1994) in Bueno de Mesquita & Stokman (eds.) *European Community Decision
Making*, ch. 5; Stokman & Van Oosten's equal-gain variant as implemented in decide
(github.com/foarsitter/decide-exchange-model), which this model reproduces to 1e-9 on decide's
sample data (tests/test_exchange.py). The arithmetic of one round is in
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
from zopa.models.base import Forecast, ForecastModel, register
from zopa.scenario.arrays import ScenarioArrays
from zopa.utility import FloatArray


def to_percent(values: FloatArray, lo: FloatArray, hi: FloatArray) -> FloatArray:
    """Issue units -> 0-100, as decide does: ``(x - lo) * (100 / (hi - lo))``."""
    return np.asarray((values - lo) * (100.0 / (hi - lo)), dtype=float)


def from_percent(values: FloatArray, lo: FloatArray, hi: FloatArray) -> FloatArray:
    """0-100 -> issue units."""
    return np.asarray(values / (100.0 / (hi - lo)) + lo, dtype=float)


def next_start(salience: FloatArray, start: FloatArray, voting: FloatArray) -> FloatArray:
    """Start position of the next round (decide's ``new_start_position``, weights 0.4 and 0.1)."""
    sw, fw = xr.SALIENCE_WEIGHT, xr.FIXED_WEIGHT
    return np.asarray(
        (1 - salience) * sw * voting + fw * voting + (1 - (1 - salience) * sw - fw) * start,
        dtype=float,
    )


def run_round(
    x: FloatArray, s: FloatArray, c: FloatArray
) -> tuple[FloatArray, FloatArray, list[dict[str, Any]]]:
    """One round on 0-100 positions ``x`` (n, m; NaN: no position), salience ``s``, power ``c``.

    Returns the voting positions after the exchanges, the next round's start positions and the
    realised exchanges in order.
    """
    state = xr.Issues.of(x, s, c)
    exchanges = xr.candidates(state)
    done = xr.realise(exchanges, state)
    voting, start = x.copy(), x.copy()
    if done:
        actor = np.array([d["actor"] for d in done]).reshape(-1)
        issue = np.array([d["supply"] for d in done]).reshape(-1)
        y = np.array([d["y"] for d in done]).reshape(-1)
        origin = np.array([d["round_start"] for d in done]).reshape(-1)
        # an actor-issue moved by several exchanges ends at the last one's voting position
        key = actor * x.shape[1] + issue
        _, last_rev = np.unique(key[::-1], return_index=True)
        last = key.size - 1 - last_rev
        a, k = actor[last], issue[last]
        voting[a, k] = y[last]
        start[a, k] = next_start(s[a, k], origin[last], y[last])
    return voting, start, done


@register
class ExchangeModel(ForecastModel):
    """Stokman's exchange model, equal-gain exchange rates (decide's EqualGain model)."""

    name = "exchange"
    title = "Exchange model (Stokman; equal gain)"
    reference = (
        "Stokman & Van Oosten 1994, European Community Decision Making ch. 5; "
        "decide-exchange-model (equal gain)"
    )
    dynamic = True
    default_rounds = 10

    def _run(self, scenario: ScenarioArrays, rounds: int, rng: np.random.Generator) -> Forecast:
        lo, hi = scenario.lo, scenario.hi
        s = scenario.salience
        c = np.broadcast_to(scenario.capability[:, None], s.shape)
        x = to_percent(scenario.ideal, lo, hi)
        n, m = x.shape
        positions = np.full((rounds + 1, n, m), np.nan)
        outcome = np.empty((rounds + 1, m))
        voting_outcome: list[dict[str, float]] = []
        positions[0] = scenario.ideal
        weights = np.where(np.isnan(x), 0.0, c * s)
        outcome[0] = self._outcome(x, weights, lo, hi)
        exchanges: list[dict[str, Any]] = []
        ids, issues = scenario.actor_ids, scenario.issue_ids
        for k in range(1, rounds + 1):
            voting, x, done = run_round(x, s, c)
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
