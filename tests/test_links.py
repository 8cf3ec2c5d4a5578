"""Linked issues: linear constraints across issues, kept by the zone, Nash and the outcome space,
and checked in forecasts (docs/scenario.md, ``links``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from arrays_strategies import make_arrays, scenario_arrays
from zopa.analysis.bargaining import nash_product, nash_solution
from zopa.analysis.packages import Parties
from zopa.analysis.zone import analyse_zone
from zopa.cli.app import app
from zopa.links import link_rows, link_violation, links_feasible
from zopa.models.base import make_model
from zopa.protocols.space import problem_from_arrays
from zopa.scenario import load_scenario, to_arrays
from zopa.scenario.arrays import ScenarioArrays

ROOT = Path(__file__).resolve().parent.parent
GAZA = ROOT / "examples" / "gaza-2024-03.yaml"
TOL = 1e-9


def linked(s: ScenarioArrays, coefficients: Sequence[Sequence[float]], ops: Sequence[str],
           bounds: Sequence[float]) -> ScenarioArrays:
    """``s`` with links ``sum_j c_j v_j op bound`` (issue units)."""
    a, b, rows = link_rows(np.asarray(coefficients, dtype=float), list(ops),
                           np.asarray(bounds, dtype=float), s.lo, s.hi)
    return s.with_values(link_ids=tuple(f"l{k}" for k in range(len(ops))), link_matrix=a,
                         link_bound=b, link_row=rows)


# --- hand-checked cases ----------------------------------------------------------------------


def test_rows_in_issue_units() -> None:
    # days in [0, 180], hostages in [0, 130]: days <= 1.05 hostages
    a, b, rows = link_rows(np.array([[1.0, -1.05]]), ["<="], np.zeros(1), np.zeros(2),
                           np.array([180.0, 130.0]))
    z = np.array([[42 / 180, 40 / 130], [60 / 180, 40 / 130]])
    broken = link_violation(a, b, rows, 1, z)
    assert broken[0, 0] == 0.0
    assert broken[1, 0] == pytest.approx(60 - 42)  # in days, the link's own units
    assert rows.tolist() == [0]


def test_equality_gives_two_rows_and_both_directions_count() -> None:
    a, b, rows = link_rows(np.array([[1.0, -1.0]]), ["=="], np.zeros(1), np.zeros(2), np.ones(2))
    assert rows.tolist() == [0, 0]
    broken = link_violation(a, b, rows, 1, np.array([[0.5, 0.2], [0.2, 0.5], [0.3, 0.3]]))
    assert broken[:, 0] == pytest.approx([0.3, 0.3, 0.0])


def test_feasibility_lp() -> None:
    a, b, _ = link_rows(np.array([[1.0, 1.0]]), [">="], np.array([1.5]), np.zeros(2), np.ones(2))
    assert links_feasible(a, b, np.zeros(2), np.ones(2))
    assert not links_feasible(a, b, np.zeros(2), np.full(2, 0.7))


def test_link_moves_the_balanced_package_and_nash() -> None:
    # one issue, ideals 0.2 and 0.8: the balanced and the Nash package are 0.5; a link caps it
    s = make_arrays(np.array([[0.2], [0.8]]), np.ones((2, 1)))
    assert analyse_zone(s).package[0] == pytest.approx(0.5)
    capped = linked(s, [[1.0]], ["<="], [0.3])
    zone = analyse_zone(capped)
    assert zone.feasible and zone.package[0] == pytest.approx(0.3)
    assert make_model("nash").run(capped).final[0] == pytest.approx(0.3)


def test_equality_link_ties_two_issues() -> None:
    # a0 wants (0.1, 0.9), a1 wants (0.9, 0.1); the link z0 == z1 keeps them on the diagonal
    s = make_arrays(np.array([[0.1, 0.9], [0.9, 0.1]]), np.array([[1.0, 0.5], [0.5, 1.0]]))
    tied = linked(s, [[1.0, -1.0]], ["=="], [0.0])
    for package in (analyse_zone(tied).package, make_model("nash").run(tied).final):
        assert package[0] == pytest.approx(package[1], abs=1e-9)


def test_links_that_red_lines_exclude_are_reported() -> None:
    red = np.array([[0.6], [np.nan]])
    s = make_arrays(np.array([[0.9], [0.7]]), np.ones((2, 1)), red_line=red)
    assert analyse_zone(s).feasible
    conflicting = linked(s, [[1.0]], ["<="], [0.3])
    zone = analyse_zone(conflicting)
    assert not zone.feasible and zone.links_conflict
    assert zone.package[0] <= 0.3 + TOL  # the closest package keeps the link
    assert np.isnan(make_model("nash").run(conflicting).final).all()


# --- properties ------------------------------------------------------------------------------


@st.composite
def linked_arrays(draw: st.DrawFn) -> ScenarioArrays:
    """Random arrays with one to three random links that some package keeps."""
    s = draw(scenario_arrays(min_actors=2, options=draw(st.booleans())))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    count = draw(st.integers(1, 3))
    point = s.lo + rng.random(s.n_issues) * (s.hi - s.lo)  # every link keeps this package
    c = np.round(rng.normal(size=(count, s.n_issues)), 2)
    ops = list(rng.choice(["<=", ">=", "=="], count, p=[0.45, 0.45, 0.1]))
    slack = rng.random(count) * 0.3
    lhs = c @ point
    bounds = np.where(np.array(ops) == "<=", lhs + slack,
                      np.where(np.array(ops) == ">=", lhs - slack, lhs))
    return linked(s, c, ops, bounds)


@settings(max_examples=60, deadline=None)
@given(s=linked_arrays())
def test_zone_and_nash_packages_keep_every_link(s: ScenarioArrays) -> None:
    zone = analyse_zone(s)
    assert (s.link_violation(s.normalise(zone.package)) == 0).all()
    nash = make_model("nash").run(s).final
    if np.isfinite(nash).all():
        assert (s.link_violation(s.normalise(nash)) == 0).all()
        assert (s.violation(s.normalise(nash)) <= 1e-9).all()


@settings(max_examples=40, deadline=None)
@given(s=scenario_arrays(min_actors=2, options=False), bound=st.floats(1.0, 10.0))
def test_a_link_that_never_binds_changes_nothing(s: ScenarioArrays, bound: float) -> None:
    loose = linked(s, [np.ones(s.n_issues)], ["<="], [s.n_issues * 1.0 + bound])
    plain, with_link = analyse_zone(s), analyse_zone(loose)
    assert plain.feasible == with_link.feasible
    assert plain.margin == pytest.approx(with_link.margin, abs=1e-7)
    a, b = make_model("nash").run(s).final, make_model("nash").run(loose).final
    assert np.isfinite(a).all() == np.isfinite(b).all()
    if np.isfinite(a).all():
        idx = s.members()
        value_a = nash_product(s.utility(s.normalise(a))[idx], s.batna[idx])
        value_b = nash_product(s.utility(s.normalise(b))[idx], s.batna[idx])
        assert value_b == pytest.approx(value_a, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(s=linked_arrays())
def test_outcome_space_marks_exactly_the_outcomes_that_break_a_link(s: ScenarioArrays) -> None:
    plain = problem_from_arrays(s.with_values(link_ids=(), link_matrix=np.zeros((0, s.n_issues)),
                                              link_bound=np.zeros(0),
                                              link_row=np.zeros(0, dtype=np.int64)),
                                resolution=5)
    problem = problem_from_arrays(s, resolution=5)
    z = problem.space.normalised(np.arange(problem.n_outcomes))
    breaks = (s.link_violation(z) > 0).any(axis=1)
    before = np.ones_like(breaks)[:, None] if plain.acceptable is None else plain.acceptable
    after = (np.ones((problem.n_outcomes, problem.n_agents), dtype=bool)
             if problem.acceptable is None else problem.acceptable)
    assert (after == (before & ~breaks[:, None])).all()
    assert not problem.rational[breaks].any()


def test_nash_solution_function_keeps_links_to_1e_9() -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        k, m = 3, 4
        ideal, weights = rng.random((k, m)), rng.random((k, m))
        weights /= weights.sum(axis=1, keepdims=True)
        a = rng.normal(size=(2, m))
        b = a @ np.full(m, 0.5) + 0.05
        found = nash_solution(Parties(ideal, weights, np.zeros((k, m), dtype=np.int8),
                                      np.zeros(k)), np.zeros(m), np.ones(m), links=(a, b))
        assert found is not None
        assert (a @ found.package - b <= 1e-9 * (1 + np.abs(b) + np.abs(a).sum(axis=1))).all()


# --- the March 2024 example and the command line -----------------------------------------------


def test_example_declares_cited_links() -> None:
    scenario = load_scenario(GAZA)
    assert [link.id for link in scenario.links] == ["release_needs_pause", "pause_needs_release"]
    assert all(link.source == "reuters_israel_offer_2024_03_18" for link in scenario.links)
    arrays = to_arrays(scenario)
    zone = analyse_zone(arrays)
    assert (arrays.link_violation(arrays.normalise(zone.package)) == 0).all()
    days, hostages = zone.package[0], zone.package[1]
    assert hostages <= days <= 1.05 * hostages + 1e-9


def test_forecast_flags_a_broken_link(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    table = runner.invoke(app, ["forecast", str(GAZA), "--model", "median"])
    assert table.exit_code == 0, table.stderr
    assert "Link broken: the forecast breaks link release_needs_pause by 55" in table.stdout
    assert "pause_needs_release" not in table.stdout
    done = runner.invoke(app, ["forecast", str(GAZA), "--model", "median", "--json"])
    links = json.loads(done.stdout)["links"]
    assert links["release_needs_pause"] == {"kept": False, "broken_by": 55.0}
    assert links["pause_needs_release"] == {"kept": True, "broken_by": 0.0}


def test_forecast_without_links_has_an_empty_links_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    done = CliRunner().invoke(app, ["forecast", "examples/eu-recovery-2020.yaml", "--json"])
    assert json.loads(done.stdout)["links"] == {}


def test_large_nash_by_smoothing_keeps_links() -> None:
    # 3 parties x 45 issues: beyond SLSQP_LIMIT, so the smoothing path (SLSQP in z) runs
    rng = np.random.default_rng(11)
    k, m = 3, 45
    ideal, weights = rng.random((k, m)), rng.random((k, m))
    weights /= weights.sum(axis=1, keepdims=True)
    a = rng.normal(size=(3, m))
    b = a @ np.full(m, 0.5) + 0.01
    parties = Parties(ideal, weights, np.zeros((k, m), dtype=np.int8), np.full(k, 0.3))
    found = nash_solution(parties, np.zeros(m), np.ones(m), links=(a, b))
    assert found is not None and not found.degenerate
    assert (a @ found.package - b <= 1e-9 * (1 + np.abs(b) + np.abs(a).sum(axis=1))).all()
    # at least as good as the most balanced package that keeps the links
    from zopa.analysis.zone import maximin_package

    start, _ = maximin_package(parties, np.zeros(m), np.ones(m), links=(a, b))
    util = found.utility
    start_util = make_arrays(ideal, weights).utility(start)
    assert nash_product(util, np.full(k, 0.3)) >= nash_product(start_util, np.full(k, 0.3)) - 1e-12


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**6))
def test_elimination_decides_as_the_lp(seed: int) -> None:
    from zopa import links as lk

    rng = np.random.default_rng(seed)
    n, r = int(rng.integers(1, 5)), int(rng.integers(1, 6))
    a, b = rng.normal(size=(r, n)).round(1), rng.normal(size=r).round(1)
    box = (np.zeros(n), np.ones(n))
    by_elimination = lk.links_feasible(a, b, *box)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lk.elimination, "MAX_VARIABLES", -1)
        assert lk.links_feasible(a, b, *box) == by_elimination
