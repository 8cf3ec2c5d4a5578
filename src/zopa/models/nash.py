"""The Nash bargaining solution as a forecast model (see :mod:`zopa.analysis.bargaining`)."""

from __future__ import annotations

import numpy as np

from zopa.analysis.bargaining import nash_product, nash_solution
from zopa.analysis.zone import issue_zones, option_boxes
from zopa.models.base import Forecast, ForecastModel, register
from zopa.scenario.arrays import ScenarioArrays


@register
class NashModel(ForecastModel):
    """Nash bargaining solution among the parties, BATNAs as the disagreement point.

    If the ZOPA is empty there is no solution: the outcome is NaN on every issue and
    ``diagnostics["feasible"]`` is false.
    """

    name = "nash"
    title = "Nash bargaining solution"
    reference = "Nash 1950, Econometrica 18(2); Harsanyi 1977, ch. 10"

    def _run(self, scenario: ScenarioArrays, rounds: int, rng: np.random.Generator) -> Forecast:
        index = scenario.members()
        low, high = (a[index] for a in scenario.acceptable_interval)
        zones = issue_zones(low, high, [scenario.actor_ids[i] for i in index], scenario.issue_ids)
        box_low = np.array([z[0] for z in zones])
        box_high = np.array([z[1] for z in zones])
        solution = None
        best = -np.inf
        # Issues with named options take one of their options: solve per combination, keep the best.
        for low_j, high_j in option_boxes(scenario.options, box_low, box_high):
            candidate = nash_solution(
                scenario.ideal_normalised[index],
                scenario.weights[index],
                scenario.prefers[index],
                scenario.batna[index],
                low_j,
                high_j,
                (scenario.link_matrix, scenario.link_bound) if scenario.n_links else None,
            )
            if candidate is None:
                continue
            value = nash_product(candidate.utility, scenario.batna[index])
            if value > best:
                best, solution = value, candidate
        parties = [scenario.actor_ids[i] for i in index]
        if solution is None:
            outcome = np.full(scenario.n_issues, np.nan)
            return self._static(
                scenario, outcome, feasible=False, parties=parties, degenerate=False
            )
        return self._static(
            scenario,
            scenario.denormalise(solution.package),
            feasible=True,
            parties=parties,
            degenerate=solution.degenerate,
        )
