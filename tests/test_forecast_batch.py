"""``batch.forecast`` of the models that keep a run a draw (``nash``, ``exchange``) equals that
run on every draw: the Nash screen of empty red-line boxes, and the exchange model's run without
its report."""

from __future__ import annotations

from functools import cache

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from test_uncertainty_batch import drawn, uncertain_scenarios
from zopa.models.base import make_model
from zopa.models.nash import without_solution
from zopa.scenario import load_scenario, to_arrays
from zopa.scenario.arrays import ScenarioArrays
from zopa.scenario.uncertain import UncertainInput
from zopa.timeline.state import State
from zopa.uncertainty import batch
from zopa.uncertainty.zones import member_view


@cache
def example(path: str) -> ScenarioArrays:
    return to_arrays(load_scenario(path))


def per_draw(model: str, state: State, rounds: int | None = None) -> np.ndarray:
    return np.array([make_model(model).run(state.arrays(d), rounds=rounds).final
                     for d in range(state.draws)])


def screened(state: State) -> np.ndarray:
    view = member_view(state)
    return without_solution(state.base.options, view.low.max(axis=1), view.high.min(axis=1),
                            state.base.valuation is not None)


@settings(max_examples=40, deadline=None)
@given(uncertain_scenarios(), st.integers(0, 2**32 - 1))
def test_nash_equals_a_run_a_draw(case: tuple[ScenarioArrays, tuple[UncertainInput, ...]],
                                  seed: int) -> None:
    arrays, inputs = case
    state = drawn(arrays, inputs, 4, seed)
    want = per_draw("nash", state)
    np.testing.assert_array_equal(batch.forecast("nash", state), want)
    # a draw the screen skips is one the model finds no package for
    assert np.isnan(want[screened(state)]).all()


def test_the_screen_skips_every_draw_of_the_example() -> None:
    """On the March 2024 example the parties' red lines leave no zone on some issue in every
    draw: all draws are NaN without a run (and so equal to the runs)."""
    arrays = example("examples/gaza-2024-03.yaml")
    state = drawn(arrays, arrays.uncertainty, 20, 3)
    assert screened(state).all()
    np.testing.assert_array_equal(batch.forecast("nash", state), per_draw("nash", state))


def test_nash_solves_the_draws_with_a_zone() -> None:
    arrays = example("examples/eu-recovery-2020.yaml")
    state = drawn(arrays, arrays.uncertainty, 3, 1)
    got = batch.forecast("nash", state)
    assert not screened(state).any() and np.isfinite(got).all()
    np.testing.assert_array_equal(got, per_draw("nash", state))


def test_the_screen_on_options() -> None:
    options = (("a", "b", "c"), None)
    low = np.array([[0.6, 0.0], [0.2, 0.5], [0.0, 0.5]])
    high = np.array([[0.9, 1.0], [0.4, 0.4], [1.0, 0.5]])
    # no option in (0.6, 0.9); a continuous issue with low > high; a pinned but open box
    assert without_solution(options, low, high, valued=False).tolist() == [True, True, False]
    # with stated values options are not screened (the model's grid decides)
    assert without_solution(options, low, high, valued=True).tolist() == [False, True, False]


@settings(max_examples=10, deadline=None)
@given(uncertain_scenarios(), st.integers(0, 2**32 - 1), st.integers(0, 3))
def test_exchange_equals_a_run_a_draw(case: tuple[ScenarioArrays, tuple[UncertainInput, ...]],
                                      seed: int, rounds: int) -> None:
    arrays, inputs = case
    state = drawn(arrays, inputs, 3, seed)
    np.testing.assert_array_equal(batch.forecast("exchange", state, rounds=rounds),
                                  per_draw("exchange", state, rounds))


def test_exchange_on_the_example() -> None:
    arrays = example("examples/gaza-2024-03.yaml")
    state = drawn(arrays, arrays.uncertainty, 4, 2)
    np.testing.assert_array_equal(batch.forecast("exchange", state), per_draw("exchange", state))
