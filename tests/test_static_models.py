"""Compromise and weighted-median models, and the model registry."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from arrays_strategies import scenario_arrays
from zopa.errors import UsageError
from zopa.models.base import get_model, make_model, model_names
from zopa.models.compromise import influence_weights, weighted_mean, weighted_median
from zopa.scenario.arrays import ScenarioArrays


def test_weighted_mean_by_hand() -> None:
    ideal = np.array([[0.0, 10.0], [100.0, np.nan], [40.0, 30.0]])
    weights = influence_weights(
        np.array([2.0, 1.0, 1.0]), np.array([[0.5, 1.0], [1.0, 1.0], [0.5, 1.0]]), ideal
    )
    assert weights.tolist() == [[1.0, 2.0], [1.0, 0.0], [0.5, 1.0]]
    mean = weighted_mean(ideal, weights, np.array([50.0, 50.0]))
    assert mean == pytest.approx([(0 + 100 + 20) / 2.5, (20 + 30) / 3])


def test_weighted_median_by_hand() -> None:
    ideal = np.array([[0.0], [10.0], [20.0], [30.0]])
    assert weighted_median(ideal, np.array([[1.0], [1.0], [3.0], [1.0]]), np.array([0.0])) == [20.0]
    # exactly half the weight on each side: the midpoint of the two middle positions
    assert weighted_median(ideal, np.array([[1.0], [1.0], [1.0], [1.0]]), np.array([0.0])) == [15.0]
    # a heavy actor is the median whatever the others do
    assert weighted_median(ideal, np.array([[10.0], [1.0], [1.0], [1.0]]), np.array([0.0])) == [0.0]


def test_nobody_cares_falls_back() -> None:
    ideal = np.array([[0.0, np.nan], [60.0, np.nan]])
    zero = np.zeros((2, 2))
    assert weighted_mean(ideal, zero, np.array([50.0, 7.0])).tolist() == [30.0, 7.0]
    assert weighted_median(ideal, zero, np.array([50.0, 7.0])).tolist() == [30.0, 7.0]


def test_registry() -> None:
    assert {"compromise", "median", "nash"} <= set(model_names())
    with pytest.raises(UsageError, match="unknown model 'nope'"):
        get_model("nope")
    with pytest.raises(UsageError, match="has no parameter 'x'"):
        make_model("compromise", {"x": "1"})


@settings(max_examples=60, deadline=None)
@given(s=scenario_arrays(max_actors=6))
def test_static_outcomes_lie_within_the_actors_range(s: ScenarioArrays) -> None:
    held = s.salience > 0
    for name in ("compromise", "median"):
        forecast = make_model(name).run(s)
        assert forecast.positions.shape == (1, s.n_actors, s.n_issues)
        assert forecast.outcome.shape == (1, s.n_issues)
        for j in range(s.n_issues):
            values = s.ideal[held[:, j], j] if held[:, j].any() else s.ideal[:, j]
            assert values.min() - 1e-9 <= forecast.final[j] <= values.max() + 1e-9


@settings(max_examples=30, deadline=None)
@given(s=scenario_arrays(max_actors=5))
def test_mean_is_invariant_to_scaling_capability(s: ScenarioArrays) -> None:
    a = make_model("compromise").run(s).final
    b = make_model("compromise").run(s.with_values(capability=s.capability * 7.5)).final
    assert a == pytest.approx(b)
