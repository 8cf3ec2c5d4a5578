"""The Nash bargaining solution as a forecast model (see :mod:`zopa.analysis.bargaining`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from zopa.analysis.bargaining import NashSolution, nash_product, nash_solution
from zopa.analysis.options import OPTION_TOL
from zopa.analysis.zone import (
    Parties,
    best_on_grid,
    issue_zones,
    option_boxes,
    option_grid,
)
from zopa.models.base import Forecast, ForecastModel, register
from zopa.scenario.arrays import ScenarioArrays
from zopa.utility import BoolArray, FloatArray


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
        parties = Parties.of(scenario, index)
        valuation = parties.valuation
        solution = None
        best = -np.inf
        grid = option_grid(scenario.options, box_low, box_high) if valuation is not None else None
        if grid is not None:  # stated values on options only: every package, exactly
            solution = _best_package(parties, grid)
        boxes = option_boxes(scenario.options, box_low, box_high) if grid is None else []
        # Issues with named options take one of their options: solve per combination, keep the best.
        for low_j, high_j in boxes:
            candidate = nash_solution(
                parties, low_j, high_j,
                (scenario.link_matrix, scenario.link_bound) if scenario.n_links else None)
            if candidate is None:
                continue
            value = nash_product(candidate.utility, scenario.batna[index])
            if value > best:
                best, solution = value, candidate
        ids = [scenario.actor_ids[i] for i in index]
        if solution is None:
            outcome = np.full(scenario.n_issues, np.nan)
            return self._static(
                scenario, outcome, feasible=False, parties=ids, degenerate=False
            )
        return self._static(
            scenario,
            scenario.denormalise(solution.package),
            feasible=True,
            parties=ids,
            degenerate=solution.degenerate,
        )


def without_solution(options: Sequence[Sequence[str] | None], box_low: FloatArray,
                     box_high: FloatArray, valued: bool) -> BoolArray:
    """Where :class:`NashModel` certainly finds no package, from the red-line boxes alone.

    ``box_low``, ``box_high`` are the intersections of the parties' acceptable intervals
    (normalised, ``(..., m)``: one box a Monte Carlo draw), as the model computes them; the
    result is ``(...)``. True where a continuous issue's box is empty (every box the model tries
    keeps that issue's interval, and :func:`~zopa.analysis.bargaining.nash_solution` returns
    ``None`` on it) or, without stated values, where an issue with options has none inside its
    box (:func:`~zopa.analysis.zone.option_boxes` then gives no box). A draw not flagged may
    still have no solution (the zone across issues can be empty): the model decides it.
    """
    box_low, box_high = np.asarray(box_low, dtype=float), np.asarray(box_high, dtype=float)
    empty = np.zeros(box_low.shape[:-1], dtype=bool)
    for j, names in enumerate(options):
        if names is None:
            empty |= box_low[..., j] > box_high[..., j]
        elif not valued:  # the options option_boxes keeps, computed as it does
            with np.errstate(invalid="ignore", divide="ignore"):  # one option: 0 / 0
                v = np.arange(len(names)) / (len(names) - 1)
            inside = (v >= box_low[..., j, None] - OPTION_TOL) \
                & (v <= box_high[..., j, None] + OPTION_TOL)
            empty |= ~inside.any(axis=-1)
    return empty


def _best_package(parties: Parties, grid: list[np.ndarray]) -> NashSolution | None:
    """The package of the option grid with the largest Nash product among those that give every
    party a positive gain (what :func:`nash_solution` finds box by box, enumerated at once)."""

    def log_product(z: np.ndarray) -> np.ndarray:
        gain = parties.utility(z) - parties.batna
        ok = gain.min(axis=1) > 1e-9
        return np.where(ok, np.log(np.where(ok[:, None], gain, 1.0)).sum(axis=1), -np.inf)

    package, best = best_on_grid(grid, log_product)
    if best == -np.inf:
        return None
    return NashSolution(package, parties.utility(package), degenerate=False)
