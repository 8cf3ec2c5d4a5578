"""ZOPA analysis and the Nash bargaining solution."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from arrays_strategies import make_arrays, package_grid, scenario_arrays
from zopa import utility as u
from zopa.analysis.bargaining import nash_product, nash_solution
from zopa.analysis.packages import Parties
from zopa.analysis.zone import analyse_zone
from zopa.models.base import make_model
from zopa.scenario.arrays import ScenarioArrays

TOL = 1e-6


def two_party(
    batna: tuple[float, float], red: tuple[float, float] = (np.nan, np.nan)
) -> ScenarioArrays:
    """Two parties a0, a1; one issue on 0-100, ideals 0 and 100: U_a0 = 1 - z, U_a1 = z."""
    return make_arrays(
        np.array([[0.0], [100.0]]), np.ones((2, 1)), hi=100.0, batna=np.array(batna),
        red_line=np.array([[red[0]], [red[1]]]),
    )


def test_split_the_difference() -> None:
    s = two_party((0.2, 0.2))
    zone = analyse_zone(s)
    assert zone.feasible
    assert zone.issues[0].low == 0 and zone.issues[0].high == 100
    assert zone.package[0] == pytest.approx(50.0)
    assert zone.margin == pytest.approx(0.3)
    nash = make_model("nash").run(s).final
    assert nash[0] == pytest.approx(50.0, abs=1e-4)


def test_asymmetric_batnas_move_the_nash_solution() -> None:
    # max (1 - z - 0.4)(z - 0.1): z = 0.35
    nash = make_model("nash").run(two_party((0.4, 0.1))).final
    assert nash[0] == pytest.approx(35.0, abs=1e-4)


def test_incompatible_red_lines_empty_zone() -> None:
    s = two_party((0.0, 0.0), red=(30.0, 60.0))  # a0 accepts <= 30, a1 accepts >= 60
    zone = analyse_zone(s)
    assert not zone.feasible
    assert zone.issues[0].empty
    assert zone.issues[0].low_set_by == ("a1",) and zone.issues[0].high_set_by == ("a0",)
    # the closest package splits the 0.3 gap: each side crosses its red line by 0.15
    assert zone.package[0] == pytest.approx(45.0, abs=1e-6)
    assert zone.violation == pytest.approx([0.15, 0.15], abs=1e-6)
    assert np.isnan(make_model("nash").run(s).final).all()


def test_batnas_too_high_empty_zone() -> None:
    zone = analyse_zone(two_party((0.7, 0.6)))
    assert not zone.feasible
    # U_a + U_b = 1 < 1.3: shortfalls 0.15 each at z = 0.45 (minimises the larger shortfall)
    assert zone.shortfall == pytest.approx([0.15, 0.15], abs=1e-6)
    assert zone.package[0] == pytest.approx(45.0, abs=1e-4)


def test_named_subset() -> None:
    zone = analyse_zone(two_party((0.2, 0.2)), ["a1"])
    assert zone.members == ("a1",)
    assert zone.package[0] == pytest.approx(100.0)


def acceptable_on(s: ScenarioArrays, grid: np.ndarray) -> np.ndarray:
    idx = s.members()
    return (s.violation(grid)[:, idx] <= 1e-12).all(axis=1) & (
        s.utility(grid)[:, idx] >= s.batna[idx] - 1e-12
    ).all(axis=1)


@settings(max_examples=60, deadline=None)
@given(s=scenario_arrays())
def test_empty_zone_iff_no_package_beats_every_batna(s: ScenarioArrays) -> None:
    zone = analyse_zone(s)
    grid = package_grid(s)
    if zone.feasible:  # the witness is acceptable to every party
        z = s.normalise(zone.package)
        assert (s.violation(z) <= TOL).all()
        assert (s.utility(z) - s.batna >= -TOL).all()
    else:  # and no package on a fine grid is
        assert not acceptable_on(s, grid).any()


@settings(max_examples=60, deadline=None)
@given(s=scenario_arrays(min_actors=2))
def test_nash_is_individually_rational_and_pareto_optimal_on_the_grid(s: ScenarioArrays) -> None:
    forecast = make_model("nash").run(s)
    zone = analyse_zone(s)
    if not zone.feasible:
        assert np.isnan(forecast.final).all()
        return
    z = s.normalise(forecast.final)
    util = s.utility(z)
    assert (s.violation(z) <= TOL).all()
    assert (util - s.batna >= -TOL).all()
    grid = package_grid(s)
    ok = acceptable_on(s, grid)
    others = s.utility(grid[ok])
    dominates = (others >= util - 1e-9).all(axis=1) & (others > util + 1e-5).any(axis=1)
    assert not dominates.any()
    if not forecast.diagnostics["degenerate"]:
        # and no acceptable grid package has a larger Nash product
        best = max((nash_product(row, s.batna) for row in others), default=-np.inf)
        assert nash_product(util, s.batna) >= best - 1e-6


def test_nash_solution_function_on_box() -> None:
    ideal = np.array([[0.0, 0.0], [1.0, 1.0]])
    weights = np.array([[0.5, 0.5], [0.5, 0.5]])
    prefers = np.zeros((2, 2), dtype=np.int8)
    sol = nash_solution(Parties(ideal, weights, prefers, np.zeros(2)), np.zeros(2),
                        np.full(2, 0.3))
    assert sol is not None
    # b gains everywhere as z grows; a loses: the box's upper corner is capped by a's product
    assert u.utility(sol.package, ideal, weights, prefers) == pytest.approx(sol.utility)
    assert sol.package == pytest.approx([0.3, 0.3], abs=1e-6)


def test_the_maximin_package_is_solved_once_per_problem() -> None:
    """The forecast asks for the same maximin package twice (Nash start, zone): the second
    answer is the kept one, equal and a copy; another problem is solved afresh."""
    from zopa.analysis import packages

    rng = np.random.default_rng(7)
    ideal, weights = rng.uniform(size=(3, 4)), rng.uniform(0.1, 1, size=(3, 4))
    prefers = np.zeros((3, 4))
    batna, low, high = np.full(3, 0.2), np.zeros(4), np.ones(4)
    first = packages.maximin_package(Parties(ideal, weights, prefers, batna), low, high)
    first[0][:] = -1  # the caller's copy only
    again = packages.maximin_package(Parties(ideal, weights, prefers, batna), low, high)
    fresh = packages.maximin_package.__wrapped__(  # type: ignore[attr-defined]
        Parties(ideal, weights, prefers, batna), low, high)
    assert np.array_equal(again[0], fresh[0]) and again[1] == fresh[1]
    other = packages.maximin_package(Parties(ideal, weights, prefers, batna + 0.1), low, high)
    solve = packages.maximin_package.__wrapped__  # type: ignore[attr-defined]
    assert other[1] == solve(Parties(ideal, weights, prefers, batna + 0.1), low, high)[1]
