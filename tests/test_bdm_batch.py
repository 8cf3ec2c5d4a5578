"""The expected-utility models on a batch of draws equal a run a draw, to the last bit.

:meth:`zopa.models.bdm.ExpectedUtilityModel.run_batch` (and :func:`zopa.uncertainty.batch.forecast`
through it) against ``make_model(name, params).run(state.arrays(d), rounds=r).outcome``, on random
small scenarios whose draws vary ideal points, saliences and capabilities (issues some actors hold
no position on, ties between positions), on the Gaza example with every number uncertain, and the
batched building blocks against their one-scenario forms.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrays_strategies import scenario_arrays
from zopa.models import bdm_math as bm
from zopa.models.base import ParamValue, make_model
from zopa.models.bdm import PAPER, SCHOLZ_CODE, ExpectedUtilityModel, issue_round, issue_round_batch
from zopa.scenario import load_scenario, to_arrays
from zopa.scenario.arrays import ScenarioArrays, from_matrices
from zopa.timeline.state import State
from zopa.uncertainty import batch
from zopa.uncertainty.draws import apply_inputs, sample
from zopa.uncertainty.synthetic import spread_inputs

SETTINGS: tuple[tuple[str, dict[str, ParamValue]], ...] = (
    ("bdm", {}),
    ("bdm", {"q": 0.6}),
    ("bdm", {"q": 0.5, "t": "0.3", "median_tie": "upper", "scale": "issue"}),
    ("bdm", {"q": 0.8, "t_boundary": 0.2}),
    ("bdm-scholz", {}),
    ("bdm-scholz", {"scale": "issue"}),
)


def eu_model(name: str, params: dict[str, ParamValue]) -> ExpectedUtilityModel:
    model = make_model(name, params)
    assert isinstance(model, ExpectedUtilityModel)
    return model


def check(state: State, name: str, params: dict[str, ParamValue], rounds: int) -> None:
    got = eu_model(name, params).run_batch(state.base, state.ideal, state.salience,
                                           state.capability, rounds=rounds)
    assert got.shape == (state.draws, rounds + 1, state.base.n_issues)
    for d in range(state.draws):
        want = make_model(name, params).run(state.arrays(d), rounds=rounds).outcome
        np.testing.assert_array_equal(got[d], want, err_msg=f"draw {d}, {name} {params}")
    final = batch.forecast(name, state, rounds=rounds, params=params)
    np.testing.assert_array_equal(final, got[:, -1])


def varied(arrays: ScenarioArrays, draws: int, seed: int, *, grid: bool, same_nans: bool = True
           ) -> State:
    """``draws`` draws of ``arrays`` with other ideal points, saliences and capabilities; some
    actors hold no position on some issues; on a coarse grid, positions often tie."""
    rng = np.random.default_rng(seed)
    n, m = arrays.n_actors, arrays.n_issues
    lo, hi = arrays.lo, arrays.hi
    ideal = lo + rng.random((draws, n, m)) * (hi - lo)
    options = np.array([o is not None for o in arrays.options])
    ideal = np.where(options, np.rint(ideal), np.round(ideal, 1) if grid else ideal)
    missing = rng.random((n, m)) < 0.25
    if same_nans:
        ideal[:, missing] = np.nan
    else:
        ideal[rng.random((draws, n, m)) < 0.25] = np.nan
    salience = np.round(rng.random((draws, n, m)), 2)
    capability = rng.uniform(1, 100, (draws, n))
    base = State.from_arrays(arrays, draws)
    return base.with_values(ideal=ideal, salience=salience, capability=capability)


@settings(max_examples=80, deadline=None)
@given(scenario_arrays(min_actors=1, max_actors=6, max_issues=3, red_lines=False),
       st.integers(0, 2**31), st.integers(1, 4), st.integers(0, 4), st.booleans(),
       st.sampled_from(SETTINGS))
def test_batched_equals_per_draw(arrays: ScenarioArrays, seed: int, draws: int, rounds: int,
                                 grid: bool, setting: tuple[str, dict[str, ParamValue]]) -> None:
    check(varied(arrays, draws, seed, grid=grid), *setting, rounds)


@settings(max_examples=5, deadline=None)
@given(scenario_arrays(min_actors=2, max_actors=5, max_issues=2, red_lines=False),
       st.integers(0, 2**31), st.sampled_from(SETTINGS))
def test_draws_with_other_missing_positions_run_one_by_one(
    arrays: ScenarioArrays, seed: int, setting: tuple[str, dict[str, ParamValue]]
) -> None:
    check(varied(arrays, 3, seed, grid=True, same_nans=False), *setting, 3)


@cache
def gaza() -> ScenarioArrays:
    return to_arrays(load_scenario("examples/gaza-2024-03.yaml"))


@pytest.mark.parametrize("setting", SETTINGS, ids=[f"{n}-{p}" for n, p in SETTINGS])
def test_gaza_with_every_number_uncertain(setting: tuple[str, dict[str, ParamValue]]) -> None:
    arrays = gaza()
    inputs = (*arrays.uncertainty, *spread_inputs(arrays, 0.1))
    state = apply_inputs(State.from_arrays(arrays), inputs, sample(inputs, 0, 12, 5))
    check(state, *setting, 10)


def test_batched_round_on_many_actors() -> None:
    """Beyond :data:`bdm_math.SHORT_ROWS` actors the votes come from the sorted prefix table."""
    rng = np.random.default_rng(3)
    draws, n = 3, bm.SHORT_ROWS + 8
    x = rng.integers(0, 12, (draws, n)).astype(float)
    c, s = rng.uniform(0.1, 1, (draws, n)), rng.uniform(0, 1, (draws, n))
    dx = np.full(draws, 11.0)
    for variant in (PAPER, SCHOLZ_CODE):
        got_x, got_r = issue_round_batch(x, c, s, dx, variant, 0.7)
        for d in range(draws):
            mu = bm.condorcet_position(x[d], c[d] * s[d])
            want = issue_round(x[d], c[d], s[d], 11.0, variant, 0.7, None, mu)
            np.testing.assert_array_equal(got_x[d], want.x)
            np.testing.assert_array_equal(got_r[d], want.r)


def test_batched_round_leaves_degenerate_draws() -> None:
    x = np.array([[1.0, 1.0, 1.0], [0.0, 2.0, 5.0], [3.0, 4.0, 9.0]])
    c = s = np.ones((3, 3))
    got_x, got_r = issue_round_batch(x, c, s, np.array([0.0, 5.0, 0.0]), PAPER)
    np.testing.assert_array_equal(got_x[[0, 2]], x[[0, 2]])
    np.testing.assert_array_equal(got_r[[0, 2]], 1.0)
    np.testing.assert_array_equal(got_x[1], issue_round(x[1], c[1], s[1], 5.0, PAPER).x)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 45), st.integers(0, 2**31), st.booleans())
def test_batched_building_blocks(n: int, seed: int, ties: bool) -> None:
    rng = np.random.default_rng(seed)
    draws = 3
    x = rng.integers(0, 5, (draws, n)).astype(float) if ties else rng.uniform(0, 10, (draws, n))
    w, r = rng.uniform(0, 1, (draws, n)), rng.uniform(0.5, 2.0, (draws, n))
    voters = bm.Voters.of(x, w, r)
    votes = bm.support(x, voters, np.full(draws, 10.0))
    mid = (x[:, :, None] + x[:, None, :]) / 2.0
    for d in range(draws):
        one = bm.Voters.of(x[d], w[d], r[d])
        apart = x[d][:, None] != x[d][None, :]  # votes between equal positions mean nothing
        np.testing.assert_array_equal(bm.support(x[d], one, 10.0)[apart], votes[d][apart])
        for side in ("left", "right"):
            np.testing.assert_array_equal(bm.searchsorted(voters.x, mid, side)[d],
                                          np.searchsorted(one.x, mid[d], side))  # type: ignore[call-overload]
        for tie in ("lower", "upper"):
            assert bm.condorcet_positions(x, w, tie)[d] == bm.condorcet_position(x[d], w[d], tie)
    for ufunc in (np.maximum, np.minimum):
        np.testing.assert_array_equal(bm.row_reduce(ufunc, votes), ufunc.reduce(votes, axis=-1))
    np.testing.assert_array_equal(bm.row_reduce(np.logical_or, votes > 1),
                                  (votes > 1).any(axis=-1))



def test_issue_nobody_holds_with_status_quo_parameters() -> None:
    """With ``q < 1`` a round needs the issue's median; an issue without positions has none (a
    run raised before the batched path came) and keeps the scale's midpoint."""
    arrays = from_matrices(np.array([[np.nan, 0.2], [np.nan, 0.7], [np.nan, 0.9]]),
                           np.ones((3, 2)), [1.0, 2.0, 3.0])
    check(State.from_arrays(arrays, 2), "bdm", {"q": 0.6}, 2)
    assert make_model("bdm", {"q": 0.6}).run(arrays, rounds=2).outcome[:, 0].tolist() == [0.5] * 3
